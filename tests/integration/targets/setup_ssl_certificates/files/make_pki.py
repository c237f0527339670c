# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Write a small test PKI for the SSL integration targets.

    python make_pki.py OUTDIR DOMAIN

Writes root.pem, intermediate.pem, bundle.pem (intermediate then root), bundle_reversed.pem,
and leaf certificates issued by the intermediate: leaf.pem (DOMAIN and www.DOMAIN),
renewed.pem (same names and key, later dates), wildcard.pem (*.DOMAIN), expired.pem,
other.pem (other.example.net), host.pem (a service certificate), self_signed.pem.
leaf.key signs every leaf; other.key belongs to none of them.

The two private keys are derived from fixed numbers so their PEM text is the same on every
run: the targets list its lines in secrets.txt, and the harness fails if any of them shows
up in the playbook output. Test keys only; they protect nothing.
"""

from __future__ import annotations

import datetime
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LEAF_KEY_NUMBER = 0x6D6F64756C655F73736C5F6365727469666963617465735F6C6561665F6B6579
OTHER_KEY_NUMBER = 0x6D6F64756C655F73736C5F6365727469666963617465735F6F746865725F6B
CA_KEY_NUMBERS = (0x726F6F745F63615F6B6579, 0x696E7465726D6564696174655F63615F6B6579)


def name(common_name: str, org: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if org:
        attributes.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attributes)


def issue(subject, key, issuer, issuer_key, *, ca, sans=(), days=(-1, 60), serial=1):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now + datetime.timedelta(days=days[0]))
        .not_valid_after(now + datetime.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in sans]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def write(path: str, text: str, mode: int = 0o644) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)
    os.chmod(path, mode)


def main() -> None:
    outdir, domain = sys.argv[1], sys.argv[2].lower()
    curve = ec.SECP256R1()
    root_key, inter_key = (ec.derive_private_key(number, curve) for number in CA_KEY_NUMBERS)
    leaf_key = ec.derive_private_key(LEAF_KEY_NUMBER, curve)
    other_key = ec.derive_private_key(OTHER_KEY_NUMBER, curve)
    root_name = name("hosting.whm Test Root CA", "hosting.whm tests")
    inter_name = name("hosting.whm Test Intermediate CA", "hosting.whm tests")
    root = issue(root_name, root_key, root_name, root_key, ca=True, days=(-30, 3650), serial=1)
    inter = issue(inter_name, inter_key, root_name, root_key, ca=True, days=(-30, 1825), serial=2)

    def pem(cert) -> str:
        return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def leaf(common_name, sans, days=(-1, 60), serial=100):
        return pem(
            issue(name(common_name), leaf_key, inter_name, inter_key, ca=False, sans=sans, days=days, serial=serial)
        )

    files = {
        "root.pem": pem(root),
        "intermediate.pem": pem(inter),
        "bundle.pem": pem(inter) + pem(root),
        "bundle_reversed.pem": pem(root) + pem(inter),
        "leaf.pem": leaf(domain, [domain, "www." + domain]),
        "renewed.pem": leaf(domain, [domain, "www." + domain], days=(-1, 89), serial=101),
        "wildcard.pem": leaf("*." + domain, ["*." + domain], serial=102),
        "expired.pem": leaf(domain, [domain, "www." + domain], days=(-90, -10), serial=103),
        "other.pem": leaf("other.example.net", ["other.example.net"], serial=104),
        "host.pem": leaf("host.example.test", ["host.example.test"], serial=105),
        "self_signed.pem": pem(
            issue(
                name("self.example.test"),
                leaf_key,
                name("self.example.test"),
                leaf_key,
                ca=False,
                sans=["self.example.test"],
            )
        ),
    }
    for filename, text in files.items():
        write(os.path.join(outdir, filename), text)
    for filename, key in (("leaf.key", leaf_key), ("other.key", other_key)):
        text = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        write(os.path.join(outdir, filename), text, 0o600)


if __name__ == "__main__":
    main()
