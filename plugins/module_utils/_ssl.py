# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this file is internal to the hosting.whm collection. It may change without notice
# and is not part of the collection's public API.

"""SSL certificates: parsing and identity (cryptography), coverage and chain checks, and the
vhost and service certificate resources (read -> compare by identity -> apply).

Certificates are compared by their DER bytes, keys by their public key, never by PEM text:
WHM re-wraps PEM before storing it (dns_ssl_tokens.md 3.0), so text comparison would report
a change on every run.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
import typing as t
from datetime import datetime, timezone
from urllib.parse import urlencode

from ansible_collections.hosting.whm.plugins.module_utils._api import WhmApi, encode_params
from ansible_collections.hosting.whm.plugins.module_utils._errors import WHMAPIError, WHMError, WHMInputError
from ansible_collections.hosting.whm.plugins.module_utils._result import Result

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID

    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR: t.Optional[Exception] = None
except ImportError as _exc:  # pragma: no cover - depends on the controller's Python
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = _exc

SERVICES = ("cpanel", "dovecot", "exim", "ftp")

PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)
DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
SECONDS_PER_DAY = 86400
CERTIFICATE_LABELS = ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE")


class WHMMissingLibraryError(WHMError):
    """A Python library the module needs is not installed where the module runs."""


def require_cryptography() -> None:
    if not HAS_CRYPTOGRAPHY:
        # Same wording as ansible.module_utils.basic.missing_required_lib, without importing
        # AnsibleModule here (resource files never touch it).
        raise WHMMissingLibraryError(
            "Failed to import the required Python library (cryptography) on the host that runs the module. "
            "Install it (ansible-core depends on it, so the controller has it) or set "
            "ansible_python_interpreter to a Python that has it.",
            exception=str(CRYPTOGRAPHY_IMPORT_ERROR),
        )


# -- PEM ----------------------------------------------------------------------------------
def pem_blocks(text: str) -> t.List[t.Tuple[str, bytes]]:
    """Every PEM block in ``text`` as (label, DER bytes); whitespace inside the body is ignored."""
    blocks = []
    for match in PEM_BLOCK.finditer(text or ""):
        label = match.group(1)
        # RFC 1421 header lines (Proc-Type, DEK-Info) are not part of the base64 body.
        lines = [line for line in match.group(2).splitlines() if ":" not in line]
        body = re.sub(r"\s+", "", "".join(lines))
        try:
            blocks.append((label, base64.b64decode(body, validate=True)))
        except ValueError:
            blocks.append((label, b""))
    return blocks


def der_to_pem(der: bytes) -> str:
    """WHM's normal form (dns_ssl_tokens.md 3.0): 64-column base64, no trailing newline."""
    body = base64.b64encode(der).decode("ascii")
    lines = [body[index : index + 64] for index in range(0, len(body), 64)]
    return "\n".join(["-----BEGIN CERTIFICATE-----"] + lines + ["-----END CERTIFICATE-----"])


# -- certificates -------------------------------------------------------------------------
def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def iso(epoch: t.Optional[float]) -> t.Optional[str]:
    if epoch is None:
        return None
    return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def days_left(not_after: t.Optional[float], now: t.Optional[float] = None) -> t.Optional[int]:
    """Whole days until ``not_after`` (negative once expired)."""
    if not_after is None:
        return None
    now = time.time() if now is None else now
    return int((float(not_after) - now) // SECONDS_PER_DAY)


class Certificate:
    """One parsed X.509 certificate and the facts the modules compare and show."""

    def __init__(self, der: bytes) -> None:
        require_cryptography()
        self.der = der
        self.cert = x509.load_der_x509_certificate(der)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.der).hexdigest()

    @property
    def not_before(self) -> float:
        value = getattr(self.cert, "not_valid_before_utc", None) or _utc(self.cert.not_valid_before)
        return value.timestamp()

    @property
    def not_after(self) -> float:
        value = getattr(self.cert, "not_valid_after_utc", None) or _utc(self.cert.not_valid_after)
        return value.timestamp()

    @property
    def subject(self) -> str:
        return self.cert.subject.rfc4514_string()

    @property
    def issuer(self) -> str:
        return self.cert.issuer.rfc4514_string()

    @property
    def common_name(self) -> t.Optional[str]:
        values = self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(values[0].value) if values else None

    @property
    def domains(self) -> t.List[str]:
        """The names the certificate covers: its DNS SANs, or its CN when it has none (RFC 6125)."""
        try:
            extension = self.cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
            names = [name.lower().rstrip(".") for name in extension.value.get_values_for_type(x509.DNSName)]
        except x509.ExtensionNotFound:
            names = []
        if not names and self.common_name:
            names = [self.common_name.lower().rstrip(".")]
        return names

    @property
    def is_self_signed(self) -> bool:
        return self.cert.issuer == self.cert.subject

    def public_key_der(self) -> bytes:
        return self.cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def key_algorithm(self) -> str:
        name = type(self.cert.public_key()).__name__.lower()
        if "rsa" in name:
            return "rsaEncryption"
        if "elliptic" in name or name.startswith("ec"):
            return "id-ecPublicKey"
        return name

    def issued(self, child: Certificate) -> bool:
        """Whether this certificate issued ``child`` (names, and the signature when checkable)."""
        if child.cert.issuer != self.cert.subject:
            return False
        verify = getattr(child.cert, "verify_directly_issued_by", None)
        if verify is None:
            return True
        try:
            verify(self.cert)
        except Exception:  # noqa: BLE001 - any failure means "not issued by"
            return False
        return True

    def summary(self, now: t.Optional[float] = None) -> t.Dict[str, t.Any]:
        """What the diff and the results show: identity and dates, never key material."""
        return {
            "subject": self.subject,
            "domains": self.domains,
            "issuer": self.issuer,
            "not_before": iso(self.not_before),
            "not_after": iso(self.not_after),
            "days_to_expiry": days_left(self.not_after, now),
            "serial": format(self.cert.serial_number, "x"),
            "fingerprint_sha256": self.fingerprint,
            "is_self_signed": self.is_self_signed,
            "key_algorithm": self.key_algorithm,
        }


def parse_certificate(text: str, option: str = "certificate") -> Certificate:
    """Exactly one certificate from PEM text; a clear error names the option otherwise."""
    require_cryptography()
    blocks = [der for label, der in pem_blocks(text) if label in CERTIFICATE_LABELS]
    if len(blocks) != 1:
        found = "no" if not blocks else str(len(blocks))
        raise WHMInputError(f"{option} must hold exactly one PEM certificate; found {found}.")
    try:
        return Certificate(blocks[0])
    except ValueError as exc:
        raise WHMInputError(f"{option} is not a valid X.509 certificate: {exc}") from None


def parse_bundle(text: t.Optional[str], option: str = "ca_bundle") -> t.List[Certificate]:
    require_cryptography()
    if not text or not text.strip():
        return []
    blocks = pem_blocks(text)
    if not blocks:
        raise WHMInputError(f"{option} holds no PEM certificate.")
    certs = []
    for index, (label, der) in enumerate(blocks):
        if "CERTIFICATE" not in label:
            raise WHMInputError(f"{option} may only hold certificates; block {index + 1} is a {label}.")
        try:
            certs.append(Certificate(der))
        except ValueError as exc:
            raise WHMInputError(f"{option}: certificate {index + 1} is not valid: {exc}") from None
    return certs


def public_key_of_private_key(text: str, option: str = "private_key") -> bytes:
    """The SubjectPublicKeyInfo DER of a PEM private key (refuses encrypted keys, as WHM does)."""
    require_cryptography()
    labels = [label for label, dummy in pem_blocks(text)]
    if len(labels) != 1 or "PRIVATE KEY" not in labels[0]:
        raise WHMInputError(f"{option} must hold exactly one PEM private key.")
    if labels[0] == "ENCRYPTED PRIVATE KEY" or "Proc-Type: 4,ENCRYPTED" in text:
        # WHM cannot use it either (dns_ssl_tokens.md 3.0).
        raise WHMInputError(f"{option} is encrypted with a password; give the key without a password.")
    try:
        key = serialization.load_pem_private_key(text.strip().encode("ascii"), password=None)
    except (ValueError, TypeError) as exc:
        message = str(exc).split("\n", 1)[0]
        raise WHMInputError(f"{option} is not a valid private key: {message}") from None
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


# -- names --------------------------------------------------------------------------------
def normalise_domain(domain: str) -> str:
    return (domain or "").strip().lower().rstrip(".")


def validate_domain(domain: str, option: str = "domain") -> str:
    name = normalise_domain(domain)
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(DOMAIN_LABEL.match(label) for label in labels):
        raise WHMInputError(f'{option} "{domain}" is not a valid domain name.')
    return name


def name_covers(pattern: str, domain: str) -> bool:
    """Whether a certificate name covers ``domain``.

    A wildcard stands for exactly one whole left-most label: ``*.example.com`` covers
    ``www.example.com`` but neither ``example.com`` nor ``a.b.example.com`` (RFC 6125 6.4.3).
    """
    pattern = normalise_domain(pattern)
    domain = normalise_domain(domain)
    if not pattern.startswith("*."):
        return pattern == domain
    first, dot, rest = domain.partition(".")
    return bool(first) and bool(dot) and rest == pattern[2:]


def covers(names: t.Iterable[str], domain: str) -> bool:
    return any(name_covers(name, domain) for name in names)


# -- what a certificate must satisfy before WHM sees it -------------------------------------
class Desired:
    """A certificate, its key and bundle as the user gave them, checked before any write."""

    def __init__(
        self,
        certificate: str,
        private_key: str,
        ca_bundle: t.Optional[str],
        allow_expired: bool = False,
        domain: t.Optional[str] = None,
        now: t.Optional[float] = None,
    ) -> None:
        self.now = time.time() if now is None else now
        self.certificate_pem = certificate
        self.private_key_pem = private_key
        self.cert = parse_certificate(certificate)
        self.bundle = parse_bundle(ca_bundle)
        self.ca_bundle_pem = ca_bundle if self.bundle else None
        if public_key_of_private_key(private_key) != self.cert.public_key_der():
            raise WHMInputError(
                "private_key does not match certificate (their public keys differ); "
                f"the certificate is for {self.cert.subject}."
            )
        if self.cert.not_after <= self.now and not allow_expired:
            raise WHMInputError(
                f"certificate expired on {iso(self.cert.not_after)} ({self.cert.subject}); "
                "set allow_expired to install it anyway."
            )
        if domain is not None and not covers(self.cert.domains, domain):
            raise WHMInputError(
                f'certificate does not cover the domain "{domain}": it is valid for '
                f"{', '.join(self.cert.domains) or 'no name'}."
            )
        check_chain_order(self.cert, self.bundle)

    def summary(self) -> t.Dict[str, t.Any]:
        return {
            "certificate": self.cert.summary(self.now),
            "ca_bundle": [cert.subject for cert in self.bundle],
        }


def check_chain_order(leaf: Certificate, bundle: t.Sequence[Certificate]) -> None:
    """The bundle must run from the leaf's issuer upwards, each certificate issuing the one before.

    A bundle in another order is refused, not reordered: the error lists the order that
    would work, so the stored file and the installed bundle stay the same thing.
    """
    if not bundle:
        return
    chain: t.List[Certificate] = []
    current = leaf
    remaining = list(bundle)
    while remaining:
        parent = next((cert for cert in remaining if cert.issued(current)), None)
        if parent is None:
            break
        chain.append(parent)
        remaining.remove(parent)
        current = parent
    for index, cert in enumerate(bundle):
        if cert.fingerprint == leaf.fingerprint:
            raise WHMInputError(f"ca_bundle certificate {index + 1} is the certificate itself; give only the CA chain.")
    if remaining:
        strays = ", ".join(cert.subject for cert in remaining)
        raise WHMInputError(
            f"ca_bundle does not form a chain from the certificate (issued by {leaf.issuer}): "
            f"these certificates issue nothing in it: {strays}."
        )
    if [cert.fingerprint for cert in chain] != [cert.fingerprint for cert in bundle]:
        order = "; ".join(f"{position + 1}. {cert.subject}" for position, cert in enumerate(chain))
        raise WHMInputError(
            f"ca_bundle is not in chain order (each certificate must issue the one before it, starting "
            f"with the issuer of the certificate). Use this order: {order}."
        )


def bundle_fingerprints(text: t.Optional[str]) -> t.List[str]:
    try:
        return [cert.fingerprint for cert in parse_bundle(text)]
    except WHMInputError:
        return []


def installed_summary(certificate: t.Optional[str], cabundle: t.Optional[str], now: float) -> t.Dict[str, t.Any]:
    """The same shape as Desired.summary() for what WHM reports as installed."""
    try:
        cert = parse_certificate(certificate or "")
    except WHMInputError:
        return {"certificate": {}, "ca_bundle": []}
    try:
        bundle = [c.subject for c in parse_bundle(cabundle)]
    except WHMInputError:
        bundle = []
    return {"certificate": cert.summary(now), "ca_bundle": bundle}


# -- vhost certificates (installssl / delete_ssl_vhost) -------------------------------------
def _servername_filter(servername: str) -> t.List[t.Tuple[str, str]]:
    # fetch_vhost_ssl_components consumes a servername "eq" filter itself (dns_ssl_tokens.md 3.7).
    return [
        ("api.filter.enable", "1"),
        ("api.filter.a.field", "servername"),
        ("api.filter.a.type", "eq"),
        ("api.filter.a.arg0", servername),
    ]


def _strip_www(domain: str) -> str:
    name = normalise_domain(domain)
    return name[4:] if name.startswith("www.") else name


def _alias_servername(vhosts: t.Iterable[t.Mapping[str, t.Any]], domain: str) -> t.Optional[str]:
    """The servername of the SSL website whose names include ``domain`` (fetch_ssl_vhosts records)."""
    name = _strip_www(domain)
    for vhost in vhosts:
        domains = {normalise_domain(str(d)) for d in vhost.get("domains") or []}
        if name in domains or normalise_domain(domain) in domains:
            return normalise_domain(str(vhost.get("servername", "")))
    return None


def _component_of(components: t.Iterable[t.Mapping[str, t.Any]], servername: str) -> t.Optional[t.Dict[str, t.Any]]:
    for record in components:
        if normalise_domain(str(record.get("servername", ""))) == servername:
            return dict(record)
    return None


def read_vhost_components(api: WhmApi, domain: str) -> t.Optional[t.Dict[str, t.Any]]:
    """The installed certificate, key and bundle of the website that serves ``domain``, or None.

    installssl strips a leading ``www.`` and installs on the vhost of the domain
    (dns_ssl_tokens.md 3.1), so look up that servername first; an alias (parked, addon, mail.)
    lives on another vhost, found through fetch_ssl_vhosts' domain lists.
    """
    name = _strip_www(domain)
    found = _component_of(api.read("fetch_vhost_ssl_components", _servername_filter(name)).records("components"), name)
    if found is not None:
        return found
    for vhost in api.read("fetch_ssl_vhosts").records("vhosts"):
        servername = _alias_servername([vhost], domain)
        if servername is not None:
            components = api.read("fetch_vhost_ssl_components", _servername_filter(servername)).records("components")
            found = _component_of(components, servername)
            if found is not None:
                return found
    return None


def read_all_vhost_components(api: WhmApi, domains: t.Sequence[str]) -> t.Dict[str, t.Optional[t.Dict[str, t.Any]]]:
    """The installed components of the website serving each of ``domains`` (None: no SSL), in one read
    when every name is the servername of an SSL website (or its www. name).

    fetch_ssl_vhosts alone cannot decide identity: its ``crt`` object carries the certificate's
    TLS-index facts but neither the key nor the CA bundle (dns_ssl_tokens.md 3.4). Unfiltered,
    fetch_vhost_ssl_components returns the certificate, key and bundle of every SSL website
    (3.7), so it is the one read; fetch_ssl_vhosts (the domain lists) is read once more only
    when some name is not a servername and may be an alias of another website (3.1).
    """
    components = api.read("fetch_vhost_ssl_components").records("components")
    found: t.Dict[str, t.Optional[t.Dict[str, t.Any]]] = {}
    unresolved = []
    for domain in domains:
        found[domain] = _component_of(components, _strip_www(domain))
        if found[domain] is None:
            unresolved.append(domain)
    if unresolved:
        vhosts = api.read("fetch_ssl_vhosts").records("vhosts")
        for domain in unresolved:
            servername = _alias_servername(vhosts, domain)
            if servername is not None:
                found[domain] = _component_of(components, servername)
    return found


def same_installation(desired: Desired, installed: t.Mapping[str, t.Any]) -> bool:
    """Identity comparison: certificate DER, key's public key and (when managed) the bundle."""
    try:
        current = parse_certificate(str(installed.get("certificate") or ""))
    except WHMInputError:
        return False
    if current.fingerprint != desired.cert.fingerprint:
        return False
    try:
        installed_key = public_key_of_private_key(str(installed.get("key") or ""), "installed key")
    except WHMInputError:
        return False
    if installed_key != desired.cert.public_key_der():
        return False
    if desired.bundle:
        wanted = [cert.fingerprint for cert in desired.bundle]
        if bundle_fingerprints(installed.get("cabundle")) != wanted:
            return False
    return True


class VhostPlan:
    """What one website's certificate needs: its diff and the one write (if any) that gets there."""

    def __init__(
        self,
        domain: str,
        before: t.Dict[str, t.Any],
        after: t.Dict[str, t.Any],
        values: t.Dict[str, t.Any],
        call: t.Optional[t.Tuple[str, t.Dict[str, t.Any]]] = None,
    ) -> None:
        self.domain = domain
        self.before = before
        self.after = after
        self.values = values
        self.call = call

    @property
    def servername(self) -> t.Optional[str]:
        return self.before.get("servername") or self.after.get("servername")

    def result(self, written: bool = False, data: t.Any = None) -> Result:
        """The outcome: planned (check mode, or nothing to do) or after the write answered ``data``."""
        if self.call is None:
            return Result(
                changed=False, diff={"before": self.before, "after": self.after}, values={"certificate": self.values}
            )
        if not written or self.call[0] != "installssl":
            return Result(
                changed=True, diff={"before": self.before, "after": self.after}, values={"certificate": self.values}
            )
        after = dict(self.after)
        extra: t.Dict[str, t.Any] = {}
        warnings: t.List[str] = []
        changed = True
        data = data or {}
        if isinstance(data, dict):
            # "none": WHM found the identical certificate already installed (dns_ssl_tokens.md 3.1).
            changed = data.get("action") != "none"
            if not changed:
                warnings.append(
                    f"installssl made no changes for {self.domain}: WHM found this certificate already installed and "
                    "kept the installed CA bundle, which differs from ca_bundle."
                )
            after["servername"] = data.get("servername") or after["servername"]
            extra = {
                "action": data.get("action"),
                "user": data.get("user"),
                "ip": data.get("ip"),
                "working_domains": data.get("working_domains") or [],
                "warning_domains": data.get("warning_domains") or [],
            }
        return Result(
            changed=changed,
            diff={"before": self.before, "after": after},
            values={"certificate": dict(after, installed=True, **extra)},
            warnings=warnings,
        )


def plan_vhost_certificate(
    domain: str,
    state: str,
    installed: t.Optional[t.Mapping[str, t.Any]],
    desired: t.Optional[Desired] = None,
    now: t.Optional[float] = None,
) -> VhostPlan:
    """Compare what is installed on the website of ``domain`` with the wish; no API call."""
    now = time.time() if now is None else now
    before: t.Dict[str, t.Any] = {}
    if installed:
        before = dict(installed_summary(installed.get("certificate"), installed.get("cabundle"), now))
        before["domain"] = domain
        before["servername"] = installed.get("servername")

    if state == "absent":
        if not installed:
            return VhostPlan(domain, {}, {}, {})
        host = str(installed.get("servername") or domain)
        return VhostPlan(domain, before, {}, {}, ("delete_ssl_vhost", {"host": host}))

    if desired is None:
        raise WHMInputError("certificate and private_key are required to install a certificate.")
    after = desired.summary()
    after["domain"] = domain
    after["servername"] = installed.get("servername") if installed else None
    if installed and same_installation(desired, installed):
        return VhostPlan(domain, before, before, dict(before, installed=True))
    params = {"domain": domain, "crt": desired.certificate_pem, "key": desired.private_key_pem}
    if desired.ca_bundle_pem:
        params["cab"] = desired.ca_bundle_pem
    return VhostPlan(domain, before, after, dict(after, installed=True), ("installssl", params))


def ensure_vhost_certificate(
    api: WhmApi,
    domain: str,
    state: str,
    check_mode: bool,
    desired: t.Optional[Desired] = None,
    hide: t.Optional[t.Callable[[t.Any], None]] = None,
    now: t.Optional[float] = None,
) -> Result:
    installed = read_vhost_components(api, domain)
    if installed and hide:
        hide(installed.get("key"))
    plan = plan_vhost_certificate(domain, state, installed, desired, now)
    if plan.call is None or check_mode:
        return plan.result()
    function, params = plan.call
    return plan.result(written=True, data=api.write(function, params).data)


# -- many vhost certificates in one task ------------------------------------------------------
# installssl runs in WHM's batch like any other function (every command is authorised before
# any runs, transfers_accounts.md 1.7), but each command travels URI-encoded inside a
# form-encoded body, so a certificate, its key and bundle grow to about 7 KB each. A request
# carries at most BATCH_MAX_COMMANDS commands and BATCH_MAX_BYTES of commands, so no POST
# grows past a few hundred KB and a request's installs (each rebuilds the web server's
# configuration) fit in the request timeout.
BATCH_MAX_COMMANDS = 10
BATCH_MAX_BYTES = 256 * 1024


def _command_size(function: str, params: t.Mapping[str, t.Any]) -> int:
    inner = f"{function}?{urlencode([('api.version', '1')] + encode_params(params))}"
    return len(urlencode([("command-00", inner)]))


def _batches(calls: t.Sequence[t.Tuple[str, t.Dict[str, t.Any]]]) -> t.List[t.List[int]]:
    """Indexes of ``calls`` grouped into requests within the command and byte limits."""
    groups: t.List[t.List[int]] = []
    size = 0
    for index, (function, params) in enumerate(calls):
        one = _command_size(function, params)
        if not groups or len(groups[-1]) >= BATCH_MAX_COMMANDS or size + one > BATCH_MAX_BYTES:
            groups.append([])
            size = 0
        groups[-1].append(index)
        size += one
    return groups


def desired_vhost_certificates(
    elements: t.Sequence[t.Mapping[str, t.Any]],
    option: str = "certificates",
    now: t.Optional[float] = None,
) -> t.List[t.Tuple[str, str, t.Optional[Desired]]]:
    """(domain, state, Desired or None) per element, every one checked before anything is read or written."""
    wanted: t.List[t.Tuple[str, str, t.Optional[Desired]]] = []
    seen: t.Dict[str, int] = {}
    for index, element in enumerate(elements):
        where = f"{option}[{index}]"
        try:
            domain = validate_domain(str(element.get("domain") or ""))
        except WHMInputError as exc:
            raise WHMInputError(f"{where}: {exc}") from None
        where = f"{where} ({domain})"
        website = _strip_www(domain)
        if website in seen:
            raise WHMInputError(
                f"{where}: {option}[{seen[website]}] already manages the certificate of the website of {website}."
            )
        seen[website] = index
        state = element.get("state") or "present"
        desired = None
        if state == "present":
            if not element.get("certificate") or not element.get("private_key"):
                raise WHMInputError(f"{where}: certificate and private_key are required with state present.")
            try:
                desired = Desired(
                    element["certificate"],
                    element["private_key"],
                    element.get("ca_bundle"),
                    allow_expired=bool(element.get("allow_expired")),
                    domain=domain,
                    now=now,
                )
            except WHMInputError as exc:
                raise WHMInputError(f"{where}: {exc}") from None
        wanted.append((domain, state, desired))
    return wanted


def converge_vhost_certificates(
    api: WhmApi,
    elements: t.Sequence[t.Mapping[str, t.Any]],
    check_mode: bool,
    hide: t.Optional[t.Callable[[t.Any], None]] = None,
    now: t.Optional[float] = None,
) -> Result:
    """Converge many websites' certificates: validate all, read once, then one write per real change."""
    now = time.time() if now is None else now
    for element in elements:
        if hide:
            hide(element.get("private_key"))
    wanted = desired_vhost_certificates(elements, now=now)
    installed = read_all_vhost_components(api, [domain for domain, dummy_state, dummy_desired in wanted])

    plans: t.List[VhostPlan] = []
    websites: t.Dict[str, str] = {}
    for domain, state, desired in wanted:
        record = installed[domain]
        if record and hide:
            hide(record.get("key"))
        if record:
            # An alias and its website's own name select the same certificate; two wishes for one
            # website cannot both hold (installssl installs on the website, dns_ssl_tokens.md 3.1).
            servername = normalise_domain(str(record.get("servername") or ""))
            if servername in websites:
                raise WHMInputError(
                    f"certificates: {websites[servername]} and {domain} are names of the same website "
                    f"({servername}); list it once."
                )
            websites[servername] = domain
        plans.append(plan_vhost_certificate(domain, state, record, desired, now))

    outcomes: t.List[Result] = [plan.result() for plan in plans]
    pending = [index for index, plan in enumerate(plans) if plan.call is not None]
    if pending and not check_mode:
        _apply(api, plans, pending, outcomes)

    entries = []
    before: t.Dict[str, t.Any] = {}
    after: t.Dict[str, t.Any] = {}
    warnings: t.List[str] = []
    for plan, outcome in zip(plans, outcomes):
        entries.append(
            {"domain": plan.domain, "changed": outcome.changed, "certificate": outcome.values["certificate"]}
        )
        warnings.extend(outcome.warnings)
        if outcome.changed and outcome.diff is not None:
            before[plan.domain] = outcome.diff["before"]
            after[plan.domain] = outcome.diff["after"]
    return Result(
        changed=any(entry["changed"] for entry in entries),
        diff={"before": before, "after": after},
        values={"certificates": entries},
        warnings=warnings,
    )


def _apply(api: WhmApi, plans: t.Sequence[VhostPlan], pending: t.Sequence[int], outcomes: t.List[Result]) -> None:
    """Run the writes of ``pending`` plans: one plain call for a single change, else WHM batch.

    The batch keeps going after a failed command (each website is independent); a failure is
    raised afterwards, naming every failed domain and every change that was made.
    """
    calls = [t.cast(t.Tuple[str, t.Dict[str, t.Any]], plans[index].call) for index in pending]
    if len(pending) == 1:
        function, params = calls[0]
        response = api.call(function, params, write=True)
        if not response.ok:
            # Name the website: the reason alone rarely says which of the listed certificates failed.
            raise api.error(response, f"certificate of {plans[pending[0]].domain}")
        outcomes[pending[0]] = plans[pending[0]].result(written=True, data=response.data)
        return
    applied: t.List[str] = []
    failed: t.List[t.Tuple[str, str, str]] = []
    for group in _batches(calls):
        try:
            responses = api.batch([calls[position] for position in group], write=True)
        except WHMError as exc:
            unknown = ", ".join(plans[pending[position]].domain for position in group)
            done = f" Changed before that request: {', '.join(applied)}." if applied else ""
            raise type(exc)(
                f"{exc} (certificates of {unknown}; read the server before running again).{done}", **exc.details
            ) from None
        for position, response in zip(group, responses):
            index = pending[position]
            plan = plans[index]
            if response.ok:
                outcomes[index] = plan.result(written=True, data=response.data)
                if outcomes[index].changed:
                    applied.append(plan.domain)
            else:
                failed.append((plan.domain, response.function, api.scrub(response.reason.strip() or "no reason given")))
    if failed:
        reasons = "; ".join(f"{domain}: {function}: {reason}" for domain, function, reason in failed)
        done = f" Changed: {', '.join(applied)}." if applied else " Nothing was changed."
        raise WHMAPIError(
            f"WHM API function {failed[0][1]} failed on {api.transport.label} for {len(failed)} of "
            f"{len(pending)} certificates: {reasons}.{done}",
            function=failed[0][1],
            reason=failed[0][2],
            changed=bool(applied),
        )


# -- listing installed certificates (fetch_ssl_vhosts) --------------------------------------
def _first_text(value: t.Any) -> t.Optional[str]:
    # subject.commonName may be a map of the subject DN instead of a string (dns_ssl_tokens.md 3.4, 6.8).
    if isinstance(value, dict):
        value = value.get("commonName")
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value not in (None, "") else None


def _as_int(value: t.Any) -> t.Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def vhost_certificate(record: t.Mapping[str, t.Any], now: float) -> t.Dict[str, t.Any]:
    crt = record.get("crt") or {}
    not_after = _as_int(crt.get("not_after"))
    not_before = _as_int(crt.get("not_before"))
    days = days_left(not_after, now)
    return {
        "id": crt.get("id"),
        "subject_common_name": _first_text(crt.get("subject.commonName")),
        "domains": list(crt.get("domains") or []),
        "issuer_common_name": _first_text(crt.get("issuer.commonName")),
        "issuer_organization": _first_text(crt.get("issuer.organizationName")),
        "not_before": iso(not_before),
        "not_after": iso(not_after),
        "days_to_expiry": days,
        "expired": days is not None and not_after is not None and not_after <= now,
        # is_self_signed may come as 1 or "" (dns_ssl_tokens.md 6.8).
        "is_self_signed": str(crt.get("is_self_signed") or "0") not in ("0", ""),
        "key_algorithm": crt.get("encryption_algorithm"),
    }


def vhost_entry(record: t.Mapping[str, t.Any], now: float, domain: t.Optional[str] = None) -> t.Dict[str, t.Any]:
    certificate = vhost_certificate(record, now)
    entry = {
        "domain": domain or record.get("servername"),
        "installed": True,
        "servername": record.get("servername"),
        "user": record.get("user"),
        "ip": record.get("ip"),
        "vhost_domains": list(record.get("domains") or []),
        "certificate": certificate,
        "covers_domain": covers(certificate["domains"], domain or str(record.get("servername") or "")),
    }
    return entry


def list_vhost_certificates(
    api: WhmApi,
    domains: t.Optional[t.Sequence[str]] = None,
    user: t.Optional[str] = None,
    now: t.Optional[float] = None,
) -> t.List[t.Dict[str, t.Any]]:
    """Installed certificates per requested domain (or per vhost of ``user``, or all) in one read."""
    now = time.time() if now is None else now
    vhosts = api.read("fetch_ssl_vhosts").records("vhosts")
    if domains:
        names = [validate_domain(domain, "domains") for domain in domains]
        entries = []
        for name in names:
            match = None
            for vhost in vhosts:
                known = {normalise_domain(str(d)) for d in vhost.get("domains") or []}
                known.add(normalise_domain(str(vhost.get("servername") or "")))
                if name in known:
                    match = vhost
                    break
            if match is None:
                entries.append({"domain": name, "installed": False})
            else:
                entries.append(vhost_entry(match, now, name))
        return entries
    selected = [vhost for vhost in vhosts if user is None or vhost.get("user") == user]
    entries = [vhost_entry(vhost, now) for vhost in selected]
    return sorted(entries, key=lambda entry: str(entry["domain"]))


# -- service certificates ------------------------------------------------------------------
def read_service(api: WhmApi, service: str) -> t.Dict[str, t.Any]:
    services = api.read("fetch_service_ssl_components").records("services")
    for record in services:
        if record.get("service") == service:
            return record
    available = ", ".join(sorted(str(record.get("service")) for record in services)) or "none"
    raise WHMAPIError(
        f'WHM API function fetch_service_ssl_components on {api.transport.label} lists no service "{service}" '
        f"(this server has: {available}).",
        function="fetch_service_ssl_components",
        reason=f'no service "{service}"',
    )


def _service_is_self_signed(record: t.Mapping[str, t.Any]) -> bool:
    info = record.get("certificate_info")
    if isinstance(info, dict) and "is_self_signed" in info:
        return str(info.get("is_self_signed") or "0") not in ("0", "")
    try:
        return parse_certificate(str(record.get("certificate") or "")).is_self_signed
    except WHMInputError:
        return False


def ensure_service_certificate(
    api: WhmApi,
    service: str,
    state: str,
    check_mode: bool,
    desired: t.Optional[Desired] = None,
    hide: t.Optional[t.Callable[[t.Any], None]] = None,
    now: t.Optional[float] = None,
) -> Result:
    """install_service_ssl_certificate always rewrites and restarts (dns_ssl_tokens.md 3.9), so
    it is called only when the service's certificate (or the managed bundle) differs."""
    now = time.time() if now is None else now
    current = read_service(api, service)
    if hide:
        hide(current.get("key"))
    before = dict(installed_summary(current.get("certificate"), current.get("cabundle"), now), service=service)

    if state == "self_signed":
        if _service_is_self_signed(current):
            return Result(changed=False, diff={"before": before, "after": before}, values={"certificate": before})
        after: t.Dict[str, t.Any] = {"service": service, "certificate": {"is_self_signed": True}, "ca_bundle": []}
        if not check_mode:
            data = api.write("reset_service_ssl_certificate", {"service": service}).data or {}
            if isinstance(data, dict) and data.get("certificate"):
                after = dict(installed_summary(data.get("certificate"), None, now), service=service)
        return Result(changed=True, diff={"before": before, "after": after}, values={"certificate": after})

    if desired is None:
        raise WHMInputError("certificate and private_key are required to install a certificate.")
    after = dict(desired.summary(), service=service)
    if same_installation(desired, current):
        return Result(changed=False, diff={"before": before, "after": before}, values={"certificate": before})
    if not check_mode:
        params = {"service": service, "crt": desired.certificate_pem, "key": desired.private_key_pem}
        if desired.ca_bundle_pem:
            params["cabundle"] = desired.ca_bundle_pem
        api.write("install_service_ssl_certificate", params)
    return Result(changed=True, diff={"before": before, "after": after}, values={"certificate": after})
