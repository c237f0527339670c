"""HTTP(S) front end: WHM's URL forms, authentication, the admin API and fault injection."""

from __future__ import annotations

import base64
import json
import re
import socket
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

from whm_emulator import __version__
from whm_emulator.args import Args
from whm_emulator.emulator import Emulator, Fault
from whm_emulator.envelope import build
from whm_emulator.registry import Result, lookup

# /json-api/<fn> (header auth) and /cpsess<digits>/json-api/<fn> (session form); both accepted.
_API_PATH = re.compile(r"^(?:/cpsess\d+)?/json-api/(?P<fn>[^/]+)/?$")
_FAULT_MODES = ("status", "latency", "drop", "apply_then_timeout")

# Emulator-internal server-to-server routes, POST /__emulator__/internal/<name> with a JSON body
# (e.g. a transfer destination packaging an account on its source). Authenticated like
# /json-api, available without --admin, never counted in stats or the request log. Areas
# register handlers: handler(emulator, payload) -> (HTTP status, JSON-able body).
INTERNAL_ROUTES: Dict[str, Callable[[Emulator, Dict[str, Any]], Tuple[int, Any]]] = {}
# The same for routes a cPanel user may call with Basic credentials (a user-authenticated
# transfer): the handler gets (user, password) and checks them itself.
INTERNAL_USER_ROUTES: Dict[str, Callable[[Emulator, Tuple[str, str], Dict[str, Any]], Tuple[int, Any]]] = {}


class _Drop(Exception):
    """Close the connection without sending any response."""


class Handler(BaseHTTPRequestHandler):
    server: EmulatorServer
    protocol_version = "HTTP/1.1"
    server_version = "cpsrvd/" + __version__ + " (whm_emulator)"
    timeout = 120

    # -- plumbing ------------------------------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode("utf-8"), "application/json; charset=utf-8")

    def _send_text(self, status: int, text: str) -> None:
        self._send(status, text.encode("utf-8"), "text/plain; charset=utf-8")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self, method: str) -> None:
        path, _, query = self.path.partition("?")
        try:
            if path.startswith("/__emulator__/internal/") and method == "POST":
                self._internal(path[len("/__emulator__/internal/") :].strip("/"), self._body())
                return
            if path.startswith("/__emulator__/") or path == "/__emulator__":
                self._admin(method, path, self._body())
                return
            match = _API_PATH.match(path)
            if not match or method == "DELETE":
                self._send_text(404, "Not Found\n")
                return
            self._api(method, urllib.parse.unquote(match.group("fn")), query)
        except _Drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # -- WHM API 1 -----------------------------------------------------------------------
    def _authenticate(self) -> Optional[Tuple[str, Optional[List[str]]]]:
        emulator = self.server.emulator
        header = self.headers.get("Authorization") or ""
        scheme, _, detail = header.partition(" ")
        if scheme.lower() == "whm":
            # cpsrvd splits at the first ":"; an empty secret is rejected at once.
            user, _, secret = detail.strip().partition(":")
            return emulator.token_auth(user, secret.strip(), self.client_address[0])
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(detail.strip()).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            return (user, None) if emulator.password_auth(user, password) else None
        return None

    def _api(self, method: str, function: str, query: str) -> None:
        emulator = self.server.emulator
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        if method == "POST":
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            body = self._body()
            if content_type in ("", "application/x-www-form-urlencoded"):
                pairs += urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        args = Args(pairs)
        auth = self._authenticate()
        if auth is None:
            # Bad credentials: WHM's answer comes from compiled cpsrvd (UNCONFIRMED); clients see
            # a non-2xx status and no WHM envelope (old clients report 403).
            emulator.record(function, method, args.all_names(), 403)
            self._send_text(403, "Access denied\n")
            return
        user, acls = auth
        entry = emulator.record(
            function, method, args.all_names(), 200, commands=args.getlist("command") if function == "batch" else None
        )

        if args.api.get("api.version") != "1":
            # Without api.version=1 the call is WHM API 0, which the emulator does not implement;
            # API-1-only functions answer like this there (seen in client bug reports). API 0
            # output has no API-1 envelope, hence the different shape.
            self._send_json(
                200,
                {"status": 0, "statusmsg": f"Unknown App Requested for this version (0) of the api: {function}"},
            )
            return

        spec = lookup(function)
        if spec is None:
            # UNCONFIRMED what cpsrvd does for an unknown API-1 function outside batch. We answer
            # like API 0 does: HTTP 200, a normal envelope with result 0 naming the function.
            reason = f"Unknown App Requested for this version (1) of the api: {function}"
            self._send_json(200, build(function, Result(result=0, reason=reason)))
            return

        fault = emulator.take_fault(function)
        if fault is not None:
            if fault.mode == "status":
                entry["status"] = fault.status
                self._send_text(fault.status, f"Emulated fault: HTTP {fault.status}\n")
                return
            if fault.mode == "drop":
                entry["status"] = 0
                raise _Drop()
            if fault.mode == "latency":
                time.sleep(fault.seconds)

        if spec.name == "batch":
            status, payload = emulator.batch(args, user, acls, method)
        else:
            status, payload = 200, emulator.run(spec, args, user, acls)
        entry["status"] = status

        if fault is not None and fault.mode == "apply_then_timeout":
            time.sleep(fault.seconds)
            entry["status"] = 0
            raise _Drop()
        if status != 200:
            self._send_text(status, payload.get("error", "Internal Server Error") + "\n")
            return
        self._send_json(200, payload)

    def _internal(self, name: str, body: bytes) -> None:
        import whm_emulator.api  # noqa: F401 - areas register their routes at import

        handler = INTERNAL_ROUTES.get(name)
        user_handler = INTERNAL_USER_ROUTES.get(name)
        credentials: Tuple[str, str] = ("", "")
        if handler is None and user_handler is None:
            self._send_text(404, "Not Found\n")
            return
        if handler is not None:
            auth = self._authenticate()
            if auth is None or auth[1] is not None:  # root with full access only
                self._send_text(403, "Access denied\n")
                return
        else:
            scheme, _, detail = (self.headers.get("Authorization") or "").partition(" ")
            try:
                user, _, password = base64.b64decode(detail.strip()).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                user, password = "", ""
            if scheme.lower() != "basic" or not user:
                self._send_text(403, "Access denied\n")
                return
            credentials = (user, password)
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            self._send_json(400, {"error": "body must be a JSON object"})
            return
        if handler is not None:
            status, answer = handler(self.server.emulator, payload)
        else:
            assert user_handler is not None
            status, answer = user_handler(self.server.emulator, credentials, payload)
        self._send_json(status, answer)

    # -- admin API -----------------------------------------------------------------------
    def _admin(self, method: str, path: str, body: bytes) -> None:
        emulator = self.server.emulator
        if not emulator.config.admin:
            self._send_text(404, "Not Found\n")
            return
        try:
            payload: Dict[str, Any] = json.loads(body) if body.strip() else {}
        except ValueError:
            self._send_json(400, {"error": "body must be JSON"})
            return
        name = path[len("/__emulator__/") :].strip("/")
        if name == "stats" and method == "GET":
            stats = emulator.stats
            self._send_json(
                200,
                {
                    "total": stats.total,
                    "reads": stats.reads,
                    "writes": stats.writes,
                    "by_function": dict(stats.by_function),
                },
            )
        elif name == "requests" and method == "GET":
            self._send_json(200, list(emulator.stats.requests))
        elif name == "reset" and method == "POST":
            if payload.get("state"):
                emulator.reset_state()
            if payload.get("stats"):
                emulator.reset_stats()
            self._send_json(200, {"ok": True})
        elif name == "faults":
            self._faults(method, payload)
        elif name == "settings" and method == "GET":
            self._send_json(200, emulator.update_settings({}))
        elif name == "settings" and method == "POST":
            if not isinstance(payload, dict):
                self._send_json(400, {"error": "body must be a JSON object of settings"})
                return
            self._send_json(200, emulator.update_settings(payload))
        else:
            self._send_json(404, {"error": f"unknown admin endpoint {method} {path}"})

    def _faults(self, method: str, payload: Dict[str, Any]) -> None:
        emulator = self.server.emulator
        if method == "GET":
            with emulator._lock:
                self._send_json(200, [f.as_dict() for f in emulator.faults])
        elif method == "DELETE":
            with emulator._lock:
                emulator.faults.clear()
            self._send_json(200, {"ok": True})
        else:
            mode = payload.get("mode")
            function = payload.get("function")
            if mode not in _FAULT_MODES or not isinstance(function, str) or not function:
                self._send_json(400, {"error": f"need function and mode in {list(_FAULT_MODES)}"})
                return
            fault = Fault(
                function=function,
                mode=mode,
                status=int(payload.get("status", 503)),
                seconds=float(payload.get("seconds", 5)),
                count=int(payload.get("count", 1)),
            )
            with emulator._lock:
                emulator.faults.append(fault)
            self._send_json(200, fault.as_dict())


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        address: Tuple[str, int],
        emulator: Emulator,
        ssl_context: Optional[ssl.SSLContext] = None,
        verbose: bool = False,
    ) -> None:
        self.emulator = emulator
        self.ssl_context = ssl_context
        self.verbose = verbose
        self.ready = threading.Event()
        super().__init__(address, Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake runs here, in the per-connection thread, so one slow client
        # cannot stall accept() for everybody else.
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(30)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.verbose:
            super().handle_error(request, client_address)
