# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes
from requests.exceptions import ReadTimeout

from ansible_collections.hosting.whm.plugins.module_utils import _ssl
from ansible_collections.hosting.whm.plugins.module_utils._argspec import whm_connection_argument_spec
from ansible_collections.hosting.whm.plugins.modules import ssl_certificates
from ansible_collections.hosting.whm.tests.unit.plugins.module_utils.test_ssl import pki, rewrap
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import CONNECTION, Call, envelope, run


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    # The test certificates are dated around a fixed day.
    monkeypatch.setattr("ansible_collections.hosting.whm.plugins.module_utils._ssl.time.time", lambda: pki().now)


def all_components(*records):
    # Unfiltered: every SSL website's certificate, key and bundle in one read.
    return Call(
        "fetch_vhost_ssl_components", {}, envelope("fetch_vhost_ssl_components", data={"components": list(records)})
    )


def component(servername, certificate, key, cabundle=None):
    return {
        "servername": servername,
        "certificate": certificate,
        "key": key,
        "cabundle": cabundle,
        "certificate_id": "x",
        "key_id": "x",
        "cabundle_id": None,
    }


def vhosts(*records):
    return Call("fetch_ssl_vhosts", {}, envelope("fetch_ssl_vhosts", data={"vhosts": list(records)}))


def wishes():
    """Three websites: a certificate with its bundle, another without, and a wildcard."""
    p = pki()
    return [
        {"domain": "example.com", "certificate": p.leaf, "private_key": p.key_pem, "ca_bundle": p.bundle},
        {"domain": "example.net", "certificate": p.other, "private_key": p.key_pem},
        {"domain": "shop.example.com", "certificate": p.wildcard, "private_key": p.key_pem},
    ]


def install_params(wish):
    params = {"domain": wish["domain"], "crt": wish["certificate"], "key": wish["private_key"]}
    if wish.get("ca_bundle"):
        params["cab"] = wish["ca_bundle"]
    return params


def installed_data(domain, action="install"):
    return {
        "status": 1,
        "action": action,
        "domain": domain,
        "servername": domain,
        "user": "owner",
        "ip": "192.0.2.10",
        "aliases": [],
        "working_domains": [domain],
        "warning_domains": [],
        "extra_certificate_domains": [],
    }


def batch(commands, answers):
    """A batch call with the exact URI-encoded commands and one answer envelope per command."""
    params = [
        (f"command-{index}", f"{function}?{urlencode([('api.version', '1')] + list(params.items()))}")
        for index, (function, params) in enumerate(commands)
    ]
    return Call("batch", params, envelope("batch", data={"result": list(answers)}))


def assert_no_key(result):
    p = pki()
    shown = json.dumps({k: v for k, v in result.items() if k != "_calls"})
    for pem in (p.key_pem, p.other_key_pem):
        for line in pem.splitlines()[1:-1]:
            assert line not in shown


@pytest.mark.parametrize("check_mode", [False, True])
def test_installs_three_websites_with_one_read_each_kind_and_one_batch(monkeypatch, check_mode):
    items = wishes()
    calls = [all_components(), vhosts()]
    if not check_mode:
        commands = [("installssl", install_params(wish)) for wish in items]
        answers = [envelope("installssl", data=installed_data(wish["domain"])) for wish in items]
        calls.append(batch(commands, answers))
    result = run(monkeypatch, ssl_certificates, {"certificates": items}, calls, check_mode=check_mode)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True
    assert [entry["domain"] for entry in result["certificates"]] == ["example.com", "example.net", "shop.example.com"]
    assert all(entry["changed"] for entry in result["certificates"])
    assert result["diff"]["before"] == {"example.com": {}, "example.net": {}, "shop.example.com": {}}
    after = result["diff"]["after"]
    assert after["example.com"]["certificate"]["subject"] == "CN=example.com"
    assert after["example.com"]["ca_bundle"] == [
        "CN=Test Intermediate CA,O=hosting.whm tests",
        "CN=Test Root CA,O=hosting.whm tests",
    ]
    assert after["shop.example.com"]["certificate"]["domains"] == ["*.example.com"]
    assert after["example.net"]["certificate"]["issuer"] == "CN=Test Intermediate CA,O=hosting.whm tests"
    if not check_mode:
        assert result["certificates"][1]["certificate"]["action"] == "install"
        assert result["certificates"][1]["certificate"]["servername"] == "example.net"
    assert_no_key(result)


def test_nothing_to_do_is_one_read(monkeypatch):
    p = pki()
    installed = [
        # Other line breaks and CRLF: the same certificates and key.
        component("example.com", rewrap(p.leaf), p.key_pem, rewrap(p.intermediate, 64) + rewrap(p.root, 72)),
        component("example.net", p.other, p.key_pem, p.bundle),
        component("shop.example.com", p.wildcard, p.key_pem),
        component("unrelated.example.org", p.self_signed, p.other_key_pem),
    ]
    result = run(monkeypatch, ssl_certificates, {"certificates": wishes()}, [all_components(*installed)])
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is False
    assert [entry["changed"] for entry in result["certificates"]] == [False, False, False]
    assert result["diff"] == {"before": {}, "after": {}}
    assert result["certificates"][0]["certificate"]["certificate"]["subject"] == "CN=example.com"
    assert result["certificates"][0]["certificate"]["servername"] == "example.com"
    assert len(result["_calls"]) == 1
    assert_no_key(result)


def test_one_change_is_a_plain_call_not_a_batch(monkeypatch):
    p = pki()
    items = wishes()
    installed = [
        component("example.com", p.renewed, p.key_pem, p.bundle),
        component("example.net", p.other, p.key_pem),
        component("www.shop.example.com", p.wildcard, p.key_pem),
    ]
    vhost = {"servername": "www.shop.example.com", "domains": ["shop.example.com", "www.shop.example.com"]}
    calls = [
        all_components(*installed),
        vhosts(vhost),
        Call(
            "installssl", install_params(items[0]), envelope("installssl", data=installed_data("example.com", "update"))
        ),
    ]
    result = run(monkeypatch, ssl_certificates, {"certificates": items}, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True
    assert [entry["changed"] for entry in result["certificates"]] == [True, False, False]
    assert list(result["diff"]["before"]) == ["example.com"]
    before, after = result["diff"]["before"]["example.com"], result["diff"]["after"]["example.com"]
    assert before["certificate"]["serial"] == "65" and after["certificate"]["serial"] == "64"
    assert result["certificates"][2]["certificate"]["servername"] == "www.shop.example.com"
    assert_no_key(result)


@pytest.mark.parametrize(
    "index, change, message",
    [
        (1, {"private_key": "other"}, "certificates[1] (example.net): private_key does not match certificate"),
        (2, {"certificate": "expired"}, "certificates[2] (shop.example.com): certificate expired on"),
        (
            1,
            {"domain": "example.org"},
            'certificates[1] (example.org): certificate does not cover the domain "example.org"',
        ),
        (0, {"ca_bundle": "reversed"}, "certificates[0] (example.com): ca_bundle is not in chain order"),
        (2, {"domain": "www.example.com"}, "certificates[2] (www.example.com): certificates[0] already manages"),
        (2, {"domain": "bad name"}, 'certificates[2]: domain "bad name" is not a valid domain name.'),
    ],
)
def test_one_bad_element_stops_everything_before_any_call(monkeypatch, index, change, message):
    p = pki()
    replacements = {"other": p.other_key_pem, "expired": p.expired, "reversed": p.root + p.intermediate}
    items = wishes()
    items[index].update({key: replacements.get(value, value) for key, value in change.items()})
    result = run(monkeypatch, ssl_certificates, {"certificates": items}, [])
    assert result["failed"] is True
    assert message in result["msg"]
    assert result["_calls"] == []
    assert_no_key(result)


def test_expired_allowed_per_element(monkeypatch):
    p = pki()
    item = {"domain": "example.com", "certificate": p.expired, "private_key": p.key_pem, "allow_expired": True}
    calls = [
        all_components(),
        vhosts(),
        Call("installssl", install_params(item), envelope("installssl", data=installed_data("example.com"))),
    ]
    result = run(monkeypatch, ssl_certificates, {"certificates": [item]}, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["certificates"][0]["certificate"]["certificate"]["days_to_expiry"] == -30


def test_alias_and_its_website_listed_together_is_refused_before_writing(monkeypatch):
    p = pki()
    items = [
        {"domain": "example.com", "certificate": p.leaf, "private_key": p.key_pem},
        {"domain": "mail.example.com", "certificate": p.wildcard, "private_key": p.key_pem},
    ]
    vhost = {"servername": "example.com", "domains": ["example.com", "mail.example.com", "www.example.com"]}
    calls = [all_components(component("example.com", p.renewed, p.key_pem)), vhosts(vhost)]
    result = run(monkeypatch, ssl_certificates, {"certificates": items}, calls)
    assert result["failed"] is True
    assert "example.com and mail.example.com are names of the same website (example.com)" in result["msg"]
    assert [function for function, dummy in result["_calls"]] == ["fetch_vhost_ssl_components", "fetch_ssl_vhosts"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_absent_removes_installed_and_ignores_missing(monkeypatch, check_mode):
    p = pki()
    items = [{"domain": "example.com", "state": "absent"}, {"domain": "gone.example.net", "state": "absent"}]
    calls = [all_components(component("example.com", p.leaf, p.key_pem, p.bundle)), vhosts()]
    if not check_mode:
        calls.append(
            Call("delete_ssl_vhost", {"host": "example.com"}, envelope("delete_ssl_vhost", data={"output": []}))
        )
    result = run(monkeypatch, ssl_certificates, {"certificates": items}, calls, check_mode=check_mode)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True
    assert [entry["changed"] for entry in result["certificates"]] == [True, False]
    assert result["certificates"][0]["certificate"] == {}
    assert result["diff"]["after"] == {"example.com": {}}
    assert result["diff"]["before"]["example.com"]["certificate"]["subject"] == "CN=example.com"
    assert_no_key(result)


def test_failed_batch_command_names_the_domain_and_what_changed(monkeypatch):
    items = wishes()
    reason = "The certificate does not support the domain \u201cexample.net\u201d."
    commands = [("installssl", install_params(wish)) for wish in items]
    answers = [
        envelope("installssl", data=installed_data("example.com")),
        envelope("installssl", result=0, reason=reason),
        envelope("installssl", data=installed_data("shop.example.com")),
    ]
    outer = batch(commands, answers)
    outer.response["metadata"]["result"] = 0
    result = run(monkeypatch, ssl_certificates, {"certificates": items}, [all_components(), vhosts(), outer])
    assert result["failed"] is True
    assert result["msg"] == (
        "WHM API function installssl failed on whm.example.com:2087 for 1 of 3 certificates: "
        f"example.net: installssl: {reason}. Changed: example.com, shop.example.com."
    )
    assert result["changed"] is True
    assert result["reason"] == reason
    assert_no_key(result)


def test_single_failed_install_names_the_domain(monkeypatch):
    items = wishes()
    p = pki()
    installed = [
        component("example.com", p.leaf, p.key_pem, p.bundle),
        component("shop.example.com", p.wildcard, p.key_pem),
    ]
    reason = "Certificate verification failed!"
    calls = [
        all_components(*installed),
        vhosts(),
        Call("installssl", install_params(items[1]), envelope("installssl", result=0, reason=reason)),
    ]
    result = run(monkeypatch, ssl_certificates, {"certificates": items}, calls)
    assert result["failed"] is True
    assert result["msg"] == (
        f"WHM API function installssl failed on whm.example.com:2087 (certificate of example.net): {reason}"
    )
    assert result["function"] == "installssl"
    assert_no_key(result)


def test_whm_already_installed_in_a_batch_is_no_change_with_a_warning(monkeypatch):
    p = pki()
    seen = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning, **kwargs: seen.append(warning))
    items = wishes()[:2]
    installed = [component("example.com", p.leaf, p.key_pem, p.intermediate)]
    commands = [("installssl", install_params(wish)) for wish in items]
    answers = [
        envelope("installssl", data=installed_data("example.com", "none")),
        envelope("installssl", data=installed_data("example.net")),
    ]
    calls = [all_components(*installed), vhosts(), batch(commands, answers)]
    result = run(monkeypatch, ssl_certificates, {"certificates": items}, calls)
    assert result["failed"] is False, result.get("msg")
    assert [entry["changed"] for entry in result["certificates"]] == [False, True]
    assert list(result["diff"]["after"]) == ["example.net"]
    assert seen == [
        "installssl made no changes for example.com: WHM found this certificate already installed and kept the "
        "installed CA bundle, which differs from ca_bundle."
    ]


def test_present_element_needs_certificate_and_key(monkeypatch):
    result = run(monkeypatch, ssl_certificates, {"certificates": [{"domain": "example.com"}]}, [])
    assert result["failed"] is True
    assert "certificate, private_key" in result["msg"]
    assert result["_calls"] == []


def test_batches_stay_within_the_command_and_size_limits(monkeypatch):
    p = pki()
    call = ("installssl", {"domain": "example.com", "crt": p.leaf, "key": p.key_pem, "cab": p.bundle})
    size = _ssl._command_size(*call)
    assert size > len(p.leaf) + len(p.key_pem) + len(p.bundle)
    assert [len(group) for group in _ssl._batches([call] * 23)] == [10, 10, 3]
    monkeypatch.setattr(_ssl, "BATCH_MAX_BYTES", size * 3 + 1)
    groups = _ssl._batches([call] * 7)
    assert [len(group) for group in groups] == [3, 3, 1]
    assert [index for group in groups for index in group] == list(range(7))


def test_private_keys_inside_the_list_are_masked_by_ansible(monkeypatch):
    # Every element's key is a no_log value of the module, so Ansible masks it in the echoed
    # arguments and in any output, whatever the verbosity.
    p = pki()
    items = [
        {"domain": "example.com", "certificate": p.leaf, "private_key": p.key_pem},
        {"domain": "example.net", "certificate": p.other, "private_key": p.other_key_pem},
    ]
    args = dict(CONNECTION, certificates=items)
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args})))
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy", raising=False)
    spec = whm_connection_argument_spec().merge(ssl_certificates.argument_spec())
    module = basic.AnsibleModule(supports_check_mode=True, **spec.to_kwargs())
    assert {p.key_pem, p.other_key_pem} <= module.no_log_values
    assert p.leaf not in module.no_log_values


def test_a_batch_without_answer_names_the_websites_in_doubt_and_those_changed(monkeypatch):
    # Twelve changes: a batch of ten, then a batch of two whose answer never comes. That write
    # is not retried; the error says which websites are in doubt and which were changed.
    p = pki()
    items = [
        {"domain": f"site{number}.example.com", "certificate": p.wildcard, "private_key": p.key_pem}
        for number in range(12)
    ]
    commands = [("installssl", install_params(wish)) for wish in items]
    answers = [envelope("installssl", data=installed_data(wish["domain"])) for wish in items[:10]]
    calls = [
        all_components(),
        vhosts(),
        batch(commands[:10], answers),
        Call("batch", check_params=False, raises=ReadTimeout("read timed out")),
    ]
    result = run(monkeypatch, ssl_certificates, {"certificates": items}, calls)
    assert result["failed"] is True
    assert (
        "(certificates of site10.example.com, site11.example.com; read the server before running again)."
        in (result["msg"])
    )
    assert result["msg"].endswith(
        "Changed before that request: " + ", ".join(f"site{number}.example.com" for number in range(10)) + "."
    )
    assert [function for function, dummy in result["_calls"]].count("batch") == 2
    assert_no_key(result)
