"""How a transfer destination talks to its source: WHM API 1 over HTTPS (stdlib only).

Real WHM reaches the source over SSH or cpsrvd (port 2087). Emulators listen on random ports,
so the settings ``remote_port_map`` / ``remote_port`` say where a session's ``host`` listens
and ``remote_ca`` which CA to trust (``whostmgr`` and ``ssh`` verify TLS, ``whostmgr_insecure``
does not). SSH is not emulated: ``ssh`` uses the same HTTPS channel.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import ssl
import urllib.parse
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional, Tuple

DEFAULT_PORT = 2087
TIMEOUT = 30.0


class RemoteError(Exception):
    """The source could not be reached or refused the request."""


@dataclass
class Remote:
    host: str  # as the client gave it (TLS name)
    address: str  # where to connect
    port: int
    verify: bool
    ca: str = ""
    user: str = "root"
    password: str = ""  # Basic authentication (root password)
    token: str = ""  # API token created on the source (preferred once set)

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> Remote:
        return cls(**data)


def _port_map(setting: str) -> Dict[str, Tuple[Optional[str], int]]:
    out: Dict[str, Tuple[Optional[str], int]] = {}
    for entry in setting.split(","):
        entry = entry.strip()
        if not entry:
            continue
        if "=" in entry:
            name, dummy, target = entry.partition("=")
            address, sep, port = target.rpartition(":")
            if not sep:
                continue
            out[name.strip().lower()] = (address.strip().strip("[]") or None, int(port))
        else:
            name, sep, port = entry.rpartition(":")
            if sep and port.strip().isdigit():
                out[name.strip().lower()] = (None, int(port))
    return out


def locate(emulator: Any, host: str) -> Tuple[str, int, bool]:
    """(address, port, listed) for a session host, from the emulator's settings."""
    mapping = _port_map(emulator.setting("remote_port_map", ""))
    entry = mapping.get(host.lower())
    if entry is not None:
        address, port = entry
        return address or host, port, True
    port_text = emulator.setting("remote_port", str(DEFAULT_PORT)) or str(DEFAULT_PORT)
    return host, int(port_text) if port_text.isdigit() else DEFAULT_PORT, False


def resolve(host: str, listed: bool) -> Optional[str]:
    """The host's IP address, or None (WHM gives up after 5 seconds)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return host if listed else None
    return str(infos[0][4][0]) if infos else (host if listed else None)


def _context(remote: Remote) -> ssl.SSLContext:
    if not remote.verify:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    context = ssl.create_default_context(cafile=remote.ca or None)
    return context


def _request(remote: Remote, path: str, body: bytes, content_type: str) -> Tuple[int, bytes]:
    # Verify the certificate against the name the client used, not the address we dial.
    connection = _SNIConnection(remote.address, remote.port, remote.host, timeout=TIMEOUT, context=_context(remote))
    headers = {"Content-Type": content_type, "Host": remote.host}
    if remote.token:
        headers["Authorization"] = f"whm root:{remote.token}"
    else:
        pair = f"{remote.user}:{remote.password}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    except ssl.SSLCertVerificationError as err:
        raise RemoteError(f"TLS verification failed for “{remote.host}”: {err.verify_message}") from err
    except (OSError, http.client.HTTPException) as err:
        raise RemoteError(f"The system failed to connect to “{remote.host}” on port {remote.port}: {err}") from err
    finally:
        connection.close()


class _SNIConnection(http.client.HTTPSConnection):
    """An HTTPS connection to ``address`` that checks the certificate for ``server_name``."""

    def __init__(self, address: str, port: int, server_name: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(address, port, timeout=timeout, context=context)
        self._server_name = server_name
        self._ctx = context

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._ctx.wrap_socket(sock, server_hostname=self._server_name)


def call(remote: Remote, function: str, params: Optional[List[Tuple[str, str]]] = None) -> Dict[str, Any]:
    """One WHM API 1 call on the source; returns the envelope (result 0 included)."""
    pairs = [("api.version", "1"), *(params or [])]
    body = urllib.parse.urlencode(pairs).encode("utf-8")
    status, payload = _request(
        remote, "/json-api/" + urllib.parse.quote(function), body, "application/x-www-form-urlencoded"
    )
    if status == 403:
        raise RemoteError("Access denied")
    if status != 200:
        raise RemoteError(f"HTTP {status} from “{remote.host}”")
    try:
        envelope = json.loads(payload)
    except ValueError as err:
        raise RemoteError(f"The response from “{remote.host}” is not JSON.") from err
    if not isinstance(envelope, dict) or "metadata" not in envelope:
        raise RemoteError(f"The response from “{remote.host}” is not a WHM API 1 response.")
    return envelope


def internal(remote: Remote, name: str, payload: Dict[str, Any]) -> Dict[str, Any]:
    """An emulator-internal route on the source (e.g. pkgacct)."""
    status, body = _request(remote, f"/__emulator__/internal/{name}", json.dumps(payload).encode(), "application/json")
    try:
        answer = json.loads(body)
    except ValueError:
        answer = {"error": body.decode("utf-8", "replace").strip()}
    if status != 200:
        raise RemoteError(
            str(answer.get("error") or f"HTTP {status}") if isinstance(answer, dict) else f"HTTP {status}"
        )
    return answer if isinstance(answer, dict) else {}
