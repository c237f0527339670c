# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Certificate parsing, identity, coverage and chain checks; plus the test PKI the SSL module
tests share (a root CA, an intermediate, and leaf certificates generated once per session)."""

from __future__ import annotations

import datetime
import functools
import typing as t

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ansible_collections.hosting.whm.plugins.module_utils import _ssl
from ansible_collections.hosting.whm.plugins.module_utils._errors import WHMInputError

NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)


def _name(common_name: str, org: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if org:
        attributes.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attributes)


def _key_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _issue(
    subject: x509.Name,
    key,
    issuer_name: x509.Name,
    issuer_key,
    *,
    ca: bool,
    sans: t.Sequence[str] = (),
    days: t.Tuple[int, int] = (-30, 60),
    serial: int = 1,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(NOW + datetime.timedelta(days=days[0]))
        .not_valid_after(NOW + datetime.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in sans]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


class Pki:
    """PEM strings of a small CA hierarchy and leaves for example.com."""

    def __init__(self) -> None:
        root_key = ec.generate_private_key(ec.SECP256R1())
        inter_key = ec.generate_private_key(ec.SECP256R1())
        root_name = _name("Test Root CA", "hosting.whm tests")
        inter_name = _name("Test Intermediate CA", "hosting.whm tests")
        root = _issue(root_name, root_key, root_name, root_key, ca=True, days=(-400, 4000), serial=10)
        inter = _issue(inter_name, inter_key, root_name, root_key, ca=True, days=(-400, 2000), serial=11)
        self.root = _cert_pem(root)
        self.intermediate = _cert_pem(inter)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key_pem = _key_pem(self.key)
        other_key = ec.generate_private_key(ec.SECP256R1())
        self.other_key_pem = _key_pem(other_key)

        def leaf(common_name, sans, days=(-30, 60), serial=100, key=None):
            return _cert_pem(
                _issue(
                    _name(common_name),
                    key or self.key,
                    inter_name,
                    inter_key,
                    ca=False,
                    sans=sans,
                    days=days,
                    serial=serial,
                )
            )

        self.leaf = leaf("example.com", ["example.com", "www.example.com"])
        self.renewed = leaf("example.com", ["example.com", "www.example.com"], days=(-1, 89), serial=101)
        self.wildcard = leaf("*.example.com", ["*.example.com"], serial=102)
        self.expired = leaf("example.com", ["example.com"], days=(-120, -30), serial=103)
        self.other = leaf("example.net", ["example.net"], serial=104)
        self.other_key_leaf = leaf("example.com", ["example.com"], serial=105, key=other_key)
        self.bundle = self.intermediate + self.root
        self.self_signed = _cert_pem(
            _issue(
                _name("host.example.com"),
                other_key,
                _name("host.example.com"),
                other_key,
                ca=False,
                sans=["host.example.com"],
            )
        )
        self.now = NOW.timestamp()


@functools.lru_cache(maxsize=1)
def pki() -> Pki:
    return Pki()


def rewrap(pem: str, width: int = 76) -> str:
    """The same certificate with other line lengths and CRLF line ends."""
    body = "".join(pem.strip().splitlines()[1:-1])
    lines = [body[i : i + width] for i in range(0, len(body), width)]
    return "\r\n".join(["-----BEGIN CERTIFICATE-----"] + lines + ["-----END CERTIFICATE-----"]) + "\r\n\r\n"


# -- tests ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "pattern, domain, expected",
    [
        ("example.com", "example.com", True),
        ("example.com", "EXAMPLE.com.", True),
        ("example.com", "www.example.com", False),
        ("*.example.com", "www.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "a.b.example.com", False),
        ("*.example.com", ".example.com", False),
        ("*.example.com", "www.example.net", False),
    ],
)
def test_wildcard_covers_exactly_one_label(pattern, domain, expected):
    assert _ssl.name_covers(pattern, domain) is expected


def test_identity_ignores_pem_formatting():
    p = pki()
    one = _ssl.parse_certificate(p.leaf)
    two = _ssl.parse_certificate(rewrap(p.leaf))
    assert one.fingerprint == two.fingerprint
    assert _ssl.der_to_pem(one.der).splitlines()[1] == p.leaf.splitlines()[1]
    assert not _ssl.der_to_pem(one.der).endswith("\n")


def test_summary_shows_identity_not_key():
    p = pki()
    summary = _ssl.Desired(p.leaf, p.key_pem, p.bundle, domain="www.example.com", now=p.now).summary()
    assert summary["certificate"]["subject"] == "CN=example.com"
    assert summary["certificate"]["domains"] == ["example.com", "www.example.com"]
    assert summary["certificate"]["issuer"] == "CN=Test Intermediate CA,O=hosting.whm tests"
    assert summary["certificate"]["not_after"] == "2026-07-31T00:00:00Z"
    assert summary["certificate"]["days_to_expiry"] == 60
    assert summary["certificate"]["serial"] == "64"
    assert summary["certificate"]["key_algorithm"] == "rsaEncryption"
    assert summary["ca_bundle"] == [
        "CN=Test Intermediate CA,O=hosting.whm tests",
        "CN=Test Root CA,O=hosting.whm tests",
    ]
    key_body = p.key_pem.splitlines()[1]
    assert key_body not in repr(summary)


def test_key_mismatch_is_refused():
    p = pki()
    with pytest.raises(WHMInputError, match=r"^private_key does not match certificate \(their public keys differ\)"):
        _ssl.Desired(p.leaf, p.other_key_pem, None, now=p.now)


def test_encrypted_key_is_refused():
    p = pki()
    encrypted = p.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret-pass"),
    ).decode()
    with pytest.raises(WHMInputError, match="private_key is encrypted with a password"):
        _ssl.Desired(p.leaf, encrypted, None, now=p.now)


def test_expired_is_refused_unless_allowed():
    p = pki()
    with pytest.raises(WHMInputError, match=r"^certificate expired on 2026-05-02T00:00:00Z \(CN=example.com\)"):
        _ssl.Desired(p.expired, p.key_pem, None, domain="example.com", now=p.now)
    desired = _ssl.Desired(p.expired, p.key_pem, None, domain="example.com", allow_expired=True, now=p.now)
    assert desired.summary()["certificate"]["days_to_expiry"] == -30


@pytest.mark.parametrize("domain", ["example.com", "a.b.example.com"])
def test_wildcard_does_not_cover_apex_or_two_labels(domain):
    p = pki()
    with pytest.raises(WHMInputError, match=f'certificate does not cover the domain "{domain}": it is valid for'):
        _ssl.Desired(p.wildcard, p.key_pem, None, domain=domain, now=p.now)
    assert _ssl.Desired(p.wildcard, p.key_pem, None, domain="shop.example.com", now=p.now)


def test_other_domain_is_refused():
    p = pki()
    with pytest.raises(WHMInputError, match='does not cover the domain "example.com": it is valid for example.net.'):
        _ssl.Desired(p.other, p.key_pem, None, domain="example.com", now=p.now)


def test_bundle_in_wrong_order_is_refused_with_the_right_order():
    p = pki()
    with pytest.raises(WHMInputError) as caught:
        _ssl.Desired(p.leaf, p.key_pem, p.root + p.intermediate, now=p.now)
    assert str(caught.value) == (
        "ca_bundle is not in chain order (each certificate must issue the one before it, starting with the "
        "issuer of the certificate). Use this order: 1. CN=Test Intermediate CA,O=hosting.whm tests; "
        "2. CN=Test Root CA,O=hosting.whm tests."
    )


def test_bundle_that_does_not_chain_is_refused():
    p = pki()
    with pytest.raises(WHMInputError, match="ca_bundle does not form a chain from the certificate"):
        _ssl.Desired(p.leaf, p.key_pem, p.self_signed, now=p.now)
    with pytest.raises(WHMInputError, match="ca_bundle certificate 1 is the certificate itself"):
        _ssl.Desired(p.leaf, p.key_pem, p.leaf + p.intermediate, now=p.now)


def test_intermediate_only_bundle_is_fine():
    p = pki()
    assert _ssl.Desired(p.leaf, p.key_pem, p.intermediate, now=p.now).summary()["ca_bundle"] == [
        "CN=Test Intermediate CA,O=hosting.whm tests"
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "certificate must hold exactly one PEM certificate; found no."),
        ("not a certificate", "certificate must hold exactly one PEM certificate; found no."),
    ],
)
def test_bad_certificate_text(text, message):
    with pytest.raises(WHMInputError) as caught:
        _ssl.parse_certificate(text)
    assert str(caught.value) == message


def test_two_certificates_are_not_one():
    p = pki()
    with pytest.raises(WHMInputError, match="found 2"):
        _ssl.parse_certificate(p.leaf + p.renewed)


def test_garbled_certificate_body():
    with pytest.raises(WHMInputError, match="certificate is not a valid X.509 certificate"):
        _ssl.parse_certificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")


def test_key_that_is_not_a_key():
    p = pki()
    with pytest.raises(WHMInputError, match="private_key must hold exactly one PEM private key."):
        _ssl.Desired(p.leaf, p.leaf, None, now=p.now)


@pytest.mark.parametrize("domain", ["example", "-a.example.com", "a..example.com", "*.example.com", "exa mple.com"])
def test_invalid_domains(domain):
    with pytest.raises(WHMInputError, match="is not a valid domain name."):
        _ssl.validate_domain(domain)


def test_vhost_certificate_handles_whm_shapes():
    record = {
        "servername": "example.com",
        "crt": {
            "id": "x",
            "subject.commonName": {"commonName": "example.com"},
            "issuer.commonName": "Test Intermediate CA",
            "domains": ["example.com"],
            "not_after": 1000 + 10 * 86400,
            "not_before": 0,
            "is_self_signed": "",
        },
    }
    cert = _ssl.vhost_certificate(record, now=1000)
    assert cert["subject_common_name"] == "example.com"
    assert cert["is_self_signed"] is False
    assert cert["days_to_expiry"] == 10
    assert cert["expired"] is False
    record["crt"]["is_self_signed"] = 1
    assert _ssl.vhost_certificate(record, now=1000)["is_self_signed"] is True
