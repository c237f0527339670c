"""mass_edit_dns_zone: serial checks, typed failures, layout rules, byte-exact TXT, concurrency."""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

import pytest
from conftest import Whm, strip_xid

ZONE = "alice.example.com"


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def payload(whm: Whm, zone: str = ZONE) -> List[Dict[str, Any]]:
    return whm.ok("parse_dns_zone", {"zone": zone})["data"]["payload"]


def serial(whm: Whm, zone: str = ZONE) -> str:
    item = next(i for i in payload(whm, zone) if i.get("record_type") == "SOA")
    return b64(item["data_b64"][2]).decode()


def record(whm: Whm, dname: str, rtype: str) -> Dict[str, Any]:
    for item in payload(whm):
        if item["type"] == "record" and b64(item["dname_b64"]).decode() == dname and item["record_type"] == rtype:
            return item
    raise AssertionError(f"{dname} {rtype} not found")


def edit_call(
    whm: Whm,
    add: Tuple[Any, ...] = (),
    edit: Tuple[Any, ...] = (),
    remove: Tuple[Any, ...] = (),
    serial_value: Optional[str] = None,
    method: str = "GET",
) -> Dict[str, Any]:
    params: List[Tuple[str, Any]] = [("zone", ZONE), ("serial", serial_value or serial(whm))]
    params += [("add", a if isinstance(a, str) else json.dumps(a)) for a in add]
    params += [("edit", e if isinstance(e, str) else json.dumps(e)) for e in edit]
    params += [("remove", str(r)) for r in remove]
    return whm.call("mass_edit_dns_zone", params, method=method)


def reason(envelope: Dict[str, Any]) -> str:
    assert envelope["metadata"]["result"] == 0, envelope
    return strip_xid(envelope["metadata"]["reason"])


@pytest.fixture
def alice(whm: Whm) -> Whm:
    whm.create("alice")
    return whm


def test_add_appends_and_returns_the_new_serial(alice: Whm) -> None:
    before = payload(alice)
    old = serial(alice)
    envelope = edit_call(alice, add=({"dname": "new", "ttl": 300, "record_type": "A", "data": ["192.0.2.44"]},))
    assert envelope["metadata"]["result"] == 1 and envelope["metadata"]["reason"] == "OK"
    new_serial = envelope["data"]["new_serial"]
    assert isinstance(new_serial, int) and str(new_serial) == str(int(old) + 1)
    after = payload(alice)
    # Every item kept its line index (the SOA kept its 6 lines as padding); the addition is last.
    assert [(i["line_index"], i["type"]) for i in after[:-1]] == [(i["line_index"], i["type"]) for i in before]
    last = after[-1]
    assert last["line_index"] > before[-1]["line_index"]
    assert b64(last["dname_b64"]) == b"new" and last["ttl"] == 300
    assert [b64(d) for d in last["data_b64"]] == [b"192.0.2.44"]
    assert serial(alice) == str(new_serial)
    # The legacy view agrees.
    dump = alice.ok("dumpzone", {"domain": ZONE})["data"]["zone"][0]["record"]
    assert {"Line": last["line_index"] + 1, "address": "192.0.2.44"}.items() <= next(
        r for r in dump if r.get("name") == f"new.{ZONE}."
    ).items()


def test_stale_serial(alice: Whm) -> None:
    current = serial(alice)
    envelope = edit_call(alice, remove=(20,), serial_value="1999010100")
    assert envelope["data"] == {"type": "Stale", "detail": None}
    assert reason(envelope) == (
        f"The given serial number (1999010100) does not match the DNS zone’s serial number ({current}). "
        "Refresh your view of the DNS zone, then resubmit."
    )
    # Compared as a string: a leading zero is a different serial.
    assert edit_call(alice, remove=(20,), serial_value="0" + current)["data"]["type"] == "Stale"
    assert serial(alice) == current


def test_edit_and_remove_by_line_index(alice: Whm) -> None:
    www = record(alice, "www", "CNAME")
    mail = record(alice, "mail", "CNAME")
    ftp = record(alice, "ftp", "A")
    edit = {"line_index": www["line_index"], "dname": "www", "ttl": 60, "record_type": "A", "data": ["192.0.2.80"]}
    assert edit_call(alice, edit=(edit,), remove=(mail["line_index"],))["metadata"]["result"] == 1
    new_www = record(alice, "www", "A")
    assert new_www["line_index"] == www["line_index"] - 1  # mail's line went, later lines moved up
    assert new_www["ttl"] == 60
    assert record(alice, "ftp", "A")["line_index"] == ftp["line_index"] - 1
    with pytest.raises(AssertionError):
        record(alice, "mail", "CNAME")


def test_txt_data_is_byte_exact(alice: Whm) -> None:
    values = ["v=spf1 +a +mx ~all", "p=MIIB+abc/def%2B%41==", 'quote " and back\\slash', "caf\u00e9"]
    add = {"dname": "_txt", "ttl": 300, "record_type": "TXT", "data": values}
    for method in ("GET", "POST"):
        envelope = edit_call(alice, add=(add,), method=method)
        assert envelope["metadata"]["result"] == 1, envelope
    items = [i for i in payload(alice) if i["type"] == "record" and b64(i["dname_b64"]) == b"_txt"]
    assert len(items) == 2
    for item in items:
        assert [b64(d) for d in item["data_b64"]] == [v.encode("utf-8") for v in values]
    dump = alice.ok("dumpzone", {"domain": ZONE})["data"]["zone"][0]["record"]
    txt = next(r for r in dump if r.get("name") == f"_txt.{ZONE}.")
    assert txt["char_str_list"] == values and txt["txtdata"] == "".join(values)


def test_invalid_zone_file_detail(alice: Whm) -> None:
    www = record(alice, "www", "CNAME")
    add = {"dname": "www", "ttl": 300, "record_type": "A", "data": ["192.0.2.1"]}
    envelope = edit_call(alice, add=(add,))
    new_index = payload(alice)[-1]["line_index"] + 1
    assert envelope["data"]["type"] == "InvalidZoneFile"
    by_line = envelope["data"]["detail"]["by_line"]
    assert by_line == [[new_index, f"www.{ZONE}: CNAME and other data"]]
    assert reason(envelope) == f"The DNS zone file is invalid. (Line {new_index + 1}: www.{ZONE}: CNAME and other data)"
    assert record(alice, "www", "CNAME") == www  # nothing saved
    add_out = {"dname": "other.test.", "ttl": 300, "record_type": "A", "data": ["192.0.2.1"]}
    assert "ignoring out-of-zone data (other.test)" in reason(edit_call(alice, add=(add_out,)))


def test_soa_and_ns_rules(alice: Whm) -> None:
    soa = record(alice, f"{ZONE}.", "SOA")
    soa_data = [b64(d).decode() for d in soa["data_b64"]]
    add_soa = {"dname": f"{ZONE}.", "ttl": 300, "record_type": "SOA", "data": soa_data}
    # SOA is not on the add whitelist; turning another record into an SOA is refused too.
    assert reason(edit_call(alice, add=(add_soa,))).startswith("This interface cannot create “SOA” records.")
    www = record(alice, "www", "CNAME")["line_index"]
    assert reason(edit_call(alice, edit=(dict(add_soa, line_index=www, dname="www"),))) == (
        "API failure: (XID) Only one SOA record can exist in a given DNS zone."
    )
    assert reason(edit_call(alice, remove=(soa["line_index"],))) == (
        "API failure: (XID) Every DNS zone must contain an SOA record."
    )
    bad_serial = dict(add_soa, line_index=soa["line_index"], data=soa_data[:2] + ["2099010100"] + soa_data[3:])
    assert reason(edit_call(alice, edit=(bad_serial,))) == (
        "API failure: (XID) This system forbids direct updates to the SOA record’s serial number. Provide the old "
        f"serial number ({soa_data[2]}) instead, and the system will upate the serial number for you."
    )
    renamed = dict(add_soa, line_index=soa["line_index"], dname="other")
    assert reason(edit_call(alice, edit=(renamed,))) == "API failure: (XID) The SOA record’s name cannot change."
    retyped = dict(add_soa, line_index=soa["line_index"], record_type="TXT")
    assert reason(edit_call(alice, edit=(retyped,))) == "API failure: (XID) The SOA record’s type cannot change."
    # A valid SOA edit: the system bumps the serial itself.
    good = dict(add_soa, line_index=soa["line_index"], data=soa_data[:3] + ["7200"] + soa_data[4:])
    envelope = edit_call(alice, edit=(good,))
    assert str(envelope["data"]["new_serial"]) == str(int(soa_data[2]) + 1)
    assert [b64(d).decode() for d in record(alice, f"{ZONE}.", "SOA")["data_b64"]][3] == "7200"
    # Removing every original NS fails, even when a new NS is added in the same call.
    ns = [i["line_index"] for i in payload(alice) if i.get("record_type") == "NS"]
    add_ns = {"dname": f"{ZONE}.", "ttl": 86400, "record_type": "NS", "data": ["ns9.example.net."]}
    message = "API failure: (XID) Every DNS zone must contain at least one “NS” record."
    assert reason(edit_call(alice, remove=tuple(ns))) == message
    assert reason(edit_call(alice, add=(add_ns,), remove=tuple(ns))) == message
    assert edit_call(alice, add=(add_ns,), remove=(ns[0],))["metadata"]["result"] == 1


def test_line_rules(alice: Whm) -> None:
    www = record(alice, "www", "CNAME")["line_index"]
    edit = {"line_index": www, "dname": "www", "ttl": 60, "record_type": "CNAME", "data": ["x.example.net."]}
    assert reason(edit_call(alice, edit=(edit,), remove=(www,))) == (
        f"API failure: (XID) You submitted multiple edits for line index {www}. "
        "This interface forbids multiple edits per line."
    )
    assert reason(edit_call(alice, remove=(1,))) == (
        f"API failure: (XID) No record exists at line 1 in the “{ZONE}” DNS zone."
    )
    assert reason(edit_call(alice, remove=(4999,))) == (
        f"API failure: (XID) No record exists at line 4,999 in the “{ZONE}” DNS zone."
    )


def test_input_shape_failures(alice: Whm) -> None:
    good = {"dname": "a", "ttl": 300, "record_type": "A", "data": ["192.0.2.1"]}
    assert reason(edit_call(alice)) == "You must provide at least one change to the DNS zone."
    assert reason(edit_call(alice, remove=("x",))) == "Each “remove” must be a nonnegative integer."
    assert reason(edit_call(alice, remove=("-1",))) == "Each “remove” must be a nonnegative integer."
    assert reason(edit_call(alice, add=("[1]",))) == "Each “add” must be an object."
    assert reason(edit_call(alice, add=({"dname": "a"},))) == (
        "Each “add” requires “dname”, “ttl”, “record_type”, and “data”."
    )
    assert reason(edit_call(alice, edit=(good,))) == (
        "Each “edit” requires “line_index”, “dname”, “ttl”, “record_type”, and “data”."
    )
    assert reason(edit_call(alice, add=(dict(good, data="192.0.2.1"),))) == "“data” must be an array."
    assert reason(edit_call(alice, add=(dict(good, record_type="SSHFP"),))) == (
        "This interface cannot create “SSHFP” records. It can only create A, AAAA, AFSDB, CAA, CNAME, DNAME, DS, "
        "HINFO, LOC, MX, NAPTR, NS, PTR, RP, SRV, TLSA, and TXT records."
    )
    assert reason(whm_call(alice, [("serial", "1")])) == "API failure: (XID) Provide the “zone” parameter."
    assert reason(whm_call(alice, [("zone", ZONE)])) == "API failure: (XID) Provide the “serial” parameter."
    assert reason(whm_call(alice, [("zone", "missing.test"), ("serial", "1"), ("remove", "1")])) == (
        "API failure: (XID) This system does not have a domain named “missing.test”."
    )


def whm_call(whm: Whm, params: List[Tuple[str, str]]) -> Dict[str, Any]:
    return whm.call("mass_edit_dns_zone", params)


def test_record_validation(alice: Whm) -> None:
    def add(**fields: Any) -> str:
        item = {"dname": "x", "ttl": 300, "record_type": "A", "data": ["192.0.2.1"]}
        item.update(fields)
        return reason(edit_call(alice, add=(item,)))

    assert add(dname="@") == f"API failure: Contains a malformed DNS label: @.{ZONE}."
    assert add(dname="a.*") == f"API failure: Contains a malformed wildcard name: a.*.{ZONE}."
    assert add(ttl="1h") == "API failure: (XID) Time-To-Live (TTL) values must be positive integers, not “1h”."
    assert add(data=["192.0.2.300"]) == (
        f"API failure: (XID) “x.{ZONE}.\t300\tIN\tA\t192.0.2.300” does not form a valid DNS resource record. "
        "(Conversion error, ip4 addr expected)"
    )
    assert add(data=["192.0.2.\u00e9"]) == (
        "API failure: (XID) You gave “192.0.2.\u00e9” as “A” record data item #1. "
        "This value must contain only printable ASCII characters."
    )
    assert add(record_type="TXT", data=["x" * 256]).endswith("(Conversion error, string expected)")
    assert add(record_type="MX", data=["10"]) == "API failure: MX record values have exactly 2 parts, not 1."
    assert add(record_type="MX", data=["10", "192.0.2.1"]) == (
        "API failure: Invalid MX entry: Invalid DNS record: IP addresses are not allowable exchange values."
    )
    # The other record types.
    adds = [
        {"dname": "six", "ttl": 300, "record_type": "AAAA", "data": ["2001:DB8:0::1"]},
        {"dname": "alias", "ttl": 300, "record_type": "CNAME", "data": ["target.example.net."]},
        {"dname": f"{ZONE}.", "ttl": 300, "record_type": "MX", "data": ["10", "mx.example.net."]},
        {"dname": "_sip._tcp", "ttl": 300, "record_type": "SRV", "data": ["1", "2", "5060", "sip.example.net."]},
        {"dname": "caa", "ttl": 300, "record_type": "CAA", "data": ["0", "issue", "letsencrypt.org"]},
        {"dname": "sub", "ttl": 300, "record_type": "NS", "data": ["ns.example.net."]},
        {"dname": "ptr", "ttl": 300, "record_type": "PTR", "data": ["host.example.net."]},
        {"dname": "rel", "ttl": 300, "record_type": "CNAME", "data": ["www"]},
    ]
    assert edit_call(alice, add=tuple(adds))["metadata"]["result"] == 1
    assert [b64(d) for d in record(alice, "six", "AAAA")["data_b64"]] == [b"2001:db8::1"]
    assert [b64(d) for d in record(alice, "caa", "CAA")["data_b64"]] == [b"0", b"issue", b"letsencrypt.org"]
    assert [b64(d) for d in record(alice, "_sip._tcp", "SRV")["data_b64"]][3] == b"sip.example.net."
    assert [b64(d) for d in record(alice, "rel", "CNAME")["data_b64"]] == [f"www.{ZONE}.".encode()]
    dump = alice.ok("dumpzone", {"domain": ZONE})["data"]["zone"][0]["record"]
    caa = next(r for r in dump if r.get("name") == f"caa.{ZONE}.")
    assert (caa["type"], caa["flag"], caa["tag"], caa["value"]) == ("CAA", 0, "issue", "letsencrypt.org")


def test_legacy_edit_after_mass_edit_keeps_data(alice: Whm) -> None:
    add = {"dname": "multi", "ttl": 300, "record_type": "TXT", "data": ["first", "second"]}
    assert edit_call(alice, add=(add,))["metadata"]["result"] == 1
    alice.ok("addzonerecord", {"domain": ZONE, "name": "other", "type": "A", "address": "192.0.2.1"})
    assert [b64(d) for d in record(alice, "multi", "TXT")["data_b64"]] == [b"first", b"second"]


def test_two_writers_with_one_serial(alice: Whm) -> None:
    current = serial(alice)
    results: List[Dict[str, Any]] = []
    barrier = threading.Barrier(2)

    def writer(name: str) -> None:
        barrier.wait()
        add = {"dname": name, "ttl": 300, "record_type": "A", "data": ["192.0.2.1"]}
        results.append(edit_call(alice, add=(add,), serial_value=current))

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r["metadata"]["result"] for r in results) == [0, 1]
    loser = next(r for r in results if not r["metadata"]["result"])
    assert loser["data"] == {"type": "Stale", "detail": None}
    names = [b64(i["dname_b64"]) for i in payload(alice) if i["type"] == "record"]
    assert (b"one" in names) != (b"two" in names)


def test_500_record_zone_is_fast(alice: Whm) -> None:
    adds = tuple(
        {
            "dname": f"host{n}",
            "ttl": 300,
            "record_type": "TXT" if n % 2 else "A",
            "data": [f"v{n}" if n % 2 else "192.0.2.1"],
        }
        for n in range(500)
    )
    start = time.monotonic()
    assert edit_call(alice, add=adds, method="POST")["metadata"]["result"] == 1
    items = payload(alice)
    assert sum(1 for i in items if i["type"] == "record") > 500
    removes = tuple(i["line_index"] for i in items if i["type"] == "record" and b64(i["dname_b64"]).startswith(b"host"))
    edit = dict(adds[0], line_index=removes[0], data=["192.0.2.2"])
    assert edit_call(alice, edit=(edit,), remove=removes[1:250], method="POST")["metadata"]["result"] == 1
    before = sum(1 for i in items if i["type"] == "record")
    after = payload(alice)
    assert sum(1 for i in after if i["type"] == "record") == before - 249
    assert [b64(d) for d in record(alice, "host0", "A")["data_b64"]] == [b"192.0.2.2"]
    assert time.monotonic() - start < 10
