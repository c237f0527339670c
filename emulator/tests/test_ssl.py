"""SSL on vhosts: installssl, fetch_vhost_ssl_components, fetch_ssl_vhosts, delete_ssl_vhost,
listcrts, fetchsslinfo, generatessl (texts: dns_ssl_tokens.md section 3, Cpanel/SSLInstall.pm,
Cpanel/SSLInfo.pm)."""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any, Dict

import pytest
from conftest import Whm, strip_xid
from cryptography import x509
from test_ssl_pki import NOW, Pki, cert_pem, ec_key, key_pem, make_cert, rsa_key, self_signed

DOMAIN = "alice.example.com"
OK_INSTALL = (
    "The SSL certificate is now installed onto the domain “alice.example.com” using the IP address “192.0.2.10”."
)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


def install(whm: Whm, crt: str, key: str, domain: str = DOMAIN, **extra: str) -> Dict[str, Any]:
    return whm.call("installssl", {"domain": domain, "crt": crt, "key": key, **extra})


def components(whm: Whm) -> Dict[str, Dict[str, Any]]:
    return {c["servername"]: c for c in whm.ok("fetch_vhost_ssl_components")["data"]["components"]}


# ---------------------------------------------------------------------------------------
# installssl
# ---------------------------------------------------------------------------------------


def test_install_self_signed_then_none_then_update(whm: Whm, pki: Pki) -> None:
    whm.create("alice")
    crt, key = self_signed([DOMAIN, f"www.{DOMAIN}", "other.example.org"])
    first = install(whm, crt, key)
    assert first["metadata"]["result"] == 1
    assert first["metadata"]["reason"] == OK_INSTALL + " Apache is restarting in the background.\n"
    assert first["metadata"]["output"]["raw"].startswith("<br>" + OK_INSTALL)
    data = first["data"]
    assert data["action"] == "install" and data["status"] == 1
    assert (data["domain"], data["servername"], data["user"], data["ip"]) == (DOMAIN, DOMAIN, "alice", "192.0.2.10")
    assert data["aliases"] == [f"mail.{DOMAIN}"]  # www.* removed
    assert data["working_domains"] == [DOMAIN]
    assert data["warning_domains"] == [f"mail.{DOMAIN}"]
    assert data["extra_certificate_domains"] == ["other.example.org"]
    assert data["statusmsg"] == data["message"]

    # The same certificate again (different PEM wrapping): nothing changes.
    again = install(whm, crt.replace("\n", "\r\n") + "\n\n", key)
    assert (
        again["metadata"]["reason"]
        == "This certificate was already installed on this host. The system made no changes."
    )
    assert again["data"]["action"] == "none"

    # A different certificate for the same vhost: update.
    crt2, key2 = pki.leaf([DOMAIN])
    updated = install(whm, crt2, key2, cab=pki.cab())
    assert updated["data"]["action"] == "update"
    assert updated["metadata"]["reason"] == (
        OK_INSTALL + "\nThe existing virtual host was updated with the new certificate."
        " Apache is restarting in the background.\n"
    )
    comp = components(whm)[DOMAIN]
    assert comp["certificate"] == crt2.strip()
    assert comp["key"] == key2.strip()


def test_install_accepts_www_and_aliases(whm: Whm) -> None:
    whm.create("alice")
    crt, key = self_signed([f"mail.{DOMAIN}"])
    result = install(whm, crt, key, domain=f"WWW.{DOMAIN.upper()}")
    assert result["data"]["domain"] == DOMAIN
    crt2, key2 = self_signed([f"webmail.{DOMAIN}"])  # only a service subdomain matches
    result = install(whm, crt2, key2, domain=f"mail.{DOMAIN}")
    assert result["data"]["servername"] == DOMAIN
    assert result["data"]["action"] == "update"
    assert f"“mail.{DOMAIN}–alias of ‘{DOMAIN}’”" in result["metadata"]["reason"]


def test_component_ids_follow_sslstorage_format(whm: Whm) -> None:
    whm.create("alice")
    key = rsa_key()
    cert = make_cert([DOMAIN], key)
    crt = cert_pem(cert)
    install(whm, crt, key_pem(key))
    comp = components(whm)[DOMAIN]
    modulus = format(key.public_key().public_numbers().n, "x")
    not_after = int(cert.not_valid_after_utc.timestamp())
    normalised = comp["certificate"]
    assert not normalised.endswith("\n") and all(len(line) <= 64 for line in normalised.splitlines())
    md5 = hashlib.md5(normalised.encode()).hexdigest()  # noqa: S324
    assert comp["certificate_id"] == f"alice_example_com_{modulus[:5]}_{modulus[-5:]}_{not_after}_{md5}"
    assert comp["key_id"] == f"{modulus[:5]}_{modulus[-5:]}_{hashlib.md5(modulus.encode()).hexdigest()}"  # noqa: S324
    assert comp["cabundle"] is None and comp["cabundle_id"] is None


def test_ecdsa_certificate_ids(whm: Whm) -> None:
    whm.create("alice")
    key = ec_key()
    crt = cert_pem(make_cert([DOMAIN], key))
    assert install(whm, crt, key_pem(key))["metadata"]["result"] == 1
    comp = components(whm)[DOMAIN]
    assert re.fullmatch(r"ec-alice_example_com_[0-9a-f]{10}_\d+_[0-9a-f]{32}", comp["certificate_id"])
    assert re.fullmatch(r"ec-[0-9a-f]{10}_[0-9a-f]{32}", comp["key_id"])
    vhost = whm.ok("fetch_ssl_vhosts")["data"]["vhosts"][0]["crt"]
    assert vhost["encryption_algorithm"] == "id-ecPublicKey" and vhost["ecdsa_curve_name"] == "prime256v1"
    assert vhost["modulus"] is None and vhost["ecdsa_public"].startswith("04")


def test_key_mismatch(whm: Whm) -> None:
    whm.create("alice")
    crt, dummy = self_signed([DOMAIN])
    other_key = rsa_key()
    reason = whm.fail("installssl", {"domain": DOMAIN, "crt": crt, "key": key_pem(other_key)})
    assert reason.startswith("The key does not match the certificate. Please try another key.\n\nKey:\n-----BEGIN")
    assert "\nKey Modulus:\n" in reason and "\nCertificate Modulus:\n" in reason
    modulus = format(other_key.public_key().public_numbers().n, "x")
    assert modulus[:64] in reason
    assert components(whm) == {}


def test_encrypted_key_refused(whm: Whm) -> None:
    whm.create("alice")
    key = rsa_key()
    crt = cert_pem(make_cert([DOMAIN], key))
    reason = whm.fail("installssl", {"domain": DOMAIN, "crt": crt, "key": key_pem(key, password=b"secret")})
    assert reason == (
        "\nThis key file is encrypted with a password. You must use openssl to decrypt this key first!\n"
        "openssl rsa -in <original key file> -out <new key file>"
    )


def test_expired_and_not_yet_valid(whm: Whm) -> None:
    whm.create("alice")
    crt, key = self_signed([DOMAIN], days=10, start=NOW - datetime.timedelta(days=30))
    assert install(whm, crt, key)["data"]["action"] == "install"  # expired: tolerated
    crt2, key2 = self_signed([DOMAIN], start=NOW + datetime.timedelta(days=2))
    reason = whm.fail("installssl", {"domain": DOMAIN, "crt": crt2, "key": key2})
    assert reason == "Certificate verification failed!  CERT_NOT_YET_VALID"


def test_certificate_must_cover_the_vhost(whm: Whm) -> None:
    whm.create("alice")
    crt, key = self_signed(["other.example.org", "www.other.example.org"])
    reason = whm.fail("installssl", {"domain": DOMAIN, "crt": crt, "key": key})
    assert reason == (
        "The certificate does not support the domain “alice.example.com”. It supports these domains:"
        " other.example.org and www.other.example.org."
    )
    crt, key = self_signed(["one.example.org"])
    assert whm.fail("installssl", {"domain": DOMAIN, "crt": crt, "key": key}).endswith(
        "It supports this domain: one.example.org."
    )


def test_wildcards_cover_one_label(whm: Whm) -> None:
    whm.create("alice")
    # *.example.com covers alice.example.com.
    crt, key = self_signed(["*.example.com"])
    result = install(whm, crt, key)
    assert result["data"]["working_domains"] == [DOMAIN]
    # *.alice.example.com covers the aliases (www., mail.) but not the bare domain.
    crt, key = self_signed(["*.alice.example.com"])
    result = install(whm, crt, key)
    assert result["data"]["working_domains"] == [f"mail.{DOMAIN}"]
    assert result["data"]["warning_domains"] == [DOMAIN]
    # Two labels deep: no vhost name matches.
    crt, key = self_signed(["*.deep.alice.example.com"])
    assert whm.fail("installssl", {"domain": DOMAIN, "crt": crt, "key": key}).startswith(
        "The certificate does not support the domain “alice.example.com”."
    )


def test_chain_needs_its_ca_bundle(whm: Whm, pki: Pki) -> None:
    whm.create("alice")
    crt, key = pki.leaf([DOMAIN])
    reason = whm.fail("installssl", {"domain": DOMAIN, "crt": crt, "key": key})
    assert reason == (
        "Certificate verification failed!  The system did not find the Certificate Authority Bundle that"
        " matches this certificate. Contact “Test Org” to obtain the Certificate Authority Bundle for"
        " “Test Intermediate”."
    )
    # Intermediate without its root: the root is missing.
    reason = whm.fail("installssl", {"domain": DOMAIN, "crt": crt, "key": key, "cab": cert_pem(pki.inter)})
    assert reason.startswith("Certificate verification failed!  The system did not find the root certificate")
    # A bundle that does not belong to the certificate.
    unrelated = Pki()
    reason = whm.fail("installssl", {"domain": DOMAIN, "crt": crt, "key": key, "cab": unrelated.cab()})
    assert reason == "Certificate verification failed!  UNABLE_TO_VERIFY_LEAF_SIGNATURE"


@pytest.mark.parametrize("order", ["leaf-first", "root-first"])
def test_chain_order_of_the_ca_bundle(whm: Whm, pki: Pki, order: str) -> None:
    whm.create("alice")
    crt, key = pki.leaf([DOMAIN])
    cab = pki.cab(order)
    result = install(whm, crt, key, cab=cab)
    assert result["data"]["action"] == "install"
    comp = components(whm)[DOMAIN]
    # The bundle is kept as given (normalised PEM, same order).
    blocks = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", comp["cabundle"], re.S)
    subjects = [x509.load_pem_x509_certificate(b.encode()).subject.rfc4514_string() for b in blocks]
    expected = ["CN=Test Intermediate,O=Test Org", "CN=Test Root,O=Test Org"]
    assert subjects == (expected if order == "leaf-first" else list(reversed(expected)))
    assert re.fullmatch(r"Test_Org_[0-9a-f]{32}_\d+", comp["cabundle_id"]) or order == "root-first"
    # Same certificate, same bundle: nothing to do.
    assert install(whm, crt, key, cab=cab)["data"]["action"] == "none"


def test_update_cabundle(whm: Whm, pki: Pki) -> None:
    whm.create("alice")
    crt, key = self_signed([DOMAIN])
    install(whm, crt, key)
    result = install(whm, crt, key, cab=pki.cab())
    assert result["data"]["action"] == "update_cabundle"
    assert result["metadata"]["reason"] == (
        "This certificate was already installed on this host. The system updated the Certificate Authority"
        " bundle for the current SSL installation."
    )
    assert components(whm)[DOMAIN]["cabundle"] is not None


def test_input_failures(whm: Whm) -> None:
    whm.create("alice")
    crt, key = self_signed([DOMAIN])
    assert whm.fail("installssl", {"crt": crt, "key": key}) == "You must specify a domain."
    assert (
        whm.fail("installssl", {"domain": "bad_domain!", "crt": crt, "key": key})
        == "“bad_domain!” is not a valid domain."
    )
    assert whm.fail("installssl", {"domain": DOMAIN, "crt": crt}) == "A certificate and private key must be provided."
    assert (
        whm.fail("installssl", {"domain": DOMAIN, "crt": "junk", "key": key})
        == "Sorry, that is not a valid certificate\n"
    )
    reason = whm.fail("installssl", {"domain": DOMAIN, "crt": crt, "key": key, "ip": "192.0.2.99"})
    assert reason == "Given “ip” (192.0.2.99) doesn’t match non-SSL vhost IP (192.0.2.10)."


def test_unowned_domains(whm: Whm) -> None:
    crt, key = self_signed(["stray.example.net"])
    reason = whm.fail("installssl", {"domain": "stray.example.net", "crt": crt, "key": key})
    assert reason.startswith("The domain “stray.example.net” is not managed on this server. You must specify an IP")
    reason = whm.fail("installssl", {"domain": "stray.example.net", "crt": crt, "key": key, "ip": "198.51.100.7"})
    assert reason == "You must use an IP address that is on the server. “198.51.100.7” is not bound."
    result = whm.ok("installssl", {"domain": "stray.example.net", "crt": crt, "key": key, "ip": "192.0.2.10"})
    assert result["data"]["user"] == "nobody" and result["data"]["aliases"] == []
    assert "stray.example.net" in components(whm)


# ---------------------------------------------------------------------------------------
# Reads and delete
# ---------------------------------------------------------------------------------------


def test_fetch_vhost_ssl_components_servername_filter(whm: Whm) -> None:
    whm.create("alice")
    whm.create("bob")
    for user in ("alice", "bob"):
        crt, key = self_signed([f"{user}.example.com"])
        install(whm, crt, key, domain=f"{user}.example.com")
    params = {
        "api.filter.enable": "1",
        "api.filter.a.field": "servername",
        "api.filter.a.type": "eq",
        "api.filter.a.arg0": "bob.example.com",
    }
    found = whm.ok("fetch_vhost_ssl_components", params)["data"]["components"]
    assert [c["servername"] for c in found] == ["bob.example.com"]
    assert len(whm.ok("fetch_vhost_ssl_components")["data"]["components"]) == 2


def test_fetch_ssl_vhosts_shape(whm: Whm) -> None:
    whm.create("alice")
    whm.create("bob")
    crt, key = self_signed([DOMAIN])
    install(whm, crt, key)
    crt, key = self_signed(["bob.example.com"])
    install(whm, crt, key, domain="bob.example.com")
    vhosts = whm.ok("fetch_ssl_vhosts")["data"]["vhosts"]
    assert [v["servername"] for v in vhosts] == [DOMAIN, "bob.example.com"]
    alice = vhosts[0]
    assert alice["user"] == "alice" and alice["type"] == "main" and alice["docroot"] == "/home/alice/public_html"
    assert f"www.{DOMAIN}" in alice["domains"] and f"cpanel.{DOMAIN}" in alice["domains"]
    assert (alice["is_primary_on_ip"], alice["needs_sni"], vhosts[1]["is_primary_on_ip"]) == (1, 0, 0)
    info = alice["crt"]
    assert info["is_self_signed"] == 1 and info["domains"] == [DOMAIN]
    assert info["subject.commonName"] == {"commonName": DOMAIN}
    assert info["issuer_text"] == f"commonName\n{DOMAIN}"
    assert info["public_exponent"] == "010001" and info["modulus_length"] == 2048
    assert info["signature_algorithm"] == "sha256WithRSAEncryption"


def test_delete_ssl_vhost(whm: Whm) -> None:
    whm.create("alice")
    envelope = whm.call("delete_ssl_vhost", {"host": DOMAIN})
    assert envelope["metadata"]["reason"] == "Failed to remove SSL vhost."
    assert envelope["data"] == {"message": "No SSL certificate secures the website “alice.example.com”."}
    envelope = whm.call("delete_ssl_vhost", {"host": f"www.{DOMAIN}"})
    assert (
        envelope["data"]["message"]
        == "No SSL certificate secures “www.alice.example.com”’s website (alice.example.com)."
    )
    crt, key = self_signed([DOMAIN])
    install(whm, crt, key)
    data = whm.ok("delete_ssl_vhost", {"host": f"www.{DOMAIN}"})["data"]
    assert data["output"] == [f"Deleting the SSL host for {DOMAIN}", "Done."]
    assert data["removed_vhost_data"][0]["servername"] == DOMAIN
    assert data["removed_vhost_data"][0]["ip_port"] == ["192.0.2.10", "443"]
    assert components(whm) == {}
    assert strip_xid(whm.fail("delete_ssl_vhost", {})) == "API failure: (XID) Provide the “host” parameter."


def test_removeacct_removes_its_ssl(whm: Whm) -> None:
    whm.create("alice")
    crt, key = self_signed([DOMAIN])
    install(whm, crt, key)
    whm.ok("removeacct", {"username": "alice"})
    assert components(whm) == {}


def test_listcrts(whm: Whm, pki: Pki) -> None:
    whm.create("alice")
    crt, key = pki.leaf([DOMAIN, "elsewhere.example.org"])
    install(whm, crt, key, cab=pki.cab())
    records = whm.ok("listcrts", {"user": "alice"})["data"]["crt"]
    assert len(records) == 1
    record = records[0]
    assert record["domain"] == DOMAIN and record["domains"] == [DOMAIN, "elsewhere.example.org"]
    assert record["domain_owners"] == ["alice", None]
    assert record["issuer.organizationName"] == "Test Org"
    assert (record["is_self_signed"], record["registered"], record["key_algorithm"]) == (0, 1, "rsaEncryption")
    assert record["id"] == components(whm)[DOMAIN]["certificate_id"]
    assert record["friendly_name"] == f"Cert for “{DOMAIN}”"
    assert whm.ok("listcrts")["data"]["crt"] == []  # root's own storage
    assert whm.fail("listcrts", {"user": "ghost"}) == "You do not own a user “ghost”."


def test_fetchsslinfo(whm: Whm) -> None:
    whm.create("alice")
    assert whm.fail("fetchsslinfo", {}) == "No certificate data or domain supplied."
    envelope = whm.ok("fetchsslinfo", {"domain": DOMAIN})
    assert envelope["data"] == {}
    assert envelope["metadata"]["output"]["messages"] == [f"No certificate for the domain {DOMAIN} could be found."]
    crt, key = self_signed([DOMAIN])
    install(whm, crt, key)
    data = whm.ok("fetchsslinfo", {"domain": DOMAIN})["data"]
    assert data["crt"] == crt.strip() and data["key"] == key.strip() and data["cab"] == ""
    assert (data["user"], data["ip"], data["domain"]) == ("alice", "192.0.2.10", DOMAIN)
    data = whm.ok("fetchsslinfo", {"crtdata": crt})["data"]
    assert data["key"] == key.strip() and data["key_origin"] == "alice"
    assert whm.fail("fetchsslinfo", {"crtdata": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}) == (
        "The certificate file is invalid."
    )


def test_generatessl(whm: Whm) -> None:
    envelope = whm.ok(
        "generatessl",
        {"domains": "gen.example.com, www.gen.example.com", "countryName": "us", "organizationName": "Example"},
    )
    assert envelope["metadata"]["reason"] == "Key, Certificate, and CSR generated OK"
    data = envelope["data"]
    cert = x509.load_pem_x509_certificate(data["cert"].encode())
    assert cert.subject.rfc4514_string() == "CN=gen.example.com,O=Example,C=US"
    assert cert.issuer == cert.subject
    csr = x509.load_pem_x509_csr(data["csr"].encode())
    assert csr.public_key() == cert.public_key()
    assert data["keyfile"].endswith(f"/{data['key_id']}.key") and data["certfile"].endswith(f"/{data['cert_id']}.crt")
    assert [c["id"] for c in whm.ok("listcrts")["data"]["crt"]] == [data["cert_id"]]
    # A new key every time.
    again = whm.ok("generatessl", {"domains": "gen.example.com"})["data"]
    assert again["key_id"] != data["key_id"]
    skip = whm.ok("generatessl", {"domains": "gen.example.com", "skip_certificate": "1", "keytype": "ecdsa-prime256v1"})
    assert skip["metadata"]["reason"] == "Key and CSR generated OK" and "cert" not in skip["data"]
    assert skip["data"]["key_id"].startswith("ec-")
    assert whm.fail("generatessl", {}) == "Missing required parameter: domains."
    assert (
        whm.fail("generatessl", {"domains": "x.example.com", "countryName": "USA"})
        == "“USA” is not a valid country code."
    )


def test_name_matching_rules() -> None:
    from whm_emulator.ssl_certs import name_matches

    assert name_matches("*.example.com", "www.example.com")
    assert not name_matches("*.example.com", "example.com")
    assert not name_matches("*.example.com", "a.b.example.com")
    assert name_matches("Example.COM", "example.com")
    assert name_matches("*.example.com", "*.example.com")


def test_archive_section_moves_installed_certificates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from whm_emulator.api.common import ARCHIVE_SECTIONS, load_account
    from whm_emulator.registry import CallContext

    exporter, importer = ARCHIVE_SECTIONS["ssl"]
    source, target = Whm(tmp_path / "a"), Whm(tmp_path / "b", ip="192.0.2.20")
    try:
        source.create("alice")
        source.create("bob")
        crt, key = self_signed([DOMAIN])
        install(source, crt, key)
        crt_b, key_b = self_signed(["bob.example.com"])
        install(source, crt_b, key_b, domain="bob.example.com")
        with source.emulator.store.transaction(write=False) as db:
            ctx = CallContext(db=db, emulator=source.emulator)
            data = exporter(ctx, load_account(ctx, "alice") or {})
        assert [v["servername"] for v in data["vhosts"]] == [DOMAIN]  # only the account's own vhosts
        # Restored under another user name on a server with another IP.
        target.create("alice2", domain=DOMAIN)
        with target.emulator.store.transaction(write=True) as db:
            ctx = CallContext(db=db, emulator=target.emulator)
            importer(ctx, load_account(ctx, "alice2") or {}, data, {"olduser": "alice"})
        comp = components(target)[DOMAIN]
        assert comp["certificate"] == crt.strip() and comp["key"] == key.strip()
        vhost = target.ok("fetch_ssl_vhosts")["data"]["vhosts"][0]
        assert (vhost["user"], vhost["ip"]) == ("alice2", "192.0.2.20")
        assert target.ok("listcrts", {"user": "alice2"})["data"]["crt"][0]["domain"] == DOMAIN
    finally:
        source.close()
        target.close()


def test_account_archive_round_trip_keeps_the_certificate(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from whm_emulator import archive
    from whm_emulator.registry import CallContext

    source, target = Whm(tmp_path / "a"), Whm(tmp_path / "b", ip="192.0.2.20")
    try:
        source.create("alice")
        crt, key = self_signed([DOMAIN])
        install(source, crt, key)
        with source.emulator.store.transaction(write=False) as db:
            data = archive.export_account(CallContext(db=db, emulator=source.emulator), "alice")
        with target.emulator.store.transaction(write=True) as db:
            archive.restore_account(CallContext(db=db, emulator=target.emulator), data, "alice", {})
        comp = components(target)[DOMAIN]
        assert comp["certificate"] == crt.strip()
        assert target.ok("fetch_ssl_vhosts")["data"]["vhosts"][0]["ip"] == "192.0.2.20"
        # Installing the same certificate on the restored account changes nothing.
        assert install(target, crt, key)["data"]["action"] == "none"
    finally:
        source.close()
        target.close()
