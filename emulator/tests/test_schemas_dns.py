"""DNS responses validate against cPanel's 200 schemas (approach of test_schemas.py)."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any, Dict, List, Tuple

import pytest
from conftest import Whm
from test_schemas import CONTRACT, _openapi_to_jsonschema, _path

jsonschema = pytest.importorskip("jsonschema")

ZONE = "alice.example.com"

# (function, data path) → where the real behaviour is documented.
DNS_DIFFERENCES: Dict[Tuple[str, str], str] = {
    # The zone templates write "MX 0 <domain>." (etc/zonetemplates/standard); the description
    # says preference >= 1.
    ("listmxs", "data.record.*.preference"): "whm-api dns_ssl_tokens.md 2.0 (templates)",
}

SCENARIOS: List[Tuple[str, Any]] = [
    ("adddns", {"domain": "zone.test", "ip": "192.0.2.7"}),
    ("listzones", {}),
    ("dumpzone", {"domain": ZONE}),
    ("parse_dns_zone", {"zone": ZONE}),
    ("getzonerecord", {"domain": ZONE, "line": "20"}),
    ("addzonerecord", {"domain": ZONE, "name": "txt", "type": "TXT", "txtdata": "hello"}),
    ("editzonerecord", {"domain": ZONE, "line": "12", "address": "192.0.2.8"}),
    ("removezonerecord", {"zone": ZONE, "line": "16"}),
    ("MASS_EDIT", {}),
    ("listmxs", {"domain": ZONE}),
    ("savemxs", {"domain": ZONE, "name": f"{ZONE}.", "exchange": "mx.example.net", "preference": "10"}),
    ("resetzone", {"domain": ZONE}),
    ("lookupnsip", {"host": "server.example.test"}),
    ("get_nameserver_config", {}),
    ("killdns", {"domain": "zone.test"}),
]

# Every DNS function validated by the tests below (for test_schemas.py's coverage check).
COVERED = {fn for fn, _ in SCENARIOS if fn != "MASS_EDIT"} | {"mass_edit_dns_zone"}


def _errors(function: str, envelope: Dict[str, Any]) -> List[str]:
    schema = _openapi_to_jsonschema(copy.deepcopy(CONTRACT[function]["response"]))
    problems = []
    for error in jsonschema.Draft202012Validator(schema).iter_errors(envelope):
        path = _path(error)
        if (function, path) not in DNS_DIFFERENCES:
            problems.append(f"{function} {path}: {error.message[:200]}")
    return problems


def _mass_edit_params(whm: Whm) -> Dict[str, str]:
    payload = whm.ok("parse_dns_zone", {"zone": ZONE})["data"]["payload"]
    soa = next(i for i in payload if i.get("record_type") == "SOA")
    serial = base64.b64decode(soa["data_b64"][2]).decode()
    add = {"dname": "mass", "ttl": 300, "record_type": "A", "data": ["192.0.2.9"]}
    return {"zone": ZONE, "serial": serial, "add": json.dumps(add)}


def test_dns_responses_match_cpanel_schemas(whm: Whm) -> None:
    whm.create("alice")
    problems: List[str] = []
    for function, params in SCENARIOS:
        if function == "MASS_EDIT":
            function, params = "mass_edit_dns_zone", _mass_edit_params(whm)
        envelope = whm.ok(function, params)
        problems += _errors(function, envelope)
    # A record of each type in the legacy views.
    for params in (
        {"name": "six", "type": "AAAA", "address": "2001:db8::1"},
        {"name": "srv", "type": "SRV", "priority": "1", "weight": "1", "port": "1", "target": "t.example.net"},
        {"name": "caa", "type": "CAA", "flag": "0", "tag": "issue", "value": "ca.example.net"},
        {"name": "ptr", "type": "PTR", "ptrdname": "p.example.net"},
        {"name": "sub", "type": "NS", "nsdname": "ns.example.net"},
        {"name": "al", "type": "CNAME", "cname": "c.example.net"},
    ):
        whm.ok("addzonerecord", {"domain": ZONE, **params})
    problems += _errors("dumpzone", whm.ok("dumpzone", {"domain": ZONE}))
    dump = whm.ok("dumpzone", {"domain": ZONE})["data"]["zone"][0]["record"]
    for record in dump:
        if record["type"] in (":RAW", "$TTL"):
            continue
        envelope = whm.ok("getzonerecord", {"domain": ZONE, "line": str(record["Line"])})
        problems += _errors("getzonerecord", envelope)
    problems += _errors("parse_dns_zone", whm.ok("parse_dns_zone", {"zone": ZONE}))
    assert problems == []


def test_known_dns_differences_are_real(whm: Whm) -> None:
    whm.create("alice")
    envelope = whm.ok("listmxs", {"domain": ZONE})
    schema = _openapi_to_jsonschema(copy.deepcopy(CONTRACT["listmxs"]["response"]))
    seen = {("listmxs", _path(e)) for e in jsonschema.Draft202012Validator(schema).iter_errors(envelope)}
    assert set(DNS_DIFFERENCES) <= seen
