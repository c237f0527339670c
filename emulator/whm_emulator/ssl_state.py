"""State and models of the SSL area: vhosts, SSL storage, service and AutoSSL CA certificates.

Kept apart from :mod:`whm_emulator.api.ssl` (the WHM functions) so the AutoSSL runner and the
archive section share the same helpers.

Web vhosts are derived from the accounts' domains (as WHM's userdata is): a ``main``, ``sub`` or
``addon`` domain is a vhost whose aliases are ``www.`` and ``mail.`` of it; a ``parked`` domain
adds its own name, ``www.`` and ``mail.`` to its parent's vhost. The service (proxy)
subdomains (cpanel., webmail. …) belong to a vhost for certificate matching and AutoSSL.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from whm_emulator import ssl_certs
from whm_emulator.registry import CallContext
from whm_emulator.store import register_schema

register_schema(
    """
CREATE TABLE IF NOT EXISTS ssl_vhosts (
    servername TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    ip TEXT NOT NULL,
    crt TEXT NOT NULL,
    key TEXT NOT NULL,
    cab TEXT,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ssl_storage (
    user TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    pem TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    created INTEGER NOT NULL,
    PRIMARY KEY (user, kind, id)
);
CREATE TABLE IF NOT EXISTS ssl_services (service TEXT PRIMARY KEY, crt TEXT NOT NULL, key TEXT NOT NULL, cab TEXT);
CREATE TABLE IF NOT EXISTS autossl_checks (
    pid INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,
    due REAL NOT NULL,
    started INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS autossl_problems (
    user TEXT NOT NULL,
    domain TEXT NOT NULL,
    problem TEXT NOT NULL,
    time TEXT NOT NULL,
    log TEXT NOT NULL
);
""",
    ["ssl_vhosts", "ssl_storage", "ssl_services", "autossl_checks", "autossl_problems"],
)

USER_FOR_UNOWNED_DOMAINS = "nobody"
PROXY_SUBDOMAINS = ("autodiscover", "cpanel", "cpcalendars", "cpcontacts", "webdisk", "webmail")
SERVICES = ("cpanel", "dovecot", "exim", "ftp")
SERVICE_DESCRIPTIONS = {
    "cpanel": "Calendar, cPanel, WebDisk, Webmail, and WHM Services",
    "dovecot": "Dovecot Mail Server",
    "exim": "Exim (SMTP) Server",
    "ftp": "FTP Server",
}

_FILE_LOCK = threading.Lock()


# ---------------------------------------------------------------------------------------
# Web vhosts
# ---------------------------------------------------------------------------------------


def _account_ip(ctx: CallContext, user: str) -> str:
    row = ctx.db.execute("SELECT cpuser FROM accounts WHERE user = ?", (user,)).fetchone()
    if row is None:
        return ctx.emulator.config.ip
    return str(json.loads(row[0]).get("IP") or ctx.emulator.config.ip)


def web_vhosts(ctx: CallContext, user: Optional[str] = None) -> List[Dict[str, Any]]:
    """Every account web vhost: servername, user, type, aliases, docroot, ip."""
    sql = "SELECT domain, user, domain_type, parent_domain FROM domains"
    params: Tuple[Any, ...] = ()
    if user is not None:
        sql += " WHERE user = ?"
        params = (user,)
    rows = [dict(r) for r in ctx.db.execute(sql + " ORDER BY domain", params).fetchall()]
    vhosts: Dict[str, Dict[str, Any]] = {}
    for row in rows:
        if row["domain_type"] in ("parked", "alias"):
            continue
        domain = row["domain"]
        docroot = (
            f"/home/{row['user']}/public_html" if row["domain_type"] == "main" else f"/home/{row['user']}/{domain}"
        )
        vhosts[domain] = {
            "servername": domain,
            "user": row["user"],
            "type": row["domain_type"],
            "aliases": [f"mail.{domain}", f"www.{domain}"],
            "docroot": docroot,
            "ip": _account_ip(ctx, row["user"]),
        }
    for row in rows:
        if row["domain_type"] not in ("parked", "alias"):
            continue
        parent = vhosts.get(row["parent_domain"])
        if parent is None:
            parent = next((v for v in vhosts.values() if v["user"] == row["user"] and v["type"] == "main"), None)
        if parent is not None:
            parent["aliases"] += [row["domain"], f"mail.{row['domain']}", f"www.{row['domain']}"]
    return [vhosts[k] for k in sorted(vhosts)]


def vhost_domains(vhost: Dict[str, Any]) -> List[str]:
    return [vhost["servername"], *vhost["aliases"]]


def proxy_domains(vhost: Dict[str, Any]) -> List[str]:
    bases = [d for d in vhost_domains(vhost) if not d.startswith(("www.", "mail."))]
    return [f"{sub}.{base}" for base in bases for sub in PROXY_SUBDOMAINS]


def find_vhost(ctx: CallContext, domain: str) -> Optional[Dict[str, Any]]:
    """The account vhost that serves ``domain`` (servername, alias or service subdomain)."""
    domain = domain.lower()
    vhosts = web_vhosts(ctx)
    for vhost in vhosts:
        if domain == vhost["servername"] or domain in vhost["aliases"]:
            return vhost
    for vhost in vhosts:
        if domain in proxy_domains(vhost):
            return vhost
    return None


def installed(ctx: CallContext, servername: str) -> Optional[Dict[str, Any]]:
    row = ctx.db.execute("SELECT * FROM ssl_vhosts WHERE servername = ?", (servername,)).fetchone()
    return None if row is None else dict(row)


def install_row(ctx: CallContext, servername: str, user: str, ip: str, crt: str, key: str, cab: Optional[str]) -> None:
    ctx.db.execute(
        "INSERT OR REPLACE INTO ssl_vhosts(servername, user, ip, crt, key, cab, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (servername, user, ip, crt, key, cab or None, int(time.time())),
    )


# ---------------------------------------------------------------------------------------
# SSL storage (per user: keys and certificates; listcrts reads it)
# ---------------------------------------------------------------------------------------


def store_key_and_cert(ctx: CallContext, user: str, key: Optional[str], crt: Optional[str], label: str) -> None:
    now = int(time.time())
    if key:
        kid = ssl_certs.key_id(ssl_certs.parse_key(key))
        ctx.db.execute(
            "INSERT OR IGNORE INTO ssl_storage(user, kind, id, pem, friendly_name, created)"
            " VALUES (?, 'key', ?, ?, ?, ?)",
            (user, kid, key, f"Key for “{label}”", now),
        )
    if crt:
        cid = ssl_certs.certificate_id(crt)
        ctx.db.execute(
            "INSERT OR IGNORE INTO ssl_storage(user, kind, id, pem, friendly_name, created)"
            " VALUES (?, 'crt', ?, ?, ?, ?)",
            (user, cid, crt, f"Cert for “{label}”", now),
        )


def storage(ctx: CallContext, user: str, kind: str) -> List[Dict[str, Any]]:
    return [
        dict(r)
        for r in ctx.db.execute(
            "SELECT * FROM ssl_storage WHERE user = ? AND kind = ? ORDER BY created, id", (user, kind)
        ).fetchall()
    ]


# ---------------------------------------------------------------------------------------
# Files generated once per state directory: default service certificates, AutoSSL CA
# ---------------------------------------------------------------------------------------


def _ssl_dir(ctx: CallContext) -> Path:
    path = Path(ctx.emulator.config.state_dir) / "ssl"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def default_service_certificate(ctx: CallContext, service: str) -> Tuple[str, str]:
    """(crt, key): the self-signed certificate for the hostname a service starts with."""
    base = _ssl_dir(ctx)
    crt_path, key_path = base / f"service-{service}.crt", base / f"service-{service}.key"
    with _FILE_LOCK:
        if not (crt_path.exists() and key_path.exists()):
            new_service_default(ctx, service)
        return crt_path.read_text(), key_path.read_text()


def new_service_default(ctx: CallContext, service: str) -> Tuple[str, str]:
    """Write a fresh self-signed default for ``service`` (caller holds _FILE_LOCK or starts up)."""
    hostname = ctx.emulator.config.hostname
    key = ssl_certs.new_key("rsa-2048")
    crt = ssl_certs.issue([hostname], key, subject={"commonName": hostname, "organizationName": "Unknown"})
    base = _ssl_dir(ctx)
    _write(base / f"service-{service}.key", ssl_certs.key_pem(key))
    _write(base / f"service-{service}.crt", crt)
    return crt, ssl_certs.key_pem(key)


def reset_service_default(ctx: CallContext, service: str) -> Tuple[str, str]:
    with _FILE_LOCK:
        return new_service_default(ctx, service)


def service_certificate(ctx: CallContext, service: str) -> Tuple[str, str, Optional[str]]:
    row = ctx.db.execute("SELECT crt, key, cab FROM ssl_services WHERE service = ?", (service,)).fetchone()
    if row is not None:
        return str(row[0]), str(row[1]), row[2]
    crt, key = default_service_certificate(ctx, service)
    return crt, key, None


def autossl_ca(ctx: CallContext) -> Tuple[str, Any]:
    """(CA certificate PEM, CA private key) of the emulated AutoSSL certificate authority."""
    base = _ssl_dir(ctx)
    crt_path, key_path = base / "autossl-ca.crt", base / "autossl-ca.key"
    with _FILE_LOCK:
        if not (crt_path.exists() and key_path.exists()):
            key = ssl_certs.new_key("rsa-2048")
            crt = ssl_certs.issue(
                [],
                key,
                subject={"commonName": "whm_emulator AutoSSL CA", "organizationName": "whm_emulator"},
                days=3650,
                is_ca=True,
            )
            _write(key_path, ssl_certs.key_pem(key))
            _write(crt_path, crt)
        return crt_path.read_text(), ssl_certs.load_key(key_path.read_text())


def trusted_roots(ctx: CallContext) -> List[str]:
    """The emulated server's trust store: the AutoSSL CA only."""
    return [autossl_ca(ctx)[0]]


def known_cabundle(ctx: CallContext, crt: str) -> Optional[str]:
    """Cpanel::SSLInfo::fetchcabundle stand-in: the bundle of certificates the AutoSSL CA issued."""
    ca_pem, _ = autossl_ca(ctx)
    try:
        leaf = ssl_certs.load_certificate(crt)
        ca = ssl_certs.load_certificate(ca_pem)
    except ValueError:
        return None
    if leaf.issuer == ca.subject and leaf.subject != ca.subject:
        return ca_pem
    return None
