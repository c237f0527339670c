# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this file is internal to the hosting.whm collection. It may change without notice
# and is not part of the collection's public API.

"""cPanel accounts: validate, read (accountsummary / listaccts / showbw), normalise, diff, apply.

Each setting is changed through the function WHM uses for it: createacct, changepackage,
modifyacct, editquota, limitbw, passwd, suspendacct / unsuspendacct and removeacct.
"""

from __future__ import annotations

import ipaddress
import re
import typing as t

from ansible_collections.hosting.whm.plugins.module_utils._api import WhmApi
from ansible_collections.hosting.whm.plugins.module_utils._errors import WHMInputError
from ansible_collections.hosting.whm.plugins.module_utils._result import Result

UNLIMITED = "unlimited"
MEGABYTE = 1024 * 1024

# -- usernames ------------------------------------------------------------------------------
# cPanel's Cpanel::Validate::Username: at most 16 characters; new accounts take only a-z and
# 0-9 and cannot begin with a digit; accounts transferred in may also hold "-", "." and "_".
USERNAME_MAX_LENGTH = 16
EXISTING_USERNAME = re.compile(r"^(?![-.0-9])[-._a-z0-9]{1,16}$")
NEW_USERNAME = re.compile(r"^(?![-.0-9])[a-z0-9]{1,16}$")
RESERVED_USERNAMES = frozenset(
    [
        "abrt",
        "all",
        "clamav",
        "cpanel-ccs",
        "cpeasyapache",
        "cpses",
        "cptkt",
        "cphulkd",
        "cpwebcalls",
        "dbus",
        "dirs",
        "dnsadmin",
        "dovecot",
        "eximstats",
        "files",
        "ftpxferlog",
        "haldaemon",
        "information_schema",
        "mailman",
        "modsec",
        "munin",
        "mydns",
        "nobody",
        "performance_schema",
        "postgres",
        "postmaster",
        "proftpd",
        "root",
        "roundcube",
        "shadow",
        "spamassassin",
        "ssl",
        "sys",
        "system",
        "tcpdump",
        "tmp",
        "tomcat",
        "toor",
        "virtfs",
        "virtual",
        "webmaster",
        "whmxfer",
        "_lock",
    ]
)
RESERVED_PREFIXES = (
    "test",
    "passwd.",
    "cpmydns",
    "cpanel",
    "mydns",
    "pg_toast",
    "pg_temp",
    "cpses",
    "cptkt",
    "cpbackup",
)
RESERVED_SUFFIXES = (".lock", ".cache", ".yaml", ".json", ".db", "assword")
# WHM's createacct docs: "The first eight characters of a username must be unique" (they become
# the account's database prefix).
UNIQUE_PREFIX_LENGTH = 8

# -- domains --------------------------------------------------------------------------------
DOMAIN_MAX_LENGTH = 254
DOMAIN_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
DOMAIN_TLD = re.compile(r"^(?:[a-z0-9]*[a-z][a-z0-9]*|xn--[a-z0-9-]*[a-z0-9])$")
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")

# listaccts / accountsummary fill unknown values with this marker (Whostmgr/Accounts/List.pm).
UNKNOWN = "*unknown*"
NO_SHELLS = ("noshell", "nologin", "false")
NOT_FOUND_REASON = "does not exist"

# Settings a user can declare, in the order they are applied.
SETTINGS = ("domain", "plan", "contact_email", "quota", "bwlimit", "hasshell", "owner", "theme", "ip")
# modifyacct keys are case-sensitive; each is spelled as WHM's modifyacct documents it.
MODIFYACCT_KEYS = {
    "domain": "domain",
    "contact_email": "contactemail",
    "hasshell": "HASSHELL",
    "owner": "owner",
    "theme": "RS",
}
# Settings a package sets; changepackage re-applies them, so they are re-applied after it.
PACKAGE_DRIVEN = ("quota", "bwlimit", "hasshell")


# -- validation -----------------------------------------------------------------------------


def check_username(user: str, new: bool = False) -> None:
    """Raise :class:`WHMInputError` when ``user`` breaks WHM's username rules.

    Existing accounts only need the loose rules (accounts transferred from elsewhere may hold
    ``-``, ``.`` or ``_``); ``new=True`` applies the stricter rules WHM enforces in createacct.
    """
    if not user:
        raise WHMInputError("The username must not be empty.")
    if user != user.lower():
        raise WHMInputError(f'The username "{user}" must be lowercase: WHM stores usernames in lowercase.')
    if len(user) > USERNAME_MAX_LENGTH:
        raise WHMInputError(
            f'The username "{user}" has {len(user)} characters; WHM allows at most {USERNAME_MAX_LENGTH}.'
        )
    if user[0].isdigit():
        raise WHMInputError(f'The username "{user}" cannot begin with a digit.')
    if not new:
        if not EXISTING_USERNAME.match(user):
            raise WHMInputError(
                f'The username "{user}" is not valid: use lowercase letters, digits, "-", "." and "_", '
                "starting with a letter."
            )
        return
    if not NEW_USERNAME.match(user):
        raise WHMInputError(
            f'The username "{user}" cannot be used for a new account: use only lowercase letters (a-z) '
            "and digits (0-9), starting with a letter."
        )
    if user in RESERVED_USERNAMES:
        raise WHMInputError(f'The username "{user}" is reserved by cPanel.')
    for prefix in RESERVED_PREFIXES:
        if user.startswith(prefix):
            raise WHMInputError(f'The username "{user}" cannot begin with "{prefix}": cPanel reserves that prefix.')
    for suffix in RESERVED_SUFFIXES:
        if user.endswith(suffix):
            raise WHMInputError(f'The username "{user}" cannot end with "{suffix}": cPanel reserves that suffix.')


def check_unique_prefix(user: str, usernames: t.Iterable[str]) -> None:
    """The first eight characters of a new username must differ from every other account's."""
    prefix = user[:UNIQUE_PREFIX_LENGTH]
    for other in sorted(usernames):
        if other != user and other[:UNIQUE_PREFIX_LENGTH] == prefix:
            raise WHMInputError(
                f'The username "{user}" cannot be used: its first {UNIQUE_PREFIX_LENGTH} characters '
                f'("{prefix}") are the same as those of the existing account "{other}", and WHM requires '
                f"the first {UNIQUE_PREFIX_LENGTH} characters of every username to be unique."
            )


def check_domain(domain: str, user: str) -> str:
    """Return ``domain`` lowercased, or raise when it breaks WHM's main-domain syntax rules."""
    name = (domain or "").strip().lower()
    why = _domain_problem(name)
    if why:
        raise WHMInputError(f'The domain "{domain}" is not valid: {why}.')
    if name == user:
        # WHM's own sentence for this rule (Cpanel/Validate/DomainCreation/Primary.pm).
        raise WHMInputError("The domain name may not be the same as a username.")
    return name


def _domain_problem(name: str) -> str:
    if not name:
        return "it is empty"
    if len(name) > DOMAIN_MAX_LENGTH:
        return f"it is longer than {DOMAIN_MAX_LENGTH} characters"
    try:
        ipaddress.ip_address(name)
        return "it is an IP address"
    except ValueError:
        pass
    if "." not in name:
        return "it must contain at least one dot"
    if name.startswith("www."):
        return 'it must not begin with "www."'
    labels = name.split(".")
    for label in labels:
        if not label:
            return "it has an empty label"
        if len(label) > 63:
            return f'the label "{label}" is longer than 63 characters'
        if not DOMAIN_LABEL.match(label):
            return (
                f'the label "{label}" may contain only letters, digits and hyphens, '
                "and may not begin or end with a hyphen"
            )
    if not DOMAIN_TLD.match(labels[-1]):
        return f'"{labels[-1]}" is not a valid top-level domain'
    return ""


def check_password(user: str, password: str) -> None:
    """WHM's passwd and createacct refuse these (Cpanel/ChangePasswd.pm); never echo the password."""
    if len(password) < 5:
        raise WHMInputError(f'The password for "{user}" is too short: WHM requires at least 5 characters.')
    if user and user in password.lower():
        raise WHMInputError(f'The password for "{user}" must not contain the username.')


def parse_megabytes(value: t.Any, option: str) -> t.Union[int, str]:
    """A user's quota or bandwidth: whole megabytes or ``unlimited`` (0 means unlimited to WHM)."""
    text = str(value).strip().lower()
    if text == UNLIMITED:
        return UNLIMITED
    if not text.isdigit():
        raise WHMInputError(f"{option} must be a whole number of megabytes or 'unlimited', not {value!r}.")
    number = int(text)
    return UNLIMITED if number == 0 else number


def desired_settings(params: t.Mapping[str, t.Any]) -> t.Dict[str, t.Any]:
    """The settings the user declared, validated and normalised; raises before any request."""
    user = params["user"]
    desired: t.Dict[str, t.Any] = {}
    if params.get("domain") is not None:
        desired["domain"] = check_domain(params["domain"], user)
    if params.get("plan") is not None:
        if not str(params["plan"]).strip():
            raise WHMInputError("plan must not be empty.")
        desired["plan"] = params["plan"]
    if params.get("contact_email") is not None:
        email = params["contact_email"].strip()
        if email and not EMAIL.match(email):
            raise WHMInputError(f'contact_email "{email}" is not an email address.')
        desired["contact_email"] = email
    for option in ("quota", "bwlimit"):
        if params.get(option) is not None:
            desired[option] = parse_megabytes(params[option], option)
    if params.get("hasshell") is not None:
        desired["hasshell"] = bool(params["hasshell"])
    if params.get("owner") is not None:
        desired["owner"] = params["owner"]
    if params.get("theme") is not None:
        desired["theme"] = params["theme"]
    if params.get("ip") is not None:
        try:
            desired["ip"] = str(ipaddress.IPv4Address(params["ip"].strip()))
        except ValueError:
            raise WHMInputError(f'ip "{params["ip"]}" is not an IPv4 address.') from None
    if params.get("password"):
        check_password(user, params["password"])
    return desired


# -- reading and normalising ------------------------------------------------------------------


def _known(value: t.Any) -> t.Optional[str]:
    if value is None or value == UNKNOWN:
        return None
    return str(value)


def _megabytes(value: t.Any) -> t.Union[int, str, None]:
    """``"1024M"``, ``1024`` or ``"unlimited"`` (listaccts types vary, see WHM's Accounts/List.pm)."""
    if value is None or value == UNKNOWN:
        return None
    text = str(value).strip().lower()
    if text in (UNLIMITED, ""):
        return UNLIMITED
    if text == "none":
        return 0
    text = text.rstrip("b").rstrip("m").strip()
    try:
        number = float(text)
    except ValueError:
        return str(value)
    return int(round(number))


def _limit(value: t.Any) -> t.Union[int, str]:
    """A quota: 0 is unlimited to WHM, so both spellings come out as ``unlimited``."""
    parsed = _megabytes(value)
    return UNLIMITED if parsed in (0, None) else parsed


def _flag(value: t.Any) -> bool:
    try:
        return bool(int(value))
    except (TypeError, ValueError):
        return str(value).strip().lower() in ("y", "yes", "true")


def shell_enabled(shell: t.Any) -> bool:
    """``/usr/local/cpanel/bin/noshell`` (or no shell) means no shell access."""
    path = _known(shell) or ""
    return bool(path) and path.rstrip("/").rsplit("/", 1)[-1] not in NO_SHELLS


def format_account(record: t.Mapping[str, t.Any]) -> t.Dict[str, t.Any]:
    """An accountsummary/listaccts record in the shape the modules take and return."""
    suspended = _flag(record.get("suspended"))
    plan = _known(record.get("plan"))
    return {
        "user": record.get("user"),
        "domain": record.get("domain"),
        "plan": None if plan == "undefined" else plan,
        "contact_email": _known(record.get("email")) or "",
        "quota": _limit(record.get("disklimit")),
        "hasshell": shell_enabled(record.get("shell")),
        "owner": record.get("owner"),
        "theme": record.get("theme"),
        "ip": _known(record.get("ip")),
        "suspended": suspended,
        "suspend_reason": (_known(record.get("suspendreason")) if suspended else None),
    }


def format_account_details(record: t.Mapping[str, t.Any]) -> t.Dict[str, t.Any]:
    """:func:`format_account` plus the read-only facts listaccts reports."""
    account = format_account(record)
    uid = record.get("uid")
    start = record.get("unix_startdate")
    account.update(
        {
            "diskused": _megabytes(record.get("diskused")) or 0,
            "startdate": record.get("startdate"),
            "unix_startdate": int(start) if str(start).isdigit() else None,
            "uid": int(uid) if str(uid).isdigit() else None,
            "partition": record.get("partition"),
            "shell": _known(record.get("shell")),
            "ipv6": list(record.get("ipv6") or []),
            "locked": _flag(record.get("is_locked")),
            "mailbox_format": record.get("mailbox_format"),
        }
    )
    return account


def get_account(api: WhmApi, user: str) -> t.Optional[t.Dict[str, t.Any]]:
    """The account named ``user`` with one accountsummary call, or ``None`` when there is none."""
    response = api.call("accountsummary", {"user": user}, write=False)
    if not response.ok:
        # Not found is result 0 with "Account does not exist." (Whostmgr/API/1/Accounts.pm).
        if NOT_FOUND_REASON in response.reason:
            return None
        raise api.error(response)
    for record in response.records("acct"):
        if record.get("user") == user:
            return format_account(record)
    return None


def get_bwlimit(api: WhmApi, user: str) -> t.Union[int, str, None]:
    """The monthly bandwidth limit in MB (listaccts does not report it; showbw does, in bytes)."""
    # showbw's search is a regular expression: anchor it and escape the dots a username may hold.
    pattern = "^" + user.replace(".", "\\.") + "$"
    records = api.read("showbw", {"searchtype": "user", "search": pattern}).records("acct")
    for record in records:
        if record.get("user") == user:
            try:
                limit = int(record.get("limit") or 0)
            except (TypeError, ValueError):
                return None
            return UNLIMITED if limit <= 0 else int(round(limit / MEGABYTE))
    return None


def list_accounts(api: WhmApi, filters: t.Mapping[str, t.Any]) -> t.List[t.Dict[str, t.Any]]:
    """Accounts matching every given filter, with WHM's ``api.filter`` in one listaccts request."""
    clauses: t.List[t.Tuple[str, str, str]] = []
    for option in ("user", "domain", "owner", "plan"):
        value = filters.get(option)
        if value is not None:
            clauses.append((option, "eq", value.strip().lower() if option == "domain" else value))
    if filters.get("suspended") is not None:
        clauses.append(("suspended", "==", "1" if filters["suspended"] else "0"))
    params: t.List[t.Tuple[str, t.Any]] = []
    if clauses:
        params.append(("api.filter.enable", "1"))
        for index, (field, kind, value) in enumerate(clauses):
            ident = "abcde"[index]
            params += [
                (f"api.filter.{ident}.field", field),
                (f"api.filter.{ident}.type", kind),
                (f"api.filter.{ident}.arg0", value),
            ]
    records = api.list_records("listaccts", "acct", params)
    accounts = [format_account_details(record) for record in records]
    return sorted(accounts, key=lambda account: str(account.get("user")))


# -- converging -----------------------------------------------------------------------------

# A write not yet sent: the function and its parameters.
Command = t.Tuple[str, t.Dict[str, t.Any]]

# The listaccts fields format_account reads; the plural module asks only for these.
SUMMARY_FIELDS = "user,domain,plan,email,disklimit,shell,owner,theme,ip,suspended,suspendreason"


class AccountRequest:
    """What the user asked for (the account module's options), validated before any request."""

    def __init__(self, params: t.Mapping[str, t.Any]) -> None:
        self.user: str = params["user"]
        self.state: str = params.get("state") or "present"
        self.password: t.Optional[str] = params.get("password") or None
        self.update_password: str = params.get("update_password") or "on_create"
        self.dedicated_ip: t.Optional[bool] = params.get("dedicated_ip")
        self.language: t.Optional[str] = params.get("language")
        self.suspend_reason: t.Optional[str] = params.get("suspend_reason")
        self.keep_dns: bool = bool(params.get("keep_dns"))
        check_username(self.user)
        self.settings = desired_settings(params) if self.state != "absent" else {}


class AccountPlan:
    """How one account converges: the predicted result and the writes it takes, not yet sent.

    ``action`` is ``create`` or ``remove`` when a createacct or removeacct call is needed (each
    goes alone, with a read-back on timeout); ``commands`` are the other writes, in order.
    """

    def __init__(
        self,
        request: AccountRequest,
        result: Result,
        action: str = "",
        create: t.Optional[t.Dict[str, t.Any]] = None,
        commands: t.Optional[t.List[Command]] = None,
    ) -> None:
        self.request = request
        self.result = result
        self.action = action
        self.create = create
        self.commands: t.List[Command] = list(commands or [])


def ensure_account(api: WhmApi, params: t.Mapping[str, t.Any], check_mode: bool) -> Result:
    """Converge one account to ``params`` (the account module's options)."""
    request = AccountRequest(params)
    api.add_secret(request.password)
    current = get_account(api, request.user)
    if current is not None and "bwlimit" in request.settings:
        current["bwlimit"] = get_bwlimit(api, request.user)

    plan = plan_account(api, request, current)
    check_packages_exist(api, [plan], check_mode)
    if not check_mode:
        apply_single_call(api, plan)
        for function, params_ in plan.commands:
            api.write(function, params_)
    return plan.result


def plan_account(
    api: WhmApi,
    request: AccountRequest,
    current: t.Optional[t.Dict[str, t.Any]],
    others: t.Optional[t.Sequence[t.Mapping[str, t.Any]]] = None,
    verify: bool = True,
) -> AccountPlan:
    """Decide what converging one account takes; reads only what a new account needs checked.

    ``others`` are the other accounts' ``user``/``domain`` records when the caller has already
    read them (the plural module); otherwise a new account reads them with listaccts.
    ``verify=False`` leaves WHM's verify_new_username to the caller (the plural module asks it
    for every new account at once).
    """
    if request.state == "absent":
        return _plan_remove(request, current)
    if current is None:
        return _plan_create(api, request, others, verify)
    return _plan_update(request, current)


def apply_single_call(api: WhmApi, plan: AccountPlan) -> None:
    """Send the plan's createacct or removeacct, the writes that cannot be repeated safely."""
    user, result = plan.request.user, plan.result
    if plan.action == "remove":
        # removeacct is not idempotent and slow: on a timeout, read back instead of resending.
        api.write_with_readback(
            "removeacct",
            {"username": user, "keepdns": plan.request.keep_dns},
            applied=lambda: get_account(api, user) is None,
            warn=result.warnings.append,
        )
    elif plan.action == "create":
        # createacct is slow and not idempotent: a timeout is resolved by reading back, never by
        # sending it again.
        api.write_with_readback(
            "createacct",
            plan.create,
            applied=lambda: get_account(api, user) is not None,
            warn=result.warnings.append,
        )


def _plan_remove(request: AccountRequest, current: t.Optional[dict]) -> AccountPlan:
    if current is None:
        return AccountPlan(request, Result(changed=False, diff={"before": {}, "after": {}}, values={"account": {}}))
    result = Result(changed=True, diff={"before": current, "after": {}}, values={"account": {}})
    return AccountPlan(request, result, action="remove")


def _plan_create(
    api: WhmApi,
    request: AccountRequest,
    others: t.Optional[t.Sequence[t.Mapping[str, t.Any]]],
    verify: bool = True,
) -> AccountPlan:
    user, settings = request.user, request.settings
    check_username(user, new=True)
    if "domain" not in settings:
        raise WHMInputError(f'domain is required to create the account "{user}".')
    if others is None:
        # One listing serves the eight-character rule and the domain check, naming the other account.
        others = api.list_records("listaccts", "acct", {"want": "user,domain"})
    check_unique_prefix(user, (str(record.get("user")) for record in others if record.get("user")))
    for record in others:
        if str(record.get("domain") or "").lower() == settings["domain"]:
            raise WHMInputError(
                f'The domain "{settings["domain"]}" already belongs to the account "{record.get("user")}".'
            )
    if verify:
        # WHM's own check also covers system users, groups, database owners and mail aliases.
        api.read("verify_new_username", {"user": user})

    suspend = request.state == "suspended"
    after: t.Dict[str, t.Any] = {"user": user}
    after.update(settings)
    after["suspended"] = suspend
    after["suspend_reason"] = request.suspend_reason if suspend else None
    result = Result(changed=True, diff={"before": {}, "after": after}, values={"account": after})

    # WHM's createacct docs: with a plan, leave the quota-related settings to the plan; they
    # are applied afterwards with their own functions instead.
    with_plan = "plan" in settings
    params: t.Dict[str, t.Any] = {
        "username": user,
        "domain": settings["domain"],
        "password": request.password,
        "plan": settings.get("plan"),
        "contactemail": settings.get("contact_email"),
        "owner": settings.get("owner"),
        "cpmod": settings.get("theme"),
        "customip": settings.get("ip"),
        "language": request.language,
    }
    if request.dedicated_ip is not None:
        params["ip"] = "y" if request.dedicated_ip else "n"
    commands: t.List[Command] = []
    if with_plan:
        commands += settings_commands(user, {k: v for k, v in settings.items() if k in PACKAGE_DRIVEN})
    else:
        if "quota" in settings:
            params["quota"] = 0 if settings["quota"] == UNLIMITED else settings["quota"]
        if "bwlimit" in settings:
            params["bwlimit"] = settings["bwlimit"]
        if "hasshell" in settings:
            params["hasshell"] = settings["hasshell"]
    if suspend:
        commands.append(("suspendacct", {"user": user, "reason": request.suspend_reason}))
    return AccountPlan(request, result, action="create", create=params, commands=commands)


def _plan_update(request: AccountRequest, current: t.Dict[str, t.Any]) -> AccountPlan:
    user, settings = request.user, request.settings
    to_change = {option: value for option, value in settings.items() if current.get(option) != value}
    if "plan" in to_change:
        # changepackage re-applies the package's limits, so declared ones are set again after it.
        to_change.update({k: v for k, v in settings.items() if k in PACKAGE_DRIVEN})

    want_suspended = request.state == "suspended"
    unsuspend = current["suspended"] and not want_suspended
    suspend = want_suspended and not current["suspended"]
    set_password = bool(request.password) and request.update_password == "always"
    if set_password and current["suspended"] and want_suspended:
        # WHM's passwd refuses a suspended account (a password change would unsuspend it).
        raise WHMInputError(
            f'Cannot set the password of "{user}" while it stays suspended: WHM refuses to change the password '
            "of a suspended account. Use state=present to unsuspend it, or update_password=on_create."
        )

    after = dict(current)
    after.update(settings)
    if unsuspend:
        after.update(suspended=False, suspend_reason=None)
    if suspend:
        after.update(suspended=True, suspend_reason=request.suspend_reason)
    changed = bool(to_change) or unsuspend or suspend or set_password
    result = Result(changed=changed, diff={"before": current, "after": after}, values={"account": after})
    if not changed:
        return AccountPlan(request, result)

    commands: t.List[Command] = []
    if unsuspend:
        commands.append(("unsuspendacct", {"user": user}))
    if "plan" in to_change:
        commands.append(("changepackage", {"user": user, "pkg": to_change["plan"]}))
    commands += settings_commands(user, to_change)
    if set_password:
        commands.append(("passwd", {"user": user, "password": request.password}))
    if suspend:
        commands.append(("suspendacct", {"user": user, "reason": request.suspend_reason}))
    return AccountPlan(request, result, commands=commands)


def settings_commands(user: str, changes: t.Mapping[str, t.Any]) -> t.List[Command]:
    """modifyacct (one call for all its keys), then editquota, limitbw and setsiteip."""
    commands: t.List[Command] = []
    modify = {MODIFYACCT_KEYS[k]: v for k, v in changes.items() if k in MODIFYACCT_KEYS}
    if modify:
        commands.append(("modifyacct", {"user": user, **modify}))
    if "quota" in changes:
        commands.append(("editquota", {"user": user, "quota": changes["quota"]}))
    if "bwlimit" in changes:
        commands.append(("limitbw", {"user": user, "bwlimit": changes["bwlimit"]}))
    if "ip" in changes:
        # transfers_accounts.md 3.7: listaccts/accountsummary give the public address, which is what
        # setsiteip takes (it maps public to local itself, Whostmgr/API/1/Accounts.pm). WHM moves the
        # account's sites and the A records of its zones that held the old address; the address must
        # be configured on the server and not dedicated to another account, else WHM refuses.
        # Sending it again is harmless: the same address is a success that changes nothing.
        commands.append(("setsiteip", {"user": user, "ip": changes["ip"]}))
    return commands


# -- many accounts in one task --------------------------------------------------------------


def get_bwlimits(api: WhmApi) -> t.Dict[str, t.Union[int, str]]:
    """Every account's monthly bandwidth limit in MB with one showbw call (no search: all of them)."""
    limits: t.Dict[str, t.Union[int, str]] = {}
    for record in api.read("showbw").records("acct"):
        try:
            limit = int(record.get("limit") or 0)
        except (TypeError, ValueError):
            continue
        limits[str(record.get("user"))] = UNLIMITED if limit <= 0 else int(round(limit / MEGABYTE))
    return limits


def converge_accounts(api: WhmApi, elements: t.Sequence[t.Mapping[str, t.Any]], check_mode: bool) -> Result:
    """Converge a list of accounts (each the account module's options) in one task.

    Every element is validated first; then one listaccts read serves all of them (plus one
    showbw read when an existing account declares ``bwlimit``, and verify_new_username for the
    accounts to create, batched). Nothing is written until every account is planned. createacct and
    removeacct go one by one with their read-back; the other writes of all accounts go in one
    WHM ``batch`` request.
    """
    requests: t.List[AccountRequest] = []
    seen: t.Set[str] = set()
    for index, element in enumerate(elements):
        try:
            request = AccountRequest(element)
        except WHMInputError as exc:
            raise WHMInputError(f"accounts[{index}]: {exc}") from None
        if request.user in seen:
            raise WHMInputError(f'accounts[{index}]: the account "{request.user}" is listed twice.')
        seen.add(request.user)
        api.add_secret(request.password)
        requests.append(request)

    records = api.list_records("listaccts", "acct", {"want": SUMMARY_FIELDS})
    current = {str(record.get("user")): format_account(record) for record in records}
    if any(r.state != "absent" and r.user in current and "bwlimit" in r.settings for r in requests):
        limits = get_bwlimits(api)
        for request in requests:
            if request.user in current and "bwlimit" in request.settings:
                current[request.user]["bwlimit"] = limits.get(request.user)

    # Accounts removed in this task free their names and domains before any account is created.
    removed = {r.user for r in requests if r.state == "absent" and r.user in current}
    others: t.List[t.Dict[str, t.Any]] = [
        {"user": user, "domain": account.get("domain")} for user, account in current.items() if user not in removed
    ]
    plans: t.List[AccountPlan] = []
    for index, request in enumerate(requests):
        try:
            plan = plan_account(api, request, current.get(request.user), others, verify=False)
        except WHMInputError as exc:
            raise WHMInputError(f"accounts[{index}]: {exc}") from None
        if plan.action == "create":
            # Two new accounts of the same list must not clash with each other either.
            others.append({"user": request.user, "domain": request.settings.get("domain")})
        plans.append(plan)
    _verify_new_usernames(api, [plan.request.user for plan in plans if plan.action == "create"])
    check_packages_exist(api, plans, check_mode)

    if not check_mode:
        for action in ("remove", "create"):
            for plan in plans:
                if plan.action == action:
                    apply_single_call(api, plan)
        _send_commands(api, [(plan.request.user, command) for plan in plans for command in plan.commands])

    results: t.List[t.Dict[str, t.Any]] = []
    before: t.Dict[str, t.Any] = {}
    after: t.Dict[str, t.Any] = {}
    warnings: t.List[str] = []
    for plan in plans:
        one = plan.result
        results.append(
            {
                "user": plan.request.user,
                "changed": one.changed,
                "created": plan.action == "create",
                "account": one.values["account"],
            }
        )
        warnings += one.warnings
        if one.changed and one.diff is not None:
            before[plan.request.user] = one.diff["before"]
            after[plan.request.user] = one.diff["after"]
    changed = any(item["changed"] for item in results)
    return Result(
        changed=changed, diff={"before": before, "after": after}, values={"accounts": results}, warnings=warnings
    )


def check_packages_exist(api: WhmApi, plans: t.Sequence[AccountPlan], check_mode: bool) -> None:
    """Refuse, before any write, a package that does not exist (one listpkgs read, only when needed).

    createacct and changepackage fail with "Specified package does not exist." only when they
    run (transfers_accounts.md 3.3, 3.9); by then the plural module may have created other
    accounts. "default" is WHM's pseudo-package, which exists without being listed. In check mode
    an earlier task of the same run (a package module, the provision role) may only have predicted
    the package, so a missing one is a warning there.
    """
    wanted: t.Dict[str, AccountPlan] = {}
    for plan in plans:
        if plan.action == "create" and plan.request.settings.get("plan"):
            wanted.setdefault(str(plan.request.settings["plan"]), plan)
        for function, params in plan.commands:
            if function == "changepackage":
                wanted.setdefault(str(params["pkg"]), plan)
    wanted.pop("default", None)
    if not wanted:
        return
    known = {str(record.get("name")) for record in api.read("listpkgs", {"want": "all"}).records("pkg")}
    for package, plan in wanted.items():
        if package in known:
            continue
        problem = (
            f'The package "{package}" of the account "{plan.request.user}" does not exist on the server (listpkgs)'
        )
        if check_mode:
            plan.result.warnings.append(f"{problem}; the real run fails unless it is created before this task.")
            continue
        raise WHMInputError(f"{problem}; createacct and changepackage would refuse it. Create the package first.")


def _verify_new_usernames(api: WhmApi, users: t.Sequence[str]) -> None:
    """WHM's own check of every new username (system users, groups, database owners, mail aliases).

    One plain read for one name; for more, one ``batch`` request holding only these reads (a
    batch of reads is a read, so this also runs in check mode).
    """
    if len(users) < 2:
        for user in users:
            api.read("verify_new_username", {"user": user})
        return
    responses = api.batch([("verify_new_username", {"user": user}) for user in users], write=False)
    for user, response in zip(users, responses):
        if not response.ok:
            raise api.error(response, f'account "{user}"')


def _send_commands(api: WhmApi, commands: t.Sequence[t.Tuple[str, Command]]) -> None:
    """One write alone; several in one ``batch`` request that stops at the first failure.

    Every one of these functions can be sent again safely (transfers_accounts.md 3.6-3.11), so
    a batch whose answer is lost is settled by the next run.
    """
    if not commands:
        return
    if len(commands) == 1:
        user, (function, params) = commands[0]
        response = api.call(function, params, write=True)
        if not response.ok:
            raise api.error(response, f'account "{user}"')
        return
    # transfers_accounts.md 1.7: a failed sub-command makes the outer result 0 but every answer
    # is still in data.result; with abort_on_error the commands after it are not run.
    responses = api.batch([command for dummy, command in commands], write=True, abort_on_error=True)
    for index, response in enumerate(responses):
        if not response.ok:
            user = commands[index][0]
            raise api.error(response, f'account "{user}", in a batch; the writes after it were not made')


def account_options() -> t.Dict[str, t.Dict[str, t.Any]]:
    """The account module's options (without the connection), also the plural module's element options."""
    return {
        "user": {"type": "str", "required": True, "aliases": ["username"]},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent", "suspended"]},
        "domain": {"type": "str"},
        "password": {"type": "str", "no_log": True},
        "update_password": {"type": "str", "default": "on_create", "choices": ["on_create", "always"], "no_log": False},
        "plan": {"type": "str"},
        "contact_email": {"type": "str"},
        "quota": {"type": "str"},
        "bwlimit": {"type": "str"},
        "hasshell": {"type": "bool"},
        "owner": {"type": "str"},
        "theme": {"type": "str"},
        "ip": {"type": "str"},
        "dedicated_ip": {"type": "bool"},
        "language": {"type": "str"},
        "suspend_reason": {"type": "str"},
        "keep_dns": {"type": "bool", "default": False},
    }
