"""WHM's naming rules: usernames, domains, package names, ACL names.

Sources are cPanel modules named in each comment; all failure sentences are WHM's own.
"""

from __future__ import annotations

import re
from typing import FrozenSet, Iterable, Optional

# -- usernames (Cpanel/Validate/Username.pm, Username/Core.pm, Whostmgr/Accounts/NameConflict.pm)

MAX_USERNAME_LENGTH = 16
# New accounts (valid_for_new): lowercase letters and digits, not starting with a digit.
STRICT_USERNAME = re.compile(r"^(?![-.0-9])[a-z0-9]{1,16}$")
# Restores/transfers (valid_for_transfer) additionally allow "-", "." and "_".
LOOSE_USERNAME = re.compile(r"^(?![-.0-9])[-._a-z0-9]{1,16}$")

RESERVED_USERNAMES: FrozenSet[str] = frozenset(
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
# Names from a stock /etc/aliases are reserved too; these are the usual entries on cPanel hosts.
ALIAS_NAMES: FrozenSet[str] = frozenset(
    [
        "mailer-daemon",
        "postmaster",
        "nobody",
        "hostmaster",
        "usenet",
        "news",
        "webmaster",
        "www",
        "ftp",
        "abuse",
        "noc",
        "security",
        "root",
        "operator",
        "games",
        "ingres",
        "system",
        "toor",
        "uucp",
        "dumper",
        "manager",
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

# Length of the database-name prefix that must be unique across accounts (Cpanel/DB/Prefix.pm):
# 8 characters unless MariaDB >= 10 reports 16; the emulated server uses the classic 8.
DB_PREFIX_LENGTH = 8


def is_reserved_username(name: str) -> bool:
    if name in RESERVED_USERNAMES or name in ALIAS_NAMES:
        return True
    if name.startswith(RESERVED_PREFIXES) or name.endswith(RESERVED_SUFFIXES):
        return True
    return bool(re.fullmatch(r"[-._0-9]+", name))


def username_problem(name: str, existing: Iterable[str], renamed_from: Optional[str] = None) -> Optional[str]:
    """The NameConflict sentence that rejects ``name`` as a new account name, or None.

    Order as in Whostmgr/Accounts/NameConflict.pm verify_new_name: syntax (no "." and the
    strict regex), reserved names, existing user, DB owner, DB prefix uniqueness.
    """
    existing = [u for u in existing if u != renamed_from]
    if "." in name or not STRICT_USERNAME.match(name):
        return f"“{name}” is not a valid username on this system."
    if is_reserved_username(name):
        return f"“{name}” is a reserved username on this system."
    if name in existing:
        return f"This system already has an account named “{name}”."
    # DB owners are the account names themselves in this emulator.
    if len(name) >= DB_PREFIX_LENGTH:
        prefix = name[:DB_PREFIX_LENGTH]
        if any(other.startswith(prefix) for other in existing):
            n = DB_PREFIX_LENGTH
            return (
                f"The name of another account on this server has the same initial {n} characters as the "
                f"given username ({name}). Each username’s first {n} characters must be unique."
            )
    return None


# -- domains (Cpanel/Validate/DomainCreation/Primary.pm, Cpanel/Validate/Domain*.pm) -----

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


def domain_syntax_problem(domain: str) -> Optional[str]:
    """Why ``domain`` is not an acceptable main domain, or None. Reason wording is WHM's frame:
    ``The system cannot accept “X” as a domain name (<why>).``"""

    def bad(why: str) -> str:
        return f"The system cannot accept “{domain}” as a domain name ({why})."

    if not domain:
        return bad("it is empty")
    if len(domain) > 254:
        return bad("it is longer than 254 characters")
    if _IPV4.match(domain) or ":" in domain:
        return bad("it is an IP address")
    if "." not in domain:
        return bad("it must contain at least one dot")
    if domain.startswith("www."):
        return bad("it begins with “www.”")
    labels = domain.split(".")
    for label in labels:
        if not _LABEL.match(label):
            return bad(f"the label “{label}” is invalid")
    tld = labels[-1]
    if not (tld.startswith("xn--") or re.fullmatch(r"[a-z0-9]*[a-z][a-z0-9]*", tld)):
        return bad("its top-level domain is invalid")
    return None


# -- package names (Cpanel/Validate/PackageName.pm, Whostmgr/Packages/Mod.pm) -----------

_PACKAGE_NAME = re.compile(r"^[a-zA-Z0-9 ._\-\u0080-\U0010ffff]+$")


def package_name_ok(name: str) -> bool:
    if not name or not name.strip() or name in ("undefined", "extensions", ".", ".."):
        return False
    return bool(_PACKAGE_NAME.match(name)) and "/" not in name


# -- ACL names (as listed by cPanel's listacls / myprivs descriptions) -------------------

ACL_NAMES: FrozenSet[str] = frozenset(
    [
        "acct-summary",
        "add-pkg",
        "add-pkg-ip",
        "add-pkg-shell",
        "all",
        "allow-addoncreate",
        "allow-emaillimits-pkgs",
        "allow-parkedcreate",
        "allow-shell",
        "allow-unlimited-bw-pkgs",
        "allow-unlimited-disk-pkgs",
        "allow-unlimited-pkgs",
        "basic-system-info",
        "basic-whm-functions",
        "clustering",
        "cors-proxy-get",
        "cpanel-api",
        "cpanel-integration",
        "create-acct",
        "create-dns",
        "create-user-session",
        "demo-setup",
        "digest-auth",
        "edit-account",
        "edit-dns",
        "edit-mx",
        "edit-pkg",
        "file-restore",
        "frontpage",
        "generate-email-config",
        "kill-acct",
        "kill-dns",
        "limit-bandwidth",
        "list-accts",
        "list-pkgs",
        "locale-edit",
        "mailcheck",
        "manage-api-tokens",
        "manage-dns-records",
        "manage-oidc",
        "manage-styles",
        "mysql-info",
        "news",
        "ns-config",
        "park-dns",
        "passwd",
        "quota",
        "rearrange-accts",
        "resftp",
        "restart",
        "show-bandwidth",
        "ssl",
        "ssl-buy",
        "ssl-gencrt",
        "ssl-info",
        "stats",
        "status",
        "suspend-acct",
        "thirdparty",
        "track-email",
        "upgrade-account",
        "viewglobalpackages",
    ]
)
