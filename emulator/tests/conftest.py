"""Fixtures: each test gets its own emulator (in-process HTTPS server on port 0, own state dir)."""

from __future__ import annotations

import ssl
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import pytest
import requests

from whm_emulator.emulator import Config, Emulator
from whm_emulator.httpd import EmulatorServer
from whm_emulator.tls import ensure_certificates

TOKEN = "ROOTTOKEN0123456789ABCDEFGHIJKLM"
PASSWORD = "r00t-Secret!"
Params = Union[Dict[str, Any], Sequence[Tuple[str, Any]]]


class Whm:
    """A running in-process emulator plus a small client."""

    def __init__(
        self,
        state: Path,
        admin: bool = True,
        create_delay: float = 0.0,
        settings: Optional[Dict[str, str]] = None,
        hostname: str = "server.example.test",
        ip: str = "192.0.2.10",
    ) -> None:
        self.state = state
        ca, cert, key = ensure_certificates(state, hostname)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        self.emulator = Emulator(
            Config(
                state_dir=state,
                token=TOKEN,
                root_password=PASSWORD,
                admin=admin,
                create_delay=create_delay,
                hostname=hostname,
                ip=ip,
                settings=dict(settings or {}),
            )
        )
        self.server = EmulatorServer(("127.0.0.1", 0), self.emulator, context)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.ca = str(ca)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.session = requests.Session()
        self.session.verify = self.ca
        # REQUESTS_CA_BUNDLE in the environment would override session.verify (requests#3829).
        self.session.trust_env = False
        self.session.headers["Authorization"] = f"whm root:{TOKEN}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.session.close()

    # -- calls ---------------------------------------------------------------------------
    def raw(self, function: str, params: Optional[Params] = None, method: str = "GET", **kw: Any) -> requests.Response:
        pairs: List[Tuple[str, Any]] = list(params.items()) if isinstance(params, dict) else list(params or [])
        url = f"{self.url}/json-api/{function}"
        if method == "GET":
            return self.session.get(url, params=pairs, timeout=30, **kw)
        return self.session.post(url, data=pairs, timeout=30, **kw)

    def call(self, function: str, params: Optional[Params] = None, method: str = "GET") -> Dict[str, Any]:
        pairs: List[Tuple[str, Any]] = list(params.items()) if isinstance(params, dict) else list(params or [])
        response = self.raw(function, [("api.version", "1"), *pairs], method=method)
        assert response.status_code == 200, response.text
        return response.json()

    def ok(self, function: str, params: Optional[Params] = None) -> Dict[str, Any]:
        envelope = self.call(function, params)
        assert envelope["metadata"]["result"] == 1, envelope["metadata"]
        return envelope

    def fail(self, function: str, params: Optional[Params] = None) -> str:
        envelope = self.call(function, params)
        assert envelope["metadata"]["result"] == 0, envelope
        return str(envelope["metadata"]["reason"])

    def create(self, user: str, domain: Optional[str] = None, **extra: Any) -> Dict[str, Any]:
        params = {"username": user, "domain": domain or f"{user}.example.com", "password": "S3cure-pass!"}
        params.update(extra)
        return self.ok("createacct", params)

    # -- admin ---------------------------------------------------------------------------
    def admin(self, method: str, name: str, body: Optional[Dict[str, Any]] = None) -> Any:
        response = self.session.request(method, f"{self.url}/__emulator__/{name}", json=body, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def whm(tmp_path: Path) -> Iterator[Whm]:
    server = Whm(tmp_path / "state")
    try:
        yield server
    finally:
        server.close()


def strip_xid(reason: str) -> str:
    """'API failure: (XID abc123) text' → 'API failure: (XID) text' for exact comparisons."""
    import re

    return re.sub(r"\(XID [a-z0-9]+\) ", "(XID) ", reason)
