"""Service certificates: fetch_service_ssl_components, install_service_ssl_certificate,
reset_service_ssl_certificate (dns_ssl_tokens.md 3.8, 3.9; Whostmgr/API/1/SSL.pm)."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from conftest import Whm
from cryptography import x509
from test_ssl_pki import Pki, key_pem, rsa_key, self_signed


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


def services(whm: Whm) -> Dict[str, Dict[str, Any]]:
    return {s["service"]: s for s in whm.ok("fetch_service_ssl_components")["data"]["services"]}


def test_each_service_starts_self_signed_for_the_hostname(tmp_path) -> None:  # type: ignore[no-untyped-def]
    whm = Whm(tmp_path / "s", hostname="host.example.net")
    try:
        found = services(whm)
        assert sorted(found) == ["cpanel", "dovecot", "exim", "ftp"]
        for item in found.values():
            info = item["certificate_info"]
            assert info["is_self_signed"] == 1 and info["domains"] == ["host.example.net"]
            assert info["issuer.commonName"] == "host.example.net" and info["key_algorithm"] == "rsaEncryption"
            cert = x509.load_pem_x509_certificate(item["certificate"].encode())
            assert cert.subject == cert.issuer
            assert item["cabundle"] is None
        # Each service has its own key; the defaults are stable between calls.
        assert len({s["key"] for s in found.values()}) == 4
        assert services(whm)["exim"]["certificate"] == found["exim"]["certificate"]
    finally:
        whm.close()


def test_install_always_reinstalls(whm: Whm, pki: Pki) -> None:
    crt, key = pki.leaf(["server.example.test"])
    for attempt in range(2):
        data = whm.ok(
            "install_service_ssl_certificate", {"service": "exim", "crt": crt, "key": key, "cabundle": pki.cab()}
        )["data"]
        assert data["service"] == "exim" and data["certificate"] == crt.strip(), attempt
        assert data["service_description"] == "Exim (SMTP) Server"
        assert data["certificate_info"]["issuer.organizationName"] == "Test Org"
    assert whm.admin("GET", "stats")["by_function"]["install_service_ssl_certificate"] == 2
    found = services(whm)
    assert found["exim"]["certificate"] == crt.strip() and found["exim"]["cabundle"] is not None
    assert found["cpanel"]["certificate_info"]["is_self_signed"] == 1  # other services untouched


def test_install_failures(whm: Whm, pki: Pki) -> None:
    crt, key = pki.leaf(["server.example.test"])
    assert whm.fail("install_service_ssl_certificate", {"crt": crt, "key": key}) == "You must provide a service."
    assert whm.fail("install_service_ssl_certificate", {"service": "smtp", "crt": crt, "key": key}) == (
        "“smtp” is not a known service. It must be one of “cpanel”, “dovecot”, “exim”, or “ftp”."
    )
    assert whm.fail("install_service_ssl_certificate", {"service": "ftp", "crt": "nope", "key": key}).startswith(
        "Invalid certificate: "
    )
    assert whm.fail("install_service_ssl_certificate", {"service": "ftp", "crt": crt, "key": "nope"}).startswith(
        "Invalid key: "
    )
    mismatch = whm.fail("install_service_ssl_certificate", {"service": "ftp", "crt": crt, "key": key_pem(rsa_key())})
    assert mismatch.startswith("The key does not match the certificate. Please try another key.")
    no_chain = whm.fail("install_service_ssl_certificate", {"service": "ftp", "crt": crt, "key": key})
    assert no_chain.startswith("Certificate verification failed!  The system did not find the Certificate Authority")
    assert services(whm)["ftp"]["certificate_info"]["is_self_signed"] == 1


def test_self_signed_service_certificate_is_accepted(whm: Whm) -> None:
    crt, key = self_signed(["mail.example.org"])
    data = whm.ok("install_service_ssl_certificate", {"service": "dovecot", "crt": crt, "key": key})["data"]
    assert data["certificate_info"]["domains"] == ["mail.example.org"]


def test_reset_gives_a_new_self_signed_certificate(whm: Whm, pki: Pki) -> None:
    before = services(whm)["cpanel"]["certificate"]
    crt, key = pki.leaf(["server.example.test"])
    whm.ok("install_service_ssl_certificate", {"service": "cpanel", "crt": crt, "key": key, "cabundle": pki.cab()})
    data = whm.ok("reset_service_ssl_certificate", {"service": "cpanel"})["data"]
    assert data["service"] == "cpanel" and data["certificate_info"]["is_self_signed"] == 1
    assert data["certificate"] not in (before, crt.strip())
    assert services(whm)["cpanel"]["certificate"] == data["certificate"]
    assert whm.fail("reset_service_ssl_certificate", {"service": "nope"}).startswith("“nope” is not a known service.")
