# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.hosting.whm.plugins.modules import dns_zone_info
from ansible_collections.hosting.whm.tests.unit.plugins.module_utils.test_dns import SERIAL, rr, template_payload
from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_dns_record_set import read
from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_dns_record_sets import two_zone_batch
from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_dns_zone import listing
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import run

EXTRA = [
    rr(16, "_sip._tcp", 300, "SRV", "0", "5", "5060", "sip.example.com."),
    rr(17, "example.com.", 300, "CAA", "0", "issue", "letsencrypt.org"),
    rr(18, "big", 300, "TXT", "a" * 255, "b+%"),
    rr(19, "example.com.", 14400, "MX", "10", "mx2.example.net."),
]


def test_relative_names(monkeypatch):
    payload = template_payload(extra=EXTRA)
    result = run(monkeypatch, dns_zone_info, {"zones": ["Example.com"]}, [listing("example.com"), read(payload)])
    assert result["changed"] is False
    [zone] = result["zones"]
    assert zone["zone"] == "example.com" and zone["exists"] is True and zone["serial"] == SERIAL
    records = [(r["name"], r["type"], r["ttl"], r["value"]) for r in zone["records"]]
    assert records[0] == (
        "@",
        "SOA",
        86400,
        f"ns1.example.net. hostmaster.example.net. {SERIAL} 3600 1800 1209600 86400",
    )
    assert records[1:] == [
        ("@", "NS", 86400, "ns1.example.net"),
        ("@", "NS", 86400, "ns2.example.net"),
        ("@", "A", 14400, "192.0.2.10"),
        ("@", "MX", 14400, "0 example.com"),
        ("mail", "CNAME", 14400, "example.com"),
        ("www", "CNAME", 14400, "example.com"),
        ("@", "TXT", 14400, "v=spf1 +a +mx -all"),
        ("_sip._tcp", "SRV", 300, "0 5 5060 sip.example.com"),
        ("@", "CAA", 300, '0 issue "letsencrypt.org"'),
        ("big", "TXT", 300, "a" * 255 + "b+%"),
        ("@", "MX", 14400, "10 mx2.example.net"),
    ]
    mx = [s for s in zone["record_sets"] if s["type"] == "MX"]
    assert mx == [{"name": "@", "type": "MX", "ttl": 14400, "values": ["0 example.com", "10 mx2.example.net"]}]


def test_fqdn_names_and_missing_zones(monkeypatch):
    calls = [listing("example.com", "example.org"), read()]
    args = {"zones": ["example.com", "missing.example"], "names": "fqdn"}
    result = run(monkeypatch, dns_zone_info, args, calls, check_mode=True)
    present, missing = result["zones"]
    assert {r["name"] for r in present["records"]} == {"example.com", "mail.example.com", "www.example.com"}
    assert missing == {"zone": "missing.example", "exists": False, "serial": None, "records": [], "record_sets": []}


def test_every_zone_when_none_named_in_one_batch_of_reads(monkeypatch):
    calls = [listing("example.com", "example.org"), two_zone_batch()]
    result = run(monkeypatch, dns_zone_info, {}, calls, check_mode=True)
    assert [z["zone"] for z in result["zones"]] == ["example.com", "example.org"]
    assert [function for function, dummy in result["_calls"]] == ["listzones", "batch"]
