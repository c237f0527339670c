"""Test PKI built directly with ``cryptography`` (independent of the emulator's own helpers).

No tests here: other SSL test modules import these helpers.
"""

from __future__ import annotations

import datetime
from typing import List, Optional, Sequence, Tuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

NOW = datetime.datetime.now(datetime.timezone.utc)


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key, password: Optional[bytes] = None) -> str:  # type: ignore[no-untyped-def]
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    fmt = serialization.PrivateFormat.TraditionalOpenSSL
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption).decode()


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def make_cert(  # type: ignore[no-untyped-def]
    names: Sequence[str],
    key,
    issuer: Optional[Tuple[x509.Certificate, object]] = None,
    days: int = 90,
    start: Optional[datetime.datetime] = None,
    ca: bool = False,
    org: Optional[str] = None,
    cn: Optional[str] = None,
) -> x509.Certificate:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, cn or names[0])]
    if org:
        attributes.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    subject = x509.Name(attributes)
    begin = start or (NOW - datetime.timedelta(days=1))
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer[0].subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(begin)
        .not_valid_after(begin + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256())  # type: ignore[arg-type]


class Pki:
    """A private root, an intermediate and helpers to issue leaf certificates."""

    def __init__(self) -> None:
        self.root_key = rsa_key()
        self.root = make_cert(["Test Root"], self.root_key, days=3650, ca=True, org="Test Org")
        self.inter_key = rsa_key()
        self.inter = make_cert(
            ["Test Intermediate"], self.inter_key, issuer=(self.root, self.root_key), days=1000, ca=True, org="Test Org"
        )

    def leaf(self, names: Sequence[str], days: int = 90, start: Optional[datetime.datetime] = None) -> Tuple[str, str]:
        key = rsa_key()
        cert = make_cert(names, key, issuer=(self.inter, self.inter_key), days=days, start=start)
        return cert_pem(cert), key_pem(key)

    def cab(self, order: str = "leaf-first") -> str:
        parts: List[str] = [cert_pem(self.inter), cert_pem(self.root)]
        return "".join(parts if order == "leaf-first" else list(reversed(parts)))


def self_signed(names: Sequence[str], days: int = 365, start: Optional[datetime.datetime] = None) -> Tuple[str, str]:
    key = rsa_key()
    return cert_pem(make_cert(names, key, days=days, start=start)), key_pem(key)
