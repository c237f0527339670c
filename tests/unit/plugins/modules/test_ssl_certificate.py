# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest
from ansible.module_utils import basic

from ansible_collections.hosting.whm.plugins.modules import ssl_certificate
from ansible_collections.hosting.whm.tests.unit.plugins.module_utils.test_ssl import pki, rewrap
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    # The test certificates are dated around a fixed day.
    monkeypatch.setattr("ansible_collections.hosting.whm.plugins.module_utils._ssl.time.time", lambda: pki().now)


def components(servername, *records):
    params = [
        ("api.filter.enable", "1"),
        ("api.filter.a.field", "servername"),
        ("api.filter.a.type", "eq"),
        ("api.filter.a.arg0", servername),
    ]
    return Call(
        "fetch_vhost_ssl_components", params, envelope("fetch_vhost_ssl_components", data={"components": list(records)})
    )


def component(certificate, key, cabundle=None, servername="example.com"):
    return {
        "servername": servername,
        "certificate": certificate,
        "key": key,
        "cabundle": cabundle,
        "certificate_id": "example_com_x",
        "key_id": "x",
        "cabundle_id": None,
    }


def vhosts(*records):
    return Call("fetch_ssl_vhosts", {}, envelope("fetch_ssl_vhosts", data={"vhosts": list(records)}))


def installssl(action="install", servername="example.com"):
    p = pki()
    data = {
        "status": 1,
        "action": action,
        "domain": "example.com",
        "servername": servername,
        "user": "example",
        "ip": "192.0.2.10",
        "aliases": ["mail.example.com"],
        "working_domains": ["example.com", "www.example.com"],
        "warning_domains": ["mail.example.com"],
        "extra_certificate_domains": [],
        "message": "The SSL certificate is now installed onto the domain \u201cexample.com\u201d.",
    }
    return Call(
        "installssl",
        {"domain": "example.com", "crt": p.leaf, "key": p.key_pem, "cab": p.bundle},
        envelope("installssl", data=data),
    )


def args(**extra):
    p = pki()
    base = {"domain": "example.com", "certificate": p.leaf, "private_key": p.key_pem, "ca_bundle": p.bundle}
    base.update(extra)
    return base


def assert_no_key(result):
    p = pki()
    shown = json.dumps({k: v for k, v in result.items() if k != "_calls"})
    for line in p.key_pem.splitlines()[1:-1]:
        assert line not in shown


@pytest.mark.parametrize("check_mode", [False, True])
def test_install_on_a_website_without_ssl(monkeypatch, check_mode):
    calls = [components("example.com"), vhosts()]
    if not check_mode:
        calls.append(installssl())
    result = run(monkeypatch, ssl_certificate, args(), calls, check_mode=check_mode)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    after = result["diff"]["after"]
    assert after["certificate"]["subject"] == "CN=example.com"
    assert after["certificate"]["domains"] == ["example.com", "www.example.com"]
    assert after["ca_bundle"] == ["CN=Test Intermediate CA,O=hosting.whm tests", "CN=Test Root CA,O=hosting.whm tests"]
    assert result["certificate"]["installed"] is True
    if not check_mode:
        assert result["certificate"]["action"] == "install"
        assert result["certificate"]["working_domains"] == ["example.com", "www.example.com"]
        assert result["certificate"]["servername"] == "example.com"
    assert_no_key(result)


def test_same_certificate_in_other_formatting_is_no_change(monkeypatch):
    p = pki()
    installed = component(
        rewrap(p.leaf),
        rewrap(p.key_pem).replace("CERTIFICATE", "PRIVATE KEY"),
        rewrap(p.intermediate, 64) + rewrap(p.root, 72),
    )
    result = run(monkeypatch, ssl_certificate, args(), [components("example.com", installed)])
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]
    assert (
        result["certificate"]["certificate"]["fingerprint_sha256"]
        == result["diff"]["after"]["certificate"]["fingerprint_sha256"]
    )
    assert_no_key(result)


def test_bundle_not_managed_when_not_given(monkeypatch):
    p = pki()
    installed = component(p.leaf, p.key_pem, p.intermediate)
    result = run(monkeypatch, ssl_certificate, args(ca_bundle=None), [components("example.com", installed)])
    assert result["changed"] is False


def test_different_bundle_is_a_change(monkeypatch):
    p = pki()
    installed = component(p.leaf, p.key_pem, p.intermediate)
    result = run(
        monkeypatch, ssl_certificate, args(), [components("example.com", installed), installssl("update_cabundle")]
    )
    assert result["changed"] is True
    assert result["diff"]["before"]["ca_bundle"] == ["CN=Test Intermediate CA,O=hosting.whm tests"]
    assert len(result["diff"]["after"]["ca_bundle"]) == 2


def test_replacing_another_certificate_shows_both_in_the_diff(monkeypatch):
    p = pki()
    installed = component(p.renewed, p.key_pem, p.bundle)
    result = run(monkeypatch, ssl_certificate, args(), [components("example.com", installed), installssl("update")])
    assert result["changed"] is True
    before, after = result["diff"]["before"]["certificate"], result["diff"]["after"]["certificate"]
    assert before["serial"] == "65" and after["serial"] == "64"
    assert before["not_after"] != after["not_after"]
    assert result["diff"]["before"]["servername"] == "example.com"
    assert_no_key(result)


def test_whm_says_already_installed(monkeypatch):
    p = pki()
    seen = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning, **kwargs: seen.append(warning))
    installed = component(p.renewed, p.key_pem, p.bundle)
    result = run(monkeypatch, ssl_certificate, args(), [components("example.com", installed), installssl("none")])
    assert result["changed"] is False
    assert result["certificate"]["action"] == "none"
    assert seen == [
        "installssl made no changes for example.com: WHM found this certificate already installed and kept the "
        "installed CA bundle, which differs from ca_bundle."
    ]


def test_alias_of_another_website(monkeypatch):
    p = pki()
    vhost = {
        "servername": "example.com",
        "domains": ["example.com", "shop.example.net", "www.example.com"],
        "user": "ex",
    }
    result = run(
        monkeypatch,
        ssl_certificate,
        args(domain="www.example.com", ca_bundle=None),
        [components("example.com"), vhosts(vhost), components("example.com", component(p.leaf, p.key_pem))],
    )
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is False


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"private_key": "other"}, "private_key does not match certificate (their public keys differ)"),
        ({"certificate": "expired"}, "certificate expired on 2026-05-02T00:00:00Z (CN=example.com)"),
        ({"certificate": "wildcard", "ca_bundle": None}, 'certificate does not cover the domain "example.com"'),
        ({"certificate": "other", "ca_bundle": None}, 'certificate does not cover the domain "example.com"'),
        ({"ca_bundle": "reversed"}, "ca_bundle is not in chain order"),
        ({"domain": "not a domain"}, 'domain "not a domain" is not a valid domain name.'),
    ],
)
def test_bad_input_fails_before_any_call(monkeypatch, extra, message):
    p = pki()
    replacements = {
        "other": p.other_key_pem,
        "expired": p.expired,
        "wildcard": p.wildcard,
        "reversed": p.root + p.intermediate,
    }
    values = {key: replacements.get(value, value) for key, value in extra.items()}
    if extra.get("certificate") == "other":
        values["certificate"] = p.other
    result = run(monkeypatch, ssl_certificate, args(**values), [])
    assert result["failed"] is True
    assert message in result["msg"]
    assert result["_calls"] == []
    assert_no_key(result)


def test_expired_allowed(monkeypatch):
    p = pki()
    call = Call(
        "installssl",
        {"domain": "example.com", "crt": p.expired, "key": p.key_pem},
        envelope("installssl", data={"action": "install", "servername": "example.com"}),
    )
    result = run(
        monkeypatch,
        ssl_certificate,
        args(certificate=p.expired, ca_bundle=None, allow_expired=True),
        [components("example.com"), vhosts(), call],
    )
    assert result["changed"] is True
    assert result["certificate"]["certificate"]["days_to_expiry"] == -30


def test_installssl_failure_names_function_and_reason(monkeypatch):
    reason = "The certificate does not support the domain \u201cexample.com\u201d."
    call = installssl()
    call.response = envelope("installssl", result=0, reason=reason)
    result = run(monkeypatch, ssl_certificate, args(), [components("example.com"), vhosts(), call])
    assert result["failed"] is True
    assert result["msg"] == f"WHM API function installssl failed on whm.example.com:2087: {reason}"
    assert_no_key(result)


@pytest.mark.parametrize("check_mode", [False, True])
def test_absent_removes_the_ssl_website(monkeypatch, check_mode):
    p = pki()
    calls = [components("example.com", component(p.leaf, p.key_pem, p.bundle))]
    if not check_mode:
        calls.append(
            Call("delete_ssl_vhost", {"host": "example.com"}, envelope("delete_ssl_vhost", data={"output": []}))
        )
    result = run(
        monkeypatch, ssl_certificate, {"domain": "example.com", "state": "absent"}, calls, check_mode=check_mode
    )
    assert result["changed"] is True
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["certificate"]["subject"] == "CN=example.com"
    assert result["certificate"] == {}


def test_absent_when_nothing_is_installed(monkeypatch):
    # delete_ssl_vhost fails when nothing is installed (dns_ssl_tokens.md 3.5): it is not called.
    result = run(
        monkeypatch,
        ssl_certificate,
        {"domain": "example.com", "state": "absent"},
        [components("example.com"), vhosts()],
    )
    assert result["changed"] is False
    assert result["diff"] == {"before": {}, "after": {}}


def test_present_needs_certificate_and_key(monkeypatch):
    result = run(monkeypatch, ssl_certificate, {"domain": "example.com"}, [])
    assert result["failed"] is True
    assert "state is present but all of the following are missing: certificate, private_key" in result["msg"]
