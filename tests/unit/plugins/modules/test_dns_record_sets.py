# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.hosting.whm.plugins.modules import dns_record_sets
from ansible_collections.hosting.whm.tests.unit.plugins.module_utils.test_dns import SERIAL, rr, template_payload
from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_dns_record_set import (
    NEW_SERIAL,
    add,
    mass_edit,
    read,
    stale,
)
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run

DECLARED = [
    {"name": "@", "type": "NS", "values": ["ns1.example.net", "ns2.example.net"]},
    {"name": "@", "type": "A", "values": ["192.0.2.10"]},
    {"name": "www", "type": "CNAME", "value": "example.com"},
    {"name": "api", "type": "AAAA", "ttl": 300, "values": ["2001:db8::10"]},
    {"name": "mail", "type": "CNAME", "state": "absent"},
]


@pytest.mark.parametrize("check_mode", [False, True])
def test_one_read_and_one_write_for_the_zone(monkeypatch, check_mode):
    calls = [read()]
    if not check_mode:
        calls.append(
            mass_edit(
                [
                    ("zone", "example.com"),
                    ("serial", SERIAL),
                    ("add-0", add({"dname": "api", "ttl": 300, "record_type": "AAAA", "data": ["2001:db8::10"]})),
                    ("remove-0", "13"),
                ]
            )
        )
    result = run(
        monkeypatch, dns_record_sets, {"zone": "example.com", "record_sets": DECLARED}, calls, check_mode=check_mode
    )
    assert result["failed"] is False
    assert result["changed"] is True
    assert [(s["name"], s["type"], s["changed"]) for s in result["record_sets"]] == [
        ("example.com", "NS", False),
        ("example.com", "A", False),
        ("www.example.com", "CNAME", False),
        ("api.example.com", "AAAA", True),
        ("mail.example.com", "CNAME", True),
    ]
    before = result["diff"]["before"]["example.com"]
    after = result["diff"]["after"]["example.com"]
    assert "mail.example.com. 14400 IN CNAME example.com" in before
    assert "mail.example.com. 14400 IN CNAME example.com" not in after
    assert "api.example.com. 300 IN AAAA 2001:db8::10" in after
    assert result["zones"] == [
        {"zone": "example.com", "changed": True, "serial": SERIAL if check_mode else str(NEW_SERIAL)}
    ]


def test_nothing_to_do_is_one_read(monkeypatch):
    payload = template_payload(extra=[rr(16, "api", 300, "AAAA", "2001:db8::10")])
    payload = [item for item in payload if item.get("line_index") != 13]  # mail is already gone
    declared = [dict(element, zone="EXAMPLE.com.") for element in DECLARED]
    result = run(monkeypatch, dns_record_sets, {"record_sets": declared}, [read(payload)])
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]
    assert len(result["_calls"]) == 1


def test_prune_removes_undeclared_sets_but_not_soa(monkeypatch):
    payload = template_payload(extra=[rr(16, "old", 300, "A", "192.0.2.5"), rr(17, "@", 300, "DS", "1", "2", "3")])
    declared = [element for element in DECLARED if element["type"] != "AAAA"]
    declared.append({"name": "@", "type": "MX", "values": ["0 example.com"]})
    declared.append({"name": "@", "type": "TXT", "values": ["v=spf1 +a +mx -all"]})
    calls = [
        read(payload),
        mass_edit([("zone", "example.com"), ("serial", SERIAL), ("remove-0", "13"), ("remove-1", "16")]),
    ]
    result = run(monkeypatch, dns_record_sets, {"zone": "example.com", "prune": True, "record_sets": declared}, calls)
    assert result["changed"] is True
    pruned = [(s["name"], s["type"]) for s in result["record_sets"] if s["pruned"]]
    assert pruned == [("old.example.com", "A")]


def test_prune_with_an_empty_list_keeps_one_ns(monkeypatch):
    removed = ["10", "11", "12", "13", "14", "15"]
    calls = [
        read(),
        mass_edit(
            [("zone", "example.com"), ("serial", SERIAL)] + [(f"remove-{i}", line) for i, line in enumerate(removed)]
        ),
    ]
    result = run(monkeypatch, dns_record_sets, {"zone": "example.com", "prune": True, "record_sets": []}, calls)
    assert result["changed"] is True
    assert "example.com. 86400 IN NS ns1.example.net" in result["diff"]["after"]["example.com"]


def two_zone_batch() -> Call:
    """One WHM batch request reading example.com and example.org."""
    return Call(
        "batch",
        [
            ("command-0", "parse_dns_zone?api.version=1&zone=example.com"),
            ("command-1", "parse_dns_zone?api.version=1&zone=example.org"),
        ],
        envelope(
            "batch",
            data={
                "result": [
                    envelope("parse_dns_zone", data={"payload": template_payload("example.com")}),
                    envelope("parse_dns_zone", data={"payload": template_payload("example.org")}),
                ]
            },
        ),
    )


def test_two_zones_read_in_one_batch_and_written_once_each(monkeypatch):
    declared = [
        {"zone": "example.com", "name": "www2", "type": "A", "values": ["192.0.2.20"]},
        {"zone": "example.org", "name": "www2", "type": "A", "values": ["192.0.2.30"]},
    ]
    batch = two_zone_batch()
    calls = [
        batch,
        mass_edit(
            [
                ("zone", "example.com"),
                ("serial", SERIAL),
                ("add-0", add({"dname": "www2", "ttl": 14400, "record_type": "A", "data": ["192.0.2.20"]})),
            ]
        ),
        mass_edit(
            [
                ("zone", "example.org"),
                ("serial", SERIAL),
                ("add-0", add({"dname": "www2", "ttl": 14400, "record_type": "A", "data": ["192.0.2.30"]})),
            ]
        ),
    ]
    result = run(monkeypatch, dns_record_sets, {"record_sets": declared}, calls)
    assert result["changed"] is True
    assert [z["zone"] for z in result["zones"]] == ["example.com", "example.org"]


def test_check_mode_reads_zones_in_one_batch_of_reads(monkeypatch):
    declared = [
        {"zone": "example.com", "name": "www2", "type": "A", "values": ["192.0.2.20"]},
        {"zone": "example.org", "name": "www2", "type": "A", "values": ["192.0.2.30"]},
    ]
    # The scripted session refuses any batch with a non-read sub-command in check mode.
    calls = [two_zone_batch()]
    result = run(monkeypatch, dns_record_sets, {"record_sets": declared}, calls, check_mode=True)
    assert result["changed"] is True
    assert [function for function, dummy in result["_calls"]] == ["batch"]


def test_stale_rereads_only_that_zone(monkeypatch):
    declared = [{"name": "www2", "type": "A", "values": ["192.0.2.20"]}]
    sent = add({"dname": "www2", "ttl": 14400, "record_type": "A", "data": ["192.0.2.20"]})
    calls = [
        read(),
        mass_edit([("zone", "example.com"), ("serial", SERIAL), ("add-0", sent)], stale()),
        read(template_payload(serial="2026112801", extra=[rr(16, "www2", 14400, "A", "192.0.2.20")])),
    ]
    result = run(monkeypatch, dns_record_sets, {"zone": "example.com", "record_sets": declared}, calls)
    # The other writer made the same change: nothing left to do after the re-read.
    assert result["failed"] is False
    assert result["changed"] is False


def test_five_hundred_records_in_one_write(monkeypatch):
    declared = [{"name": f"host{i}", "type": "A", "values": [f"10.0.{i // 250}.{i % 250}"]} for i in range(500)]
    calls = [read(), Call("mass_edit_dns_zone", None, envelope("mass_edit_dns_zone", data={"new_serial": 1}))]
    result = run(monkeypatch, dns_record_sets, {"zone": "example.com", "record_sets": declared}, calls)
    assert result["changed"] is True
    sent = result["_calls"][1][1]
    adds = [json.loads(value) for key, value in sent if key.startswith("add-")]
    assert len(adds) == 500
    assert adds[499] == {"dname": "host499", "ttl": 14400, "record_type": "A", "data": ["10.0.1.249"]}


@pytest.mark.parametrize(
    "args, message",
    [
        (
            {"record_sets": [{"name": "@", "type": "A", "values": ["192.0.2.1"]}]},
            "record_sets[0]: Without zone, name must be the fully qualified name",
        ),
        (
            {
                "record_sets": [
                    {"name": "www.example.com", "type": "A", "values": ["192.0.2.1"]},
                    {"name": "www.example.org", "type": "A", "values": ["192.0.2"]},
                ]
            },
            "record_sets[1]: '192.0.2' is not a valid IPv4 address.",
        ),
        (
            {"zone": "example.com", "record_sets": [{"name": "www", "type": "A", "values": ["1.2.3"]}]},
            "record_sets[0]: '1.2.3' is not a valid IPv4 address.",
        ),
        (
            {"zone": "example.com", "record_sets": [{"name": "a", "type": "A", "values": ["192.0.2.1"], "tll": 5}]},
            "record_sets[0]: unsupported option(s) tll.",
        ),
        (
            {
                "zone": "example.com",
                "record_sets": [
                    {"name": "www", "type": "A", "values": ["192.0.2.1"]},
                    {"name": "WWW.example.com.", "type": "A", "values": ["192.0.2.2"]},
                ],
            },
            "record_sets[1]: the A record set www.example.com is already declared by record_sets[0].",
        ),
        ({"zone": "example.com", "record_sets": [{"type": "A", "values": ["192.0.2.1"]}]}, "record_sets[0]: name is"),
    ],
)
def test_every_element_is_checked_before_any_call(monkeypatch, args, message):
    result = run(monkeypatch, dns_record_sets, args, [])
    assert result["failed"] is True
    assert result["msg"].startswith(message)
    assert result["_calls"] == []


def test_a_missing_zone_in_the_batch_read_is_named_before_any_write(monkeypatch):
    declared = [
        {"zone": "example.com", "name": "www2", "type": "A", "values": ["192.0.2.20"]},
        {"zone": "missing.example", "name": "www2", "type": "A", "values": ["192.0.2.30"]},
    ]
    missing = envelope(
        "parse_dns_zone",
        result=0,
        reason="API failure: (XID q1) This system does not have a domain named \u201cmissing.example\u201d.",
    )
    batch = Call(
        "batch",
        None,
        envelope(
            "batch",
            result=0,
            reason="A batch command failed.",
            data={"result": [envelope("parse_dns_zone", data={"payload": template_payload()}), missing]},
        ),
    )
    result = run(monkeypatch, dns_record_sets, {"record_sets": declared}, [batch])
    assert result["failed"] is True
    assert result["msg"] == (
        "WHM API function parse_dns_zone failed for zone missing.example on whm.example.com:2087: "
        "API failure: (XID q1) This system does not have a domain named \u201cmissing.example\u201d."
    )
    assert [call[0] for call in result["_calls"]] == ["batch"]


def test_elements_without_zone_go_into_the_zone_that_holds_them(monkeypatch):
    from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_dns_zone import listing

    declared = [
        {"name": "_acme-challenge.shop.example.co.uk.", "type": "TXT", "values": ["token+1"]},
        {"name": "web.example.co.uk", "type": "A", "values": ["192.0.2.5"]},
    ]
    sent = [
        add({"dname": "_acme-challenge.shop", "ttl": 14400, "record_type": "TXT", "data": ["token+1"]}),
        add({"dname": "web", "ttl": 14400, "record_type": "A", "data": ["192.0.2.5"]}),
    ]
    calls = [
        listing("co.uk.example.net", "example.co.uk", "other.example"),
        read(template_payload("example.co.uk"), zone="example.co.uk"),
        mass_edit([("zone", "example.co.uk"), ("serial", SERIAL), ("add-0", sent[0]), ("add-1", sent[1])]),
    ]
    result = run(monkeypatch, dns_record_sets, {"record_sets": declared}, calls)
    assert result["failed"] is False
    assert [s["name"] for s in result["record_sets"]] == ["_acme-challenge.shop.example.co.uk", "web.example.co.uk"]


def test_no_zone_holds_the_name(monkeypatch):
    from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_dns_zone import listing

    declared = [{"name": "www.example.net", "type": "A", "values": ["192.0.2.5"]}]
    result = run(monkeypatch, dns_record_sets, {"record_sets": declared}, [listing("example.com")])
    assert result["failed"] is True
    assert result["msg"] == (
        "record_sets[0]: No DNS zone on the server holds www.example.net; create the zone or give zone."
    )
