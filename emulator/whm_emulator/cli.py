"""Command line: ``python -m whm_emulator serve …`` and ``python -m whm_emulator version``."""

from __future__ import annotations

import argparse
import json
import os
import signal
import ssl
import sys
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional

from whm_emulator import WHM_VERSION, __version__
from whm_emulator.emulator import Config, Emulator
from whm_emulator.httpd import EmulatorServer
from whm_emulator.tls import ensure_certificates


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="whm-emulator", description="A stateful emulator of WHM API 1.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the emulated WHM server")
    serve.add_argument("--port", type=int, required=True, help="TCP port; 0 picks a free one")
    serve.add_argument("--state", required=True, help="state directory (SQLite database, certificates)")
    serve.add_argument("--token", required=True, help="root's API token (Authorization: whm root:TOKEN)")
    serve.add_argument("--root-password", default=None, help="enables Basic auth for root")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--http", action="store_true", help="serve plain HTTP instead of HTTPS")
    serve.add_argument("--admin", action="store_true", help="enable the /__emulator__/ admin API")
    serve.add_argument("--hostname", default="server.example.test", help="the server's hostname")
    serve.add_argument("--ip", default="192.0.2.10", help="the server's main shared IPv4 address")
    serve.add_argument("--create-delay", type=float, default=0.0, help="seconds createacct takes")
    serve.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an area setting (repeatable), see docs/emulator.md",
    )
    serve.add_argument("--verbose", action="store_true", help="log every HTTP request to stderr")
    sub.add_parser("version", help="print the version and exit")
    return parser


def _write_json_atomic(path: Path, payload: Any, mode: int = 0o644) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(payload, handle)
        handle.write("\n")
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def _write_secret(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    os.replace(tmp, path)


def _settings(pairs: List[str]) -> Dict[str, str]:
    settings: Dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"--set needs KEY=VALUE, got {pair!r}")
        settings[key] = value
    return settings


def serve(opts: argparse.Namespace) -> int:
    state = Path(opts.state).resolve()
    state.mkdir(parents=True, exist_ok=True)
    config = Config(
        state_dir=state,
        token=opts.token,
        root_password=opts.root_password,
        hostname=opts.hostname,
        ip=opts.ip,
        create_delay=opts.create_delay,
        admin=opts.admin,
        settings=_settings(opts.set),
    )
    emulator = Emulator(config)
    context: Optional[ssl.SSLContext] = None
    ca_path: Optional[Path] = None
    if not opts.http:
        ca_path, cert, key = ensure_certificates(state, opts.hostname)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(str(cert), str(key))
    server = EmulatorServer((opts.host, opts.port), emulator, context, verbose=opts.verbose)
    port = server.server_address[1]
    scheme = "http" if opts.http else "https"
    url = (
        f"{scheme}://127.0.0.1:{port}"
        if opts.host in ("127.0.0.1", "0.0.0.0", "localhost")
        else f"{scheme}://{opts.host}:{port}"
    )  # noqa: E501

    # The socket is listening (bound + listen() in the constructor): publish how to reach us.
    _write_secret(state / "root_token", opts.token)
    _write_json_atomic(
        state / "server.json",
        {"url": url, "port": port, "ca": str(ca_path) if ca_path else None, "pid": os.getpid(), "admin": opts.admin},
    )

    def stop(signum: int, frame: Any) -> None:
        # shutdown() blocks until serve_forever returns, so call it from another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"whm_emulator listening on {url} ca={ca_path if ca_path else ''}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    opts = _parser().parse_args(argv)
    if opts.version or opts.command == "version":
        print(f"whm_emulator {__version__} (emulates cPanel & WHM {WHM_VERSION})")
        return 0
    if opts.command == "serve":
        return serve(opts)
    _parser().print_help(sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
