# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this file is internal to the hosting.whm collection. It may change without notice
# and is not part of the collection's public API.

"""WHM API tokens: read (api_token_list), normalise, diff, apply (create / update / revoke)."""

from __future__ import annotations

import ipaddress
import re
import time
import typing as t

from ansible_collections.hosting.whm.plugins.module_utils._api import WhmApi
from ansible_collections.hosting.whm.plugins.module_utils._errors import WHMInputError
from ansible_collections.hosting.whm.plugins.module_utils._result import Result

# The privilege that stands for "everything the token's owner may do". WHM's api_token_create
# treats acl=all like an omitted acl (full access), and api_token_update needs it to restore full
# access because an omitted acl keeps the current list there (Whostmgr::API::1::Tokens and
# Cpanel::Security::Authn::APITokens::Write::whostmgr; the api_token_update doc page says the
# opposite, the code wins).
FULL_ACCESS = "all"
TOKEN_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,50}$")
MAX_WHITELIST_IPS = 100


# -- input -----------------------------------------------------------------------------------


def validate_token_name(name: str) -> None:
    """WHM's token-name rule: 1 to 50 letters, digits, dashes and underscores."""
    if not name or not TOKEN_NAME_PATTERN.match(name):
        raise WHMInputError(
            f"The API token name '{name}' is not valid: use 1 to 50 letters, digits, dashes (-) and underscores (_)."
        )


def normalise_acls(acls: t.Optional[t.Sequence[t.Any]]) -> t.List[str]:
    """The user's ACL list as a sorted, de-duplicated list; omitted or containing V(all) -> ["all"]."""
    if acls is None:
        return [FULL_ACCESS]
    if not acls:
        raise WHMInputError("acls must not be an empty list; leave it out to give the token full access.")
    names = set()
    for acl in acls:
        if not isinstance(acl, str) or not acl.strip():
            raise WHMInputError(f"Every entry of acls must be a non-empty privilege name, not {acl!r}.")
        names.add(acl.strip())
    if FULL_ACCESS in names:
        return [FULL_ACCESS]
    return sorted(names)


def normalise_ip(value: t.Any) -> t.Tuple[int, int, int, str]:
    """One IP or CIDR as WHM stores it, with a sort key: (version, address, prefix, text).

    WHM drops host masks (/32, /128) and writes IPv6 fully expanded (Cpanel::Security::Authn::
    APITokens::Write, see the sample on cPanel's api_token_list doc page). Host bits of a range
    are cleared here so that both spellings of one range compare equal.
    """
    text = str(value).strip()
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise WHMInputError(f"'{text}' in whitelist_ips is not an IP address or a CIDR range.") from None
    address = network.network_address.exploded
    full_mask = network.max_prefixlen
    rendered = address if network.prefixlen == full_mask else f"{address}/{network.prefixlen}"
    return network.version, int(network.network_address), network.prefixlen, rendered


def normalise_whitelist(ips: t.Optional[t.Sequence[t.Any]]) -> t.List[str]:
    """IPs and ranges sorted IPv4 first then by number, de-duplicated, in WHM's spelling."""
    keyed = sorted({normalise_ip(ip) for ip in ips or ()})
    if len(keyed) > MAX_WHITELIST_IPS:
        raise WHMInputError(f"whitelist_ips holds {len(keyed)} entries; WHM accepts at most {MAX_WHITELIST_IPS}.")
    return [entry[3] for entry in keyed]


def check_expires_at(expires_at: int, now: float) -> None:
    """WHM only accepts a future expiry, or 0 for none (checked only when it will be sent)."""
    if expires_at != 0 and expires_at <= now:
        raise WHMInputError(
            f"expires_at {expires_at} is not in the future; "
            "give a later Unix time, or 0 for a token that never expires."
        )


# -- reading -----------------------------------------------------------------------------------


def format_token(record: t.Mapping[str, t.Any]) -> t.Dict[str, t.Any]:
    """An api_token_list entry in the module's shape (never holds the secret: WHM does not list it)."""
    raw_acls = record.get("acls")
    if isinstance(raw_acls, t.Mapping):
        # Every privilege name -> 0/1 (cPanel's api_token_list doc page); a full-access token of
        # root shows "all" enabled.
        enabled = sorted(str(name) for name, value in raw_acls.items() if _truthy(value))
    elif isinstance(raw_acls, list):
        enabled = sorted({str(name) for name in raw_acls})
    else:
        enabled = [FULL_ACCESS]
    if FULL_ACCESS in enabled:
        enabled = [FULL_ACCESS]
    expires_at = record.get("expires_at")
    token: t.Dict[str, t.Any] = {
        "name": str(record.get("name")),
        "acls": enabled,
        "expires_at": int(expires_at) if expires_at not in (None, "") else 0,
        "whitelist_ips": normalise_whitelist(record.get("whitelist_ips") or []),
    }
    if record.get("create_time") not in (None, ""):
        token["create_time"] = int(record["create_time"])
    return token


def _truthy(value: t.Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes")


def list_tokens(api: WhmApi) -> t.Dict[str, t.Dict[str, t.Any]]:
    """Every API token of the calling WHM user, by name, in one request."""
    data = api.read("api_token_list").data
    tokens = data.get("tokens") if isinstance(data, dict) else None
    if isinstance(tokens, list):
        records = tokens
    elif isinstance(tokens, dict):
        records = [dict(record, name=record.get("name") or name) for name, record in tokens.items()]
    else:
        records = []
    return {str(record.get("name")): format_token(record) for record in records if isinstance(record, dict)}


def for_diff(token: t.Optional[t.Mapping[str, t.Any]]) -> t.Dict[str, t.Any]:
    """The compared settings only: no create time, never the secret."""
    if not token:
        return {}
    return {key: token[key] for key in ("name", "acls", "expires_at", "whitelist_ips")}


# -- converging --------------------------------------------------------------------------------


def ensure_token(
    api: WhmApi,
    name: str,
    state: str,
    check_mode: bool,
    acls: t.Optional[t.Sequence[t.Any]] = None,
    expires_at: t.Optional[int] = None,
    whitelist_ips: t.Optional[t.Sequence[t.Any]] = None,
    now: t.Optional[float] = None,
) -> Result:
    """Converge one API token of the calling user.

    ``acls`` None means full access. ``expires_at`` and ``whitelist_ips`` None leave an existing
    token's setting alone; ``0`` and ``[]`` remove the expiry and the IP restriction.
    """
    validate_token_name(name)
    now = time.time() if now is None else now
    desired_acls = normalise_acls(acls) if state == "present" else []
    desired_ips = normalise_whitelist(whitelist_ips) if whitelist_ips is not None else None
    if expires_at is not None and expires_at < 0:
        raise WHMInputError(f"expires_at must be a Unix time or 0, not {expires_at}.")

    current = list_tokens(api).get(name)
    before = for_diff(current)

    if state == "absent":
        if current and not check_mode:
            api.write("api_token_revoke", {"token_name": name})
        return Result(changed=bool(current), diff={"before": before, "after": {}}, values={"api_token": {}})

    if not current:
        after = {
            "name": name,
            "acls": desired_acls,
            "expires_at": expires_at or 0,
            "whitelist_ips": desired_ips or [],
        }
        params: t.Dict[str, t.Any] = {"token_name": name}
        if desired_acls != [FULL_ACCESS]:
            params["acl"] = desired_acls
        if expires_at:
            check_expires_at(expires_at, now)
            params["expires_at"] = expires_at
        if desired_ips:
            params["whitelist_ip"] = desired_ips
        values: t.Dict[str, t.Any] = {"api_token": dict(after)}
        if not check_mode:
            data = api.write("api_token_create", params).data or {}
            secret = data.get("token") if isinstance(data, dict) else None
            # Shown once by WHM and returned to the user, who needs it; kept out of every message.
            api.add_secret(secret)
            if data.get("create_time") not in (None, ""):
                values["api_token"]["create_time"] = int(data["create_time"])
            values["token"] = secret
        return Result(changed=True, diff={"before": {}, "after": after}, values=values)

    to_change: t.Dict[str, t.Any] = {}
    if current["acls"] != desired_acls:
        to_change["acl"] = FULL_ACCESS if desired_acls == [FULL_ACCESS] else desired_acls
    if expires_at is not None and current["expires_at"] != expires_at:
        check_expires_at(expires_at, now)
        to_change["expires_at"] = expires_at
    if desired_ips is not None and current["whitelist_ips"] != desired_ips:
        # An empty list cannot be sent; "any" lifts the restriction (api_token_update doc page).
        to_change["whitelist_ip"] = desired_ips or "any"

    after = dict(current)
    after["acls"] = desired_acls
    if "expires_at" in to_change:
        after["expires_at"] = expires_at
    if desired_ips is not None:
        after["whitelist_ips"] = desired_ips
    if to_change and not check_mode:
        api.write("api_token_update", {"token_name": name, **to_change})
    return Result(
        changed=bool(to_change), diff={"before": before, "after": for_diff(after)}, values={"api_token": after}
    )
