"""A private CA and a server certificate, generated once per state directory.

Why a CA and not one self-signed certificate: clients (Ansible's ``ca_path``, requests'
``verify=``) then verify TLS for real, the same way users verify a WHM server's certificate.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path
from typing import List, Tuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _write(path: Path, data: bytes, private: bool) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
    if private:
        os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def ensure_certificates(state_dir: Path, hostname: str) -> Tuple[Path, Path, Path]:
    """Return (ca.pem, server.pem, server.key), creating them on first use."""
    state_dir.mkdir(parents=True, exist_ok=True)
    ca_pem, ca_key = state_dir / "ca.pem", state_dir / "ca.key"
    srv_pem, srv_key = state_dir / "server.pem", state_dir / "server.key"
    if all(p.exists() for p in (ca_pem, ca_key, srv_pem, srv_key)):
        return ca_pem, srv_pem, srv_key

    now = datetime.datetime.now(datetime.timezone.utc)
    start = now - datetime.timedelta(days=1)
    ca_private = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "whm_emulator test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_private.public_key()), critical=False)
        .sign(ca_private, hashes.SHA256())
    )

    server_private = ec.generate_private_key(ec.SECP256R1())
    names: List[x509.GeneralName] = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    if hostname and hostname != "localhost":
        names.append(x509.DNSName(hostname))
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname or "localhost")]))
        .issuer_name(ca_name)
        .public_key(server_private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_private.public_key()), critical=False)
        .sign(ca_private, hashes.SHA256())
    )

    _write(ca_key, _key_pem(ca_private), private=True)
    _write(ca_pem, ca_cert.public_bytes(serialization.Encoding.PEM), private=False)
    _write(srv_key, _key_pem(server_private), private=True)
    _write(srv_pem, server_cert.public_bytes(serialization.Encoding.PEM), private=False)
    return ca_pem, srv_pem, srv_key
