"""SSL, AutoSSL and feature list responses validate against cPanel's 200 schemas
(approach of test_schemas.py)."""

from __future__ import annotations

import copy
import time
from typing import Any, Dict, List, Tuple

import pytest
from conftest import Whm
from test_schemas import CONTRACT, _openapi_to_jsonschema, _path
from test_ssl_pki import Pki, cert_pem, key_pem, make_cert, rsa_key

jsonschema = pytest.importorskip("jsonschema")

TOS = "https://letsencrypt.org/documents/LE-SA-v1.4-April-3-2024.pdf"

# (function, data path) → where the real behaviour is documented.
SSL_DIFFERENCES: Dict[Tuple[str, str], str] = {
    # installssl puts the HTML text in metadata.output.raw (a hash); the description says string.
    ("installssl", "metadata.output"): "Whostmgr/API/1/SSL.pm installssl ($metadata->{output}{raw})",
    # The accepted terms are stored as the URL (Cpanel/SSL/Auto.pm get_all_provider_info, x_ = stored
    # provider properties; _verify_new_properties compares it with terms_of_service).
    ("get_autossl_providers", "data.payload.*.x_terms_of_service_accepted"): "dns_ssl_tokens.md 3.10/3.11",
    # No service has a CA bundle until one is installed: fetchSSLFiles gives undef (null).
    ("fetch_service_ssl_components", "data.services.*.cabundle"): "Whostmgr/API/1/SSL.pm fetch_service_ssl_components",
    # Emulated accounts have no IPv6 address: the vhost's ipv6 is undef (null).
    ("fetch_ssl_vhosts", "data.vhosts.*.ipv6"): "Whostmgr/SSL.pm fetch_ssl_vhosts (userdata ipv6 key)",
    # invalid_features is the list of unknown feature ids (FeatureLists.pm POD of update_featurelist);
    # the description gives its items as objects.
    ("update_featurelist", "data.invalid_features.*"): "Whostmgr/API/1/FeatureLists.pm update_featurelist",
}


def _allow_null_enums(node: Any) -> Any:
    """A nullable property with an enum (ecdsa_curve_name, validation_type) also allows null."""
    if isinstance(node, list):
        return [_allow_null_enums(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _allow_null_enums(v) for k, v in node.items()}
    kind = out.get("type")
    if isinstance(kind, list) and "null" in kind and "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


SCENARIOS: List[Tuple[str, Dict[str, str]]] = [
    ("create_featurelist", {"featurelist": "gold", "autossl": "1", "webmail": "1"}),
    ("update_featurelist", {"featurelist": "gold", "cron": "1", "nosuchfeature": "1"}),
    ("get_featurelists", {}),
    ("get_featurelist_data", {"featurelist": "gold"}),
    ("read_featurelist", {"featurelist": "gold"}),
    ("delete_featurelist", {"featurelist": "gold"}),
    ("installssl", {"domain": "alice.example.com", "crt": "CRT", "key": "KEY", "cab": "CAB"}),
    ("fetch_vhost_ssl_components", {}),
    ("fetch_ssl_vhosts", {}),
    ("listcrts", {"user": "alice"}),
    ("fetchsslinfo", {"domain": "alice.example.com"}),
    ("generatessl", {"domains": "gen.example.com", "countryName": "US", "organizationName": "Example"}),
    ("delete_ssl_vhost", {"host": "alice.example.com"}),
    ("fetch_service_ssl_components", {}),
    ("install_service_ssl_certificate", {"service": "exim", "crt": "SCRT", "key": "SKEY", "cabundle": "CAB"}),
    ("reset_service_ssl_certificate", {"service": "exim"}),
    ("set_autossl_provider", {"provider": "LetsEncrypt", "x_terms_of_service_accepted": TOS}),
    ("reset_autossl_provider", {"provider": "LetsEncrypt", "x_terms_of_service_accepted": TOS}),
    ("get_autossl_providers", {}),
    ("start_autossl_check_for_one_user", {"username": "alice"}),
    ("start_autossl_check_for_all_users", {}),
    ("get_autossl_problems_for_user", {"username": "alice"}),
    ("disable_autossl", {}),
]


def _errors(function: str, envelope: Dict[str, Any]) -> List[str]:
    schema = _allow_null_enums(_openapi_to_jsonschema(copy.deepcopy(CONTRACT[function]["response"])))
    problems = []
    for error in jsonschema.Draft202012Validator(schema).iter_errors(envelope):
        path = _path(error)
        if (function, path) not in SSL_DIFFERENCES:
            problems.append(f"{function} {path}: {error.message[:200]}")
    return problems


def test_every_scenario_is_documented() -> None:
    assert [fn for fn, _ in SCENARIOS if fn not in CONTRACT] == []


def test_ssl_responses_match_cpanel_schemas(tmp_path) -> None:  # type: ignore[no-untyped-def]
    whm = Whm(tmp_path / "s", settings={"autossl_delay": "0.1", "autossl_dcv_fail": "www.*"})
    try:
        whm.create("alice")
        pki = Pki()
        crt, key = pki.leaf(["alice.example.com", "www.alice.example.com"])
        service_key = rsa_key()
        service_crt = cert_pem(make_cert(["server.example.test"], service_key, issuer=(pki.inter, pki.inter_key)))
        values = {"CRT": crt, "KEY": key, "CAB": pki.cab(), "SCRT": service_crt, "SKEY": key_pem(service_key)}
        problems: List[str] = []
        for function, params in SCENARIOS:
            filled = {k: values.get(v, v) for k, v in params.items()}
            if function == "get_autossl_problems_for_user":
                time.sleep(0.5)  # let the checks finish so there is a problem to validate
            envelope = whm.ok(function, filled)
            problems += _errors(function, envelope)
        problems_by_domain = whm.ok("get_autossl_problems_for_user", {"username": "alice"})["data"]
        assert problems_by_domain["problems_by_domain"], "the scenario should produce a DCV problem"
        assert problems == [], "\n".join(problems)
    finally:
        whm.close()


def test_ssl_differences_are_real(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each listed difference must still show up (otherwise remove it from the table)."""
    whm = Whm(tmp_path / "s")
    try:
        whm.create("alice")
        pki = Pki()
        crt, key = pki.leaf(["alice.example.com"])
        whm.ok("set_autossl_provider", {"provider": "LetsEncrypt", "x_terms_of_service_accepted": TOS})
        seen = set()
        for function, params in (
            ("installssl", {"domain": "alice.example.com", "crt": crt, "key": key, "cab": pki.cab()}),
            ("get_autossl_providers", {}),
            ("fetch_service_ssl_components", {}),
            ("fetch_ssl_vhosts", {}),
            ("update_featurelist", {"featurelist": "x", "nosuchfeature": "1"}),
        ):
            envelope = whm.ok(function, params)
            schema = _openapi_to_jsonschema(copy.deepcopy(CONTRACT[function]["response"]))
            for error in jsonschema.Draft202012Validator(schema).iter_errors(envelope):
                seen.add((function, _path(error)))
        assert set(SSL_DIFFERENCES) <= seen
    finally:
        whm.close()
