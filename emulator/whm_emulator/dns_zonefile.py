"""RFC 1035 master files as cPanel keeps them: parsing, the two record views, and the writers.

A zone is stored as its master-file text, because WHM's record identities are line numbers
in that text (whm-api dns_ssl_tokens.md 2.0):

* the *legacy* view (dumpzone, getzonerecord, listmxs; input of editzonerecord and
  removezonerecord) numbers records by their 1-based ``Line``;
* the *new* view (parse_dns_zone, mass_edit_dns_zone) by their 0-based ``line_index``.

Two writers exist, as in WHM. The legacy writer (addzonerecord, editzonerecord,
removezonerecord, savemxs) rewrites the whole file one line per record, drops blank lines and
``$ORIGIN`` lines, and keeps the SOA's line count. The line editor (mass_edit_dns_zone) keeps
every surviving record at the same number of lines and appends additions at the end.

Character-strings (TXT data) are kept as ``bytes`` so that any octet survives unchanged.
"""

from __future__ import annotations

import base64
import ipaddress
import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

Datum = Union[str, bytes]

CLASSES = ("IN", "CH", "HS", "CS")
# Types whose every rdata field is a character-string.
CSTRING_TYPES = ("TXT", "SPF", "HINFO")
# rdata fields that hold a domain name, by type (index into the data list).
DOMAIN_FIELDS: Dict[str, Tuple[int, ...]] = {
    "CNAME": (0,),
    "NS": (0,),
    "PTR": (0,),
    "DNAME": (0,),
    "MX": (1,),
    "SRV": (3,),
    "SOA": (0, 1),
    "AFSDB": (1,),
}
DEFAULT_TTL = 14400


class ZoneSyntaxError(Exception):
    def __init__(self, line_index: int, message: str) -> None:
        super().__init__(message)
        self.line_index = line_index
        self.message = message


@dataclass
class Item:
    """One non-blank line group of a zone file."""

    line_index: int
    kind: str  # "record" | "comment" | "control"
    nlines: int = 1
    text: str = ""  # comment / control: the line as written
    name: str = ""  # record: absolute owner name with trailing dot, case as written
    ttl: int = DEFAULT_TTL
    rclass: str = "IN"
    rtype: str = ""
    data: List[Datum] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# tokenizer
# ---------------------------------------------------------------------------------------


@dataclass
class _Token:
    text: str
    quoted: bool


def _tokenize(lines: List[str], start: int) -> Tuple[List[_Token], int]:
    """Tokens of the record starting at ``lines[start]`` (parentheses may span lines).

    Returns the tokens and the index of the first line after the record.
    """
    tokens: List[_Token] = []
    depth = 0
    index = start
    while index < len(lines):
        line = lines[index]
        index += 1
        if depth == 0 and not any(c in line for c in '"();\\'):
            tokens.extend(_Token(t, False) for t in line.split())
            return tokens, index
        pos = 0
        length = len(line)
        while pos < length:
            char = line[pos]
            if char in " \t\r":
                pos += 1
            elif char == ";":
                break
            elif char == "(":
                depth += 1
                pos += 1
            elif char == ")":
                depth = max(0, depth - 1)
                pos += 1
            elif char == '"':
                end = pos + 1
                buf = []
                while end < length and line[end] != '"':
                    if line[end] == "\\" and end + 1 < length:
                        buf.append(line[end : end + 2])
                        end += 2
                    else:
                        buf.append(line[end])
                        end += 1
                tokens.append(_Token("".join(buf), True))
                pos = end + 1
            else:
                end = pos
                while end < length and line[end] not in ' \t\r;()"':
                    end += 2 if line[end] == "\\" else 1
                tokens.append(_Token(line[pos:end], False))
                pos = end
        if depth == 0:
            return tokens, index
    return tokens, index


def unescape(text: str) -> bytes:
    """Master-file escapes (``\\DDD`` decimal, ``\\X``) to octets."""
    raw = text.encode("utf-8")
    if b"\\" not in raw:
        return raw
    out = bytearray()
    pos = 0
    while pos < len(raw):
        byte = raw[pos]
        if byte == 0x5C and pos + 1 < len(raw):
            digits = raw[pos + 1 : pos + 4]
            if len(digits) == 3 and digits.isdigit():
                out.append(int(digits) & 0xFF)
                pos += 4
                continue
            out.append(raw[pos + 1])
            pos += 2
            continue
        out.append(byte)
        pos += 1
    return bytes(out)


def absolute(name: str, origin: str) -> str:
    """Owner / rdata name as written → absolute with trailing dot (``@`` is the origin)."""
    if name == "@":
        return origin
    if name.endswith("."):
        return name
    return f"{name}.{origin}"


# ---------------------------------------------------------------------------------------
# parser
# ---------------------------------------------------------------------------------------


def parse(text: str, zone: str) -> List[Item]:
    """Parse a master file into items with 0-based line indexes."""
    origin = zone.rstrip(".") + "."
    default_ttl: Optional[int] = None
    last_owner = origin
    lines = text.split("\n")
    items: List[Item] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if not stripped:
            index += 1
            continue
        if stripped.startswith(";"):
            items.append(Item(index, "comment", text=line))
            index += 1
            continue
        if stripped.startswith("$"):
            parts = stripped.split(";", 1)[0].split()
            if parts[0].upper() == "$TTL" and len(parts) > 1 and parts[1].isdigit():
                default_ttl = int(parts[1])
            elif parts[0].upper() == "$ORIGIN" and len(parts) > 1:
                origin = absolute(parts[1], origin)
            items.append(Item(index, "control", text=line))
            index += 1
            continue
        start = index
        tokens, index = _tokenize(lines, start)
        if not tokens:
            continue
        if line[:1] in (" ", "\t"):
            owner = last_owner
        else:
            owner = absolute(tokens.pop(0).text, origin)
        last_owner = owner
        ttl: Optional[int] = None
        rclass = "IN"
        while tokens and not tokens[0].quoted:
            word = tokens[0].text
            if word.isdigit() and ttl is None:
                ttl = int(word)
            elif word.upper() in CLASSES:
                rclass = word.upper()
            else:
                break
            tokens.pop(0)
        if not tokens:
            raise ZoneSyntaxError(start, "unexpected end of input")
        rtype = tokens.pop(0).text.upper()
        data = _rdata(rtype, tokens, origin, start)
        if rtype == "TYPE257":
            rtype, data = "CAA", _caa_from_generic(data, start)
        if ttl is None:
            ttl = default_ttl if default_ttl is not None else DEFAULT_TTL
        items.append(
            Item(start, "record", nlines=index - start, name=owner, ttl=ttl, rclass=rclass, rtype=rtype, data=data)
        )
    return items


def _rdata(rtype: str, tokens: List[_Token], origin: str, line_index: int) -> List[Datum]:
    if rtype in CSTRING_TYPES:
        return [unescape(t.text) for t in tokens]
    if rtype == "CAA" and len(tokens) >= 3:
        return [tokens[0].text, tokens[1].text, unescape(" ".join(t.text for t in tokens[2:]))]
    data: List[Datum] = [t.text for t in tokens]
    for position in DOMAIN_FIELDS.get(rtype, ()):
        if position < len(data):
            data[position] = absolute(str(data[position]), origin)
    return data


def _caa_from_generic(data: List[Datum], line_index: int) -> List[Datum]:
    # "\# <length> <hex>": flags (1 octet), tag length (1 octet), tag, value.
    try:
        blob = bytes.fromhex("".join(str(d) for d in data[2:]))
        taglen = blob[1]
        return [str(blob[0]), blob[2 : 2 + taglen].decode("ascii"), blob[2 + taglen :]]
    except (ValueError, IndexError, UnicodeDecodeError) as err:
        raise ZoneSyntaxError(line_index, "bad generic CAA rdata") from err


def serial_of(items: List[Item]) -> Optional[str]:
    for item in items:
        if item.kind == "record" and item.rtype == "SOA" and len(item.data) > 2:
            return str(item.data[2])
    return None


def next_serial(old: Optional[str], now: Optional[float] = None) -> str:
    """Cpanel/ZoneFile.pm increase_serial_number: today's YYYYMMDD00 if greater, else old + 1."""
    today = time.strftime("%Y%m%d", time.gmtime(now)) + "00"
    if old is None or not str(old).isdigit() or int(today) > int(old):
        return today
    return str(int(old) + 1)


def today_serial() -> str:
    return time.strftime("%Y%m%d", time.gmtime()) + "00"


# ---------------------------------------------------------------------------------------
# text forms
# ---------------------------------------------------------------------------------------


def relative_owner(name: str, zone: str) -> str:
    suffix = "." + zone.rstrip(".") + "."
    if name.lower().endswith(suffix.lower()) and len(name) > len(suffix):
        return name[: -len(suffix)]
    return name


def quote_ldns(value: bytes) -> str:
    """Cpanel/ZoneFile/LineEdit/Backend.pm _quote_cstring: control, 8-bit, quote and backslash as \\DDD."""
    out = []
    for byte in value:
        if byte < 0x20 or byte >= 0x7F or byte in (0x22, 0x5C):
            out.append(f"\\{byte:03d}")
        else:
            out.append(chr(byte))
    return '"' + "".join(out) + '"'


def quote_legacy(value: bytes) -> str:
    """The legacy TXT encoder (Cpanel/DnsUtils/RR.pm): backslash before " \\ @ ' ; and LF/CR as \\010/\\013.

    Octets outside printable ASCII are written as \\DDD here (WHM writes them raw); both forms
    read back as the same octets.
    """
    out = []
    for byte in value:
        if byte in (0x22, 0x5C, 0x40, 0x27, 0x3B):
            out.append("\\" + chr(byte))
        elif byte == 0x0A:
            out.append("\\010")
        elif byte == 0x0D:
            out.append("\\013")
        elif byte < 0x20 or byte >= 0x7F:
            out.append(f"\\{byte:03d}")
        else:
            out.append(chr(byte))
    return '"' + "".join(out) + '"'


def split_txt(value: bytes) -> List[bytes]:
    """Long TXT values become character-strings of at most 255 octets."""
    if not value:
        return [b""]
    return [value[i : i + 255] for i in range(0, len(value), 255)]


def caa_generic(flag: str, tag: str, value: bytes) -> str:
    blob = bytes([int(flag) & 0xFF, len(tag)]) + tag.encode("ascii") + value
    return f"\\# {len(blob)} {blob.hex()}"


def rdata_text(rtype: str, data: List[Datum], style: str) -> str:
    quote = quote_ldns if style == "ldns" else quote_legacy
    if rtype in CSTRING_TYPES:
        return " ".join(quote(d if isinstance(d, bytes) else str(d).encode()) for d in data)
    if rtype == "CAA":
        value = data[2] if isinstance(data[2], bytes) else str(data[2]).encode()
        if style == "ldns":
            return caa_generic(str(data[0]), str(data[1]), value)
        return f"{data[0]} {data[1]} {quote(value)}"
    return " ".join(str(d) for d in data)


def record_line(item: Item, zone: str, style: str) -> str:
    """One record on one line (the SOA too)."""
    rtype = item.rtype
    written_type = "TYPE257" if rtype == "CAA" and style == "ldns" else rtype
    owner = relative_owner(item.name, zone)
    return f"{owner}\t{item.ttl}\t{item.rclass}\t{written_type}\t{rdata_text(rtype, item.data, style)}"


def soa_lines(item: Item, zone: str, height: int) -> List[str]:
    """The SOA as the legacy writer keeps it: its old number of lines (7 when unknown)."""
    mname, rname, serial, refresh, retry, expire, minimum = (str(d) for d in item.data[:7])
    head = f"{relative_owner(item.name, zone)}\t{item.ttl}\t{item.rclass}\tSOA\t{mname} {rname}"
    if height <= 1:
        return [f"{head} ( {serial} {refresh} {retry} {expire} {minimum} )"]
    body = [
        f"\t\t\t\t\t{serial} ;Serial Number",
        f"\t\t\t\t\t{refresh} ;refresh",
        f"\t\t\t\t\t{retry} ;retry",
        f"\t\t\t\t\t{expire} ;expire",
        f"\t\t\t\t\t{minimum} ;minimum",
    ]
    if height <= 6:
        body[-1] = f"\t\t\t\t\t{minimum} ) ;minimum"
        return [f"{head} ("] + body
    return [f"{head} ("] + body + ["\t\t\t\t)"]


# ---------------------------------------------------------------------------------------
# version comment (Cpanel/ZoneFile/Versioning.pm)
# ---------------------------------------------------------------------------------------

_VERSION_START = re.compile(r"^;\s*cPanel\s*(\S+)")


def version_line(old: Optional[str], version: str, hostname: str, now: Optional[int] = None) -> str:
    values: Dict[str, str] = {}
    if old:
        rest = re.sub(r"^\s*;\s*cPanel\s*", "", old)
        if re.fullmatch(r"[.0-9]+\s*", rest):
            values[rest.strip()] = "1"
        else:
            for part in rest.split():
                key, _, value = part.partition(":")
                values[key] = value
            values.pop("Cpanel", None)
    values["latest"] = version
    values.setdefault("first", version)
    values["Cpanel::ZoneFile::VERSION"] = "1.3"
    values["(update_time)"] = str(int(now if now is not None else time.time()))
    values["hostname"] = hostname
    keys = sorted(values, key=lambda k: (k != "first", k))
    return "; cPanel " + " ".join(f"{k}:{values[k]}" for k in keys)


def is_version_comment(text: str) -> bool:
    return "cPanel" in text and bool(_VERSION_START.match(text))


# ---------------------------------------------------------------------------------------
# writers
# ---------------------------------------------------------------------------------------


def write_legacy(items: List[Item], zone: str, version: str, hostname: str) -> str:
    """Cpanel::ZoneFile serialisation: one line per record (SOA keeps its height), blank lines
    and $ORIGIN dropped, first cPanel comment refreshed, owners relative inside the zone."""
    out: List[str] = []
    version_seen = False
    for item in items:
        if item.kind == "comment":
            if not version_seen and is_version_comment(item.text):
                out.append(version_line(item.text, version, hostname))
                version_seen = True
            else:
                out.append(item.text)
        elif item.kind == "control":
            if item.text.strip().upper().startswith("$ORIGIN"):
                continue
            out.append(item.text)
        elif item.rtype == "SOA":
            out.extend(soa_lines(item, zone, item.nlines))
        else:
            out.append(record_line(item, zone, "legacy"))
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------
# views
# ---------------------------------------------------------------------------------------


def _strip_dot(name: Datum) -> str:
    return str(name).rstrip(".").lower()


def _int(value: Datum) -> Any:
    text = str(value)
    return int(text) if text.isdigit() else text


def legacy_view(items: List[Item]) -> List[Dict[str, Any]]:
    """The record list of dumpzone (Cpanel/Net/DNS/ZoneFile/LDNS.pm field names)."""
    records: List[Dict[str, Any]] = []
    for item in items:
        line = item.line_index + 1
        if item.kind == "comment":
            records.append({"Line": line, "type": ":RAW", "raw": item.text})
            continue
        if item.kind == "control":
            parts = item.text.split()
            if parts and parts[0].upper() == "$TTL" and len(parts) > 1:
                records.append({"Line": line, "type": "$TTL", "ttl": _int(parts[1])})
            continue
        records.append(legacy_record(item))
    return records


def legacy_record(item: Item) -> Dict[str, Any]:
    record: Dict[str, Any] = {
        "Line": item.line_index + 1,
        "name": item.name.lower(),
        "ttl": item.ttl,
        "class": item.rclass,
        "type": item.rtype,
    }
    d = item.data
    rtype = item.rtype
    try:
        if rtype in ("A", "AAAA"):
            record["address"] = str(d[0])
        elif rtype == "CNAME":
            record["cname"] = _strip_dot(d[0])
        elif rtype == "NS":
            record["nsdname"] = _strip_dot(d[0])
        elif rtype == "PTR":
            record["ptrdname"] = _strip_dot(d[0])
        elif rtype == "DNAME":
            record["dname"] = _strip_dot(d[0])
        elif rtype == "MX":
            record["preference"] = _int(d[0])
            record["exchange"] = _strip_dot(d[1])
        elif rtype == "SRV":
            record.update(priority=_int(d[0]), weight=_int(d[1]), port=_int(d[2]), target=_strip_dot(d[3]))
        elif rtype in ("TXT", "SPF"):
            strings = [s.decode("utf-8", "replace") for s in d if isinstance(s, bytes)]
            record.update(txtdata="".join(strings), char_str_list=strings, unencoded=1)
        elif rtype == "CAA":
            value = d[2].decode("utf-8", "replace") if isinstance(d[2], bytes) else str(d[2])
            record.update(flag=_int(d[0]), tag=str(d[1]), value=value)
        elif rtype == "SOA":
            record.update(
                mname=_strip_dot(d[0]),
                rname=_strip_dot(d[1]),
                serial=_int(d[2]),
                refresh=_int(d[3]),
                retry=_int(d[4]),
                expire=_int(d[5]),
                minimum=_int(d[6]),
                Lines=item.nlines,
            )
        elif rtype == "HINFO":
            record.update(cpu=d[0].decode("utf-8", "replace"), os=d[1].decode("utf-8", "replace"), unencoded=1)  # type: ignore[union-attr]
    except IndexError:
        pass
    return record


def _b64(value: Datum) -> str:
    raw = value if isinstance(value, bytes) else str(value).encode("utf-8")
    return base64.b64encode(raw).decode("ascii")


def parse_view(items: List[Item], zone: str) -> List[Dict[str, Any]]:
    """parse_dns_zone's payload (Cpanel/ZoneFile/Parse.pm parse_string_to_b64)."""
    payload: List[Dict[str, Any]] = []
    for item in items:
        if item.kind in ("comment", "control"):
            payload.append({"line_index": item.line_index, "type": item.kind, "text_b64": _b64(item.text)})
            continue
        data: List[Datum] = list(item.data)
        payload.append(
            {
                "line_index": item.line_index,
                "type": "record",
                "dname_b64": _b64(relative_owner(item.name, zone)),
                "ttl": item.ttl,
                "record_type": item.rtype,
                "data_b64": [_b64(d) for d in data],
            }
        )
    return payload


# ---------------------------------------------------------------------------------------
# named-checkzone's view of a finished zone (the checks WHM's line editor relies on)
# ---------------------------------------------------------------------------------------

_SINGLETON = ("CNAME",)


def check_zone(items: List[Item], zone: str) -> List[Tuple[int, str]]:
    """Problems named-checkzone reports, as (0-based line index, message)."""
    problems: List[Tuple[int, str]] = []
    apex = zone.rstrip(".").lower() + "."
    seen: Dict[str, List[str]] = {}
    for item in items:
        if item.kind != "record":
            continue
        name = item.name.lower()
        shown = item.name.rstrip(".")
        if name != apex and not name.endswith("." + apex):
            problems.append((item.line_index, f"ignoring out-of-zone data ({shown})"))
            continue
        types = seen.setdefault(name, [])
        if item.rtype == "CNAME" and "CNAME" in types:
            problems.append((item.line_index, f"{shown}: multiple RRs of singleton type"))
        elif (item.rtype == "CNAME" and types) or ("CNAME" in types and item.rtype not in ("RRSIG", "NSEC")):
            problems.append((item.line_index, f"{shown}: CNAME and other data"))
        types.append(item.rtype)
    return problems


# ---------------------------------------------------------------------------------------
# small validators shared by the writers
# ---------------------------------------------------------------------------------------


def is_ipv4(value: str) -> bool:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def is_ipv6(value: str) -> bool:
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True
