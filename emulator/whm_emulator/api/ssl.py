"""SSL certificates on vhosts and services, and AutoSSL (cPanel Whostmgr/API/1/SSL.pm, 11.120).

Certificates are parsed and verified for real (:mod:`whm_emulator.ssl_certs`); vhosts, SSL
storage and service certificates live in :mod:`whm_emulator.ssl_state`; AutoSSL checks in
:mod:`whm_emulator.ssl_autossl`. Texts follow the research note dns_ssl_tokens.md section 3 and
the code it cites; texts marked UNCONFIRMED are listed in emulator/README.md.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from whm_emulator import ssl_autossl, ssl_certs, ssl_state
from whm_emulator.api.common import (
    ACCOUNT_DOMAIN_CHANGED,
    ACCOUNT_REMOVED,
    ACCOUNT_RENAMED,
    EMULATOR_STARTED,
    archive_section,
    domain_owner,
    load_account,
    truthy,
)
from whm_emulator.args import Args
from whm_emulator.errors import ApiError, ApiFailure, missing_parameter
from whm_emulator.registry import CallContext, Result, api_function

_WILD_DOMAIN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{1,63}$")
_IPV4 = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


def _valid_wild_domain(domain: str) -> bool:
    return bool(_WILD_DOMAIN.match(domain)) and len(domain) <= 254 and not _IPV4.match(domain)


def _list_and(items: List[str]) -> str:
    # Cpanel::Locale list_and: "a", "a and b", "a, b, and c".
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + f", and {items[-1]}"


def _list_or_quoted(items: List[str]) -> str:
    quoted = [f"“{i}”" for i in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    if len(quoted) == 2:
        return f"{quoted[0]} or {quoted[1]}"
    return ", ".join(quoted[:-1]) + f", or {quoted[-1]}"


def _touch(ctx: CallContext) -> None:
    """Every SSL/AutoSSL call re-arms AutoSSL checks a restart left pending."""
    ssl_autossl.rearm_overdue(ctx)


# ---------------------------------------------------------------------------------------
# Certificate detail shapes
# ---------------------------------------------------------------------------------------


def cert_info(parse: Dict[str, Any]) -> Dict[str, Any]:
    """Whostmgr/API/1/SSL.pm _fetch_cert_info."""
    return {
        "issuer.commonName": parse["issuer"].get("commonName"),
        "issuer.organizationName": parse["issuer"].get("organizationName"),
        "issuer_text": parse["issuer_text"],
        "key_algorithm": parse["key_algorithm"],
        "modulus": parse["modulus"],
        "modulus_length": parse["modulus_length"],
        "ecdsa_curve_name": parse["ecdsa_curve_name"],
        "ecdsa_public": parse["ecdsa_public"],
        "not_before": parse["not_before"],
        "not_after": parse["not_after"],
        "domains": parse["domains"],
        "is_self_signed": parse["is_self_signed"],
    }


def _tls_index_record(row: Dict[str, Any]) -> Dict[str, Any]:
    """fetch_ssl_vhosts' crt object (Whostmgr/SSL.pm _convert_apache_tls_index_record_to_api)."""
    parse = ssl_certs.parse_certificate(row["crt"])
    return {
        "id": ssl_certs.certificate_id(row["crt"], parse),
        "domains": parse["domains"],
        "not_after": parse["not_after"],
        "not_before": parse["not_before"],
        "created": row["created"],
        "is_self_signed": parse["is_self_signed"],
        "issuer_text": parse["issuer_text"],
        "issuer.commonName": parse["issuer"].get("commonName"),
        "issuer.organizationName": parse["issuer"].get("organizationName"),
        "subject_text": parse["subject_text"],
        # dns_ssl_tokens.md 3.4: subject.commonName is the subject DN as a map.
        "subject.commonName": dict(parse["subject"]),
        "modulus": parse["modulus"],
        "modulus_length": parse["modulus_length"],
        "public_exponent": parse["public_exponent"],
        "ecdsa_curve_name": parse["ecdsa_curve_name"],
        "ecdsa_public": parse["ecdsa_public"],
        "encryption_algorithm": parse["key_algorithm"],
        "signature_algorithm": parse["signature_algorithm"],
        "validation_type": parse["validation_type"],
    }


def _owner_of_row(ctx: CallContext, row: Dict[str, Any]) -> str:
    # Follows account renames: the owner of the servername wins over the stored user.
    return domain_owner(ctx, row["servername"]) or row["user"]


# ---------------------------------------------------------------------------------------
# installssl
# ---------------------------------------------------------------------------------------


class _InstallFailed(Exception):
    def __init__(self, message: str, html: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.html = message if html is None else html


def _should_update_cab(crt: str, old: Optional[str], new: str) -> bool:
    """Cpanel::SSL::CABundleUtils::pick_best_cabundle stand-in: prefer a complete chain, then
    the bundle whose certificates stay valid longest."""
    if not old:
        return True
    if ssl_certs.normalise_pem(old) == new:
        return False

    def score(cab: str) -> tuple:
        certs = ssl_certs.split_certificates(cab)
        expiry = min((ssl_certs.parse_certificate(c)["not_after"] for c in certs), default=0)
        return (1 if ssl_certs.chain_complete(crt, cab) else 0, expiry)

    return score(new) > score(old)


def install_certificate(
    ctx: CallContext,
    domain: Optional[str],
    crt: Optional[str],
    key: Optional[str],
    cab: Optional[str],
    ip: Optional[str],
) -> Dict[str, Any]:
    """Cpanel::SSLInstall::real_installssl as root. Raises _InstallFailed(message, html)."""
    if not domain:
        raise _InstallFailed("You must specify a domain.", "")
    domain = domain.strip().lower()
    if domain.startswith("www."):
        domain = domain[4:]
    if not _valid_wild_domain(domain):
        raise _InstallFailed(f"“{domain}” is not a valid domain.", "")
    if not crt or not key:
        raise _InstallFailed("A certificate and private key must be provided.", "")
    crt = ssl_certs.normalise_pem(crt)
    key = ssl_certs.normalise_pem(key) if "ENCRYPTED" not in key else key
    if not cab:
        cab = ssl_state.known_cabundle(ctx, crt)
    cab = ssl_certs.normalise_pem(cab) if cab else None
    try:
        c_parse, dummy_key, dummy_full = ssl_certs.verify_components(crt, key, cab, ssl_state.trusted_roots(ctx))
    except ssl_certs.SslError as err:
        raise _InstallFailed(str(err)) from err

    vhost = ssl_state.find_vhost(ctx, domain)
    if vhost is not None:
        owner, servername = vhost["user"], vhost["servername"]
        installable = ssl_state.vhost_domains(vhost)
        vhost_ip = vhost["ip"]
        if ip and ip != vhost_ip:
            raise _InstallFailed(f"Given “ip” ({ip}) doesn’t match non-SSL vhost IP ({vhost_ip}).")
        ip = vhost_ip
    else:
        owner, servername = ssl_state.USER_FOR_UNOWNED_DOMAINS, domain
        installable = [domain, f"www.{domain}"]
        existing = ssl_state.installed(ctx, domain)
        ip = ip or (existing["ip"] if existing else None)
        if not ip:
            raise _InstallFailed(
                f"The domain “{domain}” is not managed on this server. You must specify an IP address to install SSL"
                f" for “{domain}” or set up this domain on a new account, or create it as parked domain, a subdomain,"
                " or an addon domain of an existing account, and try again."
            )
        if not _IPV4.match(ip):
            raise _InstallFailed(f"“{ip}” is not a valid IP address.")
        if ip.startswith("127."):
            raise _InstallFailed(f"You cannot use “{ip}” because this address is bound to a loopback interface.")
        if ip != ctx.emulator.config.ip:
            raise _InstallFailed(f"You must use an IP address that is on the server. “{ip}” is not bound.")

    match = ssl_certs.lists_have_match(c_parse["domains"], installable)
    if not match and vhost is not None:
        match = ssl_certs.lists_have_match(c_parse["domains"], installable + ssl_state.proxy_domains(vhost))
    if not match:
        names = c_parse["domains"]
        which = "this domain" if len(names) == 1 else "these domains"
        raise _InstallFailed(
            f"The certificate does not support the domain “{domain}”. It supports {which}: {_list_and(names)}."
        )

    if vhost is not None:
        ssl_state.store_key_and_cert(ctx, owner, key, crt, servername)
    host_text = domain if servername == domain else f"{domain}–alias of ‘{servername}’"
    current = ssl_state.installed(ctx, servername)
    if current is not None and current["ip"] != ip:
        raise _InstallFailed(
            f"“{host_text}” already has SSL installed on the IP address “{current['ip']}”. The same domain cannot"
            " have SSL on more than one IP address."
        )
    aliases = vhost["aliases"] if vhost is not None else [f"www.{domain}"]
    if current is not None and current["crt"] == crt:
        already = "This certificate was already installed on this host."
        if cab and _should_update_cab(crt, current["cab"], cab):
            ssl_state.install_row(ctx, servername, owner, ip, crt, key, cab)
            action = "update_cabundle"
            msg = f"{already} The system updated the Certificate Authority bundle for the current SSL installation."
        else:
            action = "none"
            msg = f"{already} The system made no changes."
        message = msg
        html = f"<br /><b>{msg}</b><br />\n"
    else:
        ssl_state.install_row(ctx, servername, owner, ip, crt, key, cab)
        success = f"The SSL certificate is now installed onto the domain “{host_text}” using the IP address “{ip}”."
        message, html = success, f"<br>{success}"
        action = "install"
        if current is not None:
            update = "The existing virtual host was updated with the new certificate."
            message += f"\n{update}"
            html += f"\n<br />\n{update}"
            action = "update"
        restart = "Apache is restarting in the background."
        message += f" {restart}\n"
        html += f"<br />{restart}"

    shown_aliases = [a for a in aliases if not a.startswith("www.")]
    vhost_names = [servername, *shown_aliases]
    working = sorted(d for d in vhost_names if ssl_certs.covers(c_parse["domains"], d))
    warning = sorted(d for d in vhost_names if not ssl_certs.covers(c_parse["domains"], d))
    all_names = vhost_names + [a for a in aliases if a.startswith("www.")]
    extra = sorted(n for n in c_parse["domains"] if not any(ssl_certs.name_matches(n, d) for d in all_names))
    return {
        "status": 1,
        "message": message,
        "html": html,
        "statusmsg": message,
        "action": action,
        "domain": domain,
        "servername": servername,
        "aliases": shown_aliases,
        "user": owner,
        "ip": ip,
        "working_domains": working,
        "warning_domains": warning,
        "extra_certificate_domains": extra,
    }


@api_function("installssl", write=True, acl="ssl")
def installssl(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    try:
        data = install_certificate(
            ctx, args.get("domain"), args.get("crt"), args.get("key"), args.get("cab"), args.get("ip") or None
        )
    except _InstallFailed as failed:
        raise ApiError(failed.message, raw=failed.html or None) from failed
    return Result(data=data, reason=data["message"], raw=data["html"])


# ---------------------------------------------------------------------------------------
# Vhost reads and delete
# ---------------------------------------------------------------------------------------


def _consume_servername_filter(args: Args) -> Optional[str]:
    """fetch_vhost_ssl_components handles a ``servername eq X`` filter itself (3.7)."""
    for fid in sorted({k.split(".")[2] for k in args.api if k.startswith("api.filter.") and k.count(".") >= 3}):
        prefix = f"api.filter.{fid}."
        if args.api.get(prefix + "field") == "servername" and args.api.get(prefix + "type") == "eq":
            term = args.api.get(prefix + "arg0", "")
            for suffix in ("field", "type", "arg0"):
                args.api.pop(prefix + suffix, None)
            return term
    return None


@api_function("fetch_vhost_ssl_components", write=False, acl="ssl-info")
def fetch_vhost_ssl_components(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    servername = _consume_servername_filter(args)
    components = []
    for row in ctx.db.execute("SELECT * FROM ssl_vhosts ORDER BY servername").fetchall():
        if servername is not None and row["servername"] != servername:
            continue
        parse = ssl_certs.parse_certificate(row["crt"])
        components.append(
            {
                "servername": row["servername"],
                "certificate": row["crt"],
                "key": row["key"],
                "cabundle": row["cab"],
                "certificate_id": ssl_certs.certificate_id(row["crt"], parse),
                "key_id": ssl_certs.key_id(ssl_certs.parse_key(row["key"])),
                "cabundle_id": ssl_certs.cabundle_id(row["cab"]) if row["cab"] else None,
            }
        )
    return Result(data={"components": components}, payload_name="components")


@api_function("fetch_ssl_vhosts", write=False, acl="ssl-info")
def fetch_ssl_vhosts(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    rows = [dict(r) for r in ctx.db.execute("SELECT * FROM ssl_vhosts ORDER BY servername").fetchall()]
    primary: Dict[str, str] = {}
    for row in rows:
        primary.setdefault(row["ip"], row["servername"])
    vhosts = []
    for row in rows:
        vhost = ssl_state.find_vhost(ctx, row["servername"])
        if vhost is not None and vhost["servername"] == row["servername"]:
            names = ssl_state.vhost_domains(vhost) + ssl_state.proxy_domains(vhost)
            docroot, kind = vhost["docroot"], vhost["type"]
        else:
            names = [row["servername"], f"www.{row['servername']}"]
            docroot, kind = "/usr/local/apache/htdocs", "main"
        is_primary = 1 if primary[row["ip"]] == row["servername"] else 0
        vhosts.append(
            {
                "servername": row["servername"],
                "domains": sorted(set(names)),
                "docroot": docroot,
                "user": _owner_of_row(ctx, row),
                "ip": row["ip"],
                "iptype": "shared",
                "is_primary_on_ip": is_primary,
                "needs_sni": 0 if is_primary else 1,
                "mail_sni_status": 1,
                "ipv6": None,
                "type": kind,
                "crt": _tls_index_record(row),
            }
        )
    return Result(data={"vhosts": vhosts}, payload_name="vhosts")


@api_function("delete_ssl_vhost", write=True, acl="ssl")
def delete_ssl_vhost(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    host = args.get("host")
    if host is None:
        raise missing_parameter("host")
    host = host.strip().lower()
    vhost = ssl_state.find_vhost(ctx, host)
    servername = vhost["servername"] if vhost is not None else host
    row = ssl_state.installed(ctx, servername)
    if row is None:
        if servername == host:
            message = f"No SSL certificate secures the website “{host}”."
        else:
            message = f"No SSL certificate secures “{host}”’s website ({servername})."
        raise ApiError("Failed to remove SSL vhost.", data={"message": message})
    others = [
        r[0]
        for r in ctx.db.execute(
            "SELECT servername FROM ssl_vhosts WHERE ip = ? AND servername != ? ORDER BY servername",
            (row["ip"], servername),
        ).fetchall()
    ]
    ctx.db.execute("DELETE FROM ssl_vhosts WHERE servername = ?", (servername,))
    aliases = vhost["aliases"] if vhost is not None else [f"www.{servername}"]
    entry = (
        f"<VirtualHost {row['ip']}:443>\n  ServerName {servername}\n  ServerAlias {' '.join(aliases)}\n</VirtualHost>\n"
    )
    removed = {
        "ip_port": [row["ip"], "443"],
        "is_ssl": 1,
        "primary_on_ip_port": others[0] if others else servername,
        "servername": servername,
        "vhost_entry": entry,
    }
    return Result(
        data={"output": [f"Deleting the SSL host for {servername}", "Done."], "removed_vhost_data": [removed]}
    )


# ---------------------------------------------------------------------------------------
# SSL storage: listcrts, fetchsslinfo, generatessl
# ---------------------------------------------------------------------------------------


@api_function("listcrts", write=False, acl="ssl-info")
def listcrts(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    user = args.get("user") or ctx.user
    if user != ctx.user and load_account(ctx, user) is None:
        raise ApiError(f"You do not own a user “{user}”.")
    only_registered = truthy(args.get("registered"))
    records = []
    for item in ssl_state.storage(ctx, user, "crt"):
        parse = ssl_certs.parse_certificate(item["pem"])
        owners = [_visible_owner(ctx, d) for d in parse["domains"]]
        registered = 1 if owners and owners[0] else 0
        if only_registered and not registered:
            continue
        records.append(
            {
                "domain": parse["subject"].get("commonName") or (parse["domains"] or [""])[0],
                "domains": parse["domains"],
                "domain_owners": owners,
                "id": item["id"],
                "friendly_name": item["friendly_name"],
                "issuer.organizationName": parse["issuer"].get("organizationName"),
                "is_self_signed": parse["is_self_signed"],
                "not_after": parse["not_after"],
                "registered": registered,
                "key_algorithm": parse["key_algorithm"],
                "modulus_length": parse["modulus_length"],
                "ecdsa_curve_name": parse["ecdsa_curve_name"],
            }
        )
    return Result(data={"crt": records}, payload_name="crt")


def _visible_owner(ctx: CallContext, domain: str) -> Optional[str]:
    """The account owning ``domain`` or the vhost it is an alias of (www., mail., parked)."""
    if domain.startswith("*."):
        return None
    vhost = ssl_state.find_vhost(ctx, domain)
    return vhost["user"] if vhost is not None else domain_owner(ctx, domain)


def _matching_key(ctx: CallContext, users: List[str], c_parse: Dict[str, Any]) -> Optional[Dict[str, str]]:
    for user in users:
        for item in ssl_state.storage(ctx, user, "key"):
            if ssl_certs.keys_match(c_parse, ssl_certs.parse_key(item["pem"])):
                return {"key": item["pem"], "user": user}
    return None


@api_function("fetchsslinfo", write=False, acl="ssl")
def fetchsslinfo(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    domain = (args.get("domain") or "").strip().lower()
    crtdata = args.get("crtdata") or ""
    if not domain and not crtdata:
        raise ApiError("No certificate data or domain supplied.")
    if crtdata:
        crt = ssl_certs.normalise_pem(crtdata)
        try:
            parse = ssl_certs.parse_certificate(crt)
        except ValueError as err:
            raise ApiError("The certificate file is invalid.") from err
        first = (parse["domains"] or [""])[0]
        owner = domain_owner(ctx, first)
        users = [ctx.user] + ([owner] if owner and owner != ctx.user else [])
        found = _matching_key(ctx, users, parse)
        vhost = ssl_state.find_vhost(ctx, first)
        data = {
            "crt": crt,
            "cab": ssl_state.known_cabundle(ctx, crt) or "",
            "key": found["key"] if found else "",
            "domain": first,
            "ip": vhost["ip"] if vhost else ctx.emulator.config.ip,
            "user": owner or ctx.user,
            "crt_origin": ctx.user,
            "key_origin": found["user"] if found else "",
            "searched_users": users,
        }
        return Result(data=data)
    if not _valid_wild_domain(domain):
        raise ApiError("Invalid domain")
    vhost = ssl_state.find_vhost(ctx, domain)
    owner = vhost["user"] if vhost else None
    users = [ctx.user] + ([owner] if owner and owner != ctx.user else [])
    row = ssl_state.installed(ctx, vhost["servername"] if vhost else domain)
    if row is not None:
        parse = ssl_certs.parse_certificate(row["crt"])
        data = {
            "crt": row["crt"],
            "cab": "" if parse["is_self_signed"] else (row["cab"] or ""),
            "key": row["key"],
            "domain": domain,
            "ip": row["ip"],
            "user": _owner_of_row(ctx, row),
            "crt_origin": _owner_of_row(ctx, row),
            "key_origin": _owner_of_row(ctx, row),
            "searched_users": users,
        }
        return Result(data=data)
    best: Optional[Dict[str, Any]] = None
    for user in users:
        for item in ssl_state.storage(ctx, user, "crt"):
            parse = ssl_certs.parse_certificate(item["pem"])
            if ssl_certs.covers(parse["domains"], domain) and (best is None or parse["not_after"] > best["not_after"]):
                best = {"pem": item["pem"], "not_after": parse["not_after"], "user": user, "parse": parse}
    if best is None:
        return Result(data={}, messages=[f"No certificate for the domain {domain} could be found."])
    found = _matching_key(ctx, users, best["parse"])
    data = {
        "crt": best["pem"],
        "cab": "" if best["parse"]["is_self_signed"] else (ssl_state.known_cabundle(ctx, best["pem"]) or ""),
        "key": found["key"] if found else "",
        "domain": domain,
        "ip": vhost["ip"] if vhost else ctx.emulator.config.ip,
        "user": owner or ctx.user,
        "crt_origin": best["user"],
        "key_origin": found["user"] if found else "",
        "searched_users": users,
    }
    return Result(data=data)


_KEYTYPES = ("rsa-2048", "rsa-4096", "ecdsa-prime256v1", "ecdsa-secp384r1")


@api_function("generatessl", write=True, acl="ssl-gencrt")
def generatessl(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    text = args.get("domains") or ""
    domains = [d.lower() for d in re.split(r"[,;\s]+", text) if d]
    if not domains:
        raise ApiError("Missing required parameter: domains.")
    for domain in domains:
        if not _valid_wild_domain(domain):
            raise ApiError(f"“{domain}” is not a valid domain.")  # UNCONFIRMED text
    if args.get("keysize") and args.get("keytype"):
        raise ApiError("You may specify “keysize” or “keytype”, but not both.")  # UNCONFIRMED text
    keytype = args.get("keytype") or ""
    if keytype in ("", "default"):
        size = args.get("keysize") or "2048"
        if not size.isdigit() or int(size) < 2048:
            raise ApiError(f"“{size}” is not a valid key size.")  # UNCONFIRMED text
        keytype = f"rsa-{min(int(size), 4096)}"
    elif keytype not in _KEYTYPES:
        raise ApiError(f"“{keytype}” is not a valid key type.")  # UNCONFIRMED text
    subject: Dict[str, str] = {}
    country = args.get("countryName") or ""
    if country:
        if not re.fullmatch(r"[A-Za-z]{2}", country):
            raise ApiError(f"“{country}” is not a valid country code.")  # UNCONFIRMED text
        subject["countryName"] = country.upper()
    for field in ("stateOrProvinceName", "localityName", "organizationName", "organizationalUnitName"):
        value = args.get(field) or ""
        if field in ("organizationName", "organizationalUnitName") and len(value) > 64:
            raise ApiError(f"The “{field}” may not exceed 64 characters.")  # UNCONFIRMED text
        if value:
            subject[field] = value
    if args.get("emailAddress"):
        subject["emailAddress"] = args.get("emailAddress") or ""
    key = ssl_certs.new_key(keytype)
    key_text = ssl_certs.key_pem(key)
    k_parse = ssl_certs.parse_key(key_text)
    csr = ssl_certs.csr(domains, key, subject)
    kid = ssl_certs.key_id(k_parse)
    csrid = ssl_certs.csr_id(csr, domains, k_parse)
    base = "/var/cpanel/ssl/system" if ctx.user == "root" else f"/home/{ctx.user}/ssl"
    hostname = ctx.emulator.config.hostname
    data: Dict[str, Any] = {
        "key": key_text,
        "key_id": kid,
        "keyfile": f"{base}/keys/{kid}.key",
        "csr": csr,
        "csr_id": csrid,
        "csrfile": f"{base}/csrs/{csrid}.csr",
        "sender": f"cpanel@{hostname}",
        "sender_host": hostname,
    }
    skip = truthy(args.get("skip_certificate"))
    cert = None
    if not skip:
        cert = ssl_certs.issue(domains, key, subject=subject)
        cid = ssl_certs.certificate_id(cert)
        data.update({"cert": cert, "cert_id": cid, "certfile": f"{base}/certs/{cid}.crt"})
    ssl_state.store_key_and_cert(ctx, ctx.user, key_text, cert, domains[0])
    reason = "Key and CSR generated OK" if skip else "Key, Certificate, and CSR generated OK"
    return Result(data=data, reason=reason)


# ---------------------------------------------------------------------------------------
# Service certificates
# ---------------------------------------------------------------------------------------


def _service(args: Args) -> str:
    service = args.get("service") or ""
    if not service:
        raise ApiError("You must provide a service.")
    if service not in ssl_state.SERVICES:
        raise ApiError(
            f"“{service}” is not a known service. It must be one of {_list_or_quoted(list(ssl_state.SERVICES))}."
        )
    return service


def _service_result(ctx: CallContext, service: str, crt: str) -> Dict[str, Any]:
    try:
        info: Optional[Dict[str, Any]] = cert_info(ssl_certs.parse_certificate(crt))
    except ValueError:
        info = None
    return {
        "service": service,
        "certificate": crt,
        "certificate_info": info,
        "service_description": ssl_state.SERVICE_DESCRIPTIONS[service],
    }


@api_function("fetch_service_ssl_components", write=False, acl="ssl-info")
def fetch_service_ssl_components(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    services = []
    for service in ssl_state.SERVICES:
        crt, key, cab = ssl_state.service_certificate(ctx, service)
        services.append(
            {
                "service": service,
                "certificate": crt,
                "key": key,
                "cabundle": cab,
                "certificate_info": cert_info(ssl_certs.parse_certificate(crt)),
            }
        )
    return Result(data={"services": services}, payload_name="services")


@api_function("install_service_ssl_certificate", write=True, acl="ssl")
def install_service_ssl_certificate(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    service = _service(args)
    crt = ssl_certs.normalise_pem(args.get("crt") or "")
    key_arg = args.get("key") or ""
    try:
        ssl_certs.parse_certificate(crt)
    except ValueError as err:
        # UNCONFIRMED detail after "Invalid certificate: " (WHM's parser error text).
        raise ApiError(
            "Invalid certificate: This certificate cannot be parsed. It may be corrupt or in an unrecognized format."
        ) from err
    try:
        ssl_certs.check_key_text(key_arg)
        key = ssl_certs.normalise_pem(key_arg)
        ssl_certs.parse_key(key)
    except ssl_certs.SslError as err:
        raise ApiError(f"Invalid key: {str(err).strip()}") from err
    except (ValueError, TypeError) as err:
        # UNCONFIRMED detail after "Invalid key: " (WHM's parser error text).
        raise ApiError(
            "Invalid key: This key cannot be parsed. It may be corrupt or in an unrecognized format."
        ) from err
    cab = args.get("cabundle") or ssl_state.known_cabundle(ctx, crt)
    cab = ssl_certs.normalise_pem(cab) if cab else None
    try:
        ssl_certs.verify_components(crt, key, cab, ssl_state.trusted_roots(ctx))
    except ssl_certs.SslError as err:
        raise ApiError(str(err)) from err
    # No "already installed" short-circuit: WHM rewrites and restarts every time (3.9).
    ctx.db.execute(
        "INSERT OR REPLACE INTO ssl_services(service, crt, key, cab) VALUES (?, ?, ?, ?)", (service, crt, key, cab)
    )
    return Result(data=_service_result(ctx, service, crt))


@api_function("reset_service_ssl_certificate", write=True, acl="ssl")
def reset_service_ssl_certificate(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    service = _service(args)
    # createDefaultSSLFiles: a new self-signed certificate for the hostname.
    crt, dummy_key = ssl_state.reset_service_default(ctx, service)
    ctx.db.execute("DELETE FROM ssl_services WHERE service = ?", (service,))
    return Result(data=_service_result(ctx, service, crt))


# ---------------------------------------------------------------------------------------
# AutoSSL
# ---------------------------------------------------------------------------------------


def _provider_module(name: str) -> Dict[str, Any]:
    if name not in ssl_autossl.PROVIDERS:
        # UNCONFIRMED text: Cpanel::LoadModule::Custom fails to load the provider module.
        raise ApiFailure(f"The system failed to load the module “Cpanel::SSL::Auto::Provider::{name}”.")
    return ssl_autossl.PROVIDERS[name]


@api_function("get_autossl_providers", write=False, acl="all")
def get_autossl_providers(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    current = ssl_autossl.provider(ctx)
    payload = []
    for name in sorted(ssl_autossl.PROVIDERS):
        module = ssl_autossl.PROVIDERS[name]
        props = dict(module["properties"])
        props.update(ssl_autossl.stored_properties(ctx, name))
        item: Dict[str, Any] = {
            "module_name": name,
            "display_name": module["display_name"],
            "enabled": 1 if name == current else 0,
            "specs": dict(module["specs"]),
        }
        item.update({f"x_{k}": v for k, v in sorted(props.items())})
        payload.append(item)
    return Result(data={"payload": payload}, payload_name="payload")


def _activate(ctx: CallContext, name: str, args: Args) -> None:
    module = _provider_module(name)
    defaults = module["properties"]
    new_props = {k[2:]: v for k, v in args.as_dict().items() if k.startswith("x_") and len(k) > 2}
    tos = defaults.get("terms_of_service")
    stored = ssl_autossl.stored_properties(ctx, name)
    if new_props:
        proposed = {**stored, **new_props}
        if tos and (proposed.get("terms_of_service_accepted") or "") != tos:
            raise ApiFailure(f"You must accept the current terms of service ({tos}) to proceed.")
    elif tos and stored.get("terms_of_service_accepted") != tos:
        raise ApiFailure(
            f"In order to activate the “{name}” AutoSSL provider, you must accept the current terms of service"
            f" ({tos}) by passing the encoded url as the “x_terms_of_service_accepted” parameter. The AutoSSL"
            " provider cannot be activated."
        )
    stored.update(new_props)
    if name == "LetsEncrypt" and "account_id" not in stored:
        stored["account_id"] = ssl_autossl.account_url(ctx)
    ssl_autossl.save_properties(ctx, name, stored)
    ssl_autossl.set_provider(ctx, name)


@api_function("set_autossl_provider", write=True, acl="all")
def set_autossl_provider(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    name = args.required("provider")
    _activate(ctx, name, args)
    return Result()


@api_function("reset_autossl_provider", write=True, acl="all")
def reset_autossl_provider(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    name = args.required("provider")
    _provider_module(name)
    ssl_autossl.save_properties(ctx, name, {})
    _activate(ctx, name, args)
    return Result()


@api_function("disable_autossl", write=True, acl="all")
def disable_autossl(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    ssl_autossl.set_provider(ctx, "")
    return Result()


def _user_exists(ctx: CallContext, user: str) -> None:
    # Cpanel::Validate::Username::user_exists_or_die (dns_ssl_tokens.md 1.2).
    if load_account(ctx, user) is None:
        raise ApiFailure(f"This system does not contain a user named “{user}”.")


def _enabled(ctx: CallContext) -> None:
    if not ssl_autossl.provider(ctx):
        raise ApiFailure("This system has AutoSSL disabled.")


def _start(ctx: CallContext, scope: str) -> Result:
    pid = ssl_autossl.running(ctx, scope)
    if pid is not None:
        raise ApiFailure(
            f"The command already has an active PIDFile at “{ssl_autossl.pidfile(scope)}” and is running with the"
            f" process ID: {pid}"
        )
    return Result(data={"pid": ssl_autossl.enqueue(ctx, scope)})


@api_function("start_autossl_check_for_one_user", write=True, acl="all")
def start_autossl_check_for_one_user(ctx: CallContext, args: Args) -> Result:
    from whm_emulator.api.features import feature_enabled

    _touch(ctx)
    user = args.required("username")
    _user_exists(ctx, user)
    _enabled(ctx)
    if not feature_enabled(ctx, user, "autossl"):
        raise ApiFailure(f"The user “{user}” does not have the AutoSSL feature enabled.")
    return _start(ctx, f"user:{user}")


@api_function("start_autossl_check_for_all_users", write=True, acl="all")
def start_autossl_check_for_all_users(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    _enabled(ctx)
    return _start(ctx, "all")


@api_function("get_autossl_problems_for_user", write=False, acl="all")
def get_autossl_problems_for_user(ctx: CallContext, args: Args) -> Result:
    _touch(ctx)
    user = args.get("username")
    if user is None:
        raise missing_parameter("username")
    _user_exists(ctx, user)
    problems = [
        {"domain": r["domain"], "problem": r["problem"], "time": r["time"], "log": r["log"]}
        for r in ctx.db.execute("SELECT * FROM autossl_problems WHERE user = ? ORDER BY domain", (user,)).fetchall()
    ]
    return Result(data={"problems_by_domain": problems}, payload_name="problems_by_domain")


# ---------------------------------------------------------------------------------------
# Account lifecycle and archives
# ---------------------------------------------------------------------------------------


def _account_removed(ctx: CallContext, account: Dict[str, Any], dummy_args: Dict[str, str]) -> None:
    user = account["user"]
    servernames = [v["servername"] for v in ssl_state.web_vhosts(ctx, user)]
    for servername in servernames:
        ctx.db.execute("DELETE FROM ssl_vhosts WHERE servername = ?", (servername,))
    ctx.db.execute("DELETE FROM ssl_vhosts WHERE user = ?", (user,))
    ctx.db.execute("DELETE FROM ssl_storage WHERE user = ?", (user,))
    ctx.db.execute("DELETE FROM autossl_problems WHERE user = ?", (user,))


ACCOUNT_REMOVED.append(_account_removed)


def _domain_changed(ctx: CallContext, user: str, old: str, new: str) -> None:
    """modifyacct DNS/domain: the SSL vhost follows the main domain.

    Whostmgr/Accounts/Modify/AccountModification.pm: a domain name change also sets up SSL for
    the new domain name. The installed certificate, key and bundle move to the vhost's new
    servername unchanged (it may no longer cover the name; AutoSSL or a new installssl
    replaces it).
    """
    ctx.db.execute("UPDATE OR REPLACE ssl_vhosts SET servername = ? WHERE servername = ?", (new, old))


ACCOUNT_DOMAIN_CHANGED.append(_domain_changed)


def _user_renamed(ctx: CallContext, old: str, new: str) -> None:
    """modifyacct newuser: the account's SSL storage (in its home), its vhosts' owner, its
    AutoSSL problems and a pending AutoSSL check for it follow the new name."""
    for table in ("ssl_vhosts", "ssl_storage", "autossl_problems"):
        ctx.db.execute(f"UPDATE {table} SET user = ? WHERE user = ?", (new, old))  # noqa: S608 - fixed names
    ctx.db.execute("UPDATE autossl_checks SET scope = ? WHERE scope = ? AND done = 0", (f"user:{new}", f"user:{old}"))


ACCOUNT_RENAMED.append(_user_renamed)


def _export(ctx: CallContext, account: Dict[str, Any]) -> Any:
    """The account's installed vhost certificates (key, certificate, CA bundle)."""
    vhosts = []
    for vhost in ssl_state.web_vhosts(ctx, account["user"]):
        row = ssl_state.installed(ctx, vhost["servername"])
        if row is not None:
            vhosts.append({"servername": row["servername"], "crt": row["crt"], "key": row["key"], "cab": row["cab"]})
    return {"vhosts": vhosts}


def _import(ctx: CallContext, account: Dict[str, Any], data: Any, options: Dict[str, str]) -> None:
    """Reinstall the exported certificates on the restored account's vhosts (same domains)."""
    user = account["user"]
    for item in (data or {}).get("vhosts", []):
        vhost = ssl_state.find_vhost(ctx, item["servername"])
        if vhost is None or vhost["user"] != user:
            continue
        ssl_state.install_row(ctx, vhost["servername"], user, vhost["ip"], item["crt"], item["key"], item.get("cab"))
        ssl_state.store_key_and_cert(ctx, user, item["key"], item["crt"], vhost["servername"])


archive_section("ssl", _export, _import)


def _on_start(emulator: Any) -> None:
    """Arm the AutoSSL checks that were pending when the previous process stopped."""
    with emulator.store.transaction(write=False) as db:
        ssl_autossl.rearm_overdue(CallContext(db=db, emulator=emulator))


EMULATOR_STARTED.append(_on_start)
