"""DNS zones and records (WHM API 1 DNS functions).

Behaviour follows cPanel 11.120 as described in whm-api dns_ssl_tokens.md section 2
(Whostmgr/API/1/DNS.pm, Whostmgr/DNS.pm, Cpanel/DnsUtils/Add.pm, Cpanel/ZoneFile/LineEdit.pm,
Cpanel/APICommon/DNS.pm, Whostmgr/API/1/Nameserver.pm). Zones are stored as master-file
text (one row per zone), so line numbers behave as on a real server.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Callable, Dict, List, Optional, Tuple

from whm_emulator import WHM_VERSION
from whm_emulator.api.common import (
    ACCOUNT_CREATED,
    ACCOUNT_DOMAIN_CHANGED,
    ACCOUNT_REMOVED,
    ACCOUNT_RENAMED,
    archive_section,
    domain_owner,
    load_account,
    require_account,
    server_nameservers,
    truthy,
)
from whm_emulator.args import Args
from whm_emulator.dns_records import (
    ADDABLE_TYPES,
    build_line,
    conflict,
    invalid_parameter,
    item_from_record,
    sanitize,
)
from whm_emulator.dns_zonefile import (
    DEFAULT_TTL,
    Item,
    check_zone,
    is_ipv4,
    is_ipv6,
    is_version_comment,
    legacy_record,
    legacy_view,
    next_serial,
    parse,
    parse_view,
    record_line,
    serial_of,
    today_serial,
    version_line,
    write_legacy,
)
from whm_emulator.errors import ApiError, ApiFailure, missing_parameter
from whm_emulator.registry import CallContext, Handler, Result, api_function
from whm_emulator.store import register_schema

register_schema(
    """
CREATE TABLE IF NOT EXISTS dns_zones (
    domain TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    zone_text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dns_zones_owner ON dns_zones(owner);
""",
    ["dns_zones"],
)

# Proxy (service) subdomains WHM adds to an account's zone when proxy subdomains are enabled.
SERVICE_SUBDOMAINS = ("cpanel", "webmail", "webdisk", "cpcalendars", "cpcontacts", "autodiscover", "autoconfig")
NSTTL = 86400
TEMPLATES = ("standard", "simple", "standardvirtualftp")


# ---------------------------------------------------------------------------------------
# the DNS server role (Whostmgr/API/1/DNS.pm NEEDS_ROLE 'DNS')
# ---------------------------------------------------------------------------------------


def dns_role_enabled(ctx: CallContext) -> bool:
    return ctx.emulator.setting("dns.role_enabled", "1") not in ("0", "", "no", "false")


def dns_function(name: str, *, write: bool, acl: str) -> Callable[[Handler], Handler]:
    """Register a Whostmgr/API/1/DNS.pm function: refused while the DNS role is disabled."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def gated(ctx: CallContext, args: Args) -> Result:
            if not dns_role_enabled(ctx):
                # Cpanel/Exception/System/RequiredRoleDisabled.pm
                raise ApiFailure(
                    "This functionality is not available because the “DNS” role is disabled on this server."
                )
            return handler(ctx, args)

        return api_function(name, write=write, acl=acl)(gated)

    return decorate


# ---------------------------------------------------------------------------------------
# settings and helpers
# ---------------------------------------------------------------------------------------


def nameservers(ctx: CallContext) -> List[str]:
    """NS, NS2, NS3, NS4 of wwwacct.conf (``dns.nameservers``), empties dropped."""
    return server_nameservers(ctx)


def rp_email(ctx: CallContext) -> str:
    """Whostmgr/DNS/Email.pm getzoneRPemail: the contact address as an SOA rname."""
    email = ctx.emulator.setting("dns.contact_email", "") or f"root@{ctx.emulator.config.hostname}"
    email = re.split(r"[,;]", email)[0].replace(" ", "")
    local, _, domain = email.partition("@")
    local = local.replace(".", "\\.")
    if len(local) > 63:
        return "hostmaster"
    return f"{local}.{domain}" if domain else local


def service_subdomains_enabled(ctx: CallContext) -> bool:
    return ctx.emulator.setting("dns.service_subdomains", "1") not in ("0", "", "no", "false")


def idn(domain: Optional[str]) -> str:
    """Domains arrive lower-cased and as punycode (IDNs are stored in their ASCII form)."""
    text = (domain or "").strip()
    if not text:
        return ""
    trailing = text.endswith(".")
    text = text.rstrip(".")
    try:
        text.encode("ascii")
    except UnicodeEncodeError:
        try:
            text = text.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return text.lower() + ("." if trailing else "")


def _valid_domain(domain: str) -> bool:
    """Cpanel::Validate::Domain::Tiny::validdomainname (labels of letters, digits, - and _)."""
    if not domain or len(domain) > 254 or domain.endswith(".") or ".." in domain:
        return False
    return all(re.fullmatch(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?", label) for label in domain.split("."))


def _rfc_domain(domain: str) -> bool:
    labels = domain.split(".")
    return (
        0 < len(domain) <= 254
        and len(labels) >= 2
        and all(re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", label) for label in labels)
    )


def load_zone(ctx: CallContext, domain: str) -> Optional[str]:
    row = ctx.db.execute("SELECT zone_text FROM dns_zones WHERE domain = ?", (domain,)).fetchone()
    return None if row is None else str(row[0])


def zone_owner(ctx: CallContext, domain: str) -> Optional[str]:
    row = ctx.db.execute("SELECT owner FROM dns_zones WHERE domain = ?", (domain,)).fetchone()
    return None if row is None else str(row[0])


def save_zone(ctx: CallContext, domain: str, text: str, owner: Optional[str] = None) -> None:
    if owner is None:
        owner = zone_owner(ctx, domain) or domain_owner(ctx, domain) or "system"
    ctx.db.execute("INSERT OR REPLACE INTO dns_zones(domain, owner, zone_text) VALUES (?, ?, ?)", (domain, owner, text))


def _reload_text(ctx: CallContext, domain: str) -> str:
    # dnsadmin's answer to SAVEZONE + RELOADBIND, which the legacy writers return as reason.
    short = ctx.emulator.config.hostname.split(".", 1)[0]
    return f"Bind reloading on {short} using rndc zone: [{domain}]\n"


def _domain_exists(ctx: CallContext, domain: str) -> bool:
    return load_zone(ctx, domain) is not None or domain_owner(ctx, domain) is not None


def _domain_from_args(args: Args) -> str:
    """``domain``, else ``zone`` without a trailing ``.db`` (_convert_zone_to_domain_and_verify)."""
    domain = args.get("domain")
    if not domain and args.has("zone"):
        domain = re.sub(r"\.db$", "", args.get("zone") or "")
    return idn(domain)


def _default_ttl(items: List[Item]) -> int:
    for item in items:
        if item.kind == "control":
            parts = item.text.split()
            if len(parts) > 1 and parts[0].upper() == "$TTL" and parts[1].isdigit():
                return int(parts[1])
    return DEFAULT_TTL


# ---------------------------------------------------------------------------------------
# zone templates (etc/zonetemplates/standard, standardvirtualftp, simple)
# ---------------------------------------------------------------------------------------


def template_zone(
    ctx: CallContext,
    domain: str,
    ip: str,
    ipv6: Optional[str] = None,
    template: str = "standard",
    serial: Optional[str] = None,
    service_subdomains: bool = False,
) -> str:
    ns = nameservers(ctx)
    if not ns:
        # dns_ssl_tokens.md 2.1 (Cpanel/DnsUtils/Add.pm); also used for resetzone, whose own
        # text for this case is UNCONFIRMED.
        raise ApiError("Sorry, you cannot create zones if you have not configured at least one nameserver.")
    hostname = ctx.emulator.config.hostname
    lines: List[Optional[str]] = [
        version_line(None, WHM_VERSION, hostname),
        f"; Zone file for {domain}",
        f"$TTL {DEFAULT_TTL}",
        f"@      {NSTTL}\tIN      SOA     {ns[0]}. {rp_email(ctx)}. (",
        f"\t\t{serial or today_serial()}\t; serial, todays date+todays",
        "\t\t3600\t\t; refresh, seconds",
        "\t\t1800\t\t; retry, seconds",
        "\t\t1209600\t\t; expire, seconds",
        "\t\t86400 )\t\t; minimum, seconds",
        "",
    ]
    lines += [f"{domain}. {NSTTL} IN NS {n}." for n in ns]
    lines += ["", "", f"{domain}. IN A {ip}"]
    if ipv6:
        lines += [f"{domain}. IN AAAA {ipv6}", f"ipv6 IN AAAA {ipv6}"]
    lines += ["", f"{domain}. IN MX 0 {domain}.", ""]
    if template != "simple":
        lines += [f"mail IN CNAME {domain}.", f"www IN CNAME {domain}."]
        lines.append(f"ftp IN A {ip}" if template == "standardvirtualftp" else f"ftp IN CNAME {domain}.")
    if service_subdomains:
        lines += [f"{sub} IN A {ip}" for sub in SERVICE_SUBDOMAINS]
    return "\n".join(line for line in lines if line is not None) + "\n"


# ---------------------------------------------------------------------------------------
# adddns / killdns / listzones
# ---------------------------------------------------------------------------------------


@dns_function("adddns", write=True, acl="create-dns")
def adddns(ctx: CallContext, args: Args) -> Result:
    trueowner = args.get("trueowner")
    if trueowner is None:
        trueowner = ctx.user
    if trueowner != "root":
        require_account(ctx, trueowner)
    domain = idn(args.get("domain")).strip(".")
    ip = (args.get("ip") or "").strip()
    ipv6 = (args.get("ipv6") or "").strip()
    template = args.get("template") or "standard"
    # Cpanel/DnsUtils/Add.pm doadddns, in its order.
    if not domain:
        raise ApiError("Sorry, you must enter a domain.  Please try again.")
    if not ip:
        raise ApiError("Sorry, you must enter an ip.  Please try again.")
    if "\n" in template:
        raise ApiError("Sorry, template names cannot contain a newline.  Please try again.")
    if not _rfc_domain(domain) or is_ipv4(domain):
        raise ApiError("Sorry, that's an invalid domain\n")
    if not is_ipv4(ip):
        raise ApiError("Sorry, the IP address appears to be invalid.")
    if ipv6 and not is_ipv6(ipv6):
        raise ApiError(f"Sorry, that ({ipv6}) appears to be an invalid IPv6 address.")
    # trueowner defaults to the caller; root's zones belong to "system".
    stored_owner = "system" if trueowner == "root" else trueowner
    current = domain_owner(ctx, domain) or zone_owner(ctx, domain)
    if current and current != stored_owner:
        raise ApiError(f"Sorry, the domain {domain} is owned by another user ({current})")
    if not nameservers(ctx):
        raise ApiError("Sorry, you cannot create zones if you have not configured at least one nameserver.")
    if template not in TEMPLATES:
        # Cpanel::DnsUtils::Template finds no such template (custom templates are not emulated).
        raise ApiError("Sorry, An error occurred while generating the zone file.")
    # Root may overwrite an existing zone ("allowoverwrite" = hasroot): the zone is replaced by a
    # fresh template and custom records are lost. Only root is emulated.
    save_zone(
        ctx,
        domain,
        template_zone(ctx, domain, ip, ipv6 or None, template, service_subdomains=False),
        owner=stored_owner,
    )
    if current:
        # The owner is already recorded (skip_userdomains_addition): the short sentence.
        return Result(reason=f"Added {domain} ok")
    return Result(reason=f"Added {domain} ok belonging to user {stored_owner}")


@dns_function("killdns", write=True, acl="kill-dns")
def killdns(ctx: CallContext, args: Args) -> Result:
    domain = idn(args.get("domain"))
    if not domain:
        raise ApiFailure("A domain is required.\n", xid=False)
    owner = domain_owner(ctx, domain)
    if owner:
        # Whostmgr/DNS/Kill.pm: a domain still served for HTTP by an account cannot lose its zone.
        raise ApiFailure(
            f"You cannot remove the domain “{domain}” because it is still configured for HTTP use on the "
            f"“{owner}” account. Remove the domain from the account by deleting the subdomain, addon domain, "
            "parked domain, or the linked account."
        )
    # No existence check (Cpanel/DnsUtils/Remove.pm): a missing zone is removed "successfully".
    ctx.db.execute("DELETE FROM dns_zones WHERE domain = ?", (domain,))
    return Result(raw=f"{domain} => deleted from {ctx.emulator.config.hostname.split('.', 1)[0]}.\n")


@dns_function("listzones", write=False, acl="manage-dns-records")
def listzones(ctx: CallContext, args: Args) -> Result:
    rows = ctx.db.execute("SELECT domain FROM dns_zones ORDER BY domain").fetchall()
    zones = [{"domain": r[0], "zonefile": f"{r[0]}.db"} for r in rows]
    if not zones:
        return Result()
    return Result(data={"zone": zones})


# ---------------------------------------------------------------------------------------
# dumpzone / parse_dns_zone / getzonerecord / listmxs
# ---------------------------------------------------------------------------------------


@dns_function("dumpzone", write=False, acl="manage-dns-records")
def dumpzone(ctx: CallContext, args: Args) -> Result:
    domain = idn(args.get("domain"))
    if not domain and args.has("zone"):
        domain = idn(re.sub(r"\.db$", "", args.get("zone") or ""))
    if not domain:
        raise ApiError("You must specify a zone to dump.")
    text = load_zone(ctx, domain)
    if text is None:
        raise ApiError("Zone does not exist.")
    items = parse(text, domain)
    return Result(data={"zone": [{"record": legacy_view(items)}]}, reason="Zone Serialized")


def _validate_and_authorize_zone(ctx: CallContext, zone: str) -> str:
    domain = idn(zone).rstrip(".")
    if not _rfc_domain(domain):
        # UNCONFIRMED exact text (Cpanel::Validate::Domain valid_rfc_domainname_or_die).
        raise ApiFailure(f"“{zone}” is not a valid domain name.")
    if not _domain_exists(ctx, domain):
        raise ApiFailure(f"This system does not have a domain named “{domain}”.")
    return domain


@dns_function("parse_dns_zone", write=False, acl="manage-dns-records")
def parse_dns_zone(ctx: CallContext, args: Args) -> Result:
    domain = _validate_and_authorize_zone(ctx, args.required("zone"))
    items = parse(load_zone(ctx, domain) or "", domain)
    return Result(data={"payload": parse_view(items, domain)})


def _legacy_line(args: Args) -> int:
    value = args.get("Line") if args.has("Line") else args.get("line")
    try:
        return abs(int(float(str(value or "0").strip() or "0")))
    except ValueError:
        return 0


def _entry_at(items: List[Item], line: int) -> Tuple[Optional[Dict[str, Any]], Optional[Item]]:
    for item in items:
        if item.line_index + 1 == line:
            if item.kind == "record":
                return legacy_record(item), item
            view = legacy_view([item])
            return (view[0] if view else None), item
    return None, None


@dns_function("getzonerecord", write=False, acl="manage-dns-records")
def getzonerecord(ctx: CallContext, args: Args) -> Result:
    domain = _domain_from_args(args)
    text = load_zone(ctx, domain) if domain else None
    if text is None:
        raise ApiError("Zone does not exist.")
    if not _valid_domain(domain):
        raise ApiError("Invalid domain specified.")
    line = _legacy_line(args)
    if not line:
        raise ApiError("Must specify a record line.")
    if not text:
        raise ApiError("No data read from zone file.")
    entry, dummy = _entry_at(parse(text, domain), line)
    if entry is None:
        raise ApiError("No record available on selected line.")
    return Result(data={"record": [entry]}, reason="Record obtained.")


@dns_function("listmxs", write=False, acl="edit-mx")
def listmxs(ctx: CallContext, args: Args) -> Result:
    domain = idn(args.get("domain"))
    if not _valid_domain(domain):
        raise ApiError("Invalid domain specified.")
    # A missing zone reads as an empty one: result 1, no data (Whostmgr/DNS/Zone.pm).
    items = parse(load_zone(ctx, domain) or "", domain)
    mxs = [legacy_record(i) for i in items if i.kind == "record" and i.rtype == "MX"]
    if not mxs:
        return Result(reason="Records obtained.")
    return Result(data={"record": mxs}, reason="Records obtained.")


# ---------------------------------------------------------------------------------------
# the legacy writers: addzonerecord / editzonerecord / removezonerecord / savemxs
# ---------------------------------------------------------------------------------------

_NOT_RECORD_KEYS = ("domain", "zone", "serialnum", "line")


def _record_args(args: Args) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in args.items():
        if key not in _NOT_RECORD_KEYS:
            out.setdefault(key, value)
    return out


def _legacy_open(ctx: CallContext, domain: str) -> List[Item]:
    if not _valid_domain(domain):
        raise ApiError("Invalid domain specified.")
    return parse(load_zone(ctx, domain) or "", domain)


def _check_serial(items: List[Item], args: Args) -> None:
    if args.has("serialnum") and serial_of(items) != args.get("serialnum"):
        raise ApiError("Zone file changed since last read.")


def _add_records(domain: str, items: List[Item], records: List[Dict[str, Any]]) -> None:
    """Whostmgr/DNS.pm add_zone_records: each record sanitised, checked and appended."""
    default_ttl = _default_ttl(items)
    for record in records:
        if record.get("type") == "TYPE257":
            record["type"] = "CAA"
        if "type" not in record:
            raise ApiError("Failed to serialize record: unknown error")
        problem = sanitize(record)
        if problem:
            raise ApiError(problem)
        item = item_from_record(record, domain, default_ttl, _next_index(items))
        if len(record_line(item, domain, "legacy")) > 65535:
            raise ApiError("Records may not exceed 65535 bytes")
        problem = conflict(domain, record, legacy_view(items))
        if problem:
            raise ApiError(problem)
        items.append(item)


def _next_index(items: List[Item]) -> int:
    if not items:
        return 0
    last = items[-1]
    return last.line_index + last.nlines


def _finish_legacy(ctx: CallContext, domain: str, items: List[Item]) -> Result:
    """_bump_serial_number, rewrite the whole file (Cpanel::ZoneFile), save, reload."""
    soa = next((i for i in items if i.kind == "record" and i.rtype == "SOA"), None)
    if soa is None or len(soa.data) < 7:
        raise ApiError("Unable to find SOA record.")
    soa.data[2] = next_serial(str(soa.data[2]))
    text = write_legacy(items, domain, WHM_VERSION, ctx.emulator.config.hostname)
    save_zone(ctx, domain, text)
    return Result(reason=_reload_text(ctx, domain))


@dns_function("addzonerecord", write=True, acl="manage-dns-records")
def addzonerecord(ctx: CallContext, args: Args) -> Result:
    domain = _domain_from_args(args)
    items = _legacy_open(ctx, domain)
    # serialnum is ignored by addzonerecord.
    record = _record_args(args)
    record.pop("Line", None)
    _add_records(domain, items, [record])
    return _finish_legacy(ctx, domain, items)


@dns_function("editzonerecord", write=True, acl="manage-dns-records")
def editzonerecord(ctx: CallContext, args: Args) -> Result:
    domain = _domain_from_args(args)
    line = _legacy_line(args)
    given = _record_args(args)
    given.pop("line", None)
    # CNAME flattening: a CNAME at the apex becomes an A record (flatten_to, or a lookup).
    apex = re.fullmatch(re.escape(domain) + r"\.?", str(given.get("name") or ""))
    if truthy(given.get("flatten")) and given.get("type") == "CNAME" and apex:
        given["type"] = "A"
        target = str(given.pop("cname", "") or "")
        if given.get("flatten_to"):
            if not (is_ipv4(given["flatten_to"]) or is_ipv6(given["flatten_to"])):
                raise ApiError("Invalid flatten_to specified. Must be a valid IP address.")
            given["address"] = given["flatten_to"]
        else:
            address = _local_a_record(ctx, target)
            if address is None:
                raise ApiError(f"Unable to resolve specified flatten address: “{target}”.")
            given["address"] = address
    if not _valid_domain(domain):
        raise ApiError("Invalid domain specified.")
    if not line:
        raise ApiError("Must specify a line to edit.")
    items = parse(load_zone(ctx, domain) or "", domain)
    _check_serial(items, args)
    existing, target = _entry_at(items, line)
    # Merge semantics: the given fields overwrite the existing record's, the rest stay.
    record: Dict[str, Any] = dict(existing or {})
    if target is not None and target.kind == "record" and target.rtype == "TXT":
        record["_strings"] = list(target.data)
    if "txtdata" in given:
        record.pop("_strings", None)
    record.update(given)
    record["Line"] = line
    if record.get("type") == "TYPE257":
        record["type"] = "CAA"
    if "type" not in record:
        raise ApiError("Failed to serialize record: unknown error")
    problem = sanitize(record)
    if problem:
        raise ApiError(problem)
    new_item = item_from_record(record, domain, _default_ttl(items), line - 1)
    if len(record_line(new_item, domain, "legacy")) > 65535:
        raise ApiError("Records may not exceed 65535 bytes")
    problem = conflict(domain, record, legacy_view(items))
    if problem:
        raise ApiError(problem)
    if target is not None and target.kind == "record":
        new_item.nlines = target.nlines if target.rtype == "SOA" and new_item.rtype == "SOA" else 1
        items[items.index(target)] = new_item
    # A Line holding no record replaces nothing; only the serial moves (dns_ssl_tokens.md 2.8).
    return _finish_legacy(ctx, domain, items)


@dns_function("removezonerecord", write=True, acl="manage-dns-records")
def removezonerecord(ctx: CallContext, args: Args) -> Result:
    domain = _domain_from_args(args)
    line = _legacy_line(args)
    items = _legacy_open(ctx, domain)
    _check_serial(items, args)
    dummy, target = _entry_at(items, line)
    if target is None:
        raise ApiError(f"Unable to find a record on specified line: {line}")
    if target.kind == "record" and target.rtype == "SOA":
        raise ApiError("You cannot remove the SOA record.")
    items.remove(target)
    return _finish_legacy(ctx, domain, items)


@dns_function("savemxs", write=True, acl="edit-mx")
def savemxs(ctx: CallContext, args: Args) -> Result:
    domain = idn(args.get("domain"))
    first: Dict[str, str] = {}
    for key, value in args.items():
        first.setdefault(key, value)
    records = []
    for key in first:
        match = re.match(r"^name(.*)", key)
        if not match:
            continue
        suffix = match.group(1)
        record: Dict[str, Any] = {"name": first[key], "type": "MX"}
        for param in ("preference", "ttl", "class", "exchange"):
            if param + suffix in first:
                record[param] = first[param + suffix]
        records.append(record)
    items = _legacy_open(ctx, domain)
    _check_serial(items, args)
    # Every MX of the zone goes, whatever its owner name; then the given ones are added.
    items = [i for i in items if not (i.kind == "record" and i.rtype == "MX")]
    _add_records(domain, items, records)
    return _finish_legacy(ctx, domain, items)


# ---------------------------------------------------------------------------------------
# resetzone
# ---------------------------------------------------------------------------------------


@dns_function("resetzone", write=True, acl="manage-dns-records")
def resetzone(ctx: CallContext, args: Args) -> Result:
    domain = _domain_from_args(args)
    if not domain:
        raise missing_parameter("domain")
    user = args.get("user") or domain_owner(ctx, domain) or zone_owner(ctx, domain)
    account = load_account(ctx, user) if user not in (None, "system", "root") else None
    if account is None:
        # UNCONFIRMED exact text for zones without an account (Whostmgr/DNS/Rebuild.pm).
        raise ApiError(f"Unable to determine the IP address for {domain}")
    ip = account["cpuser"].get("IP") or ctx.emulator.config.ip
    old = parse(load_zone(ctx, domain) or "", domain)
    # Shared IP → standardvirtualftp; the serial moves on from the old one.
    text = template_zone(
        ctx,
        domain,
        ip,
        None,
        "standardvirtualftp",
        serial=next_serial(serial_of(old)),
        service_subdomains=service_subdomains_enabled(ctx),
    )
    # Single-line TXT records of the old zone are kept.
    kept = [record_line(i, domain, "legacy") for i in old if i.kind == "record" and i.rtype == "TXT" and i.nlines == 1]
    if kept:
        text += "\n".join(kept) + "\n"
    save_zone(ctx, domain, text, owner=account["user"])
    return Result(reason="OK")


# ---------------------------------------------------------------------------------------
# mass_edit_dns_zone (Cpanel/ZoneFile/LineEdit.pm)
# ---------------------------------------------------------------------------------------


def _list_and(words: List[str]) -> str:
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + ", and " + words[-1]


def _shape_error(item: Any, name: str, needed: Tuple[str, ...]) -> Optional[str]:
    """Cpanel/APICommon/DNS.pm _get_add_edit_error."""
    if not isinstance(item, dict):
        return f"Each “{name}” must be an object."
    if any(item.get(piece) is None or str(item.get(piece)) == "" for piece in needed):
        quoted = _list_and([f"“{p}”" for p in needed])
        return f"Each “{name}” requires {quoted}."
    if not isinstance(item.get("data"), list):
        return "“data” must be an array."
    return None


def _load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as err:
        # UNCONFIRMED exact text of Cpanel::JSON::Load's parse failure.
        raise ApiFailure(f"The system failed to parse JSON: {err}") from err


def _line_index(value: Any) -> Optional[int]:
    try:
        return int(str(value))
    except ValueError:
        return None


@dns_function("mass_edit_dns_zone", write=True, acl="manage-dns-records")
def mass_edit_dns_zone(ctx: CallContext, args: Args) -> Result:
    zone_arg = args.required("zone")
    serial = args.required("serial")
    additions = [v for v in args.getlist("add") if v != ""]
    edits = [v for v in args.getlist("edit") if v != ""]
    removals = [v for v in args.getlist("remove") if v != ""]
    domain = _validate_and_authorize_zone(ctx, zone_arg)
    if not additions and not edits and not removals:
        raise ApiError("You must provide at least one change to the DNS zone.")
    add_items = [_load_json(a) for a in additions]
    edit_items = [_load_json(e) for e in edits]
    for lineidx in removals:
        if not re.fullmatch(r"[0-9]+", lineidx):
            raise ApiError("Each “remove” must be a nonnegative integer.")
    for add in add_items:
        problem = _shape_error(add, "add", ("dname", "ttl", "record_type", "data"))
        if problem:
            raise ApiError(problem)
        if add["record_type"] not in ADDABLE_TYPES:
            raise ApiError(
                f"This interface cannot create “{add['record_type']}” records. "
                f"It can only create {_list_and(sorted(ADDABLE_TYPES))} records."
            )
    for edit in edit_items:
        problem = _shape_error(edit, "edit", ("line_index", "dname", "ttl", "record_type", "data"))
        if problem:
            raise ApiError(problem)

    items = parse(load_zone(ctx, domain) or "", domain)
    current = serial_of(items)
    # The serial is compared as an exact string with the SOA's.
    if current is not None and serial != current:
        raise ApiError(
            f"The given serial number ({serial}) does not match the DNS zone’s serial number ({current}). "
            "Refresh your view of the DNS zone, then resubmit.",
            data={"type": "Stale", "detail": None},
        )

    new_lines: List[str] = []
    for add in add_items:
        if add["record_type"] == "SOA":
            raise invalid_parameter("Only one SOA record can exist in a given DNS zone.")
        new_lines.append(
            _ldns_line(domain, build_line(domain, add["dname"], add["ttl"], add["record_type"], add["data"]))
        )

    by_index = {i.line_index: i for i in items}
    edited: Dict[int, str] = {}
    removed: set = set()
    new_serial: Optional[str] = None

    def original_at(lineidx: Any) -> Item:
        index = _line_index(lineidx)
        item = by_index.get(index) if index is not None else None
        if item is None or item.kind != "record":
            raise invalid_parameter(f"No record exists at line {_numf(lineidx)} in the “{domain}” DNS zone.")
        if index in edited or index in removed:
            raise invalid_parameter(
                f"You submitted multiple edits for line index {_numf(lineidx)}. "
                "This interface forbids multiple edits per line."
            )
        return item

    for edit in edit_items:
        original = original_at(edit["line_index"])
        values = [("" if v is None else str(v)) for v in edit["data"]]
        rtype = str(edit["record_type"])
        if original.rtype == "SOA":
            if rtype != "SOA":
                raise invalid_parameter("The SOA record’s type cannot change.")
            old_dname = _parse_dname(original, domain).rstrip(".")
            if old_dname != str(edit["dname"]).rstrip("."):
                raise invalid_parameter("The SOA record’s name cannot change.")
            old_serial = str(original.data[2])
            if len(values) < 3 or values[2] != old_serial:
                raise invalid_parameter(
                    "This system forbids direct updates to the SOA record’s serial number. Provide the old serial "
                    f"number ({old_serial}) instead, and the system will upate the serial number for you."
                )
            values[2] = next_serial(old_serial)
            new_serial = values[2]
        elif rtype == "SOA":
            raise invalid_parameter("Only one SOA record can exist in a given DNS zone.")
        edited[original.line_index] = _ldns_line(domain, build_line(domain, edit["dname"], edit["ttl"], rtype, values))

    for lineidx in removals:
        original = original_at(lineidx)
        if original.rtype == "SOA":
            raise invalid_parameter("Every DNS zone must contain an SOA record.")
        removed.add(original.line_index)

    # save(): every surviving item keeps its height (blank padding), additions go last.
    out: List[str] = []
    has_ns = False
    version_seen = False
    hostname = ctx.emulator.config.hostname
    for position, item in enumerate(items):
        following = items[position + 1] if position + 1 < len(items) else None
        extra = following.line_index - item.line_index - 1 if following else 0
        if item.line_index in removed:
            continue
        if item.kind == "record":
            if item.rtype == "NS":
                has_ns = True
            text = edited.get(item.line_index)
            if text is None:
                data = list(item.data)
                if item.rtype == "SOA":
                    data[2] = next_serial(str(data[2]))
                    new_serial = str(data[2])
                rebuilt = Item(item.line_index, "record", name=item.name, ttl=item.ttl, rtype=item.rtype, data=data)
                text = _ldns_line(domain, rebuilt)
        else:
            text = item.text
            if item.kind == "comment" and not version_seen and is_version_comment(text):
                text = version_line(text, WHM_VERSION, hostname)
                version_seen = True
        out.append(text)
        out.extend([""] * extra)
    if not has_ns:
        raise invalid_parameter("Every DNS zone must contain at least one “NS” record.")
    out.extend(new_lines)
    new_text = "\n".join(out) + "\n"

    # named-checkzone on the result.
    problems = check_zone(parse(new_text, domain), domain)
    if problems:
        reasons = "; ".join(f"Line {_numf(index + 1)}: {message}" for index, message in problems)
        raise ApiError(
            f"The DNS zone file is invalid. ({reasons})",
            data={"type": "InvalidZoneFile", "detail": {"by_line": [[i, m] for i, m in problems]}},
        )
    save_zone(ctx, domain, new_text)
    return Result(data={"new_serial": int(new_serial) if new_serial and new_serial.isdigit() else new_serial})


def _numf(value: Any) -> str:
    number = _line_index(value)
    return f"{number:,}" if number is not None else str(value)


def _parse_dname(item: Item, domain: str) -> str:
    from whm_emulator.dns_zonefile import relative_owner

    return relative_owner(item.name, domain)


def _ldns_line(domain: str, item: Item) -> str:
    return record_line(item, domain, "ldns")


# ---------------------------------------------------------------------------------------
# nameservers: lookupnsip / get_nameserver_config
# ---------------------------------------------------------------------------------------


def _local_a_record(ctx: CallContext, host: str) -> Optional[str]:
    """The address of ``host`` from an A record in the local zones (the emulator has no resolver)."""
    host = idn(host).rstrip(".")
    labels = host.split(".") if host else []
    for cut in range(len(labels) - 1):
        zone = ".".join(labels[cut:])
        text = load_zone(ctx, zone)
        if text is None:
            continue
        for item in parse(text, zone):
            if item.kind == "record" and item.rtype == "A" and item.name.lower() == host + ".":
                return str(item.data[0])
    return None


@api_function("lookupnsip", write=False, acl="ns-config")
def lookupnsip(ctx: CallContext, args: Args) -> Result:
    host = idn(args.get("host")).rstrip(".")
    # No resolver: the server's own hostname resolves to its IP, any other name through an A
    # record in the local zones (WHM's fallback, Cpanel/DnsUtils/NameServerIPs.pm).
    if host and host == ctx.emulator.config.hostname.lower():
        return Result(data={"ip": ctx.emulator.config.ip})
    address = _local_a_record(ctx, host)
    if address is None:
        raise ApiError("Unable to determine IP address from nameserver.")
    return Result(data={"ip": address})


@api_function("get_nameserver_config", write=False, acl="ns-config")
def get_nameserver_config(ctx: CallContext, args: Args) -> Result:
    return Result(data={"nameservers": nameservers(ctx)})


# ---------------------------------------------------------------------------------------
# account lifecycle hooks and the archive section
# ---------------------------------------------------------------------------------------


def _account_domains(ctx: CallContext, user: str) -> List[str]:
    rows = ctx.db.execute("SELECT domain FROM domains WHERE user = ? ORDER BY domain", (user,)).fetchall()
    owned = ctx.db.execute("SELECT domain FROM dns_zones WHERE owner = ? ORDER BY domain", (user,)).fetchall()
    return sorted({r[0] for r in rows} | {r[0] for r in owned})


def _on_account_created(ctx: CallContext, account: Dict[str, Any], args: Dict[str, str]) -> None:
    if not dns_role_enabled(ctx):
        return
    if not nameservers(ctx):
        # No zone without a nameserver (dns_ssl_tokens.md 2.1: the zone writer refuses); the
        # account itself is still created, with empty nameservers in createacct's answer.
        # UNCONFIRMED whether WHM's createacct fails instead (its backend is not readable).
        return
    domain = account["domain"]
    ip = account["cpuser"].get("IP") or ctx.emulator.config.ip
    # Accounts on the shared IP get the standardvirtualftp template.
    text = template_zone(
        ctx, domain, ip, None, "standardvirtualftp", service_subdomains=service_subdomains_enabled(ctx)
    )
    save_zone(ctx, domain, text, owner=account["user"])


def _on_account_removed(ctx: CallContext, account: Dict[str, Any], args: Dict[str, str]) -> None:
    if truthy(args.get("keepdns")) or not dns_role_enabled(ctx):
        return
    for domain in _account_domains(ctx, account["user"]):
        ctx.db.execute("DELETE FROM dns_zones WHERE domain = ?", (domain,))


def _renamed(name: str, old: str, new: str) -> str:
    """``name`` (absolute, trailing dot) moved from under ``old`` to under ``new``."""
    lowered = name.lower()
    if lowered == old + ".":
        return new + "."
    if lowered.endswith("." + old + "."):
        return name[: len(name) - len(old) - 1] + new + "."
    return name


def _on_domain_changed(ctx: CallContext, user: str, old: str, new: str) -> None:
    """modifyacct DNS/domain: the account's zone is renamed with its records.

    Research note transfers_accounts.md 3.4 only lists `DNS`/`domain` (rename main domain);
    what happens to the zone is not in it (Whostmgr/Accounts/Modify.pm is not readable). WHM
    renames the zone: the zone of the old name is removed and one of the new name is saved
    with every owner name and domain-valued rdata under the old name rewritten to the new
    name (custom records kept), the SOA serial moved on (dns_ssl_tokens.md 2.0 serial rule).
    """
    text = load_zone(ctx, old)
    if text is None:
        return
    owner = zone_owner(ctx, old) or user
    items = parse(text, old)
    for item in items:
        if item.kind != "record":
            continue
        item.name = _renamed(item.name, old, new)
        if item.rtype in ("TXT", "SPF", "HINFO", "CAA"):
            continue  # character-strings, not names
        item.data = [_renamed(d, old, new) if isinstance(d, str) and d.endswith(".") else d for d in item.data]
    soa = next((i for i in items if i.kind == "record" and i.rtype == "SOA"), None)
    if soa is not None:
        soa.data[2] = next_serial(str(soa.data[2]))
    ctx.db.execute("DELETE FROM dns_zones WHERE domain = ?", (old,))
    save_zone(ctx, new, write_legacy(items, new, WHM_VERSION, ctx.emulator.config.hostname), owner=owner)


ACCOUNT_CREATED.append(_on_account_created)
ACCOUNT_REMOVED.append(_on_account_removed)
ACCOUNT_DOMAIN_CHANGED.append(_on_domain_changed)


def _on_user_renamed(ctx: CallContext, old: str, new: str) -> None:
    # The zones' recorded owner (trueowner) is the account: a renamed account keeps its zones
    # (listzones, killdns/removeacct and the archive section find them under the new name).
    ctx.db.execute("UPDATE dns_zones SET owner = ? WHERE owner = ?", (new, old))


ACCOUNT_RENAMED.append(_on_user_renamed)


def _export(ctx: CallContext, account: Dict[str, Any]) -> Any:
    zones = {}
    for domain in _account_domains(ctx, account["user"]):
        text = load_zone(ctx, domain)
        if text is not None:
            zones[domain] = text
    return {"zones": zones}


def _import(ctx: CallContext, account: Dict[str, Any], data: Any, options: Dict[str, str]) -> None:
    """Recreate the zones on this server: its nameservers, and the new IP when ``replaceip``."""
    ns = nameservers(ctx)
    old_ip = options.get("source_ip") or ""
    new_ip = options.get("ip") or account.get("cpuser", {}).get("IP") or ctx.emulator.config.ip
    # replaceip: "all" (or 1) swaps every A record that holds the old IP, "basic" only those of
    # the domain and its standard subdomains, "none" (or 0) keeps them.
    mode = str(options.get("replaceip", "1")).strip().lower()
    replace = "" if mode in ("", "0", "n", "no", "none", "false", "off") or not old_ip else mode
    for domain, text in sorted(((data or {}).get("zones") or {}).items()):
        items = parse(text, domain)
        out: List[Item] = []
        ns_done = False
        for item in items:
            if item.kind == "record" and item.rtype == "SOA" and ns:
                item.data[0] = ns[0] + "."
                item.data[1] = rp_email(ctx) + "."
            # Without local nameservers the archived NS records stay (as the SOA primary does).
            if item.kind == "record" and item.rtype == "NS" and item.name.lower() == domain + "." and ns:
                if not ns_done:
                    for name in ns:
                        out.append(
                            Item(item.line_index, "record", name=item.name, ttl=item.ttl, rtype="NS", data=[name + "."])
                        )
                    ns_done = True
                continue
            if item.kind == "record" and item.rtype == "A" and replace and item.data and item.data[0] == old_ip:
                basic = {domain + "."} | {f"{s}.{domain}." for s in ("www", "mail", "ftp", *SERVICE_SUBDOMAINS)}
                if replace != "basic" or item.name.lower() in basic:
                    item.data[0] = new_ip
            out.append(item)
        soa = next((i for i in out if i.kind == "record" and i.rtype == "SOA"), None)
        if soa is not None:
            soa.data[2] = next_serial(str(soa.data[2]))
        save_zone(
            ctx, domain, write_legacy(out, domain, WHM_VERSION, ctx.emulator.config.hostname), owner=account["user"]
        )


archive_section("dns", _export, _import)
