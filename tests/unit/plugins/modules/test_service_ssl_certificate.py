# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.hosting.whm.plugins.modules import service_ssl_certificate
from ansible_collections.hosting.whm.tests.unit.plugins.module_utils.test_ssl import pki, rewrap
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr("ansible_collections.hosting.whm.plugins.module_utils._ssl.time.time", lambda: pki().now)


def service(name, certificate, key, cabundle="", self_signed=0):
    return {
        "service": name,
        "certificate": certificate,
        "key": key,
        "cabundle": cabundle,
        "certificate_info": {"is_self_signed": self_signed, "domains": ["host.example.com"]},
    }


def services(*records):
    return Call(
        "fetch_service_ssl_components", {}, envelope("fetch_service_ssl_components", data={"services": list(records)})
    )


def self_signed_services():
    p = pki()
    return services(
        service("cpanel", p.self_signed, p.other_key_pem, self_signed=1),
        service("exim", p.self_signed, p.other_key_pem, self_signed=1),
    )


def args(**extra):
    p = pki()
    base = {"service": "exim", "certificate": p.leaf, "private_key": p.key_pem, "ca_bundle": p.intermediate}
    base.update(extra)
    return base


def assert_no_key(result):
    shown = json.dumps({k: v for k, v in result.items() if k != "_calls"})
    for text in (pki().key_pem, pki().other_key_pem):
        for line in text.splitlines()[1:-1]:
            assert line not in shown


@pytest.mark.parametrize("check_mode", [False, True])
def test_installs_when_the_service_has_another_certificate(monkeypatch, check_mode):
    p = pki()
    calls = [self_signed_services()]
    if not check_mode:
        calls.append(
            Call(
                "install_service_ssl_certificate",
                {"service": "exim", "crt": p.leaf, "key": p.key_pem, "cabundle": p.intermediate},
                envelope("install_service_ssl_certificate", data={"service": "exim", "certificate": p.leaf}),
            )
        )
    result = run(monkeypatch, service_ssl_certificate, args(), calls, check_mode=check_mode)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True
    assert result["diff"]["before"]["certificate"]["subject"] == "CN=host.example.com"
    assert result["diff"]["after"]["certificate"]["subject"] == "CN=example.com"
    assert result["certificate"]["service"] == "exim"
    assert_no_key(result)


def test_same_certificate_is_not_reinstalled(monkeypatch):
    # install_service_ssl_certificate always rewrites and restarts (dns_ssl_tokens.md 3.9).
    p = pki()
    current = services(service("exim", rewrap(p.leaf, 64), p.key_pem, rewrap(p.intermediate, 70)))
    result = run(monkeypatch, service_ssl_certificate, args(), [current])
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]
    assert_no_key(result)


def test_unknown_service_on_this_server(monkeypatch):
    result = run(monkeypatch, service_ssl_certificate, args(service="ftp"), [self_signed_services()])
    assert result["failed"] is True
    assert result["msg"] == (
        'WHM API function fetch_service_ssl_components on whm.example.com:2087 lists no service "ftp" '
        "(this server has: cpanel, exim)."
    )


def test_mismatched_key_fails_before_any_call(monkeypatch):
    result = run(monkeypatch, service_ssl_certificate, args(private_key=pki().other_key_pem), [])
    assert result["failed"] is True
    assert result["msg"].startswith("private_key does not match certificate")
    assert result["_calls"] == []
    assert_no_key(result)


def test_expired_fails_before_any_call(monkeypatch):
    result = run(monkeypatch, service_ssl_certificate, args(certificate=pki().expired, ca_bundle=None), [])
    assert result["failed"] is True
    assert "certificate expired on" in result["msg"]
    assert result["_calls"] == []


def test_bundle_order(monkeypatch):
    p = pki()
    result = run(monkeypatch, service_ssl_certificate, args(ca_bundle=p.root + p.intermediate), [])
    assert result["failed"] is True
    assert result["msg"].startswith("ca_bundle is not in chain order")


def test_self_signed_when_already_self_signed(monkeypatch):
    result = run(
        monkeypatch, service_ssl_certificate, {"service": "cpanel", "state": "self_signed"}, [self_signed_services()]
    )
    assert result["changed"] is False


@pytest.mark.parametrize("check_mode", [False, True])
def test_self_signed_resets_a_ca_certificate(monkeypatch, check_mode):
    p = pki()
    calls = [services(service("cpanel", p.leaf, p.key_pem, p.intermediate))]
    if not check_mode:
        calls.append(
            Call(
                "reset_service_ssl_certificate",
                {"service": "cpanel"},
                envelope("reset_service_ssl_certificate", data={"service": "cpanel", "certificate": p.self_signed}),
            )
        )
    result = run(
        monkeypatch,
        service_ssl_certificate,
        {"service": "cpanel", "state": "self_signed"},
        calls,
        check_mode=check_mode,
    )
    assert result["changed"] is True
    assert result["diff"]["after"]["certificate"]["is_self_signed"] is True
    if not check_mode:
        assert result["certificate"]["certificate"]["subject"] == "CN=host.example.com"
    assert_no_key(result)


def test_install_failure_names_the_function(monkeypatch):
    p = pki()
    reason = "Certificate verification failed!"
    call = Call(
        "install_service_ssl_certificate",
        {"service": "exim", "crt": p.leaf, "key": p.key_pem, "cabundle": p.intermediate},
        envelope("install_service_ssl_certificate", result=0, reason=reason),
    )
    result = run(monkeypatch, service_ssl_certificate, args(), [self_signed_services(), call])
    assert result["failed"] is True
    assert result["msg"] == f"WHM API function install_service_ssl_certificate failed on whm.example.com:2087: {reason}"
