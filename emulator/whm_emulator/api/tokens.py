"""WHM API tokens: api_token_create/list/update/revoke/get_details (Whostmgr/API/1/Tokens.pm).

Secrets are 32 characters of A-Z0-9, shown once at creation and stored only as their SHA-512
hex digest (Cpanel/Security/Authn/APITokens/Write.pm).
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
import string
import time
from typing import Any, Dict, List, Optional, Tuple

from whm_emulator.args import Args
from whm_emulator.errors import ApiError
from whm_emulator.registry import CallContext, Result, api_function
from whm_emulator.validate import ACL_NAMES

_TOKEN_ALPHABET = string.ascii_uppercase + string.digits
_TOKEN_LENGTH = 32
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,50}$")
_MAX_WHITELIST = 100

CREATE_PREFIX = "The system failed to create the API token: "
UPDATE_PREFIX = "The system failed to update the API token: "
REVOKE_PREFIX = "The system failed to revoke the API token: "


def _fail(prefix: str, message: str) -> ApiError:
    # Failures carry an empty data hash (Tokens.pm returns {} on error).
    return ApiError(prefix + message, data={})


def _validate_name(prefix: str, name: str) -> None:
    if not _NAME.match(name):
        # UNCONFIRMED wording (Cpanel/Security/Authn/APITokens/Validate.pm not read verbatim).
        raise _fail(
            prefix,
            f"The API token name “{name}” is invalid. A name must contain 1 to 50 characters: letters, "
            "numbers, hyphens (-) and underscores (_).",
        )


def _validate_acls(prefix: str, acls: List[str]) -> List[str]:
    unknown = [a for a in acls if a not in ACL_NAMES]
    if unknown:
        raise _fail(prefix, "Invalid or unauthorized ACL(s) specified: " + ", ".join(unknown))
    return sorted(set(acls))


def _validate_expiry(prefix: str, value: str) -> Optional[int]:
    value = value.strip()
    if not value.isdigit():
        raise _fail(prefix, f"The “{value}” value must be a future date.")
    number = int(value)
    if number == 0:
        return None  # 0 = never expires
    if number <= time.time():
        raise _fail(prefix, f"The “{value}” value must be a future date.")
    return number


def _ip_sort_key(net: Any) -> Tuple[int, int, int]:
    return (net.version, int(net.network_address), net.prefixlen)


def normalise_whitelist(prefix: str, values: List[str]) -> Optional[List[str]]:
    """Write.pm _normalize_ip_list: parse, drop host masks, expand IPv6, sort (IPv4 first), dedupe.

    Returns None for ``any`` (no restriction).
    """
    if any(v.strip().lower() == "any" for v in values):
        return None
    if len(values) > _MAX_WHITELIST:
        raise _fail(prefix, f"You cannot specify more than {_MAX_WHITELIST} IP addresses.")  # UNCONFIRMED text
    nets = set()
    for value in values:
        try:
            nets.add(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise _fail(prefix, f"“{value}” is not a valid IP address or CIDR range.") from None  # UNCONFIRMED text
    out = []
    for net in sorted(nets, key=_ip_sort_key):
        address = net.network_address.exploded  # IPv6 written in full expanded form
        full = net.prefixlen == net.max_prefixlen
        out.append(address if full else f"{address}/{net.prefixlen}")
    return out


def _record(row: Dict[str, Any], list_form: bool) -> Dict[str, Any]:
    record: Dict[str, Any] = {
        "name": row["name"],
        "create_time": int(row["create_time"]),
        "expires_at": int(row["expires_at"]) if row["expires_at"] else None,
    }
    acls = json.loads(row["acls"]) if row["acls"] else None
    if list_form:
        # api_token_list: every ACL name → 0/1. Root with a full-access token holds all of
        # them; root with a restricted token holds exactly the token's list (Object/whostmgr.pm).
        full = acls is None or "all" in acls
        record["acls"] = {name: 1 if full or name in acls else 0 for name in sorted(ACL_NAMES)}
    elif acls is not None:
        record["acls"] = acls
    if row["whitelist_ips"]:
        # DISAGREE: the docs show whitelist_ips null when unrestricted; the code omits the key.
        record["whitelist_ips"] = json.loads(row["whitelist_ips"])
    return record


def _load(ctx: CallContext, name: str) -> Optional[Dict[str, Any]]:
    row = ctx.db.execute("SELECT * FROM tokens WHERE user = ? AND name = ?", (ctx.user, name)).fetchone()
    return None if row is None else dict(row)


@api_function("api_token_create", write=True, acl="manage-api-tokens")
def api_token_create(ctx: CallContext, args: Args) -> Result:
    name = args.get("token_name")
    if not name:
        raise _fail(CREATE_PREFIX, "Provide the “token_name” parameter.")
    _validate_name(CREATE_PREFIX, name)
    if _load(ctx, name) is not None:
        raise _fail(CREATE_PREFIX, f"A conflicting API token with the name “{name}” already exists.")
    acl_values = args.getlist("acl")
    acls = _validate_acls(CREATE_PREFIX, acl_values) if acl_values else None
    expires = args.get("expires_at")
    expires_at = _validate_expiry(CREATE_PREFIX, expires) if expires not in (None, "") else None
    ips = args.getlist("whitelist_ip")
    whitelist = normalise_whitelist(CREATE_PREFIX, ips) if ips else None

    from whm_emulator.emulator import token_hash

    secret = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(_TOKEN_LENGTH))
    now = int(time.time())
    ctx.db.execute(
        "INSERT INTO tokens(user, name, hash, create_time, expires_at, acls, whitelist_ips) VALUES (?,?,?,?,?,?,?)",
        (
            ctx.user,
            name,
            token_hash(secret),
            now,
            expires_at,
            json.dumps(acls) if acls is not None else None,
            json.dumps(whitelist) if whitelist else None,
        ),
    )
    data: Dict[str, Any] = {"token": secret, "name": name, "create_time": now, "expires_at": expires_at}
    if acls is not None:
        data["acls"] = acls
    if whitelist:
        data["whitelist_ips"] = whitelist
    return Result(data=data)


@api_function("api_token_list", write=False, acl="manage-api-tokens")
def api_token_list(ctx: CallContext, args: Args) -> Result:
    rows = ctx.db.execute("SELECT * FROM tokens WHERE user = ? ORDER BY name", (ctx.user,)).fetchall()
    # Expired tokens stay listed: WHM never deletes them.
    return Result(data={"tokens": {r["name"]: _record(dict(r), list_form=True) for r in rows}})


@api_function("api_token_update", write=True, acl="manage-api-tokens")
def api_token_update(ctx: CallContext, args: Args) -> Result:
    name = args.get("token_name")
    if not name:
        raise _fail(UPDATE_PREFIX, "Provide the “token_name” parameter.")
    row = _load(ctx, name)
    if row is None:
        raise _fail(UPDATE_PREFIX, f"The API token “{name}” does not exist.")
    new_name = args.get("new_name")
    acl_values = args.getlist("acl")
    has_expiry = args.has("expires_at")
    ips = args.getlist("whitelist_ip")
    if not (new_name or acl_values or has_expiry or ips):
        raise _fail(UPDATE_PREFIX, "Specify a new name, updated ACLs, or IPs.")
    if new_name and new_name != name:
        _validate_name(UPDATE_PREFIX, new_name)
        if _load(ctx, new_name) is not None:
            raise _fail(UPDATE_PREFIX, f"An API token with the name “{new_name}” already exists.")
        row["name"] = new_name
    # DISAGREE: docs say omitting acl grants all privileges; the code keeps the current ACLs.
    if acl_values:
        row["acls"] = json.dumps(_validate_acls(UPDATE_PREFIX, acl_values))
    if has_expiry:
        row["expires_at"] = _validate_expiry(UPDATE_PREFIX, args.get("expires_at") or "0")
    if ips:
        whitelist = normalise_whitelist(UPDATE_PREFIX, ips)
        row["whitelist_ips"] = json.dumps(whitelist) if whitelist else None
    ctx.db.execute(
        "UPDATE tokens SET name = ?, expires_at = ?, acls = ?, whitelist_ips = ? WHERE user = ? AND name = ?",
        (row["name"], row["expires_at"], row["acls"], row["whitelist_ips"], ctx.user, name),
    )
    return Result(data=_record(row, list_form=False))


@api_function("api_token_revoke", write=True, acl="manage-api-tokens")
def api_token_revoke(ctx: CallContext, args: Args) -> Result:
    names = args.getlist("token_name")
    if not names:
        raise _fail(REVOKE_PREFIX, "Provide at least one “token_name” argument.")
    for name in names:
        # Unknown names are ignored: revoke is idempotent.
        ctx.db.execute("DELETE FROM tokens WHERE user = ? AND name = ?", (ctx.user, name))
    return Result(data={})


@api_function("api_token_get_details", write=False, acl="manage-api-tokens")
def api_token_get_details(ctx: CallContext, args: Args) -> Result:
    from whm_emulator.emulator import token_hash

    secret = args.required("token")
    row = ctx.db.execute("SELECT * FROM tokens WHERE user = ? AND hash = ?", (ctx.user, token_hash(secret))).fetchone()
    if row is None:
        return Result()  # nothing stored under that secret: no data
    return Result(data=_record(dict(row), list_form=False))


def ip_allowed(whitelist_json: Optional[str], client_ip: str) -> bool:
    """Whether a token restricted to ``whitelist_ips`` may be used from ``client_ip``."""
    if not whitelist_json:
        return True
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in json.loads(whitelist_json))
