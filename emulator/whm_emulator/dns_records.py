"""Record validation as WHM does it, for both writers.

* :func:`sanitize` — the legacy validator (Whostmgr/DNS.pm ``sanitize_record`` and
  ``validate_dnszone_with_changes``) used by addzonerecord, editzonerecord and savemxs.
* :func:`build_line` — the line editor's record builder (Cpanel/ZoneFile/LineEdit.pm and
  LineEdit/Backend.pm ``build_line``) used by mass_edit_dns_zone, which hands the line to ldns.

All sentences are WHM's own unless a comment says otherwise.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from whm_emulator.dns_zonefile import DEFAULT_TTL, Datum, Item, is_ipv4, is_ipv6, split_txt, unescape
from whm_emulator.errors import ApiError, ApiFailure

_HOST_LABEL = re.compile(r"\A[a-z\d]([-a-z\d]*[a-z\d])?\Z", re.IGNORECASE)
_DNS_LABEL = re.compile(r"\A[a-z\d_]([-a-z\d_]*[a-z\d_])?\Z", re.IGNORECASE)

LEGACY_TYPES = ("A", "AAAA", "CAA", "CNAME", "MX", "PTR", "SRV", "TXT", "NS")


def _host_label(label: str) -> bool:
    return len(label) < 64 and bool(_HOST_LABEL.match(label))


def _dns_label(label: str) -> bool:
    return label == "*" or (len(label) < 64 and bool(_DNS_LABEL.match(label)))


def _hostname(value: Optional[str]) -> bool:
    if not value:
        return False
    parts = value[:-1].split(".") if value.endswith(".") else value.split(".")
    return len(parts) >= 2 and all(_host_label(p) for p in parts)


def _dns_domain(value: Optional[str]) -> bool:
    if not value:
        return False
    parts = value[:-1].split(".") if value.endswith(".") else value.split(".")
    return len(parts) >= 2 and all(_dns_label(p) for p in parts)


def _normalize_ipv4(value: str) -> Optional[str]:
    # Cpanel/Validate/IP/Expand.pm normalize_ipv4: leading zeros are stripped.
    parts = value.split(".")
    if len(parts) != 4 or not all(p.isdigit() and len(p) <= 3 for p in parts):
        return None
    numbers = [int(p) for p in parts]
    if any(n > 255 for n in numbers):
        return None
    return ".".join(str(n) for n in numbers)


def _int_in_range(value: Any) -> bool:
    text = str(value if value is not None else "")
    return bool(re.fullmatch(r"\d+", text)) and int(text) <= 65535


def _base_problems(record: Dict[str, Any]) -> List[str]:
    issues = []
    name = str(record.get("name") or "")
    if len(name) >= 255:
        issues.append("Provided name is too long.")
    if not _dns_label(name) and not _dns_domain(name):
        issues.append("Invalid name provided.")
    if re.search(r".\*", name):
        issues.append("Contains a malformed wildcard name.")
    if "class" in record and record["class"] not in ("IN", "CS", "CH", "HS"):
        issues.append("Invalid class specified.")
    if "ttl" in record:
        ttl = str(record["ttl"])
        if not re.fullmatch(r"[0-9]+", ttl):
            issues.append("Bad TTL provided.")
        elif int(ttl) > 2147483647:
            issues.append("Provided TTL exceeds the maximum allowed value.")
    if record.get("type") not in LEGACY_TYPES:
        issues.append("Unsupported record type provided.")
    return issues


def _type_problem(record: Dict[str, Any]) -> Optional[str]:
    rtype = record.get("type")
    if rtype == "A":
        address = str(record.get("address") or "")
        if address != "0.0.0.0":
            normal = _normalize_ipv4(address)
            if not normal:
                return "Supplied address for A record is invalid"
            record["address"] = normal
    elif rtype == "AAAA":
        if not is_ipv6(str(record.get("address") or "")):
            return "Supplied address for AAAA record is invalid"
    elif rtype == "CNAME":
        cname = str(record.get("cname") or "")
        if not _dns_domain(cname):
            return "Supplied CNAME is invalid."
        if is_ipv6(cname):
            return "CNAMEs can not point to an IPv6 address"
        if is_ipv4(cname):
            return "CNAMEs can not point to an IPv4 address"
        if not re.search(r".+\..+\.?\Z", cname):
            return "CNAMEs must point a FQDN (Fully Qualified Domain Name)."
    elif rtype == "NS":
        if not _hostname(record.get("nsdname")):
            return "Supplied NS is invalid."
    elif rtype == "MX":
        exchange = re.sub(r"\.\Z", "", str(record.get("exchange") or ""))
        record["exchange"] = exchange
        if is_ipv4(exchange):
            return "IP addresses are not allowable exchange values."
        if not _hostname(exchange) and not _host_label(exchange):
            return "Supplied exchange for MX record is invalid"
        preference = str(record.get("preference") if record.get("preference") is not None else "")
        if not re.fullmatch(r"\d+", preference):
            return "Supplied preference for MX record is invalid."
        if int(preference) > 65535:
            return "Supplied preference for MX record is out of range."
    elif rtype == "PTR":
        ptr = str(record.get("ptrdname") or "")
        if not _host_label(ptr) and not _hostname(ptr):
            return "Supplied ptrdname is invalid."
    elif rtype == "SRV":
        target = str(record.get("target") or "")
        if not _hostname(target) and not _host_label(target):
            return "Supplied target for SRV record is invalid"
        if is_ipv6(target):
            return "Supplied target can not point to an IPv6 address"
        if is_ipv4(target):
            return "Supplied target can not point to an IPv4 address"
        for key in ("port", "weight", "priority"):
            if not _int_in_range(record.get(key)):
                return f"Supplied {key} for SRV record is out of range."
    elif rtype == "TXT":
        if "txtdata" not in record:
            return "No value supplied for TXT record."
    elif rtype == "CAA":
        flag = str(record.get("flag") if record.get("flag") is not None else "")
        if flag not in ("0", "128"):
            return "Supplied “flag” value for CAA record is invalid"
        tag = str(record.get("tag") or "")
        if not re.fullmatch(r"[A-Za-z0-9]{1,15}", tag):
            return "Supplied “tag” value for CAA record is invalid"
        if flag == "128" and tag not in ("issue", "issuewild", "iodef"):
            return "Supplied “tag” value for CAA record is invalid"
        value = str(record.get("value") if record.get("value") is not None else "")
        if tag in ("issue", "issuewild"):
            valid = value == ";" or _hostname(value)
        elif tag == "iodef" and value.startswith("mailto:"):
            valid = bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value[7:]))
        elif tag == "iodef":
            valid = bool(re.fullmatch(r"https?://[^\s/]+\.[^\s/]+(/\S*)?", value))
        else:
            valid = bool(re.search(r"[^ \t]", value)) and "\n" not in value
        if not valid:
            return f"Supplied “{tag}” value for CAA record is invalid"
    return None


def sanitize(record: Dict[str, Any]) -> Optional[str]:
    """``Invalid DNS record: …`` for a bad record, None when fine (modifies ``record``).

    Types without a sanitizer (SOA and the rarer types) pass unvalidated, as in WHM.
    """
    if record.get("type") not in LEGACY_TYPES:
        return None
    issues = _base_problems(record)
    if issues:
        return "Invalid DNS record: " + " ".join(issues)
    problem = _type_problem(record)
    if problem:
        return "Invalid DNS record: " + problem
    return None


def conflict(domain: str, record: Dict[str, Any], view: List[Dict[str, Any]]) -> Optional[str]:
    """Whostmgr/DNS.pm validate_dnszone_with_changes (names compared exactly, as WHM does)."""
    name = str(record.get("name") or "")
    newname = name if name.endswith(".") else f"{name}.{domain}."
    newtype = record.get("type")
    if not newname.endswith(f".{domain}.") and newname != f"{domain}.":
        return f"{newname} is outside the current dns zone: {domain}."
    newline = int(record.get("Line") or 0)
    for entry in view:
        if entry.get("name", "") != newname or int(entry.get("Line") or 0) == newline:
            continue
        if entry["type"] == "CNAME" and newtype == "CNAME":
            return f"{newname} already has a CNAME record.\nYou have multiple CNAME records."
        if newtype == "CNAME":
            return (
                f"{newname} already has a {entry['type']} record.\n"
                "You may not mix CNAME records with other records for the same name."
            )
        if entry["type"] == "CNAME":
            return (
                f"{newname} already has a CNAME record.\nYou may not mix CNAME records with other records ({newtype})."
            )
    return None


def _quoted_strings(text: str) -> List[bytes]:
    return [unescape(m.group(1)) for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', text)]


def item_from_record(record: Dict[str, Any], domain: str, default_ttl: int, line_index: int, nlines: int = 1) -> Item:
    """A sanitised legacy record → a zone item (rdata names always absolute: Cpanel/ZoneFile.pm _domain)."""
    name = str(record.get("name") or "")
    owner = name if name.endswith(".") else f"{name}.{domain}."
    ttl_text = str(record.get("ttl") if record.get("ttl") not in (None, "") else default_ttl)
    ttl = int(ttl_text) if ttl_text.isdigit() else DEFAULT_TTL
    rtype = str(record.get("type"))

    def dotted(value: Any) -> str:
        text = str(value or "")
        return text if text.endswith(".") else text + "."

    data: List[Datum]
    if rtype in ("A", "AAAA"):
        data = [str(record.get("address"))]
    elif rtype == "CNAME":
        data = [dotted(record.get("cname"))]
    elif rtype == "NS":
        data = [dotted(record.get("nsdname"))]
    elif rtype == "PTR":
        data = [dotted(record.get("ptrdname"))]
    elif rtype == "MX":
        data = [str(int(str(record.get("preference")))), dotted(record.get("exchange"))]
    elif rtype == "SRV":
        data = [str(int(str(record.get(k)))) for k in ("priority", "weight", "port")] + [dotted(record.get("target"))]
    elif rtype == "TXT":
        txt = record.get("txtdata")
        strings = record.get("_strings")
        if isinstance(strings, list):
            data = list(strings)
        elif str(record.get("unencoded") or "0") == "0" and re.fullmatch(r'".*"', str(txt), re.DOTALL):
            data = list(_quoted_strings(str(txt)))
        else:
            data = list(split_txt(str(txt).encode("utf-8")))
    elif rtype == "CAA":
        data = [str(record.get("flag")), str(record.get("tag")), str(record.get("value")).encode("utf-8")]
    elif rtype == "SOA":
        data = [dotted(record.get("mname")), dotted(record.get("rname"))] + [
            str(record.get(k)) for k in ("serial", "refresh", "retry", "expire", "minimum")
        ]
    else:
        # WHM's serializer also writes DS, TLSA, NAPTR, ... here; the emulator refuses them.
        raise ApiError(f"Unsupported record : {rtype}")
    return Item(
        line_index,
        "record",
        nlines=nlines,
        name=owner,
        ttl=ttl,
        rclass=str(record.get("class") or "IN"),
        rtype=rtype,
        data=data,
    )


# ---------------------------------------------------------------------------------------
# the line editor's builder (mass_edit_dns_zone)
# ---------------------------------------------------------------------------------------

# Types ldns knows (DNS::LDNS::rr_type_by_name); edits may use any of them.
LDNS_TYPES = frozenset(
    [
        "A",
        "NS",
        "MD",
        "MF",
        "CNAME",
        "SOA",
        "MB",
        "MG",
        "MR",
        "NULL",
        "WKS",
        "PTR",
        "HINFO",
        "MINFO",
        "MX",
        "TXT",
        "RP",
        "AFSDB",
        "X25",
        "ISDN",
        "RT",
        "NSAP",
        "NSAP-PTR",
        "SIG",
        "KEY",
        "PX",
        "GPOS",
        "AAAA",
        "LOC",
        "NXT",
        "EID",
        "NIMLOC",
        "SRV",
        "ATMA",
        "NAPTR",
        "KX",
        "CERT",
        "A6",
        "DNAME",
        "SINK",
        "OPT",
        "APL",
        "DS",
        "SSHFP",
        "IPSECKEY",
        "RRSIG",
        "NSEC",
        "DNSKEY",
        "DHCID",
        "NSEC3",
        "NSEC3PARAM",
        "TLSA",
        "SMIMEA",
        "HIP",
        "NINFO",
        "RKEY",
        "TALINK",
        "CDS",
        "CDNSKEY",
        "OPENPGPKEY",
        "CSYNC",
        "ZONEMD",
        "SVCB",
        "HTTPS",
        "SPF",
        "NID",
        "L32",
        "L64",
        "LP",
        "EUI48",
        "EUI64",
        "URI",
        "CAA",
        "AVC",
        "DLV",
        "TYPE257",
    ]
)
ADDABLE_TYPES = (
    "A",
    "AAAA",
    "AFSDB",
    "CAA",
    "CNAME",
    "DNAME",
    "DS",
    "HINFO",
    "LOC",
    "MX",
    "NAPTR",
    "NS",
    "PTR",
    "RP",
    "SRV",
    "TLSA",
    "TXT",
)
_LDNS_LABELS = re.compile(r"\A(\*\.)?([a-zA-Z0-9_-]+\.)*([a-zA-Z0-9_-]+)\.?\Z")


def invalid_parameter(message: str) -> ApiFailure:
    """A Cpanel::Exception::InvalidParameter escaping the API function."""
    return ApiFailure(message)


def _looks_like_labels(name: str) -> bool:
    if name == "*":
        return True
    return bool(_LDNS_LABELS.match(name))


def _domain_rdata(value: str, zone: str) -> Optional[str]:
    # UNCONFIRMED (whm-api 6.10): an unqualified rdata name is read relative to the zone.
    if not value or len(value) > 254:
        return None
    absolute = value if value.endswith(".") else f"{value}.{zone}."
    labels = absolute[:-1].split(".")
    if any(not label or len(label) > 63 for label in labels):
        return None
    return absolute


_LDNS_ERR_RDATA = "Syntax error, could not parse the RR's rdata"


def build_line(zone: str, dname: str, ttl: Any, rtype: Any, values: List[Any]) -> Item:
    """Validate one add/edit of mass_edit_dns_zone the way Backend.pm + ldns do; return the item."""
    dname = str(dname)
    rtype = str(rtype)
    if not dname.endswith("."):
        dname = f"{dname}.{zone}."
    # Plain Perl dies (no exception object): "API failure: <text>".
    if re.search(r".\*|\*[^.]", dname):
        raise ApiFailure(f"Contains a malformed wildcard name: {dname}", xid=False)
    if not _looks_like_labels(dname):
        raise ApiFailure(f"Contains a malformed DNS label: {dname}", xid=False)
    if rtype.upper() not in LDNS_TYPES:
        raise invalid_parameter(f"“{rtype}” is not a valid DNS resource record type.")
    rtype = rtype.upper()
    ttl_text = str(ttl)
    if re.search(r"[^0-9]", ttl_text):
        raise invalid_parameter(f"Time-To-Live (TTL) values must be positive integers, not “{ttl_text}”.")
    texts = ["" if v is None else str(v) for v in values]
    if rtype == "MX":
        if len(texts) != 2:
            raise ApiFailure(f"MX record values have exactly 2 parts, not {len(texts)}.", xid=False)
        record = {"name": dname, "ttl": ttl_text, "class": "IN", "type": "MX", "preference": texts[0]}
        record["exchange"] = texts[1]
        problem = sanitize(record)
        if problem:
            raise ApiFailure(f"Invalid MX entry: {problem}", xid=False)
    cstring_positions = set()
    if rtype in ("TXT", "SPF", "HINFO"):
        cstring_positions = set(range(len(texts)))
    elif rtype == "CAA":
        cstring_positions = {2}
    elif rtype == "NAPTR":
        cstring_positions = {2, 3, 4}
    for number, text in enumerate(texts, start=1):
        if (number - 1) in cstring_positions:
            continue  # quoted with \DDD escapes first, so always printable afterwards
        if re.search(r"[^\x20-\x7e]", text):
            raise invalid_parameter(
                f"You gave “{text}” as “{rtype}” record data item #{number}. "
                "This value must contain only printable ASCII characters."
            )
    data = _ldns_rdata(zone, dname, ttl_text, rtype, texts)
    return Item(0, "record", name=dname, ttl=int(ttl_text), rclass="IN", rtype=rtype, data=data)


def _ldns_rdata(zone: str, dname: str, ttl: str, rtype: str, texts: List[str]) -> List[Datum]:
    def fail(why: str) -> ApiFailure:
        shown = "\t".join([dname, ttl, "IN", rtype, *texts])
        return invalid_parameter(f"“{shown}” does not form a valid DNS resource record. ({why})")

    def count(n: int) -> None:
        if len(texts) != n:
            raise fail(_LDNS_ERR_RDATA)

    def number(text: str, top: int) -> str:
        if not text.isdigit() or int(text) > top:
            raise fail("Conversion error, integer expected")
        return str(int(text))

    def name(text: str) -> str:
        absolute = _domain_rdata(text, zone)
        if absolute is None:
            raise fail("Domainname length overflow" if len(text) > 254 else _LDNS_ERR_RDATA)
        return absolute

    if rtype == "A":
        count(1)
        if not is_ipv4(texts[0]):
            raise fail("Conversion error, ip4 addr expected")
        return [texts[0]]
    if rtype == "AAAA":
        count(1)
        if not is_ipv6(texts[0]):
            raise fail("Conversion error, ip6 addr expected")
        import ipaddress

        return [str(ipaddress.IPv6Address(texts[0]))]
    if rtype in ("CNAME", "NS", "PTR", "DNAME"):
        count(1)
        return [name(texts[0])]
    if rtype == "MX":
        count(2)
        return [number(texts[0], 65535), name(texts[1])]
    if rtype == "SRV":
        count(4)
        return [number(texts[0], 65535), number(texts[1], 65535), number(texts[2], 65535), name(texts[3])]
    if rtype == "SOA":
        count(7)
        return [name(texts[0]), name(texts[1])] + [number(t, 4294967295) for t in texts[2:]]
    if rtype in ("TXT", "SPF", "HINFO"):
        if not texts or (rtype == "HINFO" and len(texts) != 2):
            raise fail(_LDNS_ERR_RDATA)
        strings = [t.encode("utf-8") for t in texts]
        if any(len(s) > 255 for s in strings):
            raise fail("Conversion error, string expected")
        return list(strings)
    if rtype == "CAA":
        count(3)
        if not re.fullmatch(r"[A-Za-z0-9]+", texts[1]):
            raise fail(_LDNS_ERR_RDATA)
        return [number(texts[0], 255), texts[1], texts[2].encode("utf-8")]
    if not texts:
        raise fail(_LDNS_ERR_RDATA)
    return list(texts)


def legacy_record_args(args_items: List[Tuple[str, str]]) -> Dict[str, Any]:
    """Request parameters as the record hash the legacy functions merge (first value wins)."""
    out: Dict[str, Any] = {}
    for key, value in args_items:
        out.setdefault(key, value)
    return out
