# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this file is internal to the hosting.whm collection. It may change without notice
# and is not part of the collection's public API.

"""How a WHM API 1 call reaches the server: HTTPS with requests, or the local ``whmapi1`` CLI.

Both transports take a function name and a list of ``(key, value)`` pairs and return the
decoded JSON envelope. They know nothing of ``metadata.result``; that is ``_api.py``'s job.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
import typing as t
from abc import ABC, abstractmethod
from urllib.parse import urlsplit

from ansible_collections.hosting.whm.plugins.module_utils._errors import (
    WHMAuthenticationError,
    WHMTransportError,
    WHMWriteOutcomeUnknown,
)

try:
    import requests
    from requests import exceptions as requests_exceptions

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR: Exception | None = None
except ImportError as exc:  # pragma: no cover - exercised by ansible-test's import sanity test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

Params = t.List[t.Tuple[str, str]]

# Statuses that say "the server (or a proxy in front of it) did not run the request; try again".
RETRY_STATUSES = frozenset((429, 502, 503, 504))
# For a write only these are certainly not applied: 429 is a refusal before dispatch.
WRITE_RETRY_STATUSES = frozenset((429,))
MAX_RETRY_AFTER = 30.0

# WHM's own docs and cPanel's client use these paths for the CLI.
WHMAPI1_CANDIDATES = ("/usr/local/cpanel/bin/whmapi1", "/usr/sbin/whmapi1")


class Transport(ABC):
    """One way of delivering a WHM API 1 call."""

    #: a human label for messages ("whm.example.com:2087" or "local whmapi1")
    label: str
    #: strings that must never appear in messages (tokens, passwords)
    secrets: t.Set[str]

    @abstractmethod
    def call(self, function: str, params: Params, write: bool, timeout: float) -> dict:
        """Run ``function`` and return the decoded envelope (a dict)."""

    def sleep(self, seconds: float) -> None:
        """Wait between retries (replaced in unit tests)."""
        time.sleep(seconds)


def scrub(text: str, secrets: t.Iterable[str]) -> str:
    """Blank every secret in ``text`` (error messages must never carry a token or a password)."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "********")
    return text


def _decode_envelope(body: str, function: str, where: str, status: int | None) -> dict:
    try:
        decoded = json.loads(body)
    except ValueError:
        snippet = " ".join(body.strip().split())[:200]
        raise WHMTransportError(
            f"WHM API function {function} on {where} did not return JSON"
            + (f" (HTTP {status})" if status else "")
            + (f": {snippet}" if snippet else ""),
            status=status,
        ) from None
    if not isinstance(decoded, dict) or "metadata" not in decoded:
        # An answer without the envelope is not WHM API 1 (a proxy page, or WHM API 0 when
        # api.version=1 is missing - transfers_accounts.md §1.2).
        raise WHMTransportError(
            f"WHM API function {function} on {where} returned JSON without the WHM API 1 'metadata' envelope",
            status=status,
        )
    return decoded


class HttpTransport(Transport):
    """WHM API 1 over HTTPS on port 2087 with a token (``Authorization: whm``) or Basic auth."""

    def __init__(
        self,
        host: str,
        port: int = 2087,
        username: str = "root",
        api_token: str | None = None,
        password: str | None = None,
        validate_certs: bool = True,
        ca_path: str | None = None,
        retries: int = 3,
        warn: t.Callable[[str], None] | None = None,
        session: t.Any = None,
    ) -> None:
        if not HAS_REQUESTS and session is None:
            raise WHMTransportError("The Python library 'requests' is required for transport=http")
        self.base_url, self.label = self._build_base_url(host, port, warn)
        self.username = username
        self.secrets = {s for s in (api_token, password) if s}
        self.retries = max(0, retries)
        self.warn = warn or (lambda msg: None)
        self.verify: bool | str = (ca_path or True) if validate_certs else False
        self.session = session if session is not None else requests.Session()
        if api_token:
            # WHM API tokens: "Authorization: whm USER:TOKEN" (transfers_accounts.md §1.3).
            self.auth_header = f"whm {username}:{api_token}"
        elif password:
            basic = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
            self.auth_header = f"Basic {basic}"
        else:
            raise WHMTransportError("Either whm_api_token or whm_password is required for transport=http")

    @staticmethod
    def _build_base_url(host: str, port: int, warn: t.Callable[[str], None] | None) -> t.Tuple[str, str]:
        if "://" in host:
            parts = urlsplit(host)
            scheme = parts.scheme.lower()
            if scheme not in ("https", "http"):
                raise WHMTransportError(f"whm_host uses the unsupported scheme {scheme!r}; use https")
            if scheme == "http" and warn:
                warn("whm_host uses http://: the API token or password travels unencrypted")
            hostname = parts.hostname or ""
            port = parts.port or port
        else:
            scheme, hostname = "https", host.strip().rstrip("/")
        if not hostname:
            raise WHMTransportError("whm_host is empty")
        netloc = f"[{hostname}]" if ":" in hostname else hostname
        return f"{scheme}://{netloc}:{port}", f"{hostname}:{port}"

    def call(self, function: str, params: Params, write: bool, timeout: float) -> dict:
        url = f"{self.base_url}/json-api/{function}"
        headers = {"Authorization": self.auth_header, "Accept": "application/json"}
        attempt = 0
        while True:
            attempt += 1
            try:
                # Every call is a form-encoded POST, as cPanel's own client does: secrets stay
                # out of URLs and server logs (transfers_accounts.md §1.1).
                response = self.session.post(url, data=params, headers=headers, timeout=timeout, verify=self.verify)
            except requests_exceptions.SSLError as exc:
                raise WHMTransportError(
                    f"TLS verification failed for {self.label} calling {function}: {self._reason(exc)}. "
                    "Give the server's CA with ca_path (or, only for testing, validate_certs: false)"
                ) from None
            except (requests_exceptions.ConnectTimeout, requests_exceptions.ConnectionError) as exc:
                reached = self._may_have_reached_server(exc)
                if write and reached:
                    raise WHMWriteOutcomeUnknown(
                        f"WHM API function {function} on {self.label}: the connection broke after the request "
                        f"was sent ({self._reason(exc)}); the write may have been applied"
                    ) from None
                if attempt > self.retries:
                    raise WHMTransportError(
                        f"Cannot reach {self.label} for {function}: {self._reason(exc)} "
                        f"(stopping after {self.retries} retries)"
                    ) from None
                self._backoff(function, attempt, self._reason(exc), None)
                continue
            except requests_exceptions.Timeout:
                if write:
                    raise WHMWriteOutcomeUnknown(
                        f"WHM API function {function} on {self.label} timed out after {timeout:g} s; "
                        "the write may have been applied"
                    ) from None
                if attempt > self.retries:
                    raise WHMTransportError(
                        f"WHM API function {function} on {self.label} timed out after {timeout:g} s "
                        f"(stopping after {self.retries} retries)"
                    ) from None
                self._backoff(function, attempt, f"timed out after {timeout:g} s", None)
                continue

            status = response.status_code
            retryable = WRITE_RETRY_STATUSES if write else RETRY_STATUSES
            if status in retryable and attempt <= self.retries:
                self._backoff(function, attempt, f"HTTP {status}", response.headers.get("Retry-After"))
                continue
            if status in (401, 403):
                # Bad credentials get a non-2xx status and no envelope (transfers_accounts.md §1.3).
                raise WHMAuthenticationError(
                    f"WHM at {self.label} refused the credentials of user {self.username!r} "
                    f"for {function} (HTTP {status}); check whm_username and the API token or password",
                    status=status,
                )
            if status in (502, 504) and write:
                raise WHMWriteOutcomeUnknown(
                    f"WHM API function {function} on {self.label} got HTTP {status} from the gateway; "
                    "the write may have been applied",
                    status=status,
                )
            if not 200 <= status < 300:
                extra = f" (stopping after {self.retries} retries)" if status in retryable else ""
                raise WHMTransportError(
                    f"WHM API function {function} on {self.label} failed with HTTP {status}{extra}", status=status
                )
            return _decode_envelope(response.text, function, self.label, status)

    @staticmethod
    def _may_have_reached_server(exc: Exception) -> bool:
        """True unless the connection itself failed (refused, DNS, connect timeout)."""
        if isinstance(exc, requests_exceptions.ConnectTimeout):
            return False
        text = repr(exc)
        never_sent = ("NewConnectionError", "NameResolutionError", "Connection refused", "Failed to establish")
        return not any(marker in text for marker in never_sent)

    def _reason(self, exc: Exception) -> str:
        return scrub(str(exc), self.secrets) or exc.__class__.__name__

    def _backoff(self, function: str, attempt: int, why: str, retry_after: str | None) -> None:
        delay = min(2.0 ** (attempt - 1) * 0.5, 8.0)
        if retry_after:
            try:
                delay = min(max(float(retry_after), 0.0), MAX_RETRY_AFTER)
            except ValueError:
                pass
        self.warn(f"{function} on {self.label}: {why}; retry {attempt} of {self.retries} in {delay:g} s")
        self.sleep(delay)


class CliTransport(Transport):
    """``whmapi1 --output=json FUNCTION key=value ...`` on the WHM server itself (run as root).

    Used with ``delegate_to`` the WHM host: no token is needed and port 2087 may stay closed.
    """

    label = "local whmapi1"

    def __init__(self, executable: str | None = None, secrets: t.Iterable[str] = ()) -> None:
        self.executable = executable or self.find_executable()
        self.secrets = set(s for s in secrets if s)

    @staticmethod
    def find_executable() -> str:
        for candidate in WHMAPI1_CANDIDATES:
            if os.access(candidate, os.X_OK):
                return candidate
        found = shutil.which("whmapi1")
        if not found:
            raise WHMTransportError(
                "transport=cli needs the whmapi1 command (in /usr/local/cpanel/bin or on PATH); "
                "run the task on the WHM server itself (delegate_to)"
            )
        return found

    def call(self, function: str, params: Params, write: bool, timeout: float) -> dict:
        # whmapi1 takes key=value arguments; a repeated key is given once per value
        # (transfers_accounts.md §1.8). It sets api.version=1 itself.
        argv = [self.executable, "--output=json", function]
        argv.extend(f"{key}={value}" for key, value in params if key != "api.version")
        try:
            # subprocess rather than AnsibleModule.run_command: this layer has no AnsibleModule, and
            # run_command has no per-call timeout, which a write needs to report an unknown outcome.
            completed = subprocess.run(  # pylint: disable=ansible-bad-function
                argv, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            if write:
                raise WHMWriteOutcomeUnknown(
                    f"whmapi1 {function} timed out after {timeout:g} s; the write may have been applied"
                ) from None
            raise WHMTransportError(f"whmapi1 {function} timed out after {timeout:g} s") from None
        except OSError as exc:
            raise WHMTransportError(f"Cannot run {self.executable}: {exc}") from None
        if completed.returncode != 0:
            detail = scrub((completed.stderr or completed.stdout).strip(), self.secrets)
            raise WHMTransportError(f"whmapi1 {function} exited with status {completed.returncode}: {detail[:500]}")
        return _decode_envelope(completed.stdout, function, self.label, None)
