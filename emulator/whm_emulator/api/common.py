"""Helpers shared by the API areas: account lookups, WHM value formats, lifecycle hooks."""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from whm_emulator.errors import user_not_found
from whm_emulator.registry import CallContext

# Hooks run inside the creating/removing transaction. A later DNS area registers here to
# create the account's zone on createacct and remove it on removeacct (unless keepdns).
AccountHook = Callable[[CallContext, Dict[str, Any], Dict[str, str]], None]
ACCOUNT_CREATED: List[AccountHook] = []
ACCOUNT_REMOVED: List[AccountHook] = []

# modifyacct changed an account's main domain (DNS/domain): (ctx, user, old_domain, new_domain),
# run inside modifyacct's transaction after the account and its domains carry the new name, so
# the areas move what they keep under the old name (the zone, the SSL vhost).
DomainChangedHook = Callable[[CallContext, str, str, str], None]
ACCOUNT_DOMAIN_CHANGED: List[DomainChangedHook] = []

# modifyacct renamed an account (newuser): (ctx, old_user, new_user), run inside modifyacct's
# transaction after the account row carries the new name, so the areas re-key what they keep
# per user (zone ownership, SSL storage and vhosts, AutoSSL problems).
UserRenamedHook = Callable[[CallContext, str, str], None]
ACCOUNT_RENAMED: List[UserRenamedHook] = []


# Account archives (transfers and restores). Each area that keeps per-account data adds a
# named section: the exporter returns JSON-able data for the account being packaged; the
# importer recreates it on the restoring server for the (possibly renamed) account.
# ``options`` carries the restore options as strings (e.g. "replaceip", "olduser",
# "source_ip", "ip" = the destination's IP for the account).
ArchiveExporter = Callable[[CallContext, Dict[str, Any]], Any]
ArchiveImporter = Callable[[CallContext, Dict[str, Any], Any, Dict[str, str]], None]
ARCHIVE_SECTIONS: Dict[str, Tuple[ArchiveExporter, ArchiveImporter]] = {}


# Run once per Emulator, after its store is open (e.g. to resume transfer sessions that were
# running when the previous process stopped).
EMULATOR_STARTED: List[Callable[[Any], None]] = []

# Run by ``POST /__emulator__/reset {"state": true}`` before the tables are wiped: areas that
# keep files or background work besides the database (transfer sessions, archives) stop the
# work and remove the files, so a reset server is a fresh one.
STATE_RESET: List[Callable[[Any], None]] = []


def archive_section(name: str, exporter: ArchiveExporter, importer: ArchiveImporter) -> None:
    if name in ARCHIVE_SECTIONS:
        raise RuntimeError(f"archive section {name} registered twice")
    ARCHIVE_SECTIONS[name] = (exporter, importer)


def load_account(ctx: CallContext, user: Optional[str]) -> Optional[Dict[str, Any]]:
    if not user:
        return None
    row = ctx.db.execute("SELECT * FROM accounts WHERE user = ?", (user,)).fetchone()
    if row is None:
        return None
    account = dict(row)
    account["cpuser"] = json.loads(account["cpuser"])
    return account


def require_account(ctx: CallContext, user: Optional[str]) -> Dict[str, Any]:
    """Whostmgr::Authz::verify_account_access as root: unknown user dies (API failure + XID)."""
    account = load_account(ctx, user)
    if account is None:
        raise user_not_found(user or "")
    return account


def save_cpuser(ctx: CallContext, user: str, cpuser: Dict[str, str]) -> None:
    ctx.db.execute("UPDATE accounts SET cpuser = ? WHERE user = ?", (json.dumps(cpuser, sort_keys=True), user))


def all_usernames(ctx: CallContext) -> List[str]:
    return [r[0] for r in ctx.db.execute("SELECT user FROM accounts").fetchall()]


def domain_owner(ctx: CallContext, domain: str) -> Optional[str]:
    row = ctx.db.execute("SELECT user FROM domains WHERE domain = ?", (domain.lower(),)).fetchone()
    return None if row is None else str(row[0])


def server_nameservers(ctx: CallContext) -> List[str]:
    """The server's nameservers: NS, NS2, NS3, NS4 of wwwacct.conf (setting ``dns.nameservers``).

    The one source for every area: the DNS templates (dns_ssl_tokens.md 2.0: NS records for
    nameserver1..4), createacct's returned ``nameserver``..``nameserver4``
    (transfers_accounts.md 3.3) and get_nameserver_config (dns_ssl_tokens.md 2.15).
    """
    host_domain = ctx.emulator.config.hostname.split(".", 1)[-1]
    value = ctx.emulator.setting("dns.nameservers", f"ns1.{host_domain},ns2.{host_domain}")
    return [n.strip().rstrip(".").lower() for n in value.split(",") if n.strip()][:4]


def truthy(value: Optional[str]) -> bool:
    """WHM booleans are 1/0; "y"/"yes" are accepted by the older functions."""
    return (value or "").strip().lower() in ("1", "y", "yes", "on", "true")


def yesno(value: Optional[str], default: str) -> str:
    """Whostmgr/Func.pm yesno: y/n/1/0 accepted; any other non-empty value counts as yes."""
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("n", "0"):
        return "n"
    return "y"


def ctime(epoch: int) -> str:
    # listsuspended's ``time`` is Perl's localtime() string, e.g. "Thu Nov 18 10:34:34 2014".
    return time.strftime("%a %b %e %H:%M:%S %Y", time.localtime(epoch)).replace("  ", " ")


def human_size(num_bytes: int) -> str:
    """Cpanel::Math::_toHumanSize-like rendering (e.g. "1 GB", "512 MB")."""
    units = ["bytes", "KB", "MB", "GB", "TB", "PB"]
    value = float(num_bytes)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            text = f"{value:.2f}".rstrip("0").rstrip(".")
            return f"{text} {unit}"
        value /= 1024
    return f"{num_bytes} bytes"
