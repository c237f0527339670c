# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hosting.whm.plugins.modules import ssl_certificate_info
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run

NOW = 1780000000


def vhost(servername, user, names, not_after, **crt):
    record = {
        "servername": servername,
        "user": user,
        "ip": "192.0.2.10",
        "domains": sorted(names),
        "crt": {
            "id": f"{servername.replace('.', '_')}_x",
            "domains": crt.pop("domains", [servername, f"www.{servername}"]),
            "not_after": not_after,
            "not_before": NOW - 86400,
            "issuer.commonName": "Test Intermediate CA",
            "issuer.organizationName": "hosting.whm tests",
            "subject.commonName": {"commonName": servername},
            "is_self_signed": 0,
            "encryption_algorithm": "rsaEncryption",
        },
    }
    record["crt"].update(crt)
    return record


VHOSTS = [
    vhost("example.com", "one", ["example.com", "www.example.com", "shop.example.net"], NOW + 10 * 86400 + 5),
    vhost("example.org", "two", ["example.org", "www.example.org"], NOW - 86400, is_self_signed=1),
    vhost("blog.example.com", "one", ["blog.example.com"], NOW + 80 * 86400, domains=["*.example.com"]),
]


def listing():
    return Call("fetch_ssl_vhosts", {}, envelope("fetch_ssl_vhosts", data={"vhosts": VHOSTS}))


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr("ansible_collections.hosting.whm.plugins.module_utils._ssl.time.time", lambda: NOW)


def test_many_domains_one_read(monkeypatch):
    result = run(
        monkeypatch,
        ssl_certificate_info,
        {"domains": ["example.com", "SHOP.example.net", "missing.example.com", "example.org"]},
        [listing()],
    )
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is False
    certs = result["certificates"]
    assert [c["domain"] for c in certs] == ["example.com", "shop.example.net", "missing.example.com", "example.org"]
    assert certs[0]["installed"] is True
    assert certs[0]["certificate"]["days_to_expiry"] == 10
    assert certs[0]["certificate"]["subject_common_name"] == "example.com"
    assert certs[0]["covers_domain"] is True
    assert certs[1]["servername"] == "example.com"
    assert certs[1]["covers_domain"] is False
    assert certs[2] == {"domain": "missing.example.com", "installed": False}
    assert certs[3]["certificate"]["expired"] is True
    assert certs[3]["certificate"]["days_to_expiry"] == -1
    assert certs[3]["certificate"]["is_self_signed"] is True


def test_per_account(monkeypatch):
    result = run(monkeypatch, ssl_certificate_info, {"user": "one"}, [listing()])
    assert [c["domain"] for c in result["certificates"]] == ["blog.example.com", "example.com"]
    assert result["certificates"][0]["covers_domain"] is True


def test_all(monkeypatch):
    result = run(monkeypatch, ssl_certificate_info, {}, [listing()])
    assert len(result["certificates"]) == 3
    assert result["certificates"][0]["certificate"]["not_after"] == "2026-08-16T20:26:40Z"


def test_bad_domain_fails(monkeypatch):
    result = run(monkeypatch, ssl_certificate_info, {"domains": ["not a domain"]}, [listing()])
    assert result["failed"] is True
    assert result["msg"] == 'domains "not a domain" is not a valid domain name.'
