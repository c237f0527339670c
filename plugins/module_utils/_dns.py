# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this file is internal to the hosting.whm collection. It may change without notice
# and is not part of the collection's public API.

"""DNS zones and record sets.

Zones: listzones / adddns / killdns / resetzone. Records: one ``parse_dns_zone`` read, a plan
that matches records by name + type + value (never by line), and at most one serial-checked
``mass_edit_dns_zone`` write per zone, re-planned on a ``Stale`` answer.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import random
import re
import typing as t
from dataclasses import dataclass, field

from ansible_collections.hosting.whm.plugins.module_utils._api import Response, WhmApi
from ansible_collections.hosting.whm.plugins.module_utils._errors import (
    WHMAPIError,
    WHMInputError,
    WHMWriteOutcomeUnknown,
)
from ansible_collections.hosting.whm.plugins.module_utils._result import Result

# The types the record-set modules manage. mass_edit_dns_zone can add every one of them
# (dns_ssl_tokens.md 2.13 lists the types allowed in "add").
RECORD_TYPES = ("A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SRV", "TXT")
ON_EXISTING = ("replace", "keep_and_fail", "keep_and_warn", "keep")
NAME_STYLES = ("relative", "fqdn")
# How often a write that met a concurrent change (Stale) is re-planned and sent again, and the
# pause before each new attempt (seconds, times the attempt number, randomised so that writers
# that collided do not collide again in lock step).
MAX_ATTEMPTS = 5
RETRY_PAUSE = (0.1, 0.5)
# Template default when a zone has no $TTL line (dns_ssl_tokens.md 2.0 "Templates").
DEFAULT_TTL = 14400
MAX_TTL = 2147483647
TXT_CHUNK = 255

_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")
_CAA_TAG = re.compile(r"^[a-z0-9]{1,15}$")


# -- names -----------------------------------------------------------------------------------


def _to_ascii(text: str, what: str) -> str:
    """Lower-case ``text`` and turn internationalised labels into punycode (IDNA 2003)."""
    text = text.strip().lower()
    if text.isascii():
        return text
    try:
        return text.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise WHMInputError(f"{what} {text!r} is not a valid internationalised domain name: {exc}.") from None


def _check_labels(name: str, what: str, wildcard: bool) -> None:
    if len(name) > 253:
        raise WHMInputError(f"{what} {name!r} is longer than 253 characters.")
    labels = name.split(".")
    for index, label in enumerate(labels):
        if wildcard and index == 0 and label == "*":
            continue
        if not _LABEL.match(label):
            raise WHMInputError(
                f"{what} {name!r} is not a valid DNS name: every label needs 1 to 63 letters, digits, "
                "hyphens or underscores, and may not start or end with a hyphen."
            )


def normalise_zone(zone: t.Any) -> str:
    """A zone name as WHM knows it: lower case, punycode, no trailing dot."""
    if not isinstance(zone, str) or not zone.strip().rstrip("."):
        raise WHMInputError("The zone name must not be empty.")
    name = _to_ascii(zone, "The zone name").rstrip(".")
    _check_labels(name, "The zone name", wildcard=False)
    if "." not in name:
        raise WHMInputError(f"The zone name {name!r} needs at least two labels.")
    return name


def relative_name(name: t.Any, zone: str) -> str:
    """The owner name relative to ``zone`` ('' for the apex).

    Accepted forms: '' or '@' (apex), a relative name (``www``), the full name with or without
    trailing dot (``www.example.com``, ``www.example.com.``), the zone itself (apex). A name that
    ends with a dot and lies outside the zone is refused.
    """
    if name is None:
        return ""
    text = str(name).strip()
    if text in ("", "@", "."):
        return ""
    text = _to_ascii(text, "The record name")
    if text.endswith("."):
        absolute = text[:-1]
        if absolute == zone:
            return ""
        if not absolute.endswith("." + zone):
            raise WHMInputError(f"The record name {name!r} is outside the zone {zone}.")
        relative = absolute[: -len(zone) - 1]
    elif text == zone:
        return ""
    elif text.endswith("." + zone):
        relative = text[: -len(zone) - 1]
    else:
        relative = text
    _check_labels(relative, "The record name", wildcard=True)
    if len(relative) + 1 + len(zone) > 253:
        raise WHMInputError(f"The record name {name!r} is longer than 253 characters in the zone {zone}.")
    return relative


def fqdn(relative: str, zone: str) -> str:
    return f"{relative}.{zone}" if relative else zone


def display_name(relative: str, zone: str, style: str) -> str:
    """A name for output: relative (``@`` for the apex) or fully qualified without trailing dot."""
    if style == "fqdn":
        return fqdn(relative, zone)
    return relative or "@"


def _target(value: str, what: str) -> str:
    """A domain name in record data: lower case, punycode, no trailing dot; always absolute."""
    text = value.strip()
    if text == ".":
        return "."
    name = _to_ascii(text, what).rstrip(".")
    if not name:
        raise WHMInputError(f"{what} must not be empty.")
    _check_labels(name, what, wildcard=False)
    return name


def _int(text: str, what: str, low: int, high: int) -> int:
    if not re.match(r"^\d+$", text.strip()):
        raise WHMInputError(f"{what} must be a whole number from {low} to {high}, not {text!r}.")
    number = int(text)
    if not low <= number <= high:
        raise WHMInputError(f"{what} must be a whole number from {low} to {high}, not {text!r}.")
    return number


# -- values ----------------------------------------------------------------------------------
# Every value has one canonical text, used for comparison and output, and accepted back as input:
#   A 192.0.2.1 | AAAA 2001:db8::1 | CNAME/NS/PTR host.example.com | MX 10 mail.example.com
#   SRV 0 5 5060 sip.example.com | CAA 0 issue "letsencrypt.org" | TXT the literal text


def normalise_value(rtype: str, value: t.Any) -> str:
    """The user's value in canonical form; raises WHMInputError for what WHM would refuse."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise WHMInputError(f"A {rtype} value must be a string, not {value!r}.")
    text = str(value)
    if rtype == "TXT":
        # mass_edit_dns_zone takes printable ASCII only in TXT data (dns_ssl_tokens.md 2.13).
        bad = [char for char in text if not 0x20 <= ord(char) <= 0x7E]
        if bad:
            raise WHMInputError(
                f"The TXT value {text[:40]!r} contains {bad[0]!r}: "
                "WHM accepts only printable ASCII characters in TXT data."
            )
        if len(text) > 65000:
            raise WHMInputError("A TXT value may not be longer than 65000 characters.")
        return text
    text = text.strip()
    if not text:
        raise WHMInputError(f"A {rtype} value must not be empty.")
    if rtype in ("A", "AAAA"):
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            raise WHMInputError(f"{text!r} is not a valid {'IPv4' if rtype == 'A' else 'IPv6'} address.") from None
        if address.version != (4 if rtype == "A" else 6):
            raise WHMInputError(f"{text!r} is not a valid {'IPv4' if rtype == 'A' else 'IPv6'} address.")
        return address.compressed
    if rtype in ("CNAME", "NS", "PTR"):
        if " " in text:
            raise WHMInputError(f"A {rtype} value is one host name, not {text!r}.")
        return _target(text, f"The {rtype} target")
    parts = text.split()
    if rtype == "MX":
        if len(parts) != 2:
            raise WHMInputError(f"An MX value is 'PREFERENCE HOST' (for example '10 mail.example.com'), not {text!r}.")
        return f"{_int(parts[0], 'The MX preference', 0, 65535)} {_target(parts[1], 'The MX host')}"
    if rtype == "SRV":
        if len(parts) != 4:
            raise WHMInputError(
                f"An SRV value is 'PRIORITY WEIGHT PORT TARGET' (for example '0 5 5060 sip.example.com'), not {text!r}."
            )
        numbers = [_int(part, f"The SRV {what}", 0, 65535) for part, what in zip(parts, ("priority", "weight", "port"))]
        return f"{numbers[0]} {numbers[1]} {numbers[2]} {_target(parts[3], 'The SRV target')}"
    if rtype == "CAA":
        match = re.match(r"^(\S+)\s+(\S+)\s+(.*)$", text)
        if not match:
            raise WHMInputError(
                f"A CAA value is 'FLAG TAG VALUE' (for example '0 issue \"letsencrypt.org\"'), not {text!r}."
            )
        flag = _int(match.group(1), "The CAA flag", 0, 255)
        tag = match.group(2).lower()
        if not _CAA_TAG.match(tag):
            raise WHMInputError(f"The CAA tag {match.group(2)!r} must be 1 to 15 letters or digits.")
        data = match.group(3).strip()
        if len(data) >= 2 and data[0] == '"' and data[-1] == '"':
            data = data[1:-1]
        return f'{flag} {tag} "{data}"'
    raise WHMInputError(f"Record type {rtype} is not supported; use one of {', '.join(RECORD_TYPES)}.")


def value_from_data(rtype: str, data: t.Sequence[str]) -> str:
    """The canonical value of a record read from parse_dns_zone (data items already decoded).

    Domain names there are absolute with a trailing dot (dns_ssl_tokens.md 2.5); TXT strings
    are the literal character-strings, joined back for comparison (2.0, 5 "TXT comparisons").
    """
    items = [str(item) for item in data]
    try:
        if rtype == "TXT":
            return "".join(items)
        if rtype in ("A", "AAAA"):
            return ipaddress.ip_address(items[0].strip()).compressed
        if rtype in ("CNAME", "NS", "PTR"):
            return _soft_target(items[0])
        if rtype == "MX":
            return f"{int(items[0])} {_soft_target(items[1])}"
        if rtype == "SRV":
            return f"{int(items[0])} {int(items[1])} {int(items[2])} {_soft_target(items[3])}"
        if rtype == "CAA":
            return f'{int(items[0])} {items[1].lower()} "{items[2]}"'
    except (IndexError, ValueError):
        pass
    return " ".join(items)


def _soft_target(text: str) -> str:
    text = text.strip().lower()
    return text if text == "." else text.rstrip(".")


def data_for_value(rtype: str, value: str) -> t.List[str]:
    """The ``data`` array mass_edit_dns_zone wants for a canonical value.

    Domain names go out fully qualified with a trailing dot (dns_ssl_tokens.md 6.10: how an
    unqualified name in data is read is unconfirmed). TXT goes out unquoted, one item per
    character-string of at most 255 bytes; WHM does the quoting (2.13).
    """
    if rtype == "TXT":
        if not value:
            return [""]
        return [value[start : start + TXT_CHUNK] for start in range(0, len(value), TXT_CHUNK)]
    if rtype in ("A", "AAAA"):
        return [value]
    if rtype in ("CNAME", "NS", "PTR"):
        return [_absolute(value)]
    parts = value.split(" ")
    if rtype == "MX":
        return [parts[0], _absolute(parts[1])]
    if rtype == "SRV":
        return parts[:3] + [_absolute(parts[3])]
    if rtype == "CAA":
        flag, tag, rest = value.split(" ", 2)
        return [flag, tag, rest[1:-1]]
    raise WHMInputError(f"Record type {rtype} is not supported.")


def _absolute(name: str) -> str:
    return name if name.endswith(".") else name + "."


# -- the zone as read ------------------------------------------------------------------------


@dataclass
class Record:
    """One resource record. ``name`` is relative to the zone ('' = apex)."""

    name: str
    type: str
    ttl: int
    value: str
    line_index: t.Optional[int] = None

    def key(self) -> t.Tuple[str, str]:
        return (self.name, self.type)


@dataclass
class Zone:
    """A zone as parse_dns_zone returned it."""

    name: str
    serial: str
    default_ttl: int
    records: t.List[Record] = field(default_factory=list)

    def record_set(self, name: str, rtype: str) -> t.List[Record]:
        return [record for record in self.records if record.name == name and record.type == rtype]


def _b64(text: t.Any) -> str:
    try:
        raw = base64.b64decode(str(text or ""), validate=False)
    except (binascii.Error, ValueError):
        return str(text)
    # Zone data may hold any octets (parse_dns_zone docs); keep what is not UTF-8 visible.
    return raw.decode("utf-8", errors="backslashreplace")


def parse_zone(zone: str, payload: t.Any) -> Zone:
    """Turn parse_dns_zone's ``data.payload`` into a :class:`Zone`.

    Owner names inside the zone come relative (``www``), the apex fully qualified with a
    trailing dot (dns_ssl_tokens.md 2.5); both become relative names here.
    """
    serial = ""
    default_ttl = DEFAULT_TTL
    records: t.List[Record] = []
    for item in payload if isinstance(payload, list) else []:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind == "control":
            text = _b64(item.get("text_b64")).strip()
            match = re.match(r"^\$TTL\s+(\d+)", text, re.IGNORECASE)
            if match:
                default_ttl = int(match.group(1))
            continue
        if kind != "record":
            continue
        rtype = str(item.get("record_type") or "").upper()
        data = [_b64(value) for value in item.get("data_b64") or []]
        owner = _b64(item.get("dname_b64")).lower()
        if owner.endswith("."):
            absolute = owner[:-1]
            if absolute == zone:
                owner = ""
            elif absolute.endswith("." + zone):
                owner = absolute[: -len(zone) - 1]
            # else: outside the zone; kept absolute (with its dot), never matched by a declared name
        if rtype == "SOA" and not serial and len(data) > 2:
            serial = data[2].strip()
        try:
            ttl = int(item.get("ttl"))
        except (TypeError, ValueError):
            ttl = default_ttl
        line_index = item.get("line_index")
        line_index = int(line_index) if isinstance(line_index, (int, str)) and str(line_index).isdigit() else None
        records.append(
            Record(
                name=owner,
                type=rtype,
                ttl=ttl,
                value=value_from_data(rtype, data),
                line_index=line_index,
            )
        )
    return Zone(name=zone, serial=serial, default_ttl=default_ttl, records=records)


def zone_error(api: WhmApi, response: Response, zone: str, extra: str = "") -> WHMAPIError:
    reason = api.scrub(response.reason.strip() or "no reason given")
    return WHMAPIError(
        f"WHM API function {response.function} failed for zone {zone} on {api.transport.label}: {reason}{extra}",
        function=response.function,
        reason=reason,
    )


def read_zone(api: WhmApi, zone: str) -> Zone:
    response = api.call("parse_dns_zone", {"zone": zone}, write=False)
    if not response.ok:
        raise zone_error(api, response, zone)
    return parse_zone(zone, (response.data or {}).get("payload") if isinstance(response.data, dict) else None)


def read_zones(api: WhmApi, zones: t.Sequence[str]) -> t.Dict[str, Zone]:
    """Read several zones: one request for one zone, WHM ``batch`` (50 zones a request) for more.

    A batch of reads is itself a read, so this runs in check mode too.
    """
    if len(zones) < 2:
        return {zone: read_zone(api, zone) for zone in zones}
    responses = api.batch([("parse_dns_zone", {"zone": zone}) for zone in zones], write=False)
    result: t.Dict[str, Zone] = {}
    for zone, response in zip(zones, responses):
        if not response.ok:
            raise zone_error(api, response, zone)
        payload = response.data.get("payload") if isinstance(response.data, dict) else None
        result[zone] = parse_zone(zone, payload)
    return result


def list_zones(api: WhmApi) -> t.List[str]:
    """Every zone the caller may see (listzones sends no ``data`` when there is none, 2.3)."""
    return [str(record.get("domain", "")).lower() for record in api.read("listzones").records("zone")]


# -- output ----------------------------------------------------------------------------------


def _quote_txt(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def zone_line(record: Record, zone: str) -> str:
    """A record as one zone-file-like line (diffs)."""
    value = _quote_txt(record.value) if record.type == "TXT" else record.value
    owner = record.name if record.name.endswith(".") else fqdn(record.name, zone) + "."
    return f"{owner} {record.ttl} IN {record.type} {value}"


def _sort_key(record: Record) -> t.Tuple[str, str, str, int]:
    return (record.name, record.type, record.value, record.ttl)


def zone_lines(records: t.Iterable[Record], zone: str) -> t.List[str]:
    return [zone_line(record, zone) for record in sorted(records, key=_sort_key)]


def format_record(record: Record, zone: str, style: str) -> t.Dict[str, t.Any]:
    name = record.name if record.name.endswith(".") else display_name(record.name, zone, style)
    return {"name": name, "type": record.type, "ttl": record.ttl, "value": record.value}


def format_record_sets(records: t.Sequence[Record], zone: str, style: str) -> t.List[t.Dict[str, t.Any]]:
    """Records grouped by name and type, in zone order; ``ttl`` is the lowest of the set."""
    sets: t.Dict[t.Tuple[str, str], t.Dict[str, t.Any]] = {}
    for record in records:
        entry = sets.get(record.key())
        if entry is None:
            name = record.name if record.name.endswith(".") else display_name(record.name, zone, style)
            entry = sets[record.key()] = {"name": name, "type": record.type, "ttl": record.ttl, "values": []}
        entry["ttl"] = min(entry["ttl"], record.ttl)
        entry["values"].append(record.value)
    return list(sets.values())


def format_zone(zone: Zone, style: str) -> t.Dict[str, t.Any]:
    return {
        "zone": zone.name,
        "exists": True,
        "serial": zone.serial,
        "records": [format_record(record, zone.name, style) for record in zone.records],
        "record_sets": format_record_sets(zone.records, zone.name, style),
    }


# -- planning --------------------------------------------------------------------------------


@dataclass
class Desired:
    """One declared record set, validated and normalised."""

    zone: str
    name: str
    type: str
    values: t.Optional[t.List[str]]
    ttl: t.Optional[int]
    state: str = "present"
    on_existing: str = "replace"
    label: str = ""
    pruned: bool = False

    def title(self) -> str:
        return f"{self.type} record set {fqdn(self.name, self.zone)}"


def validate_ttl(ttl: t.Any, where: str = "") -> t.Optional[int]:
    if ttl is None:
        return None
    if isinstance(ttl, bool) or not re.match(r"^\d+$", str(ttl).strip()):
        raise WHMInputError(f"{where}ttl must be a whole number of seconds, not {ttl!r}.")
    number = int(str(ttl).strip())
    if number > MAX_TTL:
        raise WHMInputError(f"{where}ttl must not exceed {MAX_TTL}.")
    return number


def desired_record_set(
    zone: str,
    name: t.Any,
    rtype: t.Any,
    values: t.Optional[t.Sequence[t.Any]],
    ttl: t.Any,
    state: str = "present",
    on_existing: str = "replace",
    where: str = "",
) -> Desired:
    """Validate and normalise one declared record set (before any call to WHM)."""
    rtype = str(rtype or "").upper()
    if rtype not in RECORD_TYPES:
        raise WHMInputError(f"{where}type must be one of {', '.join(RECORD_TYPES)}, not {rtype or 'nothing'}.")
    if state not in ("present", "absent"):
        raise WHMInputError(f"{where}state must be present or absent, not {state!r}.")
    if on_existing not in ON_EXISTING:
        raise WHMInputError(f"{where}on_existing must be one of {', '.join(ON_EXISTING)}.")
    try:
        relative = relative_name(name, zone)
        normalised: t.Optional[t.List[str]] = None
        if values is not None:
            if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
                raise WHMInputError("values must be a list.")
            normalised = []
            for value in values:
                text = normalise_value(rtype, value)
                if text not in normalised:
                    normalised.append(text)
    except WHMInputError as exc:
        raise WHMInputError(f"{where}{exc}") from None
    if state == "present" and not normalised:
        raise WHMInputError(f"{where}values must list at least one value when state is present.")
    if state == "absent" and on_existing != "replace" and not normalised:
        raise WHMInputError(
            f"{where}values must list the record set's values when state is absent and on_existing is not replace."
        )
    if rtype == "CNAME" and normalised and len(normalised) > 1:
        raise WHMInputError(f"{where}a CNAME record set holds exactly one value.")
    if rtype == "CNAME" and relative == "" and state == "present":
        raise WHMInputError(f"{where}the zone apex cannot have a CNAME record (it holds the SOA and NS records).")
    return Desired(
        zone=zone,
        name=relative,
        type=rtype,
        values=normalised,
        ttl=validate_ttl(ttl, where),
        state=state,
        on_existing=on_existing,
        label=where,
    )


@dataclass
class Changes:
    """What one mass_edit_dns_zone call will do to one zone."""

    add: t.List[Record] = field(default_factory=list)
    edit: t.List[t.Tuple[int, Record]] = field(default_factory=list)
    remove: t.List[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.add or self.edit or self.remove)


@dataclass
class SetOutcome:
    """The plan for one record set: records to drop, records to create, before and after."""

    desired: Desired
    before: t.List[Record]
    after: t.List[Record]
    drop: t.List[Record] = field(default_factory=list)
    create: t.List[Record] = field(default_factory=list)
    warning: t.Optional[str] = None

    @property
    def changed(self) -> bool:
        return bool(self.drop or self.create)


def plan_record_set(zone: Zone, desired: Desired) -> SetOutcome:
    """Decide what one record set needs, with community.dns's ``on_existing`` semantics.

    The set is every record with the same name and type. It matches when it holds exactly the
    declared values (and, when ``ttl`` is given, every record has that TTL).
    """
    current = zone.record_set(desired.name, desired.type)
    values = desired.values or []
    mismatch = sorted({r.value for r in current}) != sorted(values) or len(current) != len(values)
    if desired.ttl is not None and any(record.ttl != desired.ttl for record in current):
        mismatch = True
    outcome = SetOutcome(desired=desired, before=list(current), after=list(current))
    if not current and desired.state == "absent":
        return outcome
    if current and mismatch and desired.on_existing != "replace":
        message = (
            f"The {desired.title()} already exists with different values or TTL; "
            f"set on_existing=replace to {'replace' if desired.state == 'present' else 'remove'} it."
        )
        if desired.on_existing == "keep_and_fail":
            raise WHMInputError(f"{desired.label}{message}")
        if desired.on_existing == "keep_and_warn":
            outcome.warning = f"{desired.label}{message} It was kept."
        return outcome
    if desired.state == "absent":
        outcome.drop = list(current)
        outcome.after = []
        return outcome
    if not mismatch:
        return outcome
    # Replace: keep the records that already carry a wanted value and TTL, drop the rest.
    ttl = desired.ttl
    if ttl is None:
        ttl = min((record.ttl for record in current), default=zone.default_ttl)
    keep: t.List[Record] = []
    remaining = list(values)
    for record in current:
        wanted_ttl = desired.ttl if desired.ttl is not None else record.ttl
        if record.value in remaining and record.ttl == wanted_ttl:
            remaining.remove(record.value)
            keep.append(record)
        else:
            outcome.drop.append(record)
    outcome.create = [Record(desired.name, desired.type, ttl, value) for value in remaining]
    outcome.after = keep + outcome.create
    return outcome


def prune_outcomes(zone: Zone, declared: t.Set[t.Tuple[str, str]]) -> t.List[SetOutcome]:
    """Record sets of the managed types that nobody declared, to be removed (never SOA)."""
    outcomes: t.Dict[t.Tuple[str, str], SetOutcome] = {}
    for record in zone.records:
        if record.type not in RECORD_TYPES or record.key() in declared or record.name.endswith("."):
            continue
        outcome = outcomes.get(record.key())
        if outcome is None:
            desired = Desired(
                zone=zone.name, name=record.name, type=record.type, values=None, ttl=None, state="absent", pruned=True
            )
            outcome = outcomes[record.key()] = SetOutcome(desired=desired, before=[], after=[])
        outcome.before.append(record)
        outcome.drop.append(record)
    return list(outcomes.values())


def build_changes(
    zone: Zone, outcomes: t.Sequence[SetOutcome], protect_ns: bool = False
) -> t.Tuple[Changes, t.List[str]]:
    """Turn record-set plans into one mass_edit_dns_zone change list.

    A dropped record and a new one of the same set become one ``edit`` of the dropped line, so
    untouched lines keep their place and a replaced NS set still counts as surviving: WHM
    insists that at least one of the zone's original NS lines stays (dns_ssl_tokens.md 2.13,
    Cpanel::ZoneFile::LineEdit checks the lines, not the values). With ``protect_ns`` (prune),
    pruned NS records are kept when they are the last original ones.
    """
    warnings: t.List[str] = []
    changes = Changes()
    for outcome in outcomes:
        drops = sorted(outcome.drop, key=lambda r: r.line_index if r.line_index is not None else -1)
        creates = list(outcome.create)
        # Same value, new TTL first: the record stays on its line.
        for record in list(drops):
            twin = next((new for new in creates if new.value == record.value), None)
            if twin is not None and record.line_index is not None:
                changes.edit.append((record.line_index, twin))
                drops.remove(record)
                creates.remove(twin)
        while drops and creates and drops[0].line_index is not None:
            changes.edit.append((drops.pop(0).line_index, creates.pop(0)))  # type: ignore[arg-type]
        changes.remove.extend(record.line_index for record in drops if record.line_index is not None)
        changes.add.extend(creates)

    ns_lines = {record.line_index for record in zone.records if record.type == "NS"}
    if ns_lines and ns_lines <= set(changes.remove):
        if not protect_ns:
            raise WHMInputError(
                f"The change would remove every NS record of the zone {zone.name}; WHM keeps at least one of a zone's "
                "NS records. Declare the new NS values in the same record set so the old lines are replaced."
            )
        first = min(ns_lines)
        changes.remove.remove(first)
        kept = next(record for record in zone.records if record.line_index == first)
        for outcome in outcomes:
            if kept in outcome.drop:
                outcome.drop.remove(kept)
                outcome.after.append(kept)
        warnings.append(
            f"Prune kept the NS record {zone_line(kept, zone.name)}: WHM refuses to remove every NS record of a zone."
        )
    _check_cname_conflicts(zone, changes)
    return changes, warnings


def _check_cname_conflicts(zone: Zone, changes: Changes) -> None:
    """Refuse, before writing, a CNAME that would share its name with other records."""
    removed = set(changes.remove) | {index for index, dummy in changes.edit}
    final = [record for record in zone.records if record.line_index not in removed]
    final += [record for dummy, record in changes.edit] + list(changes.add)
    touched = {record.name for dummy, record in changes.edit} | {record.name for record in changes.add}
    for name in sorted(touched):
        types = [record.type for record in final if record.name == name]
        if "CNAME" in types and len(types) > 1:
            others = sorted(set(types) - {"CNAME"})
            detail = f"other records ({', '.join(others)})" if others else "another CNAME record"
            raise WHMInputError(
                f"{fqdn(name, zone.name)} would have a CNAME record and {detail}; "
                "a name with a CNAME may hold nothing else."
            )


def mass_edit_params(zone: Zone, changes: Changes) -> t.List[t.Tuple[str, t.Any]]:
    """The parameters of mass_edit_dns_zone: ``zone``, ``serial`` and add/edit/remove lists.

    Each add/edit is a JSON object; the apex goes as ``example.com.`` because WHM refuses ``@``
    (dns_ssl_tokens.md 2.13). Values travel inside the form body, so ``+`` and ``%`` arrive
    intact (the client form-encodes every parameter).
    """

    def encode(record: Record, line_index: t.Optional[int] = None) -> str:
        item: t.Dict[str, t.Any] = {}
        if line_index is not None:
            item["line_index"] = line_index
        item["dname"] = record.name if record.name else zone.name + "."
        item["ttl"] = record.ttl
        item["record_type"] = record.type
        item["data"] = data_for_value(record.type, record.value)
        return json.dumps(item, separators=(",", ":"))

    params: t.List[t.Tuple[str, t.Any]] = [("zone", zone.name), ("serial", zone.serial)]
    if changes.add:
        params.append(("add", [encode(record) for record in changes.add]))
    if changes.edit:
        params.append(("edit", [encode(record, index) for index, record in sorted(changes.edit, key=lambda e: e[0])]))
    if changes.remove:
        params.append(("remove", sorted(changes.remove)))
    return params


def _is_stale(response: Response) -> bool:
    return isinstance(response.data, dict) and response.data.get("type") == "Stale"


@dataclass
class ZoneOutcome:
    zone: str
    outcomes: t.List[SetOutcome]
    changed: bool
    serial: str
    warnings: t.List[str] = field(default_factory=list)


Planner = t.Callable[[Zone], t.List[SetOutcome]]


def converge_zone(
    api: WhmApi,
    zone_name: str,
    planner: Planner,
    check_mode: bool,
    zone: t.Optional[Zone] = None,
    protect_ns: bool = False,
    max_attempts: int = MAX_ATTEMPTS,
) -> ZoneOutcome:
    """Read (unless given), plan, write once; on ``Stale`` read again, plan again, retry.

    The serial sent is the one read in the same pass, so a concurrent writer makes WHM refuse
    the edit instead of it overwriting the other writer's change (dns_ssl_tokens.md 2.13, 5).
    The same check makes a write whose answer was lost safe to settle by reading again: if it
    was applied, the new plan is empty; if not, the serial is unchanged and it is sent again.
    """
    attempt = 0
    notes: t.List[str] = []
    maybe_written = False
    while True:
        attempt += 1
        if zone is None:
            zone = read_zone(api, zone_name)
        outcomes = planner(zone)
        changes, warnings = build_changes(zone, outcomes, protect_ns=protect_ns)
        warnings = [outcome.warning for outcome in outcomes if outcome.warning] + warnings + notes
        if not changes:
            return ZoneOutcome(zone_name, outcomes, maybe_written, zone.serial, warnings)
        if check_mode:
            return ZoneOutcome(zone_name, outcomes, True, zone.serial, warnings)
        try:
            response = api.call("mass_edit_dns_zone", mass_edit_params(zone, changes), write=True)
        except WHMWriteOutcomeUnknown as exc:
            if attempt >= max_attempts:
                raise
            maybe_written = True
            notes.append(
                f"{exc}; the zone {zone_name} was read again to settle it (the serial check prevents a double write)"
            )
            zone = None
            continue
        if response.ok:
            new_serial = response.data.get("new_serial") if isinstance(response.data, dict) else None
            return ZoneOutcome(zone_name, outcomes, True, str(new_serial if new_serial is not None else ""), warnings)
        if not _is_stale(response):
            raise zone_error(api, response, zone_name)
        if attempt >= max_attempts:
            raise zone_error(
                api,
                response,
                zone_name,
                f" (another writer changed the zone {attempt} times while this task was editing it; "
                "nothing was written, run it again)",
            )
        zone = None
        api.transport.sleep(random.uniform(*RETRY_PAUSE) * attempt)


# -- record sets: the modules' entry points ----------------------------------------------------


def _set_view(records: t.Sequence[Record], desired: Desired, style: str = "fqdn") -> t.Dict[str, t.Any]:
    if not records:
        return {}
    ordered = sorted(records, key=_sort_key)
    return {
        "zone": desired.zone,
        "name": display_name(desired.name, desired.zone, style),
        "type": desired.type,
        "ttl": min(record.ttl for record in ordered),
        "values": [record.value for record in ordered],
    }


def ensure_record_set(api: WhmApi, desired: Desired, check_mode: bool) -> Result:
    """Converge one record set: one read, at most one write (plus Stale retries)."""
    result = converge_zone(api, desired.zone, lambda zone: [plan_record_set(zone, desired)], check_mode)
    outcome = result.outcomes[0]
    before = _set_view(outcome.before, desired)
    after = _set_view(outcome.after, desired)
    values: t.Dict[str, t.Any] = {"record_set": after, "zone_serial": result.serial}
    return Result(
        changed=result.changed, diff={"before": before, "after": after}, values=values, warnings=result.warnings
    )


RECORD_SET_KEYS = frozenset(("zone", "name", "type", "ttl", "values", "value", "state", "on_existing"))


def absolute_name(name: t.Any) -> str:
    """A fully qualified owner name given without its zone: lower case, punycode, no trailing dot."""
    text = str(name or "").strip()
    if text in ("", "@", "."):
        raise WHMInputError("Without zone, name must be the fully qualified name (the zone is looked up from it).")
    text = _to_ascii(text, "The record name").rstrip(".")
    _check_labels(text, "The record name", wildcard=True)
    return text


def zone_for_name(name: str, zones: t.Sequence[str]) -> str:
    """The zone that holds ``name``: the longest zone on the server that is ``name`` or a parent of it.

    A subdomain's records belong in its parent zone; matching against the zones that exist
    (instead of guessing from the labels) also gets multi-label suffixes such as co.uk right.
    """
    candidates = [zone for zone in zones if name == zone or name.endswith("." + zone)]
    if not candidates:
        raise WHMInputError(f"No DNS zone on the server holds {name}; create the zone or give zone.")
    return max(candidates, key=len)


def desired_from_elements(
    elements: t.Sequence[t.Mapping[str, t.Any]],
    default_zone: t.Optional[str],
    lookup_zones: t.Optional[t.Callable[[], t.List[str]]] = None,
) -> t.List[Desired]:
    """Validate every element of dns_record_sets before the first request.

    Elements without a zone (and no module-level zone) are placed in the zone that holds their
    fully qualified name, found with one ``listzones`` read for all of them, made only after
    every element passed validation.
    """
    zone_default = normalise_zone(default_zone) if default_zone else None
    result: t.List[t.Optional[Desired]] = []
    pending: t.List[t.Tuple[int, str]] = []
    for index, element in enumerate(elements):
        where = f"record_sets[{index}]: "
        if not isinstance(element, dict):
            raise WHMInputError(f"{where}each element must be a dict.")
        unknown = sorted(set(element) - RECORD_SET_KEYS)
        if unknown:
            raise WHMInputError(f"{where}unsupported option(s) {', '.join(unknown)}.")
        if "value" in element and "values" in element:
            raise WHMInputError(f"{where}give values or value, not both.")
        if "name" not in element:
            raise WHMInputError(f"{where}name is required (use '@' or '' for the zone apex).")
        try:
            if element.get("zone"):
                zone: t.Optional[str] = normalise_zone(element["zone"])
            elif zone_default:
                zone = zone_default
            elif lookup_zones is None:
                raise WHMInputError("zone is required (in the element or as the module's zone option).")
            else:
                zone = None
                pending.append((index, absolute_name(element.get("name"))))
        except WHMInputError as exc:
            raise WHMInputError(f"{where}{exc}") from None
        if zone is None:
            # Check type, values and TTL now; the name is checked above and placed later.
            _element_desired(element, pending[-1][1], "placeholder", where)
            result.append(None)
        else:
            result.append(_element_desired(element, zone, element.get("name"), where))

    if pending and lookup_zones is not None:
        existing = lookup_zones()
        for index, name in pending:
            where = f"record_sets[{index}]: "
            try:
                zone = zone_for_name(name, existing)
            except WHMInputError as exc:
                raise WHMInputError(f"{where}{exc}") from None
            result[index] = _element_desired(elements[index], zone, name, where)

    declared = [desired for desired in result if desired is not None]
    seen: t.Dict[t.Tuple[str, str, str], int] = {}
    for index, desired in enumerate(declared):
        key = (desired.zone, desired.name, desired.type)
        if key in seen:
            raise WHMInputError(
                f"record_sets[{index}]: the {desired.title()} is already declared by record_sets[{seen[key]}]."
            )
        seen[key] = index
    return declared


def _element_desired(element: t.Mapping[str, t.Any], zone: str, name: t.Any, where: str) -> Desired:
    values = element.get("values", element.get("value"))
    if isinstance(values, str):
        values = [values]
    return desired_record_set(
        zone,
        name,
        element.get("type"),
        values,
        element.get("ttl"),
        state=element.get("state") or "present",
        on_existing=element.get("on_existing") or "replace",
        where=where,
    )


def _zone_planner(declared: t.List[Desired], prune: bool) -> Planner:
    keys = {(desired.name, desired.type) for desired in declared}

    def planner(zone: Zone) -> t.List[SetOutcome]:
        outcomes = [plan_record_set(zone, desired) for desired in declared]
        if prune:
            outcomes += prune_outcomes(zone, keys)
        return outcomes

    return planner


def converge_record_sets(
    api: WhmApi,
    declared: t.Sequence[Desired],
    check_mode: bool,
    prune: bool = False,
    prune_zones: t.Sequence[str] = (),
) -> Result:
    """Converge record sets of one or more zones: one read and at most one write per zone."""
    zones: t.List[str] = []
    for desired in declared:
        if desired.zone not in zones:
            zones.append(desired.zone)
    for zone in prune_zones:
        if zone not in zones:
            zones.append(zone)
    snapshots = read_zones(api, zones)

    set_results: t.List[t.Dict[str, t.Any]] = []
    zone_results: t.List[t.Dict[str, t.Any]] = []
    warnings: t.List[str] = []
    before: t.Dict[str, t.List[str]] = {}
    after: t.Dict[str, t.List[str]] = {}
    changed = False
    for zone_name in zones:
        mine = [desired for desired in declared if desired.zone == zone_name]
        planner = _zone_planner(mine, prune)
        result = converge_zone(api, zone_name, planner, check_mode, zone=snapshots[zone_name], protect_ns=prune)
        changed = changed or result.changed
        warnings.extend(result.warnings)
        zone_results.append({"zone": zone_name, "changed": result.changed, "serial": result.serial})
        zone_before: t.List[Record] = []
        zone_after: t.List[Record] = []
        for outcome in result.outcomes:
            zone_before.extend(outcome.before)
            zone_after.extend(outcome.after)
            desired = outcome.desired
            set_results.append(
                {
                    "zone": zone_name,
                    "name": display_name(desired.name, zone_name, "fqdn"),
                    "type": desired.type,
                    "changed": outcome.changed,
                    "pruned": desired.pruned,
                }
            )
        if zone_before or zone_after:
            before[zone_name] = zone_lines(zone_before, zone_name)
            after[zone_name] = zone_lines(zone_after, zone_name)
    return Result(
        changed=changed,
        diff={"before": before, "after": after},
        values={"zones": zone_results, "record_sets": set_results},
        warnings=warnings,
    )


# -- zones -----------------------------------------------------------------------------------


def zone_info(api: WhmApi, zones: t.Optional[t.Sequence[str]], style: str) -> t.List[t.Dict[str, t.Any]]:
    """The records of the given zones (all zones when ``zones`` is None)."""
    if style not in NAME_STYLES:
        raise WHMInputError(f"names must be one of {', '.join(NAME_STYLES)}.")
    existing = list_zones(api)
    wanted = existing if zones is None else []
    if zones is not None:
        for zone in zones:
            name = normalise_zone(zone)
            if name not in wanted:
                wanted.append(name)
    present = [zone for zone in wanted if zone in existing]
    snapshots = read_zones(api, present)
    result = []
    for zone in wanted:
        if zone in snapshots:
            result.append(format_zone(snapshots[zone], style))
        else:
            result.append({"zone": zone, "exists": False, "serial": None, "records": [], "record_sets": []})
    return result


def validate_ipv4(ip: t.Any, option: str = "ip") -> str:
    try:
        return str(ipaddress.IPv4Address(str(ip).strip()))
    except ValueError:
        raise WHMInputError(f"{option} must be an IPv4 address, not {ip!r}.") from None


def validate_ipv6(ip: t.Any, option: str = "ipv6") -> str:
    try:
        return ipaddress.IPv6Address(str(ip).strip()).compressed
    except ValueError:
        raise WHMInputError(f"{option} must be an IPv6 address, not {ip!r}.") from None


def _record_lines(zone: Zone) -> t.List[str]:
    # The SOA serial changes on every write; leave it out of comparisons and diffs.
    return zone_lines([record for record in zone.records if record.type != "SOA"], zone.name)


def ensure_zone(
    api: WhmApi,
    zone: str,
    state: str,
    check_mode: bool,
    ip: t.Optional[str] = None,
    ipv6: t.Optional[str] = None,
    owner: t.Optional[str] = None,
    template: t.Optional[str] = None,
    reset: bool = False,
) -> Result:
    """Create (adddns), remove (killdns) or reset (resetzone) one zone."""
    zone = normalise_zone(zone)
    if ip is not None:
        ip = validate_ipv4(ip)
    if ipv6 is not None:
        ipv6 = validate_ipv6(ipv6)
    exists = zone in list_zones(api)
    view: t.Dict[str, t.Any] = {"zone": zone}

    if state == "absent":
        if not exists:
            return Result(changed=False, diff={"before": {}, "after": {}}, values={"zone": {}})
        if not check_mode:
            response = api.call("killdns", {"domain": zone}, write=True)
            if not response.ok:
                raise zone_error(api, response, zone)
        return Result(changed=True, diff={"before": view, "after": {}}, values={"zone": {}})

    if not exists:
        # adddns as root silently replaces an existing zone with the template (2.1), so it is
        # only ever called after listzones showed the zone missing.
        if ip is None:
            raise WHMInputError(
                f"ip is required to create the zone {zone} (adddns needs the IPv4 address of the domain)."
            )
        after = dict(view, ip=ip)
        if ipv6:
            after["ipv6"] = ipv6
        if owner:
            after["owner"] = owner
        if template:
            after["template"] = template
        if not check_mode:
            params: t.Dict[str, t.Any] = {"domain": zone, "ip": ip}
            if owner:
                params["trueowner"] = owner
            if template:
                params["template"] = template
            if ipv6:
                params["ipv6"] = ipv6
            response = api.call("adddns", params, write=True)
            if not response.ok:
                raise zone_error(api, response, zone)
        return Result(changed=True, diff={"before": {}, "after": after}, values={"zone": after})

    if not reset:
        return Result(changed=False, diff={"before": view, "after": view}, values={"zone": view})

    current = read_zone(api, zone)
    before = dict(view, records=_record_lines(current))
    if check_mode:
        after = dict(view, records="(rebuilt from the zone template; not predictable in check mode)")
        return Result(changed=True, diff={"before": before, "after": after}, values={"zone": view})
    response = api.call("resetzone", {"domain": zone}, write=True)
    if not response.ok:
        raise zone_error(api, response, zone)
    rebuilt = read_zone(api, zone)
    after = dict(view, records=_record_lines(rebuilt))
    return Result(
        changed=before["records"] != after["records"],
        diff={"before": before, "after": after},
        values={"zone": dict(view, serial=rebuilt.serial)},
    )
