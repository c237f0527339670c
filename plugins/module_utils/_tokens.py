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
from ansible_collections.hosting.whm.plugins.module_utils._errors import WHMError, WHMInputError
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


def token_options() -> t.Dict[str, t.Dict[str, t.Any]]:
    """The api_token module's options (without the connection), also the plural module's element options."""
    return {
        "name": {"type": "str", "required": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "acls": {"type": "list", "elements": "str"},
        "expires_at": {"type": "int"},
        "whitelist_ips": {"type": "list", "elements": "str"},
    }


class TokenRequest:
    """One token's declared state, validated (nothing here needs the server)."""

    def __init__(
        self,
        name: str,
        state: str = "present",
        acls: t.Optional[t.Sequence[t.Any]] = None,
        expires_at: t.Optional[int] = None,
        whitelist_ips: t.Optional[t.Sequence[t.Any]] = None,
    ) -> None:
        validate_token_name(name)
        if state not in ("present", "absent"):
            raise WHMInputError(f"state must be present or absent, not {state!r}.")
        self.name = name
        self.state = state
        self.acls = normalise_acls(acls) if state == "present" else []
        self.whitelist_ips = normalise_whitelist(whitelist_ips) if whitelist_ips is not None else None
        if expires_at is not None and expires_at < 0:
            raise WHMInputError(f"expires_at must be a Unix time or 0, not {expires_at}.")
        self.expires_at = expires_at


class TokenPlan:
    """What one token needs: ``action`` is none, create, update or revoke; ``params`` its call."""

    def __init__(
        self,
        request: TokenRequest,
        action: str,
        before: t.Dict[str, t.Any],
        after: t.Dict[str, t.Any],
        params: t.Optional[t.Dict[str, t.Any]] = None,
    ) -> None:
        self.request = request
        self.action = action
        self.before = before
        self.after = after
        self.params = params or {}
        self.created = False
        self.secret: t.Optional[str] = None

    @property
    def changed(self) -> bool:
        return self.action != "none"

    def result(self) -> Result:
        """The singular module's result; ``token`` only once the token was really created."""
        if self.request.state == "absent":
            return Result(changed=self.changed, diff={"before": self.before, "after": {}}, values={"api_token": {}})
        values: t.Dict[str, t.Any] = {"api_token": dict(self.after)}
        if self.created:
            values["token"] = self.secret
        return Result(changed=self.changed, diff={"before": self.before, "after": for_diff(self.after)}, values=values)


def plan_token(request: TokenRequest, current: t.Optional[t.Dict[str, t.Any]], now: float) -> TokenPlan:
    """Compare one declared token with its listing (None: not there). Raises before any write."""
    name = request.name
    before = for_diff(current)
    if request.state == "absent":
        return TokenPlan(request, "revoke" if current else "none", before, {})

    if not current:
        after = {
            "name": name,
            "acls": request.acls,
            "expires_at": request.expires_at or 0,
            "whitelist_ips": request.whitelist_ips or [],
        }
        params: t.Dict[str, t.Any] = {"token_name": name}
        if request.acls != [FULL_ACCESS]:
            params["acl"] = request.acls
        if request.expires_at:
            check_expires_at(request.expires_at, now)
            params["expires_at"] = request.expires_at
        if request.whitelist_ips:
            params["whitelist_ip"] = request.whitelist_ips
        return TokenPlan(request, "create", {}, after, params)

    to_change: t.Dict[str, t.Any] = {}
    if current["acls"] != request.acls:
        to_change["acl"] = FULL_ACCESS if request.acls == [FULL_ACCESS] else request.acls
    if request.expires_at is not None and current["expires_at"] != request.expires_at:
        check_expires_at(request.expires_at, now)
        to_change["expires_at"] = request.expires_at
    if request.whitelist_ips is not None and current["whitelist_ips"] != request.whitelist_ips:
        # An empty list cannot be sent; "any" lifts the restriction (api_token_update doc page).
        to_change["whitelist_ip"] = request.whitelist_ips or "any"

    after = dict(current)
    after["acls"] = request.acls
    if "expires_at" in to_change:
        after["expires_at"] = request.expires_at
    if request.whitelist_ips is not None:
        after["whitelist_ips"] = request.whitelist_ips
    if not to_change:
        return TokenPlan(request, "none", before, after)
    return TokenPlan(request, "update", before, after, {"token_name": name, **to_change})


def create_token(api: WhmApi, plan: TokenPlan, context: str = "") -> None:
    """Run one plan's api_token_create; keep the secret on the plan (and out of every message)."""
    response = api.call("api_token_create", plan.params, write=True)
    if not response.ok:
        raise api.error(response, context)
    data = response.data or {}
    secret = data.get("token") if isinstance(data, dict) else None
    # Shown once by WHM and returned to the user, who needs it; kept out of every message.
    api.add_secret(secret)
    plan.created = True
    plan.secret = secret
    if isinstance(data, dict) and data.get("create_time") not in (None, ""):
        plan.after["create_time"] = int(data["create_time"])


def apply_plan(api: WhmApi, plan: TokenPlan) -> None:
    """One plan's write, alone."""
    if plan.action == "create":
        create_token(api, plan)
    elif plan.action == "update":
        api.write("api_token_update", plan.params)
    elif plan.action == "revoke":
        api.write("api_token_revoke", {"token_name": plan.request.name})


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
    request = TokenRequest(name, state, acls=acls, expires_at=expires_at, whitelist_ips=whitelist_ips)
    now = time.time() if now is None else now
    plan = plan_token(request, list_tokens(api).get(name), now)
    if not check_mode:
        apply_plan(api, plan)
    return plan.result()


# -- many tokens in one task -------------------------------------------------------------------


def converge_tokens(
    api: WhmApi, elements: t.Sequence[t.Mapping[str, t.Any]], check_mode: bool, now: t.Optional[float] = None
) -> Result:
    """Converge a list of tokens (each the api_token module's options) in one task.

    Every element is validated and planned against one api_token_list read before the first
    write. Revokes go in one api_token_revoke call (it takes token_name-N, dns_ssl_tokens.md
    4.4); updates and that revoke go in one WHM ``batch`` request when there are several; each
    token to create gets its own api_token_create call (see ``_send_creates``).
    """
    requests: t.List[TokenRequest] = []
    seen: t.Set[str] = set()
    for index, element in enumerate(elements):
        name = element.get("name")
        if not isinstance(name, str):
            raise WHMInputError(f"api_tokens[{index}]: name is required.")
        try:
            request = TokenRequest(
                name,
                element.get("state") or "present",
                acls=element.get("acls"),
                expires_at=element.get("expires_at"),
                whitelist_ips=element.get("whitelist_ips"),
            )
        except WHMInputError as exc:
            raise WHMInputError(f"api_tokens[{index}]: {exc}") from None
        if name in seen:
            raise WHMInputError(f'api_tokens[{index}]: the token "{name}" is listed twice.')
        seen.add(name)
        requests.append(request)

    now = time.time() if now is None else now
    current = list_tokens(api) if requests else {}
    plans: t.List[TokenPlan] = []
    for index, request in enumerate(requests):
        try:
            plans.append(plan_token(request, current.get(request.name), now))
        except WHMInputError as exc:
            raise WHMInputError(f"api_tokens[{index}]: {exc}") from None

    if not check_mode:
        _send_changes(api, [plan for plan in plans if plan.action in ("update", "revoke")])
        _send_creates(api, [plan for plan in plans if plan.action == "create"], plans)

    return _plural_result(plans)


def _plural_result(plans: t.Sequence[TokenPlan]) -> Result:
    results: t.List[t.Dict[str, t.Any]] = []
    before: t.Dict[str, t.Any] = {}
    after: t.Dict[str, t.Any] = {}
    for plan in plans:
        one = plan.result()
        item: t.Dict[str, t.Any] = {
            "name": plan.request.name,
            "changed": one.changed,
            "created": plan.action == "create",
            "api_token": one.values["api_token"],
        }
        if "token" in one.values:
            item["token"] = one.values["token"]
        results.append(item)
        if one.changed and one.diff is not None:
            before[plan.request.name] = one.diff["before"]
            after[plan.request.name] = one.diff["after"]
    changed = any(item["changed"] for item in results)
    return Result(changed=changed, diff={"before": before, "after": after}, values={"api_tokens": results})


def _send_changes(api: WhmApi, plans: t.Sequence[TokenPlan]) -> None:
    """Updates and revokes: one request when possible.

    Both can be sent again safely (an update to the same values changes nothing, a revoke of a
    missing name succeeds, dns_ssl_tokens.md 4.3-4.4), so a batch whose answer is lost is
    settled by the next run. The commands do not depend on each other, so the batch runs them
    all (no abort_on_error) and every failure is reported.
    """
    commands: t.List[t.Tuple[str, t.Tuple[str, t.Dict[str, t.Any]]]] = [
        (f'token "{plan.request.name}"', ("api_token_update", plan.params)) for plan in plans if plan.action == "update"
    ]
    revoked = [plan.request.name for plan in plans if plan.action == "revoke"]
    if revoked:
        label = ("tokens " if len(revoked) > 1 else "token ") + ", ".join(f'"{name}"' for name in revoked)
        commands.append((label, ("api_token_revoke", {"token_name": revoked if len(revoked) > 1 else revoked[0]})))
    if not commands:
        return
    if len(commands) == 1:
        label, (function, params) = commands[0]
        response = api.call(function, params, write=True)
        if not response.ok:
            raise api.error(response, label)
        return
    # transfers_accounts.md 1.7: a failed sub-command makes the outer result 0, but every
    # command's answer is still in data.result.
    responses = api.batch([command for dummy, command in commands], write=True)
    failures = [(commands[index][0], response) for index, response in enumerate(responses) if not response.ok]
    if failures:
        label, response = failures[0]
        others = f"; {len(failures) - 1} more command(s) of the batch failed too" if len(failures) > 1 else ""
        raise api.error(response, f"{label}, in a batch; the other commands of the batch were run{others}")


def _send_creates(api: WhmApi, creates: t.Sequence[TokenPlan], plans: t.Sequence[TokenPlan]) -> None:
    """One api_token_create call per new token, never a batch.

    WHM shows a secret only in api_token_create's answer and never lists it again
    (dns_ssl_tokens.md 4.1-4.2), and api_token_create cannot be repeated (a second call fails on
    the existing name). A batch answer that is lost (timeout, dropped connection) would lose the
    secrets of every token in it, and whether a batch that stops early lists the commands it
    skipped is unconfirmed (transfers_accounts.md 1.7); one call per token risks at most one
    secret. Creating tokens is a first-run cost only: a rerun creates nothing.
    When a create fails, the error still carries the secrets of the tokens created before it.
    """
    for plan in creates:
        try:
            create_token(api, plan, f'token "{plan.request.name}"')
        except WHMError as exc:
            done = [other for other in plans if other.action != "create" or other.created]
            exc.details["api_tokens"] = _plural_result(done).values["api_tokens"]
            raise
