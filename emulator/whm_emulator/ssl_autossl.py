"""AutoSSL: provider configuration, pending checks and the emulated certificate authority.

How a check runs (no background thread touches state outside a transaction):
start_autossl_check_* stores a pending check (pid, scope, due time = now + ``autossl_delay``)
in its own write transaction and arms a ``threading.Timer``. When the timer fires it opens the
store's *write* transaction (the same lock every writing request takes), completes every due
check and marks it done. Because the timer waits for the write lock, a check can never run
before the request that created it has committed. Checks left pending by a restart are armed
again by the next SSL/AutoSSL call that finds them overdue.

A completed check, for each account (one user or all users whose feature list has
``autossl``), for each web vhost: domains matching a glob of the ``autossl_dcv_fail`` setting
become problems; the other domains get a certificate signed by the emulator's AutoSSL CA
(valid 90 days) unless the vhost already has a valid certificate that covers them.
"""

from __future__ import annotations

import datetime
import fnmatch
import hashlib
import json
import threading
import time
from typing import Any, Dict, List, Optional, Set

from whm_emulator import ssl_certs, ssl_state
from whm_emulator.registry import CallContext
from whm_emulator.store import Store

LETSENCRYPT_TOS = "https://letsencrypt.org/documents/LE-SA-v1.4-April-3-2024.pdf"
VALIDITY_DAYS = 90
RENEW_BEFORE_DAYS = 30

# module name → (display name, default properties, specs). 11.120 lists only non-obsolete
# providers; the Sectigo "cPanel" module is obsolete there (dns_ssl_tokens.md 3.10).
PROVIDERS: Dict[str, Dict[str, Any]] = {
    "LetsEncrypt": {
        "display_name": "Let’s Encrypt™",
        "properties": {"terms_of_service": LETSENCRYPT_TOS, "terms_of_service_accepted": ""},
        "specs": {
            "AVERAGE_DELIVERY_TIME": 5,
            "DCV_METHODS": ["http", "dns"],
            "DELIVERY_METHOD": "api",
            "HTTP_DCV_MAX_REDIRECTS": 10,
            "MAX_DOMAINS_PER_CERTIFICATE": 100,
            "RATE_LIMIT_CERTIFICATES_PER_REGISTERED_DOMAIN_PER_WEEK": 50,
            "SUPPORTS_ANCESTOR_DCV": 0,
            "SUPPORTS_WILDCARD": 1,
            "VALIDITY_PERIOD": VALIDITY_DAYS * 86400,
        },
    },
}

_TIMERS_LOCK = threading.Lock()
_ARMED: Dict[int, Set[int]] = {}  # id(emulator) → pids with a live timer


# ---------------------------------------------------------------------------------------
# Configuration (kept in the meta table; a state reset disables AutoSSL)
# ---------------------------------------------------------------------------------------


def provider(ctx: CallContext) -> str:
    return Store.get_meta(ctx.db, "autossl_provider") or ""


def set_provider(ctx: CallContext, name: str) -> None:
    Store.set_meta(ctx.db, "autossl_provider", name)


def stored_properties(ctx: CallContext, name: str) -> Dict[str, str]:
    data = json.loads(Store.get_meta(ctx.db, "autossl_properties") or "{}")
    return dict(data.get(name, {}))


def save_properties(ctx: CallContext, name: str, props: Dict[str, str]) -> None:
    data = json.loads(Store.get_meta(ctx.db, "autossl_properties") or "{}")
    data[name] = props
    Store.set_meta(ctx.db, "autossl_properties", json.dumps(data, sort_keys=True))


def account_url(ctx: CallContext) -> str:
    """The ACME account URL a registration would give (stable per hostname)."""
    number = int(hashlib.sha256(ctx.emulator.config.hostname.encode("utf-8")).hexdigest()[:8], 16)
    return f"https://acme-v02.api.letsencrypt.org/acme/acct/{number}"


def next_pid(ctx: CallContext) -> int:
    pid = int(Store.get_meta(ctx.db, "autossl_next_pid") or "31000")
    Store.set_meta(ctx.db, "autossl_next_pid", str(pid + 1))
    return pid


def pidfile(scope: str) -> str:
    if scope == "all":
        return "/var/cpanel/autossl_check.pid"
    return f"/var/cpanel/autossl_check_{scope[5:]}.pid"


def iso(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------
# Pending checks
# ---------------------------------------------------------------------------------------


def delay(ctx: CallContext) -> float:
    try:
        return max(0.0, float(ctx.emulator.setting("autossl_delay", "1")))
    except ValueError:
        return 1.0


def running(ctx: CallContext, scope: str) -> Optional[int]:
    row = ctx.db.execute("SELECT pid FROM autossl_checks WHERE scope = ? AND done = 0", (scope,)).fetchone()
    return None if row is None else int(row[0])


def enqueue(ctx: CallContext, scope: str) -> int:
    pid = next_pid(ctx)
    now = time.time()
    wait = delay(ctx)
    ctx.db.execute(
        "INSERT INTO autossl_checks(pid, scope, due, started, done) VALUES (?, ?, ?, ?, 0)",
        (pid, scope, now + wait, int(now)),
    )
    arm(ctx.emulator, pid, wait)
    return pid


def arm(emulator: Any, pid: int, wait: float) -> None:
    with _TIMERS_LOCK:
        armed = _ARMED.setdefault(id(emulator), set())
        if pid in armed:
            return
        armed.add(pid)
    timer = threading.Timer(wait, _fire, args=(emulator, pid))
    timer.daemon = True
    timer.start()


def rearm_overdue(ctx: CallContext) -> None:
    """Arm checks whose timer was lost (emulator restarted while they were pending)."""
    now = time.time()
    for row in ctx.db.execute("SELECT pid, due FROM autossl_checks WHERE done = 0").fetchall():
        arm(ctx.emulator, int(row[0]), max(0.0, float(row[1]) - now))


def _fire(emulator: Any, pid: int) -> None:
    try:
        with emulator.store.transaction(write=True) as db:
            ctx = CallContext(db=db, emulator=emulator)
            row = db.execute("SELECT * FROM autossl_checks WHERE pid = ? AND done = 0", (pid,)).fetchone()
            if row is not None:
                run_check(ctx, dict(row))
                db.execute("UPDATE autossl_checks SET done = 1 WHERE pid = ?", (pid,))
    except Exception:  # noqa: BLE001 - the emulator may be shutting down; nothing to report to
        pass
    finally:
        with _TIMERS_LOCK:
            _ARMED.get(id(emulator), set()).discard(pid)


# ---------------------------------------------------------------------------------------
# Running a check
# ---------------------------------------------------------------------------------------


def _dcv_fails(ctx: CallContext, domain: str) -> bool:
    globs = [g.strip().lower() for g in ctx.emulator.setting("autossl_dcv_fail", "").split(",") if g.strip()]
    return any(fnmatch.fnmatchcase(domain.lower(), glob) for glob in globs)


def _needs_certificate(ctx: CallContext, current: Optional[Dict[str, Any]], wanted: List[str], now: float) -> bool:
    if current is None:
        return True
    parse = ssl_certs.parse_certificate(current["crt"])
    if parse["is_self_signed"] or parse["not_after"] - now < RENEW_BEFORE_DAYS * 86400:
        return True
    ca_pem, _ = ssl_state.autossl_ca(ctx)
    issued_by_us = parse["issuer"] == ssl_certs.parse_certificate(ca_pem)["subject"]
    if issued_by_us:
        return not all(ssl_certs.covers(parse["domains"], d) for d in wanted)
    return not ssl_certs.lists_have_match(parse["domains"], wanted)


def run_check(ctx: CallContext, check: Dict[str, Any]) -> None:
    from whm_emulator.api.features import feature_enabled

    if not provider(ctx):
        return  # AutoSSL was disabled meanwhile: the check does nothing
    if check["scope"] == "all":
        users = [r[0] for r in ctx.db.execute("SELECT user FROM accounts ORDER BY user").fetchall()]
        users = [u for u in users if feature_enabled(ctx, u, "autossl")]
    else:
        users = [check["scope"][5:]]
    log = iso(check["started"])
    now = time.time()
    for user in users:
        if ctx.db.execute("SELECT 1 FROM accounts WHERE user = ?", (user,)).fetchone() is None:
            continue
        ctx.db.execute("DELETE FROM autossl_problems WHERE user = ?", (user,))
        for vhost in ssl_state.web_vhosts(ctx, user):
            domains = ssl_state.vhost_domains(vhost) + ssl_state.proxy_domains(vhost)
            passing = []
            for domain in domains:
                if _dcv_fails(ctx, domain):
                    ctx.db.execute(
                        "INSERT INTO autossl_problems(user, domain, problem, time, log) VALUES (?, ?, ?, ?, ?)",
                        (
                            user,
                            domain,
                            f"“{domain}” does not resolve to any IPv4 addresses on the internet.",
                            iso(now),
                            log,
                        ),
                    )
                else:
                    passing.append(domain)
            current = ssl_state.installed(ctx, vhost["servername"])
            if not passing or not _needs_certificate(ctx, current, passing, now):
                continue
            issue_for(ctx, vhost, passing)


def issue_for(ctx: CallContext, vhost: Dict[str, Any], domains: List[str]) -> None:
    ca_pem, ca_key = ssl_state.autossl_ca(ctx)
    key = ssl_certs.new_key("rsa-2048")
    crt = ssl_certs.issue(
        domains,
        key,
        issuer_cert=ssl_certs.load_certificate(ca_pem),
        issuer_key=ca_key,
        days=VALIDITY_DAYS,
        policy="2.23.140.1.2.1",
    )
    key_text = ssl_certs.key_pem(key)
    ssl_state.install_row(ctx, vhost["servername"], vhost["user"], vhost["ip"], crt, key_text, ca_pem)
    ssl_state.store_key_and_cert(ctx, vhost["user"], key_text, crt, vhost["servername"])
