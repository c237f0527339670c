# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import time

import pytest

from ansible_collections.hosting.whm.plugins.modules import autossl
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run

TOS = "https://letsencrypt.org/documents/LE-SA-v1.4-April-3-2024.pdf"


def providers(enabled=None, accepted=None):
    payload = [
        {
            "module_name": "LetsEncrypt",
            "display_name": "Let\u2019s Encrypt\u2122",
            "enabled": 1 if enabled == "LetsEncrypt" else 0,
            "specs": {"DELIVERY_METHOD": "api"},
            "x_terms_of_service": TOS,
            "x_terms_of_service_accepted": accepted,
        },
        {"module_name": "TestProvider", "display_name": "Test", "enabled": 1 if enabled == "TestProvider" else 0},
    ]
    return Call("get_autossl_providers", {}, envelope("get_autossl_providers", data={"payload": payload}))


def readiness(value=1, is_disabled=0, plan="gold", featurelist="certs", has_feature=None):
    """The readiness reads; verify_user_has_feature only follows when the lists refuse the feature."""
    verify = []
    if value == 0 or is_disabled == 1:
        verdict = int(has_feature or 0)
        verify = [
            Call(
                "verify_user_has_feature",
                {"user": "example", "feature": "autossl"},
                envelope("verify_user_has_feature", data={"has_feature": verdict, "query_feature": "autossl"}),
            )
        ]
    return [
        Call(
            "accountsummary",
            {"user": "example"},
            envelope("accountsummary", data={"acct": [{"user": "example", "plan": plan}]}),
        ),
        Call("getpkginfo", {"pkg": plan}, envelope("getpkginfo", data={"pkg": {"FEATURELIST": featurelist}})),
        Call(
            "get_featurelist_data",
            {"featurelist": featurelist},
            envelope(
                "get_featurelist_data",
                data={
                    "featurelist": featurelist,
                    "features": [
                        {"id": "autossl", "value": value, "is_disabled": is_disabled},
                        {"id": "webmail", "value": 1, "is_disabled": 0},
                    ],
                },
            ),
        ),
    ] + verify


def domain_info():
    params = [
        ("api.filter.enable", "1"),
        ("api.filter.a.field", "user"),
        ("api.filter.a.type", "eq"),
        ("api.filter.a.arg0", "example"),
    ]
    domains = [
        {"domain": "example.com", "user": "example", "domain_type": "main"},
        {"domain": "shop.example.com", "user": "example", "domain_type": "sub"},
    ]
    return Call("get_domain_info", params, envelope("get_domain_info", data={"domains": domains}))


def vhosts(*records):
    return Call("fetch_ssl_vhosts", {}, envelope("fetch_ssl_vhosts", data={"vhosts": list(records)}))


def vhost(servername, cert_id, self_signed=0, names=None):
    return {
        "servername": servername,
        "user": "example",
        "domains": [servername, f"www.{servername}"],
        "crt": {
            "id": cert_id,
            "domains": names or [servername, f"www.{servername}"],
            "not_after": int(time.time()) + 90 * 86400,
            "issuer.organizationName": "Let's Encrypt",
            "is_self_signed": self_signed,
        },
    }


def problems(*records):
    return Call(
        "get_autossl_problems_for_user",
        {"username": "example"},
        envelope("get_autossl_problems_for_user", data={"problems_by_domain": list(records)}),
    )


OLD_PROBLEM = {"domain": "shop.example.com", "problem": "old", "time": "2026-01-01T00:00:00Z", "log": "x"}
NEW_PROBLEM = {
    "domain": "shop.example.com",
    "problem": "shop.example.com does not resolve to any IPv4 addresses on the internet.",
    "time": "2026-06-01T00:00:00Z",
    "log": "y",
}


def start():
    return Call(
        "start_autossl_check_for_one_user",
        {"username": "example"},
        envelope("start_autossl_check_for_one_user", data={"pid": 4242}),
    )


@pytest.mark.parametrize("check_mode", [False, True])
def test_enable_provider_accepting_terms(monkeypatch, check_mode):
    calls = [providers(enabled="TestProvider")]
    if not check_mode:
        calls.append(
            Call(
                "set_autossl_provider",
                {"provider": "LetsEncrypt", "x_terms_of_service_accepted": TOS},
                envelope("set_autossl_provider"),
            )
        )
    result = run(monkeypatch, autossl, {"provider": "LetsEncrypt", "accept_terms": True}, calls, check_mode=check_mode)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True
    assert result["diff"]["before"]["provider"]["name"] == "TestProvider"
    assert result["diff"]["after"]["provider"] == {
        "name": "LetsEncrypt",
        "display_name": "Let\u2019s Encrypt\u2122",
        "enabled": True,
        "terms_of_service": TOS,
        "terms_of_service_accepted": True,
    }
    # The list of providers agrees with RV(provider): one enabled, its terms accepted.
    listed = {entry["name"]: entry for entry in result["providers"]}
    assert listed["LetsEncrypt"] == result["provider"]
    assert [name for name, entry in listed.items() if entry["enabled"]] == ["LetsEncrypt"]


@pytest.mark.parametrize("accepted", [1, TOS])
def test_provider_already_set(monkeypatch, accepted):
    result = run(
        monkeypatch, autossl, {"provider": "LetsEncrypt"}, [providers(enabled="LetsEncrypt", accepted=accepted)]
    )
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]


def test_older_terms_must_be_accepted_again(monkeypatch):
    result = run(
        monkeypatch,
        autossl,
        {"provider": "LetsEncrypt"},
        [
            providers(
                enabled="LetsEncrypt", accepted="https://letsencrypt.org/documents/LE-SA-v1.2-November-15-2017.pdf"
            )
        ],
    )
    assert result["failed"] is True
    assert result["msg"] == (
        f'The AutoSSL provider "LetsEncrypt" requires accepting its terms of service ({TOS}); '
        "read them and set accept_terms to true."
    )
    assert [c[0] for c in result["_calls"]] == ["get_autossl_providers"]


def test_unknown_provider(monkeypatch):
    result = run(monkeypatch, autossl, {"provider": "Sectigo"}, [providers()])
    assert result["failed"] is True
    assert result["msg"] == 'Unknown AutoSSL provider "Sectigo"; this server offers: LetsEncrypt, TestProvider.'


def test_not_ready_without_provider(monkeypatch):
    result = run(monkeypatch, autossl, {"run_for": "example"}, [providers()])
    assert result["failed"] is True
    assert result["msg"].startswith(
        "AutoSSL is disabled on this server: get_autossl_providers shows no enabled provider."
    )


def test_not_ready_without_feature_names_package_and_list(monkeypatch):
    result = run(monkeypatch, autossl, {"run_for": "example"}, [providers(enabled="TestProvider")] + readiness(value=0))
    assert result["failed"] is True
    assert result["msg"] == (
        'The account "example" does not have the "autossl" feature: its package "gold" uses the feature list '
        '"certs", which does not enable it (get_featurelist_data). Enable AutoSSL in that feature list, or give '
        "the account a package whose list does."
    )


def test_an_account_override_makes_it_ready_although_its_list_says_no(monkeypatch):
    calls = [providers(enabled="TestProvider")] + readiness(value=0, has_feature=1)
    result = run(monkeypatch, autossl, {"run_for": "example"}, calls, check_mode=True)
    assert result["failed"] is False, result.get("msg")
    assert result["readiness"]["feature_override"] is True


def test_not_ready_when_disabled_for_everybody(monkeypatch):
    result = run(
        monkeypatch, autossl, {"run_for": "example"}, [providers(enabled="TestProvider")] + readiness(is_disabled=1)
    )
    assert result["failed"] is True
    assert 'switched off for every account by the "disabled" feature list' in result["msg"]


def test_check_mode_only_reads(monkeypatch):
    calls = [providers(enabled="TestProvider")] + readiness()
    result = run(monkeypatch, autossl, {"run_for": "example"}, calls, check_mode=True)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is False
    assert result["check"]["started"] is False
    assert result["readiness"] == {"user": "example", "package": "gold", "featurelist": "certs"}


def test_check_mode_predicts_provider_then_checks_readiness(monkeypatch):
    calls = [providers()] + readiness()
    result = run(
        monkeypatch,
        autossl,
        {"provider": "LetsEncrypt", "accept_terms": True, "run_for": "example"},
        calls,
        check_mode=True,
    )
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True


def test_run_and_wait_until_every_domain_has_an_answer(monkeypatch):
    calls = [providers(enabled="TestProvider")] + readiness()
    calls += [
        domain_info(),
        vhosts(vhost("example.com", "self_signed_1", self_signed=1)),
        problems(OLD_PROBLEM),
        start(),
        # first poll: nothing new yet
        vhosts(vhost("example.com", "self_signed_1", self_signed=1)),
        problems(OLD_PROBLEM),
        # second poll: a certificate for example.com, a new problem for shop.example.com
        vhosts(vhost("example.com", "le_1")),
        problems(NEW_PROBLEM),
    ]
    result = run(monkeypatch, autossl, {"run_for": "example", "poll_interval": 1}, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True
    check = result["check"]
    assert check["finished"] is True and check["pid"] == 4242
    assert [(d["domain"], d["status"]) for d in check["domains"]] == [
        ("example.com", "installed"),
        ("shop.example.com", "problem"),
    ]
    assert check["domains"][0]["renewed"] is True
    assert check["domains"][0]["days_to_expiry"] in (89, 90)
    assert check["problems"] == [{"domain": "shop.example.com", "status": "problem", "problem": NEW_PROBLEM["problem"]}]


def test_rerun_with_valid_certificates_is_no_change(monkeypatch):
    wildcard = vhost("example.com", "le_1", names=["example.com", "*.example.com"])
    calls = [providers(enabled="TestProvider")] + readiness()
    calls += [domain_info(), vhosts(wildcard), problems(), start(), vhosts(wildcard), problems()]
    result = run(monkeypatch, autossl, {"run_for": "example"}, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is False
    assert [d["status"] for d in result["check"]["domains"]] == ["installed", "installed"]


def test_wait_timeout(monkeypatch):
    calls = [providers(enabled="TestProvider")] + readiness()
    calls += [domain_info(), vhosts(), problems(), start(), vhosts(), problems()]
    result = run(monkeypatch, autossl, {"run_for": "example", "wait_timeout": 0}, calls)
    assert result["failed"] is True
    assert result["msg"] == (
        'The AutoSSL check for "example" (start_autossl_check_for_one_user, pid 4242) gave no certificate and no '
        "problem within 0 s for: example.com, shop.example.com."
    )


def test_no_wait(monkeypatch):
    calls = [providers(enabled="TestProvider")] + readiness() + [domain_info(), start()]
    result = run(monkeypatch, autossl, {"run_for": "example", "wait": False}, calls)
    assert result["changed"] is True
    assert result["check"] == {"user": "example", "pid": 4242, "started": True, "finished": False, "domains": []}


def test_start_refused_by_whm(monkeypatch):
    reason = "The user \u201cexample\u201d does not have the AutoSSL feature enabled."
    refused = start()
    refused.response = envelope("start_autossl_check_for_one_user", result=0, reason=reason)
    calls = [providers(enabled="TestProvider")] + readiness() + [domain_info(), vhosts(), problems(), refused]
    result = run(monkeypatch, autossl, {"run_for": "example"}, calls)
    assert result["failed"] is True
    assert (
        result["msg"] == f"WHM API function start_autossl_check_for_one_user failed on whm.example.com:2087: {reason}"
    )


def test_needs_provider_or_run_for(monkeypatch):
    result = run(monkeypatch, autossl, {}, [])
    assert result["failed"] is True
    assert "one of the following is required: provider, run_for" in result["msg"]


def test_package_gone_means_default_feature_list(monkeypatch):
    calls = [
        providers(enabled="TestProvider"),
        Call("accountsummary", {"user": "example"}, envelope("accountsummary", data={"acct": [{"plan": "old"}]})),
        Call(
            "getpkginfo",
            {"pkg": "old"},
            envelope("getpkginfo", result=0, reason="The package \u201cold\u201d does not exist."),
        ),
        Call(
            "get_featurelist_data",
            {"featurelist": "default"},
            envelope("get_featurelist_data", data={"features": [{"id": "autossl", "value": 1, "is_disabled": 0}]}),
        ),
    ]
    result = run(monkeypatch, autossl, {"run_for": "example"}, calls, check_mode=True)
    assert result["failed"] is False, result.get("msg")
    assert result["readiness"] == {"user": "example", "package": "old", "featurelist": "default"}


def test_unknown_account_names_the_function(monkeypatch):
    reason = "Account does not exist."
    calls = [
        providers(enabled="TestProvider"),
        Call("accountsummary", {"user": "nobody1"}, envelope("accountsummary", result=0, reason=reason)),
    ]
    result = run(monkeypatch, autossl, {"run_for": "nobody1"}, calls)
    assert result["failed"] is True
    assert result["msg"] == f"WHM API function accountsummary failed on whm.example.com:2087: {reason}"
