"""Certificates and keys as cPanel's SSL code sees them, computed with ``cryptography``.

What lives here (research note dns_ssl_tokens.md section 3.0 and Cpanel/SSLInfo.pm):

* PEM normalisation (``demunge_ssldata``): base64 bodies re-wrapped at 64 characters, blocks
  joined with a newline, no trailing newline;
* the parse cPanel keeps for a certificate (subject, issuer, domains, dates, key details);
* certificate, key and CA bundle IDs in SSLStorage's format;
* ``verify_components``: the checks of ``Cpanel::SSLInfo::verifysslcert`` with its texts (key
  match, then an OpenSSL-like chain verification that tolerates expired and self-signed
  certificates);
* domain matching with wildcards (one label, never the bare parent domain);
* certificate issuing for generatessl, service defaults and the emulated AutoSSL CA.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtensionOID, NameOID

_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)

# Certificate policy OIDs (CA/Browser Forum) → validation_type.
_VALIDATION = {"2.23.140.1.2.1": "dv", "2.23.140.1.2.2": "ov", "2.23.140.1.2.3": "ov", "2.23.140.1.1": "ev"}

# OpenSSL verification errors cPanel accepts (Cpanel/SSLInfo.pm @ACCEPTABLE_VERIFY_ERRORS).
ACCEPTABLE_VERIFY_ERRORS = ("CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN")
CERT_NOT_YET_VALID_TOLERANCE = 300


class SslError(ValueError):
    """A certificate/key problem, carrying cPanel's message text."""


# ---------------------------------------------------------------------------------------
# PEM handling
# ---------------------------------------------------------------------------------------


def pem_blocks(text: str) -> List[Tuple[str, str]]:
    """(label, normalised block) for every PEM block in ``text``."""
    out = []
    for label, body in _BLOCK.findall(text or ""):
        b64 = re.sub(r"\s+", "", body)
        lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
        out.append((label, "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"])))
    return out


def normalise_pem(text: str) -> str:
    """Cpanel::SSLInfo::demunge_ssldata: re-wrapped blocks joined by newlines, no trailing newline."""
    blocks = pem_blocks(text)
    if not blocks:
        return (text or "").strip()
    return "\n".join(block for _, block in blocks)


def split_certificates(text: str) -> List[str]:
    return [block for label, block in pem_blocks(text) if label in ("CERTIFICATE", "TRUSTED CERTIFICATE")]


def load_certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def load_key(pem: str) -> Any:
    return serialization.load_pem_private_key(pem.encode("ascii"), password=None)


def key_pem(key: Any) -> str:
    text = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode("ascii")
    return normalise_pem(text)


def cert_pem(cert: x509.Certificate) -> str:
    return normalise_pem(cert.public_bytes(serialization.Encoding.PEM).decode("ascii"))


# ---------------------------------------------------------------------------------------
# Parses
# ---------------------------------------------------------------------------------------


def _epoch(moment: datetime.datetime) -> int:
    return (
        int(moment.replace(tzinfo=datetime.timezone.utc).timestamp())
        if moment.tzinfo is None
        else int(moment.timestamp())
    )


def _name_list(name: x509.Name) -> List[Tuple[str, str]]:
    pairs = []
    for attribute in name:
        label = getattr(attribute.oid, "_name", None) or attribute.oid.dotted_string
        pairs.append((label, str(attribute.value)))
    return pairs


def _name_map(name: x509.Name) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for label, value in _name_list(name):
        out.setdefault(label, value)
    return out


def _name_text(name: x509.Name) -> str:
    # issuer_text/subject_text: "name\nvalue\nname\nvalue" (Whostmgr/API/1/SSL.pm _fetch_cert_info).
    return "\n".join(item for pair in _name_list(name) for item in pair)


def _public_key_details(public_key: Any) -> Dict[str, Any]:
    if isinstance(public_key, rsa.RSAPublicKey):
        numbers = public_key.public_numbers()
        exponent = format(numbers.e, "x")
        if len(exponent) % 2:
            exponent = "0" + exponent
        return {
            "key_algorithm": "rsaEncryption",
            "modulus": format(numbers.n, "x"),
            "modulus_length": public_key.key_size,
            "public_exponent": exponent,
            "ecdsa_curve_name": None,
            "ecdsa_public": None,
        }
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        point = public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        curve = {"secp256r1": "prime256v1"}.get(public_key.curve.name, public_key.curve.name)
        return {
            "key_algorithm": "id-ecPublicKey",
            "modulus": None,
            "modulus_length": None,
            "public_exponent": None,
            "ecdsa_curve_name": curve,
            "ecdsa_public": point.hex(),
        }
    raise SslError("This key cannot be parsed. It may be corrupt or in an unrecognized format.")


def _signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def parse_certificate(pem: str) -> Dict[str, Any]:
    """cPanel's certificate parse (Cpanel::SSL::Utils::parse_certificate_text)."""
    cert = load_certificate(pem)
    subject = _name_map(cert.subject)
    issuer = _name_map(cert.issuer)
    domains: List[str] = []
    common_name = subject.get("commonName")
    if common_name:
        domains.append(common_name.lower())
    try:
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
        for name in san.get_values_for_type(x509.DNSName):
            if name.lower() not in domains:
                domains.append(name.lower())
    except x509.ExtensionNotFound:
        pass
    validation_type = None
    try:
        policies = cert.extensions.get_extension_for_oid(ExtensionOID.CERTIFICATE_POLICIES).value
        for policy in policies:
            validation_type = _VALIDATION.get(policy.policy_identifier.dotted_string, validation_type)
    except x509.ExtensionNotFound:
        pass
    signature = cert.signature_algorithm_oid
    parse: Dict[str, Any] = {
        "subject": subject,
        "issuer": issuer,
        "subject_text": _name_text(cert.subject),
        "issuer_text": _name_text(cert.issuer),
        "domains": domains,
        "not_before": _epoch(cert.not_valid_before_utc),
        "not_after": _epoch(cert.not_valid_after_utc),
        "is_self_signed": 1 if _signed_by(cert, cert) else 0,
        "signature_algorithm": getattr(signature, "_name", None) or signature.dotted_string,
        "validation_type": validation_type,
    }
    parse.update(_public_key_details(cert.public_key()))
    return parse


def parse_key(pem: str) -> Dict[str, Any]:
    return _public_key_details(load_key(pem).public_key())


# ---------------------------------------------------------------------------------------
# IDs (Cpanel/SSLStorage/Utils.pm as described in dns_ssl_tokens.md 3.0)
# ---------------------------------------------------------------------------------------


def _fs(text: str) -> str:
    if text.startswith("*"):
        text = "_wildcard_" + text[1:]
    return re.sub(r"[^A-Za-z0-9_]+", "_", text)


def certificate_id(pem: str, parse: Optional[Dict[str, Any]] = None) -> str:
    parse = parse or parse_certificate(pem)
    name = _fs(parse["subject"].get("commonName") or (parse["domains"] or [""])[0])
    digest = hashlib.md5(normalise_pem(pem).encode("ascii")).hexdigest()  # noqa: S324 - cPanel's ID format
    if parse["key_algorithm"] == "rsaEncryption":
        modulus = parse["modulus"]
        return f"{name}_{modulus[:5]}_{modulus[-5:]}_{parse['not_after']}_{digest}"
    return f"ec-{name}_{parse['ecdsa_public'][2:12]}_{parse['not_after']}_{digest}"


def key_id(parse: Dict[str, Any]) -> str:
    if parse["key_algorithm"] == "rsaEncryption":
        modulus = parse["modulus"]
        return f"{modulus[:5]}_{modulus[-5:]}_{hashlib.md5(modulus.encode('ascii')).hexdigest()}"  # noqa: S324
    point = parse["ecdsa_public"]
    return f"ec-{point[2:12]}_{hashlib.md5(point.encode('ascii')).hexdigest()}"  # noqa: S324


def cabundle_id(cab: str) -> Optional[str]:
    certs = split_certificates(cab)
    if not certs:
        return None
    parse = parse_certificate(certs[0])
    org = _fs(parse["subject"].get("organizationName") or parse["subject"].get("commonName") or "")
    digest = hashlib.md5(parse["subject_text"].encode("utf-8")).hexdigest()  # noqa: S324
    return f"{org}_{digest}_{parse['not_after']}"


# ---------------------------------------------------------------------------------------
# Domain matching
# ---------------------------------------------------------------------------------------


def name_matches(cert_name: str, domain: str) -> bool:
    """A certificate name covers ``domain``: exact, or ``*.parent`` for exactly one more label."""
    cert_name = cert_name.lower()
    domain = domain.lower()
    if cert_name == domain:
        return True
    if cert_name.startswith("*."):
        parent = cert_name[2:]
        head, dot, rest = domain.partition(".")
        return bool(dot) and bool(head) and head != "*" and rest == parent
    if domain.startswith("*.") and cert_name.startswith("*."):
        return cert_name == domain
    return False


def covers(cert_domains: Sequence[str], domain: str) -> bool:
    return any(name_matches(name, domain) for name in cert_domains)


def lists_have_match(cert_domains: Sequence[str], vhost_domains: Sequence[str]) -> bool:
    return any(covers(cert_domains, domain) for domain in vhost_domains)


# ---------------------------------------------------------------------------------------
# Verification (Cpanel::SSLInfo::verifysslcert)
# ---------------------------------------------------------------------------------------


def _dump(text: str) -> str:
    # Cpanel::StringFunc::SplitBreak::textbreak then whitespace → newlines: 64-column lines.
    return "\n".join(text[i : i + 64] for i in range(0, len(text), 64))


def _chain_errors(
    leaf: x509.Certificate, untrusted: List[x509.Certificate], trusted: List[x509.Certificate], now: float
) -> List[str]:
    """OpenSSL-like chain building; returns the verification error names met on the way."""
    errors: List[str] = []
    chain = [leaf]
    current = leaf
    pool = list(untrusted)
    while True:
        moment = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
        if current.not_valid_after_utc < moment:
            errors.append("CERT_HAS_EXPIRED")
        if current.not_valid_before_utc > moment:
            errors.append("CERT_NOT_YET_VALID")
        if _signed_by(current, current):
            if len(chain) == 1:
                return errors + ["DEPTH_ZERO_SELF_SIGNED_CERT"]
            if any(current.subject == t.subject and current.public_key() == t.public_key() for t in trusted):
                return errors
            return errors + ["SELF_SIGNED_CERT_IN_CHAIN"]
        issuer = next((t for t in trusted if _signed_by(current, t)), None)
        if issuer is not None:
            chain.append(issuer)
            current = issuer
            continue
        issuer = next((c for c in pool if _signed_by(current, c)), None)
        if issuer is None:
            if len(chain) == 1:
                return errors + ["UNABLE_TO_VERIFY_LEAF_SIGNATURE"]
            return errors + ["UNABLE_TO_GET_ISSUER_CERT_LOCALLY"]
        pool.remove(issuer)
        chain.append(issuer)
        current = issuer
        if len(chain) > 10:
            return errors + ["CERT_CHAIN_TOO_LONG"]


def check_key_text(key: str) -> None:
    if re.search(r"Proc-Type: 4,ENCRYPTED", key or "", re.I) or "BEGIN ENCRYPTED PRIVATE KEY" in (key or ""):
        msg = "openssl rsa -in <original key file> -out <new key file>"
        raise SslError(
            f"\nThis key file is encrypted with a password. You must use openssl to decrypt this key first!\n{msg}"
        )


def verify_components(
    crt: str, key: str, cab: Optional[str], trusted: Sequence[str] = (), now: Optional[float] = None
) -> Tuple[Dict[str, Any], Dict[str, Any], bool]:
    """(certificate parse, key parse, fully verified) or SslError with cPanel's message."""
    import time as _time

    now = _time.time() if now is None else now
    if "---" not in crt:
        raise SslError("Sorry, that is not a valid certificate\n")
    if "CERTIFICATE REQUEST" in crt:
        raise SslError("Sorry, we need the certificate, not the certificate request\n")
    if "BEGIN CERTIFICATE" not in crt:
        raise SslError("Sorry, Invalid certificate passed to verifysslcert (missing BEGIN CERTIFICATE)\n")
    check_key_text(key)
    try:
        c_parse = parse_certificate(crt)
    except (ValueError, SslError) as err:
        raise SslError(
            f"This certificate cannot be parsed ({err}). It may be corrupt or in an unrecognized format."
        ) from err
    try:
        k_parse = parse_key(key)
    except (ValueError, TypeError, SslError) as err:
        raise SslError("This key cannot be parsed. It may be corrupt or in an unrecognized format.") from err
    if not keys_match(c_parse, k_parse):
        report: List[str] = []
        for label, pem, parse in (("Key", key, k_parse), ("Certificate", crt, c_parse)):
            if parse["key_algorithm"] == "rsaEncryption":
                detail_name, detail = "Modulus", parse["modulus"]
            else:
                detail_name, detail = f"Public Point ({parse['ecdsa_curve_name']})", parse["ecdsa_public"]
            report += [f"{label}:", pem, f"{label} {detail_name}:", _dump(detail), "", ""]
        report.pop()
        raise SslError("The key does not match the certificate. Please try another key.\n\n" + "\n".join(report))

    leaf = load_certificate(crt)
    untrusted = [load_certificate(c) for c in split_certificates(cab or "")]
    trusted_certs = [load_certificate(c) for c in trusted]
    errors = _chain_errors(leaf, untrusted, trusted_certs, now)
    messages: List[str] = []
    ok = True
    for err in errors:
        if err in ACCEPTABLE_VERIFY_ERRORS:
            continue
        if (
            err == "CERT_NOT_YET_VALID"
            and len(errors) == 1
            and c_parse["not_before"] - now < CERT_NOT_YET_VALID_TOLERANCE
        ):
            continue
        ok = False
    if ok:
        fully = not errors
        return c_parse, k_parse, fully
    err_name = next(e for e in errors if e not in ACCEPTABLE_VERIFY_ERRORS)
    message = "Certificate verification failed! " + " ".join(messages)
    if not untrusted and err_name in ("UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"):
        message += " The system did not find the Certificate Authority Bundle that matches this certificate."
        issuer = c_parse["issuer"]
        name = issuer.get("commonName") or issuer.get("organizationalUnitName")
        if issuer.get("organizationName"):
            message += (
                f" Contact “{issuer['organizationName']}” to obtain the Certificate Authority Bundle for “{name}”."
            )
        else:
            message += f" Contact “{name}” to obtain the Certificate Authority Bundle."
        raise SslError(message)
    if untrusted and err_name == "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
        message += (
            " The system did not find the root certificate that corresponds to the supplied Certificate Authority"
            " Bundle’s intermediate certificate. Please supply a full Certificate Authority Bundle with the root"
            " certificate included."
        )
        raise SslError(message)
    raise SslError(message + " " + err_name)


def keys_match(c_parse: Dict[str, Any], k_parse: Dict[str, Any]) -> bool:
    if c_parse["key_algorithm"] != k_parse["key_algorithm"]:
        return False
    if c_parse["key_algorithm"] == "rsaEncryption":
        return bool(c_parse["modulus"] == k_parse["modulus"])
    return bool(
        c_parse["ecdsa_curve_name"] == k_parse["ecdsa_curve_name"]
        and c_parse["ecdsa_public"] == k_parse["ecdsa_public"]
    )


def chain_complete(crt: str, cab: Optional[str]) -> bool:
    """True when ``cab`` leads from ``crt`` to a self-signed root."""
    try:
        errors = _chain_errors(
            load_certificate(crt), [load_certificate(c) for c in split_certificates(cab or "")], [], 0
        )
    except ValueError:
        return False
    return not any(e.startswith("UNABLE") for e in errors)


# ---------------------------------------------------------------------------------------
# Issuing
# ---------------------------------------------------------------------------------------


def new_key(keytype: str = "rsa-2048") -> Any:
    if keytype.startswith("ecdsa-"):
        curve = {"ecdsa-prime256v1": ec.SECP256R1(), "ecdsa-secp384r1": ec.SECP384R1()}[keytype]
        return ec.generate_private_key(curve)
    return rsa.generate_private_key(public_exponent=65537, key_size=int(keytype.split("-", 1)[1]))


def _name(attributes: Dict[str, str]) -> x509.Name:
    oids = {
        "countryName": NameOID.COUNTRY_NAME,
        "stateOrProvinceName": NameOID.STATE_OR_PROVINCE_NAME,
        "localityName": NameOID.LOCALITY_NAME,
        "organizationName": NameOID.ORGANIZATION_NAME,
        "organizationalUnitName": NameOID.ORGANIZATIONAL_UNIT_NAME,
        "commonName": NameOID.COMMON_NAME,
        "emailAddress": NameOID.EMAIL_ADDRESS,
    }
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in attributes.items() if v])


def issue(
    domains: Sequence[str],
    key: Any,
    subject: Optional[Dict[str, str]] = None,
    issuer_cert: Optional[x509.Certificate] = None,
    issuer_key: Any = None,
    days: int = 365,
    not_before: Optional[datetime.datetime] = None,
    is_ca: bool = False,
    policy: Optional[str] = None,
) -> str:
    """A certificate for ``domains`` (self-signed unless an issuer is given), as normalised PEM."""
    attributes = dict(subject or {})
    if domains:
        attributes.setdefault("commonName", domains[0])
    name = _name(attributes)
    start = not_before or (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5))
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_cert.subject if issuer_cert is not None else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    if domains:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(d) for d in domains]), critical=False)
    if policy:
        builder = builder.add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier(policy), None)]), critical=False
        )
    cert = builder.sign(issuer_key if issuer_key is not None else key, hashes.SHA256())
    return cert_pem(cert)


def csr(domains: Sequence[str], key: Any, subject: Dict[str, str]) -> str:
    attributes = dict(subject)
    attributes.setdefault("commonName", domains[0])
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(_name(attributes))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(d) for d in domains]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return normalise_pem(request.public_bytes(serialization.Encoding.PEM).decode("ascii"))


def csr_id(pem: str, domains: Sequence[str], key_parse: Dict[str, Any]) -> str:
    name = _fs(domains[0]) if domains else ""
    digest = hashlib.md5(normalise_pem(pem).encode("ascii")).hexdigest()  # noqa: S324
    if key_parse["key_algorithm"] == "rsaEncryption":
        modulus = key_parse["modulus"]
        return f"{name}_{modulus[:5]}_{modulus[-5:]}_{digest}"
    return f"ec-{name}_{key_parse['ecdsa_public'][2:12]}_{digest}"
