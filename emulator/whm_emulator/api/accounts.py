"""Accounts: createacct, modifyacct, removeacct, suspend/unsuspend, listings, passwd, limits, domains.

Behaviour follows cPanel 11.120 (Whostmgr/API/1/Accounts.pm, Whostmgr/Accounts/*.pm,
Whostmgr/API/1/Sys.pm, Whostmgr/API/1/Bandwidth.pm, Whostmgr/Accounts/NameConflict.pm).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from typing import Any, Dict, List, Optional, Tuple

from whm_emulator.api.common import (
    ACCOUNT_CREATED,
    ACCOUNT_DOMAIN_CHANGED,
    ACCOUNT_REMOVED,
    ACCOUNT_RENAMED,
    all_usernames,
    ctime,
    domain_owner,
    load_account,
    require_account,
    save_cpuser,
    server_nameservers,
    truthy,
)
from whm_emulator.api.packages import load_package
from whm_emulator.args import Args
from whm_emulator.errors import ApiError, ApiFailure, missing_parameter
from whm_emulator.registry import CallContext, Result, api_function
from whm_emulator.validate import domain_syntax_problem, username_problem

SHELL = "/bin/bash"
NOSHELL = "/usr/local/cpanel/bin/noshell"
MB = 1024 * 1024

# cpuser limit keys that come from a package setting (package key → cpuser key).
_PACKAGE_TO_CPUSER = {
    "MAXFTP": "MAXFTP",
    "MAXSQL": "MAXSQL",
    "MAXPOP": "MAXPOP",
    "MAXLST": "MAXLST",
    "MAXSUB": "MAXSUB",
    "MAXPARK": "MAXPARK",
    "MAXADDON": "MAXADDON",
    "MAXPASSENGERAPPS": "MAXPASSENGERAPPS",
    "MAX_EMAIL_PER_HOUR": "MAX_EMAIL_PER_HOUR",
    "MAX_DEFER_FAIL_PERCENTAGE": "MAX_DEFER_FAIL_PERCENTAGE",
    "MAX_EMAILACCT_QUOTA": "MAX_EMAILACCT_QUOTA",
    "MAX_TEAM_USERS": "MAX_TEAM_USERS",
    "FEATURELIST": "FEATURELIST",
    "CPMOD": "RS",
    "LANG": "LOCALE",
}


def _password_hash(password: str) -> str:
    salt = secrets.token_hex(8)
    return salt + "$" + hashlib.sha256((salt + password).encode("utf-8")).hexdigest()


def _limits_from_package(settings: Dict[str, str]) -> Dict[str, Any]:
    """Account-level values a package dictates: cpuser keys, quota (MB, 0 = unlimited), shell."""
    cpuser = {cp: settings.get(pkg, "") for pkg, cp in _PACKAGE_TO_CPUSER.items()}
    cpuser["HASCGI"] = "1" if settings.get("CGI", "y") == "y" else "0"
    cpuser["HASDIGEST"] = "1" if settings.get("DIGESTAUTH") == "y" else "0"
    bw = settings.get("BWLIMIT", "unlimited")
    # cpuser files store BWLIMIT in bytes (Whostmgr/Bandwidth.pm setbwlimit).
    cpuser["BWLIMIT"] = "unlimited" if bw == "unlimited" else str(int(bw) * MB)
    quota = settings.get("QUOTA", "unlimited")
    return {
        "cpuser": cpuser,
        "quota_mb": 0 if quota == "unlimited" else int(quota),
        "shell": SHELL if settings.get("HASSHELL") == "y" else NOSHELL,
    }


def apply_package(ctx: CallContext, user: str, plan: str, settings: Dict[str, str]) -> None:
    """Give ``user`` the limits of package ``plan`` (changepackage, editpkg propagation)."""
    account = require_account(ctx, user)
    limits = _limits_from_package(settings)
    cpuser = account["cpuser"]
    cpuser.update(limits["cpuser"])
    cpuser["PLAN"] = plan
    ctx.db.execute(
        "UPDATE accounts SET plan = ?, quota_mb = ?, shell = ?, cpuser = ? WHERE user = ?",
        (plan, limits["quota_mb"], limits["shell"], json.dumps(cpuser, sort_keys=True), user),
    )


# ---------------------------------------------------------------------------------------
# createacct
# ---------------------------------------------------------------------------------------

# createacct parameter → package setting it overrides.
_CREATE_OVERRIDES = {
    "quota": "quota",
    "bwlimit": "bwlimit",
    "maxftp": "maxftp",
    "maxsql": "maxsql",
    "maxpop": "maxpop",
    "maxlst": "maxlst",
    "maxsub": "maxsub",
    "maxpark": "maxpark",
    "maxaddon": "maxaddon",
    "max_email_per_hour": "max_email_per_hour",
    "max_defer_fail_percentage": "max_defer_fail_percentage",
    "max_emailacct_quota": "max_emailacct_quota",
    "max_team_users": "max_team_users",
    "cgi": "cgi",
    "hasshell": "hasshell",
    "cpmod": "cpmod",
    "language": "language",
    "featurelist": "featurelist",
}


def _domain_problem(ctx: CallContext, domain: str, username: str, zone_check: bool = False) -> Optional[str]:
    """transfers_accounts.md 3.2 checks of a main domain; ``zone_check`` adds the DNS one."""
    problem = domain_syntax_problem(domain)
    if problem:
        return problem
    if domain == username or domain in all_usernames(ctx):
        return "The domain name may not be the same as a username."
    if domain == ctx.emulator.config.hostname:
        return f"The system cannot accept “{domain}” as a domain name (it is this server’s hostname)."
    owner = domain_owner(ctx, domain)
    if owner is not None:
        return f"The domain “{domain}” already exists in the userdata for the user “{owner}”."
    if zone_check:
        # transfers_accounts.md 3.2: no existing DNS zone (createacct: unless forcedns=1). The
        # zone is the DNS area's (adddns as root, a zone kept by removeacct keepdns=1).
        from whm_emulator.api.dns import load_zone

        if load_zone(ctx, domain) is not None:
            return (
                f"A DNS entry for “{domain}” already exists. You must remove this DNS entry from this "
                "server or all servers in the DNS cluster to proceed."
            )
    return None


def create_account(ctx: CallContext, args: Args) -> Result:
    """The one place accounts are born (createacct now; transfers/restores later).

    Runs every ACCOUNT_CREATED hook inside the same transaction, so e.g. a DNS zone is created
    atomically with the account.
    """
    if args.get("child_workloads"):
        raise ApiFailure("Invalid parameter: child_workloads", xid=False)
    # Docs: usernames are converted to lowercase.
    username = (args.get("username") or "").strip().lower()
    domain = (args.get("domain") or "").strip().lower().rstrip(".")
    # UNCONFIRMED exact texts: Whostmgr/Accounts/Create.pm is not in the readable snapshot.
    # The NameConflict and domain validators' sentences are the ones WHM uses for the same checks.
    if not username:
        raise ApiError("You must specify a username.")
    problem = username_problem(username, all_usernames(ctx))
    if problem:
        raise ApiError(problem)
    if not domain:
        # 11.120 has no temporary domains (newer docs make domain optional), so it is required.
        raise ApiError("You must specify a domain name.")
    # forcedns=1 lets createacct replace an existing zone (transfers_accounts.md 3.2/3.3).
    problem = _domain_problem(ctx, domain, username, zone_check=not truthy(args.get("forcedns")))
    if problem:
        raise ApiError(problem)
    if args.get("password") and args.get("pass"):
        raise ApiError("You may specify “password” or “pass”, but not both.")
    password = args.get("password") or args.get("pass") or secrets.token_urlsafe(12)

    plan = args.get("plan") or "default"
    settings = load_package(ctx, plan)
    if settings is None:
        raise ApiError("Specified package does not exist.")
    # Explicit limits override the package's (as WHM does when no package is saved).
    override = Args([(_CREATE_OVERRIDES[k], v) for k, v in args.items() if k in _CREATE_OVERRIDES])
    if override.items():
        from whm_emulator.api.packages import featurelist_names, settings_from_args

        # createacct's quota/bwlimit accept 0 as "unlimited" (docs); map before validation.
        fixed = [(k, "unlimited" if k in ("quota", "bwlimit") and v == "0" else v) for k, v in override.items()]
        # featurelist: any existing feature list, as for addpkg/editpkg (transfers_accounts.md 3.3:
        # `featurelist`, default `default`), not only the stock ones.
        settings = settings_from_args(Args(fixed), settings, featurelist_names(ctx))
    limits = _limits_from_package(settings)

    owner = args.get("owner") or ctx.user
    now = int(time.time())
    row = ctx.db.execute("SELECT COALESCE(MAX(uid), 1000) + 1 FROM accounts").fetchone()
    uid = int(row[0])
    ip = ctx.emulator.config.ip
    cpuser: Dict[str, str] = {
        "USER": username,
        "DNS": domain,
        "PLAN": plan,
        "OWNER": owner,
        "IP": ip,
        "CONTACTEMAIL": args.get("contactemail") or "",
        "STARTDATE": str(now),
        "MAILBOX_FORMAT": args.get("mailbox_format") or "maildir",
        "BACKUP": "0",
        "LEGACY_BACKUP": "0",
        "OUTGOING_MAIL_SUSPENDED": "0",
        "OUTGOING_MAIL_HOLD": "0",
        "UTF8MAILBOX": "1",
        "HASDKIM": "1" if args.get("dkim", "1") != "0" else "0",
        "HASSPF": "1" if args.get("spf", "1") != "0" else "0",
        "HASDMARC": "1" if args.get("dmarc", "1") != "0" else "0",
    }
    cpuser.update(limits["cpuser"])
    ctx.db.execute(
        "INSERT INTO accounts(user, domain, owner, plan, uid, created, password_hash, shell, quota_mb, cpuser)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            username,
            domain,
            owner,
            plan,
            uid,
            now,
            _password_hash(password),
            limits["shell"],
            limits["quota_mb"],
            json.dumps(cpuser, sort_keys=True),
        ),
    )
    ctx.db.execute(
        "INSERT INTO domains(domain, user, domain_type, parent_domain) VALUES (?, ?, 'main', ?)",
        (domain, username, domain),
    )
    account = load_account(ctx, username) or {}
    for hook in ACCOUNT_CREATED:
        hook(ctx, account, args.as_dict())

    # The nameservers the account's zone got (transfers_accounts.md 3.3: nameserver..nameserver4;
    # dns_ssl_tokens.md 2.0: the zone's NS records come from the same wwwacct.conf NS..NS4).
    ns = server_nameservers(ctx) + ["", "", "", ""]
    raw = "\n".join(
        [
            f"Validating user: {username}",
            f"Validating domain: {domain}",
            f"Using package: {plan}",
            f"Creating account for {username} ({domain}) on {ip}",
            "Account Creation Complete!!!",
        ]
    )
    data = {
        "ip": ip,
        "nameserver": ns[0],
        "nameserver2": ns[1],
        "nameserver3": ns[2],
        "nameserver4": ns[3],
        "nameservera": None,
        "nameservera2": None,
        "nameservera3": None,
        "nameservera4": None,
        "nameserverentry": None,
        "nameserverentry2": None,
        "nameserverentry3": None,
        "nameserverentry4": None,
        "package": plan,
    }
    return Result(data=data, reason="Account Creation Ok", raw=raw)


@api_function("createacct", write=True, acl="create-acct")
def createacct(ctx: CallContext, args: Args) -> Result:
    return create_account(ctx, args)


@api_function("verify_new_username", write=False, acl="create-acct")
def verify_new_username(ctx: CallContext, args: Args) -> Result:
    # Whostmgr/API/1/NameConflict.pm: conflicts are thrown → "API failure: (XID …) …"; no data.
    user = args.required("user")
    problem = username_problem(user, all_usernames(ctx))
    if problem:
        raise ApiFailure(problem)
    return Result()


# ---------------------------------------------------------------------------------------
# listaccts / accountsummary
# ---------------------------------------------------------------------------------------


def _mb(value: int) -> str:
    return f"{value}M"


def account_record(ctx: CallContext, account: Dict[str, Any]) -> Dict[str, Any]:
    """One listaccts record with the types WHM's code produces (Whostmgr/Accounts/List.pm)."""
    cp = account["cpuser"]
    suspended = bool(account["suspended"])

    def raw(key: str) -> str:
        value = cp.get(key)
        return "*unknown*" if value in (None, "") else str(value)

    return {
        "user": account["user"],
        "domain": account["domain"],
        "ip": cp.get("IP") or "*unknown*",
        "ipv6": [],
        "email": cp.get("CONTACTEMAIL") or "*unknown*",
        "owner": account["owner"] or "root",
        "plan": account["plan"] or "undefined",
        "theme": cp.get("RS", "jupiter"),
        "shell": account["shell"],
        "uid": int(account["uid"]),
        "partition": "home",
        "startdate": time.strftime("%y %b %d %H:%M", time.localtime(int(account["created"]))),
        "unix_startdate": int(account["created"]),
        "suspended": 1 if suspended else 0,
        "suspendreason": account["suspend_reason"] if suspended else "not suspended",
        # DISAGREE: docs give null when not suspended; the code reports 0.
        "suspendtime": int(account["suspend_time"]) if suspended else 0,
        "is_locked": 1 if account["locked"] else 0,
        # DISAGREE: docs type disklimit as integer MB; the code returns "<n>M" or "unlimited".
        "disklimit": _mb(account["quota_mb"]) if account["quota_mb"] else "unlimited",
        "diskused": "0M",
        "inodeslimit": "unlimited",
        "inodesused": 0,
        "maxaddons": raw("MAXADDON"),
        "maxftp": raw("MAXFTP"),
        "maxlst": raw("MAXLST"),
        "maxparked": raw("MAXPARK"),
        "maxpop": raw("MAXPOP"),
        "maxsql": raw("MAXSQL"),
        "maxsub": raw("MAXSUB"),
        "max_emailacct_quota": raw("MAX_EMAILACCT_QUOTA"),
        "max_email_per_hour": raw("MAX_EMAIL_PER_HOUR"),
        "max_defer_fail_percentage": raw("MAX_DEFER_FAIL_PERCENTAGE"),
        "min_defer_fail_to_trigger_protection": raw("MIN_DEFER_FAIL_TO_TRIGGER_PROTECTION"),
        "backup": 1 if cp.get("BACKUP") == "1" else 0,
        "legacy_backup": 1 if cp.get("LEGACY_BACKUP") == "1" else 0,
        "outgoing_mail_suspended": 1 if cp.get("OUTGOING_MAIL_SUSPENDED") == "1" else 0,
        "outgoing_mail_hold": 1 if cp.get("OUTGOING_MAIL_HOLD") == "1" else 0,
        "mailbox_format": cp.get("MAILBOX_FORMAT", "maildir"),
        "temporary": 0,
        "child_nodes": [],
        "has_backup": 0,
    }


def _accounts(ctx: CallContext) -> List[Dict[str, Any]]:
    out = []
    for row in ctx.db.execute("SELECT * FROM accounts ORDER BY user").fetchall():
        account = dict(row)
        account["cpuser"] = json.loads(account["cpuser"])
        out.append(account)
    return out


_SEARCH_FIELDS = {
    "domain": lambda r: [r["domain"]],
    "ip": lambda r: [r["ip"]],
    "user": lambda r: [r["user"]],
    "package": lambda r: [r["plan"]],
    "owner": lambda r: [r["owner"]],
    "domain_and_user": lambda r: [r["domain"], r["user"]],
}


def _search(records: List[Dict[str, Any]], args: Args) -> List[Dict[str, Any]]:
    searchtype = args.get("searchtype")
    search = args.get("search")
    if not searchtype:
        return records  # without searchtype, search is ignored
    if searchtype not in _SEARCH_FIELDS:
        raise ApiError("Unknown search type.")
    if search is None:
        return records
    fields = _SEARCH_FIELDS[searchtype]
    if args.get("searchmethod") == "exact":
        return [r for r in records if search in fields(r)]
    try:
        pattern = re.compile(search, re.IGNORECASE)
    except re.error:
        return records  # an invalid regex matches everything
    return [r for r in records if any(pattern.search(str(v)) for v in fields(r))]


def _want(records: List[Dict[str, Any]], args: Args) -> List[Dict[str, Any]]:
    want = args.get("want")
    if not want:
        return records
    keep = {w.strip() for w in want.split(",") if w.strip()}
    return [{k: v for k, v in r.items() if k in keep} for r in records]


@api_function("listaccts", write=False, acl="list-accts")
def listaccts(ctx: CallContext, args: Args) -> Result:
    records = _search([account_record(ctx, a) for a in _accounts(ctx)], args)
    if not records:
        if args.get("searchtype") == "user" and args.get("searchmethod") == "exact":
            raise ApiError("No accounts found.")
        return Result()  # result 1 / OK and no data at all
    return Result(data={"acct": _want(records, args)})


@api_function("accountsummary", write=False, acl="acct-summary")
def accountsummary(ctx: CallContext, args: Args) -> Result:
    if not args.has("user") and not args.has("domain"):
        # A plain Perl die in Whostmgr/API/1/Accounts.pm (no XID).
        raise ApiFailure("You must specify a user or domain to get a summary of.", xid=False)
    if args.has("user"):
        key, value = "user", args.get("user")
    else:
        key, value = "domain", (args.get("domain") or "").lower()
    matches = []
    for account in _accounts(ctx):
        record = account_record(ctx, account)
        if record[key] == value:
            record.pop("has_backup", None)  # accountsummary records lack has_backup
            matches.append(record)
    if not matches:
        raise ApiError("Account does not exist.", data={"acct": []})
    return Result(data={"acct": matches})


# ---------------------------------------------------------------------------------------
# removeacct
# ---------------------------------------------------------------------------------------


@api_function("removeacct", write=True, acl="kill-acct")
def removeacct(ctx: CallContext, args: Args) -> Result:
    # "username" per the docs, deprecated "user" still read by the code.
    user = args.get("username") or args.get("user") or ""
    if user == ctx.user:
        raise ApiError("You cannot remove yourself!")
    account = require_account(ctx, user)
    for hook in ACCOUNT_REMOVED:
        hook(ctx, account, args.as_dict())
    ctx.db.execute("DELETE FROM domains WHERE user = ?", (user,))
    ctx.db.execute("DELETE FROM accounts WHERE user = ?", (user,))
    raw = "\n".join(
        [
            "Running pre removal script (/usr/local/cpanel/scripts/prekillacct)......Done",
            f"Killing all processes owned by user {user}......Done",
            f"Removing user {user}......Done",
            "Account Removal Complete!!!",
            f"{user} account removed",
        ]
    )
    return Result(reason=f"{user} account removed", raw=raw)


# ---------------------------------------------------------------------------------------
# suspendacct / unsuspendacct / listsuspended
# ---------------------------------------------------------------------------------------


@api_function("suspendacct", write=True, acl="suspend-acct")
def suspendacct(ctx: CallContext, args: Args) -> Result:
    user = args.get("user") or ""
    if user == "root":
        raise ApiError("Failed to suspend account.", raw="You cannot suspend root.\n")
    account = require_account(ctx, user)
    if account["suspended"]:
        # scripts/suspendacct: already suspended → success, nothing changes (reason kept).
        return Result(raw=f"User '{user}' is already suspended. Provide '--force' argument if you wish to do this.\n")
    # "=", newlines and NUL are stripped from the reason (scripts/suspendacct).
    reason = re.sub(r"[=\r\n\x00]", "", args.get("reason") or "Unknown")
    locked = 1 if truthy(args.get("disallowun")) else 0
    ctx.db.execute(
        "UPDATE accounts SET suspended = 1, suspend_time = ?, suspend_reason = ?, locked = ? WHERE user = ?",
        (int(time.time()), reason, locked, user),
    )
    raw = (
        "Changing Shell to /bin/false...Done\nLocking Password...Done\nSuspending websites...Done\n"
        f"{user}'s account has been suspended\n"
    )
    return Result(raw=raw)


@api_function("unsuspendacct", write=True, acl="suspend-acct")
def unsuspendacct(ctx: CallContext, args: Args) -> Result:
    user = args.get("user") or ""
    account = require_account(ctx, user)
    if not account["suspended"]:
        return Result(
            raw=(
                f"An error occurred while attempting to unsuspend “{user}”. "
                f"The user “{user}” is not in a suspended state.\n"
            )
        )
    ctx.db.execute(
        "UPDATE accounts SET suspended = 0, suspend_time = 0, suspend_reason = '', locked = 0 WHERE user = ?", (user,)
    )
    return Result(raw=f"Unsuspending websites...Done\n{user}'s account is now active\n")


@api_function("listsuspended", write=False, acl="list-accts")
def listsuspended(ctx: CallContext, args: Args) -> Result:
    records = [
        {
            "user": a["user"],
            "time": ctime(int(a["suspend_time"])),
            "unixtime": int(a["suspend_time"]),
            "owner": a["owner"],
            "reason": a["suspend_reason"],
            "is_locked": 1 if a["locked"] else 0,
        }
        for a in _accounts(ctx)
        if a["suspended"]
    ]
    return Result(data={"account": records})


# ---------------------------------------------------------------------------------------
# passwd (Whostmgr/API/1/Sys.pm, Cpanel/ChangePasswd.pm)
# ---------------------------------------------------------------------------------------


@api_function("passwd", write=True, acl="passwd")
def passwd(ctx: CallContext, args: Args) -> Result:
    user = args.get("user")
    password = args.get("password")
    if user is None:
        raise ApiError("No user name supplied: “user” is a required argument.")
    if password is None:
        raise ApiError("No password supplied: “password” is a required argument.")
    account = require_account(ctx, user)
    if not password:
        raise ApiError("You did not pass the “new_password” parameter in your request.")
    if user.lower() in password.lower():
        raise ApiError("Sorry, the password may not contain the username for security reasons.")
    if len(password) < 5:
        raise ApiError("Sorry, passwords must be at least 5 characters for security reasons.")
    if account["suspended"]:
        raise ApiError(
            f"Sorry, the user “{user}” is currently suspended. "
            "Changing the user’s password would unsuspend the account."
        )
    ctx.db.execute("UPDATE accounts SET password_hash = ? WHERE user = ?", (_password_hash(password), user))
    apps = ["system", "ftp", "mail"]
    if args.get("db_pass_update", "1") != "0":
        apps.append("MySQL")
    raw = "Password for " + user + " has been changed.\nFTP password change has been queued.\n"
    return Result(data={"app": apps}, reason=f"Password changed for user “{user}”.", raw=raw)


# ---------------------------------------------------------------------------------------
# changepackage, editquota, limitbw
# ---------------------------------------------------------------------------------------


@api_function("changepackage", write=True, acl="upgrade-account")
def changepackage(ctx: CallContext, args: Args) -> Result:
    user = args.required("user")
    pkg = args.required("pkg")
    # Backend failures are thrown (Cpanel/LinkedNode/Worker/WHM/Accounts.pm) → API failure.
    if load_account(ctx, user) is None:
        raise ApiFailure(f"Sorry, the user {user} does not exist")
    settings = load_package(ctx, pkg)
    if settings is None:
        raise ApiFailure("Specified package does not exist.")
    # No no-op detection: re-applying the current package runs again (Whostmgr/Accounts/Upgrade.pm).
    apply_package(ctx, user, pkg, settings)
    raw = f"Changing package for {user} to {pkg}\nAccount Upgrade/Downgrade Complete for {user}\n"
    return Result(raw=raw)


@api_function("editquota", write=True, acl="quota")
def editquota(ctx: CallContext, args: Args) -> Result:
    user = args.get("user") or ""
    require_account(ctx, user)
    quota = (args.get("quota") or "").strip()
    if quota.lower() == "unlimited":
        quota_mb = 0
    elif quota.isdigit():
        quota_mb = int(quota)  # 0 = unlimited
    else:
        raise ApiError("Invalid quota value.")  # UNCONFIRMED exact text
    ctx.db.execute("UPDATE accounts SET quota_mb = ? WHERE user = ?", (quota_mb, user))
    return Result(reason="Set quota for user.", raw=f"Setting quota for {user}...Done\n")


@api_function("limitbw", write=True, acl="limit-bandwidth")
def limitbw(ctx: CallContext, args: Args) -> Result:
    user = args.get("user") or ""
    account = require_account(ctx, user)
    value = (args.get("bwlimit") or "").strip()
    if value == "0" or value.lower() == "unlimited":
        megabytes = 0
    elif value.isdigit():
        megabytes = int(value)
    else:
        raise ApiError(
            f"Sorry, the bandwidth value you specified, '{value}', is invalid.  "
            "Only non-negative, integral, simple numeric values or 'unlimited' are allowed."
        )
    cpuser = account["cpuser"]
    cpuser["BWLIMIT"] = str(megabytes * MB) if megabytes else "unlimited"
    save_cpuser(ctx, user, cpuser)
    domains = [r[0] for r in ctx.db.execute("SELECT domain FROM domains WHERE user = ? ORDER BY domain", (user,))]
    bwlimit = {
        # DISAGREE: docs say MB; the code (Whostmgr/Bandwidth.pm setbwlimit) returns bytes.
        "bwlimit": megabytes * MB,
        # cPanel's description gives "<n> MB" for the human-readable limit.
        "human_bwlimit": f"{megabytes} MB" if megabytes else "unlimited",
        "human_bwused": "none",
        "unlimited": 0 if megabytes else 1,
        "domains": domains,
        "bwlimitenable": 0,  # usage is 0, below any limit
    }
    set_to = megabytes if megabytes else "unlimited"
    return Result(data={"bwlimits": [bwlimit]}, reason=f"Bandwidth Limit for {user} has been set to {set_to} megabytes")


@api_function("showbw", write=False, acl="list-accts")
def showbw(ctx: CallContext, args: Args) -> Result:
    """Bandwidth limit and usage per account for one month (the emulator records no traffic)."""
    now = time.gmtime()
    month = args.get("month") or str(now.tm_mon)
    year = args.get("year") or str(now.tm_year)
    if not month.isdigit() or not 1 <= int(month) <= 12 or not year.isdigit():
        raise ApiError("Invalid month or year.")  # UNCONFIRMED exact text
    searchtype = args.get("searchtype")
    # showbw knows fewer search types than listaccts (cPanel's description: domain, owner,
    # user, ip, package); the search itself is the same case-insensitive regex.
    if searchtype and searchtype not in ("domain", "owner", "user", "ip", "package"):
        raise ApiError("Unknown search type.")
    records = _search([account_record(ctx, a) for a in _accounts(ctx)], args)
    by_user = {a["user"]: a for a in _accounts(ctx)}
    accounts = []
    for record in records:
        cpuser = by_user[record["user"]]["cpuser"]
        limit = cpuser.get("BWLIMIT", "unlimited")
        domains = [
            r[0] for r in ctx.db.execute("SELECT domain FROM domains WHERE user = ? ORDER BY domain", (record["user"],))
        ]
        accounts.append(
            {
                "user": record["user"],
                "maindomain": record["domain"],
                "owner": record["owner"],
                "reseller": 0,
                "deleted": 0,
                # bytes, 0 when unlimited (as limitbw stores it)
                "limit": int(limit) if str(limit).isdigit() else 0,
                "totalbytes": 0,
                "bwusage": [{"domain": domain, "usage": 0, "deleted": 0} for domain in domains],
            }
        )
    return Result(data={"acct": accounts, "month": int(month), "year": int(year), "reseller": ctx.user, "totalused": 0})


# ---------------------------------------------------------------------------------------
# modifyacct
# ---------------------------------------------------------------------------------------

# Case-sensitive cpuser keys modifyacct copies as given (docs: wrong case is ignored).
_PLAIN_KEYS = (
    "BACKUP",
    "HASCGI",
    "HASDKIM",
    "HASDMARC",
    "HASSPF",
    "MAILBOX_FORMAT",
    "MAX_DEFER_FAIL_PERCENTAGE",
    "MAX_EMAIL_PER_HOUR",
    "MAX_EMAILACCT_QUOTA",
    "MAXADDON",
    "MAXFTP",
    "MAXLST",
    "MAXPARK",
    "MAXPASSENGERAPPS",
    "MAXPOP",
    "MAXSQL",
    "MAXSUB",
    "OUTGOING_EMAIL_SUSPENDED",
    "PUSHBULLET_ACCESS_TOKEN",
    "RS",
    "STYLE",
    "STARTDATE",
    "LOCALE",
)


@api_function("modifyacct", write=True, acl="edit-account")
def modifyacct(ctx: CallContext, args: Args) -> Result:
    user = args.get("user")
    if not user:
        raise ApiError("Must at least specify a user to modify.")
    account = require_account(ctx, user)
    cpuser: Dict[str, str] = dict(account["cpuser"])
    messages: List[str] = []
    setshell = "unmodified"

    for key in _PLAIN_KEYS:
        if args.has(key):
            cpuser[key] = args.get(key) or ""
    if args.has("CPTHEME"):  # alias of RS (Accounts.pm)
        cpuser["RS"] = args.get("CPTHEME") or ""
    if args.has("LANG"):  # legacy LANG maps to LOCALE
        cpuser["LOCALE"] = args.get("LANG") or ""
    if args.has("max_team_users"):
        cpuser["MAX_TEAM_USERS"] = args.get("max_team_users") or ""
    if args.has("contactemail"):
        cpuser["CONTACTEMAIL"] = args.get("contactemail") or ""
    if args.has("BWLIMIT"):
        value = args.get("BWLIMIT") or "unlimited"
        cpuser["BWLIMIT"] = "unlimited" if value in ("0", "unlimited") else value  # bytes per docs
    quota_mb = account["quota_mb"]
    if args.has("QUOTA"):
        value = (args.get("QUOTA") or "").strip()
        quota_mb = 0 if value in ("", "0", "unlimited") else int(value) if value.isdigit() else quota_mb
    shell = account["shell"]
    if args.has("HASSHELL") or args.has("shell"):
        wanted = args.get("shell") if args.has("shell") else (SHELL if truthy(args.get("HASSHELL")) else NOSHELL)
        if wanted and wanted != shell:
            shell = wanted
            setshell = "noshell" if shell == NOSHELL else shell
    owner = account["owner"]
    if args.has("owner"):
        owner = args.get("owner") or owner
        cpuser["OWNER"] = owner

    # Main domain rename: DNS wins over domain.
    new_domain = (args.get("DNS") or args.get("domain") or "").strip().lower()
    domain = account["domain"]
    renamed_domain: Optional[Tuple[str, str]] = None
    if new_domain and new_domain != domain:
        problem = _domain_problem(ctx, new_domain, user, zone_check=True)
        if problem:
            raise ApiError(problem)
        ctx.db.execute(
            "UPDATE domains SET domain = ?, parent_domain = ? WHERE domain = ?", (new_domain, new_domain, domain)
        )
        # The account's parked/addon domains hang off the main domain: they follow it.
        ctx.db.execute(
            "UPDATE domains SET parent_domain = ? WHERE parent_domain = ? AND user = ?", (new_domain, domain, user)
        )
        renamed_domain = (domain, new_domain)
        domain = new_domain
        cpuser["DNS"] = domain

    new_user = (args.get("newuser") or "").strip()
    final_user = user
    if new_user and new_user != user:
        problem = username_problem(new_user, all_usernames(ctx), renamed_from=user)
        if problem:
            raise ApiError(problem)
        final_user = new_user
        cpuser["USER"] = new_user

    ctx.db.execute(
        "UPDATE accounts SET user = ?, domain = ?, owner = ?, shell = ?, quota_mb = ?, cpuser = ? WHERE user = ?",
        (final_user, domain, owner, shell, quota_mb, json.dumps(cpuser, sort_keys=True), user),
    )
    if final_user != user:
        ctx.db.execute("UPDATE domains SET user = ? WHERE user = ?", (final_user, user))
        # transfers_accounts.md 3.4: newuser renames the account; what belongs to it follows.
        for renamed in ACCOUNT_RENAMED:
            renamed(ctx, user, final_user)
    if renamed_domain is not None:
        # Whostmgr/Accounts/Modify/AccountModification.pm (changing_domainname): the domain change
        # is applied and SSL is set up for the new name; the areas move their data (zone, vhost).
        for hook in ACCOUNT_DOMAIN_CHANGED:
            hook(ctx, final_user, renamed_domain[0], renamed_domain[1])

    view = {k: str(v) for k, v in cpuser.items()}  # cpuser values are strings
    view["DOMAINS"] = ""
    data = {"cpuser": view, "domain": domain, "setshell": setshell, "user": final_user}
    return Result(data=data, reason="Account Modified", messages=messages)


# ---------------------------------------------------------------------------------------
# domainuserdata / getdomainowner / get_domain_info
# ---------------------------------------------------------------------------------------


def _docroot(user: str, domain: str, domain_type: str) -> str:
    return f"/home/{user}/public_html" if domain_type == "main" else f"/home/{user}/{domain}"


@api_function("domainuserdata", write=False, acl="list-accts")
def domainuserdata(ctx: CallContext, args: Args) -> Result:
    domain = args.required("domain").lower()
    row = ctx.db.execute("SELECT * FROM domains WHERE domain = ?", (domain,)).fetchone()
    if row is None:
        raise ApiFailure(f"This system does not have a domain named “{domain}”.")
    account = require_account(ctx, row["user"])
    user = account["user"]
    userdata = {
        "customlog": [
            {"format": "combined", "target": f"/etc/apache2/logs/domlogs/{domain}"},
            {
                "format": '"%{%s}t %I .\\n%{%s}t %O ."',
                "target": f"/etc/apache2/logs/domlogs/{domain}-bytes_log",
            },
        ],
        "documentroot": _docroot(user, domain, row["domain_type"]),
        "group": user,
        "hascgi": 1 if account["cpuser"].get("HASCGI") == "1" else 0,
        "homedir": f"/home/{user}",
        "ip": account["cpuser"].get("IP", ctx.emulator.config.ip),
        "owner": account["owner"],
        "phpopenbasedirprotect": 1,
        "port": 80,
        "scriptalias": [{"path": f"/home/{user}/public_html/cgi-bin", "url": "/cgi-bin/"}],
        "serveradmin": f"webmaster@{domain}",
        "serveralias": f"mail.{domain} www.{domain}",
        "servername": domain,
        "usecanonicalname": "Off",
        "user": user,
        "userdirprotect": "",
    }
    return Result(data={"userdata": userdata})


@api_function("getdomainowner", write=False, acl="list-accts")
def getdomainowner(ctx: CallContext, args: Args) -> Result:
    domain = args.get("domain")
    if domain is None:
        raise missing_parameter("domain")
    # Unknown domains give data.user = null and still result 1.
    return Result(data={"user": domain_owner(ctx, domain)})


@api_function("get_domain_info", write=False, acl="list-accts")
def get_domain_info(ctx: CallContext, args: Args) -> Result:
    records = []
    for row in ctx.db.execute(
        "SELECT d.domain, d.user, d.domain_type, d.parent_domain, a.owner, a.cpuser"
        " FROM domains d JOIN accounts a ON a.user = d.user ORDER BY d.domain"
    ).fetchall():
        cpuser = json.loads(row["cpuser"])
        records.append(
            {
                "domain": row["domain"],
                "user": row["user"],
                "user_owner": row["owner"],
                "domain_type": row["domain_type"],
                "parent_domain": row["parent_domain"],
                "docroot": _docroot(row["user"], row["domain"], row["domain_type"]),
                "ipv4": cpuser.get("IP", ctx.emulator.config.ip),
                "port": 80,
                "ipv4_ssl": cpuser.get("IP", ctx.emulator.config.ip),
                "port_ssl": 443,
                "ipv6": None,
                "ipv6_is_dedicated": 0,
                "modsecurity_enabled": 1,
                "php_version": "ea-php82",
            }
        )
    return Result(data={"domains": records})


# ---------------------------------------------------------------------------------------
# setsiteip
# ---------------------------------------------------------------------------------------


def configured_ips(ctx: CallContext) -> List[str]:
    """The server's IPv4 addresses: ``--ip`` (the shared one) and the ``additional_ips`` setting."""
    extra = ctx.emulator.setting("additional_ips", "") or ""
    ips = [ctx.emulator.config.ip]
    ips += [ip.strip() for ip in extra.split(",") if ip.strip() and ip.strip() not in ips]
    return ips


def _valid_ipv4(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) <= 255 for p in parts)


def _change_zone_ip(ctx: CallContext, domains: List[str], old: str, new: str) -> None:
    """Whostmgr/Accounts/SiteIP.pm via Whostmgr::DNS::ZoneIP::changezoneip: in the zones of the
    account's domains, every A record pointing at the old address points at the new one; a zone
    that changes gets the next serial. Other records (custom A records elsewhere) stay."""
    from whm_emulator import WHM_VERSION
    from whm_emulator.api.dns import load_zone, save_zone
    from whm_emulator.dns_zonefile import next_serial, parse, write_legacy

    for domain in domains:
        text = load_zone(ctx, domain)
        if text is None:
            continue
        items = parse(text, domain)
        changed = False
        for item in items:
            if item.kind == "record" and item.rtype == "A" and item.data and item.data[0] == old:
                item.data[0] = new
                changed = True
        if not changed:
            continue
        soa = next((i for i in items if i.kind == "record" and i.rtype == "SOA"), None)
        if soa is not None:
            soa.data[2] = next_serial(str(soa.data[2]))
        save_zone(ctx, domain, write_legacy(items, domain, WHM_VERSION, ctx.emulator.config.hostname))


@api_function("setsiteip", write=True, acl="all")
def setsiteip(ctx: CallContext, args: Args) -> Result:
    """Whostmgr/API/1/Accounts.pm ``setsiteip`` and Whostmgr/Accounts/SiteIP.pm ``set``.

    ``user`` or ``domain`` (the domain's owner; both given and not matching fails); no account
    access check in the API wrapper. The account's cpuser IP changes (listaccts ``ip``) and the
    A records of its zones holding the old address move to the new one. Same address: success
    with the reason ``<domain> is already using ip <ip>``. The new address must be one of the
    server's; an address another account uses (a dedicated one) is refused. Success: reason
    ``OK``, no ``data``.
    """
    user = args.get("user") or ""
    if args.has("domain"):
        owner = domain_owner(ctx, (args.get("domain") or "").strip().lower()) or ""
        if args.has("user") and owner != user:
            raise ApiError("User does not own the domain provided.")
        user = owner
    account = load_account(ctx, user) if user else None
    if account is None:
        # SiteIP.pm: the home directory lookup comes first.
        raise ApiError(f"Invalid user: {user}")
    cpuser = dict(account["cpuser"])
    domain = account["domain"]
    old = cpuser.get("IP") or ctx.emulator.config.ip
    new = (args.get("ip") or "").strip()
    if not new:
        raise ApiError(f"The system could not determine the new IP address for “{domain} ({user})”")
    if new == old:
        return Result(reason=f"{domain} is already using ip {new}")
    if not _valid_ipv4(new):
        raise ApiError(f"The specified IP address “{new}” is invalid.")
    if new not in configured_ips(ctx):
        raise ApiError("Unable to set to an unconfigured ip address")
    if new != ctx.emulator.config.ip:
        # An address other than the shared one that another account uses is dedicated to it.
        for other in _accounts(ctx):
            if other["user"] != user and (other["cpuser"].get("IP") or ctx.emulator.config.ip) == new:
                raise ApiError(f"Sorry, {new} is in use by another domain name and is not a shared ip.")
    cpuser["IP"] = new
    save_cpuser(ctx, user, cpuser)
    domains = [r[0] for r in ctx.db.execute("SELECT domain FROM domains WHERE user = ?", (user,)).fetchall()]
    _change_zone_ip(ctx, sorted(set(domains) | {domain}), old, new)
    return Result()
