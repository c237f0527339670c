# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest
from ansible.module_utils import basic
from requests.exceptions import ReadTimeout

from ansible_collections.hosting.whm.plugins.modules import dns_record_set
from ansible_collections.hosting.whm.tests.unit.plugins.module_utils.test_dns import SERIAL, rr, template_payload
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import HOST, Call, envelope, run

NEW_SERIAL = 2026112801


def read(payload=None, zone="example.com"):
    return Call(
        "parse_dns_zone",
        {"zone": zone},
        envelope("parse_dns_zone", data={"payload": payload if payload is not None else template_payload(zone)}),
    )


def mass_edit(params, response=None):
    return Call(
        "mass_edit_dns_zone",
        params,
        response if response is not None else envelope("mass_edit_dns_zone", data={"new_serial": NEW_SERIAL}),
    )


# WHM's Stale answer (Cpanel::ZoneFile::LineEdit, dns_ssl_tokens.md 2.13).
def stale(given=SERIAL, actual="2026112801"):
    return envelope(
        "mass_edit_dns_zone",
        result=0,
        reason=(
            f"The given serial number ({given}) does not match the DNS zone\u2019s serial number ({actual}). "
            "Refresh your view of the DNS zone, then resubmit."
        ),
        data={"type": "Stale", "detail": None},
    )


def add(obj):
    return json.dumps(obj, separators=(",", ":"))


WWW2 = {"zone": "example.com", "name": "www2", "type": "A", "values": ["192.0.2.20"], "ttl": 300}
WWW2_ADD = add({"dname": "www2", "ttl": 300, "record_type": "A", "data": ["192.0.2.20"]})


@pytest.mark.parametrize("check_mode", [False, True])
def test_create_a_record_set(monkeypatch, check_mode):
    calls = [read()]
    if not check_mode:
        calls.append(mass_edit([("zone", "example.com"), ("serial", SERIAL), ("add-0", WWW2_ADD)]))
    result = run(monkeypatch, dns_record_set, WWW2, calls, check_mode=check_mode)
    assert result["failed"] is False
    assert result["changed"] is True
    assert result["diff"] == {
        "before": {},
        "after": {"zone": "example.com", "name": "www2.example.com", "type": "A", "ttl": 300, "values": ["192.0.2.20"]},
    }
    assert result["record_set"] == result["diff"]["after"]
    assert result["zone_serial"] == (SERIAL if check_mode else str(NEW_SERIAL))


def test_second_run_reads_once_and_writes_nothing(monkeypatch):
    payload = template_payload(extra=[rr(16, "www2", 300, "A", "192.0.2.20")])
    args = dict(WWW2, name="WWW2.Example.com.")
    result = run(monkeypatch, dns_record_set, args, [read(payload)])
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]
    assert len(result["_calls"]) == 1


@pytest.mark.parametrize("name", ["@", "", "example.com", "example.com.", "EXAMPLE.COM"])
def test_apex_in_every_spelling_goes_out_as_the_zone_fqdn(monkeypatch, name):
    args = {"zone": "example.com", "name": name, "type": "A", "values": ["192.0.2.99"]}
    edit = add({"line_index": 11, "dname": "example.com.", "ttl": 14400, "record_type": "A", "data": ["192.0.2.99"]})
    calls = [read(), mass_edit([("zone", "example.com"), ("serial", SERIAL), ("edit-0", edit)])]
    result = run(monkeypatch, dns_record_set, args, calls)
    assert result["changed"] is True
    assert result["diff"]["before"]["values"] == ["192.0.2.10"]
    assert result["diff"]["after"]["name"] == "example.com"


def test_dkim_txt_with_plus_and_percent_and_long_value(monkeypatch):
    key = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + "x+Y/z%2B" * 40
    value = "v=DKIM1; k=rsa; p=" + key
    args = {"zone": "example.com", "name": "default._domainkey", "type": "TXT", "values": [value]}
    chunks = [value[0:255], value[255:]]
    calls = [
        read(),
        mass_edit(
            [
                ("zone", "example.com"),
                ("serial", SERIAL),
                ("add-0", add({"dname": "default._domainkey", "ttl": 14400, "record_type": "TXT", "data": chunks})),
            ]
        ),
    ]
    result = run(monkeypatch, dns_record_set, args, calls)
    assert result["changed"] is True
    sent = dict(result["_calls"][1][1])["add-0"]
    assert "".join(json.loads(sent)["data"]) == value

    # Read back as WHM stores it (two character-strings): nothing to do.
    stored = template_payload(extra=[rr(16, "default._domainkey", 14400, "TXT", *chunks)])
    again = run(monkeypatch, dns_record_set, args, [read(stored)])
    assert again["changed"] is False


def test_stale_serial_is_reread_replanned_and_retried(monkeypatch):
    # Another writer added www2 with another address between our read and write.
    moved = template_payload(serial="2026112801", extra=[rr(16, "www2", 300, "A", "192.0.2.77")])
    edit = add({"line_index": 16, "dname": "www2", "ttl": 300, "record_type": "A", "data": ["192.0.2.20"]})
    calls = [
        read(),
        mass_edit([("zone", "example.com"), ("serial", SERIAL), ("add-0", WWW2_ADD)], stale()),
        read(moved),
        mass_edit([("zone", "example.com"), ("serial", "2026112801"), ("edit-0", edit)]),
    ]
    result = run(monkeypatch, dns_record_set, WWW2, calls)
    assert result["failed"] is False
    assert result["changed"] is True
    assert result["diff"]["before"]["values"] == ["192.0.2.77"]


def test_stale_every_time_fails_naming_the_conflict(monkeypatch):
    attempt = [read(), mass_edit([("zone", "example.com"), ("serial", SERIAL), ("add-0", WWW2_ADD)], stale())]
    calls = attempt * 5
    result = run(monkeypatch, dns_record_set, WWW2, calls)
    assert result["failed"] is True
    assert result["msg"] == (
        f"WHM API function mass_edit_dns_zone failed for zone example.com on {HOST}:2087: "
        f"The given serial number ({SERIAL}) does not match the DNS zone\u2019s serial number (2026112801). "
        "Refresh your view of the DNS zone, then resubmit. (another writer changed the zone 5 times while this task "
        "was editing it; nothing was written, run it again)"
    )
    assert [call[0] for call in result["_calls"]] == ["parse_dns_zone", "mass_edit_dns_zone"] * 5


def test_whm_refusal_names_function_zone_and_reason(monkeypatch):
    refusal = envelope(
        "mass_edit_dns_zone",
        result=0,
        reason="The DNS zone file is invalid. (Line 17: bad owner name)",
        data={"type": "InvalidZoneFile", "detail": {"by_line": [[16, "bad owner name"]]}},
    )
    calls = [read(), mass_edit([("zone", "example.com"), ("serial", SERIAL), ("add-0", WWW2_ADD)], refusal)]
    result = run(monkeypatch, dns_record_set, WWW2, calls)
    assert result["failed"] is True
    assert result["msg"] == (
        f"WHM API function mass_edit_dns_zone failed for zone example.com on {HOST}:2087: "
        "The DNS zone file is invalid. (Line 17: bad owner name)"
    )
    assert result["function"] == "mass_edit_dns_zone"


def test_missing_zone(monkeypatch):
    missing = envelope(
        "parse_dns_zone",
        result=0,
        reason="API failure: (XID abc123) This system does not have a domain named \u201cnope.example\u201d.",
    )
    result = run(monkeypatch, dns_record_set, dict(WWW2, zone="nope.example"), [Call("parse_dns_zone", None, missing)])
    assert result["failed"] is True
    assert result["msg"].startswith("WHM API function parse_dns_zone failed for zone nope.example on ")


@pytest.mark.parametrize(
    "args, message",
    [
        (dict(WWW2, values=["300.1.1.1"]), "'300.1.1.1' is not a valid IPv4 address."),
        (dict(WWW2, name="www.example.org."), "The record name 'www.example.org.' is outside the zone example.com."),
        (dict(WWW2, type="MX", values=["mail.example.com"]), "An MX value is 'PREFERENCE HOST'"),
        (dict(WWW2, values=[]), "values must list at least one value when state is present."),
    ],
)
def test_bad_input_fails_before_any_call(monkeypatch, args, message):
    result = run(monkeypatch, dns_record_set, args, [])
    assert result["failed"] is True
    assert message in result["msg"]
    assert result["_calls"] == []


def test_keep_and_fail_fails_after_the_read_without_writing(monkeypatch):
    args = {"zone": "example.com", "name": "www", "type": "CNAME", "values": ["x.example.net"]}
    result = run(monkeypatch, dns_record_set, dict(args, on_existing="keep_and_fail"), [read()])
    assert result["failed"] is True
    assert result["msg"].startswith("The CNAME record set www.example.com already exists with different values")
    assert [call[0] for call in result["_calls"]] == ["parse_dns_zone"]


def test_keep_and_warn(monkeypatch):
    seen = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning, **kwargs: seen.append(warning))
    args = {"zone": "example.com", "name": "www", "type": "CNAME", "values": ["x.example.net"]}
    result = run(monkeypatch, dns_record_set, dict(args, on_existing="keep_and_warn"), [read()])
    assert result["changed"] is False
    assert seen == [
        "The CNAME record set www.example.com already exists with different values or TTL; "
        "set on_existing=replace to replace it. It was kept."
    ]


@pytest.mark.parametrize("check_mode", [False, True])
def test_absent_removes_by_value_not_by_line(monkeypatch, check_mode):
    # The record moved to another line since the zone was written: it is found by name, type and value.
    payload = template_payload(extra=[rr(40, "old", 300, "A", "192.0.2.5")])
    calls = [read(payload)]
    if not check_mode:
        calls.append(mass_edit([("zone", "example.com"), ("serial", SERIAL), ("remove-0", "40")]))
    args = {"zone": "example.com", "name": "old", "type": "A", "state": "absent"}
    result = run(monkeypatch, dns_record_set, args, calls, check_mode=check_mode)
    assert result["changed"] is True
    assert result["diff"] == {
        "before": {"zone": "example.com", "name": "old.example.com", "type": "A", "ttl": 300, "values": ["192.0.2.5"]},
        "after": {},
    }


def test_absent_when_missing_changes_nothing(monkeypatch):
    args = {"zone": "example.com", "name": "old", "type": "A", "state": "absent"}
    result = run(monkeypatch, dns_record_set, args, [read()])
    assert result["changed"] is False
    assert result["diff"] == {"before": {}, "after": {}}


def test_idn_zone_and_targets(monkeypatch):
    zone = "xn--bcher-kva.example"
    args = {"zone": "bücher.example", "name": "shop", "type": "CNAME", "values": ["Laden.Bücher.example."]}
    sent = add({"dname": "shop", "ttl": 14400, "record_type": "CNAME", "data": ["laden.xn--bcher-kva.example."]})
    calls = [read(zone=zone), mass_edit([("zone", zone), ("serial", SERIAL), ("add-0", sent)])]
    result = run(monkeypatch, dns_record_set, args, calls)
    assert result["changed"] is True
    assert result["record_set"]["name"] == "shop.xn--bcher-kva.example"


def test_mx_srv_caa_compare_in_canonical_form(monkeypatch):
    payload = template_payload(
        extra=[
            rr(16, "_sip._tcp", 14400, "SRV", "0", "5", "5060", "sip.example.com."),
            rr(17, "example.com.", 14400, "CAA", "0", "issue", "letsencrypt.org"),
        ]
    )
    for args in (
        {"name": "@", "type": "MX", "values": ["0 Example.COM."]},
        {"name": "_sip._tcp.example.com", "type": "SRV", "values": ["0 5 5060 sip.example.com"]},
        {"name": "", "type": "CAA", "values": ["0 issue letsencrypt.org"]},
    ):
        result = run(monkeypatch, dns_record_set, dict(args, zone="example.com"), [read(payload)])
        assert result["changed"] is False, args


@pytest.mark.parametrize("applied", [True, False])
def test_lost_answer_is_settled_by_reading_again(monkeypatch, applied):
    seen = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning, **kwargs: seen.append(warning))
    calls = [
        read(),
        Call("mass_edit_dns_zone", check_params=False, raises=ReadTimeout("read timed out")),
    ]
    if applied:
        calls.append(read(template_payload(serial="2026112801", extra=[rr(16, "www2", 300, "A", "192.0.2.20")])))
    else:
        # Not applied: the serial did not move, so sending it again cannot apply it twice.
        calls += [read(), mass_edit([("zone", "example.com"), ("serial", SERIAL), ("add-0", WWW2_ADD)])]
    result = run(monkeypatch, dns_record_set, WWW2, calls)
    assert result["failed"] is False
    assert result["changed"] is True
    assert len(seen) == 1
    assert "timed out" in seen[0] and "the zone example.com was read again to settle it" in seen[0]


def test_zone_found_from_a_subdomain_name(monkeypatch):
    from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_dns_zone import listing

    args = {"name": "_acme-challenge.Shop.Example.co.uk", "type": "TXT", "values": ["abc+def"]}
    sent = add({"dname": "_acme-challenge.shop", "ttl": 14400, "record_type": "TXT", "data": ["abc+def"]})
    calls = [
        listing("co.uk", "example.co.uk", "shop.example.co.uk.example"),
        read(template_payload("example.co.uk"), zone="example.co.uk"),
        mass_edit([("zone", "example.co.uk"), ("serial", SERIAL), ("add-0", sent)]),
    ]
    result = run(monkeypatch, dns_record_set, args, calls)
    assert result["changed"] is True
    assert result["record_set"]["zone"] == "example.co.uk"


def test_without_zone_bad_values_fail_before_any_call(monkeypatch):
    args = {"name": "www.example.com", "type": "MX", "values": ["mail.example.com"]}
    result = run(monkeypatch, dns_record_set, args, [])
    assert result["failed"] is True
    assert result["msg"].startswith("An MX value is 'PREFERENCE HOST'")
    assert result["_calls"] == []
