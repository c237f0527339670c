# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hosting.whm.plugins.modules import dns_zone
from ansible_collections.hosting.whm.tests.unit.plugins.module_utils.test_dns import rr, template_payload
from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_dns_record_set import read
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import HOST, Call, envelope, run


def listing(*zones):
    # listzones sends no data at all when there is no zone (dns_ssl_tokens.md 2.3).
    data = {"zone": [{"domain": zone, "zonefile": f"{zone}.db"} for zone in zones]} if zones else None
    return Call("listzones", {}, envelope("listzones", data=data))


@pytest.mark.parametrize("check_mode", [False, True])
def test_create_zone(monkeypatch, check_mode):
    calls = [listing("other.example")]
    if not check_mode:
        calls.append(
            Call(
                "adddns",
                {"domain": "example.com", "ip": "192.0.2.10", "trueowner": "bob", "template": "simple"},
                envelope("adddns", reason="Added example.com ok belonging to user bob"),
            )
        )
    args = {"zone": "Example.COM.", "ip": "192.0.2.10", "owner": "bob", "template": "simple"}
    result = run(monkeypatch, dns_zone, args, calls, check_mode=check_mode)
    assert result["failed"] is False
    assert result["changed"] is True
    after = {"zone": "example.com", "ip": "192.0.2.10", "owner": "bob", "template": "simple"}
    assert result["diff"] == {"before": {}, "after": after}
    assert result["zone"] == after


def test_existing_zone_is_never_recreated(monkeypatch):
    # adddns as root would replace the zone with a fresh template (dns_ssl_tokens.md 2.1).
    result = run(monkeypatch, dns_zone, {"zone": "example.com", "ip": "192.0.2.99"}, [listing("example.com")])
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]


def test_create_needs_an_ip(monkeypatch):
    result = run(monkeypatch, dns_zone, {"zone": "example.com"}, [listing()])
    assert result["failed"] is True
    assert result["msg"] == (
        "ip is required to create the zone example.com (adddns needs the IPv4 address of the domain)."
    )
    assert [call[0] for call in result["_calls"]] == ["listzones"]


@pytest.mark.parametrize(
    "args, message",
    [
        ({"zone": "example.com", "ip": "2001:db8::1"}, "ip must be an IPv4 address, not '2001:db8::1'."),
        ({"zone": "example.com", "ip": "192.0.2.1", "ipv6": "192.0.2.1"}, "ipv6 must be an IPv6 address"),
        ({"zone": "bad_zone!", "ip": "192.0.2.1"}, "The zone name 'bad_zone!' is not a valid DNS name"),
    ],
)
def test_bad_input_before_any_call(monkeypatch, args, message):
    result = run(monkeypatch, dns_zone, args, [])
    assert result["failed"] is True
    assert result["msg"].startswith(message)
    assert result["_calls"] == []


def test_adddns_refusal(monkeypatch):
    refusal = envelope("adddns", result=0, reason="Sorry, the domain example.com is owned by another user (alice)")
    calls = [listing(), Call("adddns", None, refusal)]
    result = run(monkeypatch, dns_zone, {"zone": "example.com", "ip": "192.0.2.10"}, calls)
    assert result["failed"] is True
    assert result["msg"] == (
        f"WHM API function adddns failed for zone example.com on {HOST}:2087: "
        "Sorry, the domain example.com is owned by another user (alice)"
    )


@pytest.mark.parametrize("check_mode", [False, True])
def test_remove_zone(monkeypatch, check_mode):
    calls = [listing("example.com")]
    if not check_mode:
        calls.append(Call("killdns", {"domain": "example.com"}, envelope("killdns", reason="Zones Removed")))
    result = run(monkeypatch, dns_zone, {"zone": "example.com", "state": "absent"}, calls, check_mode=check_mode)
    assert result["changed"] is True
    assert result["diff"] == {"before": {"zone": "example.com"}, "after": {}}


def test_remove_missing_zone_does_nothing(monkeypatch):
    # killdns would answer success anyway (2.2); the module does not even call it.
    result = run(monkeypatch, dns_zone, {"zone": "example.com", "state": "absent"}, [listing("example.org")])
    assert result["changed"] is False


def test_killdns_refusal_names_the_reason(monkeypatch):
    refusal = envelope(
        "killdns",
        result=0,
        reason="API failure: (XID x) You cannot remove the domain \u201cexample.com\u201d because it is still "
        "configured for HTTP use on the \u201cbob\u201d account.",
    )
    calls = [listing("example.com"), Call("killdns", {"domain": "example.com"}, refusal)]
    result = run(monkeypatch, dns_zone, {"zone": "example.com", "state": "absent"}, calls)
    assert result["failed"] is True
    assert result["msg"].startswith("WHM API function killdns failed for zone example.com on ")
    assert "still configured for HTTP use" in result["msg"]


def test_reset_reports_a_change_when_records_differ(monkeypatch):
    custom = template_payload(extra=[rr(16, "custom", 300, "A", "192.0.2.50")])
    calls = [
        listing("example.com"),
        read(custom),
        Call("resetzone", {"domain": "example.com"}, envelope("resetzone")),
        read(template_payload(serial="2026112801")),
    ]
    result = run(monkeypatch, dns_zone, {"zone": "example.com", "reset": True}, calls)
    assert result["changed"] is True
    assert "custom.example.com. 300 IN A 192.0.2.50" in result["diff"]["before"]["records"]
    assert "custom.example.com. 300 IN A 192.0.2.50" not in result["diff"]["after"]["records"]
    assert result["zone"] == {"zone": "example.com", "serial": "2026112801"}


def test_reset_of_a_template_zone_is_no_change(monkeypatch):
    calls = [
        listing("example.com"),
        read(),
        Call("resetzone", {"domain": "example.com"}, envelope("resetzone")),
        read(template_payload(serial="2026112801")),
    ]
    result = run(monkeypatch, dns_zone, {"zone": "example.com", "reset": True}, calls)
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]


def test_reset_in_check_mode_only_reads(monkeypatch):
    calls = [listing("example.com"), read()]
    result = run(monkeypatch, dns_zone, {"zone": "example.com", "reset": True}, calls, check_mode=True)
    assert result["changed"] is True
