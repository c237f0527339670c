"""What the benchmarks share: start and stop an emulator, its admin API, its json-api.

Imported by the scripts in this directory (run as ``.venv/bin/python bench/<name>.py``, so this
directory is on ``sys.path``).
"""

from __future__ import annotations

import json
import secrets
import signal
import ssl
import string
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path


class PlaybookFailed(Exception):
    pass


def random_string(length: int) -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(length))


def admin(info: dict, path: str, body: dict | None = None) -> dict:
    """A call of the emulator's ``/__emulator__/`` admin API (GET, or POST with a JSON body)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{info['url']}/__emulator__/{path}", data=data, method="POST" if data else "GET")
    request.add_header("Content-Type", "application/json")
    context = ssl.create_default_context(cafile=info["ca"])
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        return json.load(response)


def json_api(info: dict, token: str, function: str, params: dict) -> dict:
    """One WHM API 1 call as root (setup work, not measured); a failure stops the benchmark."""
    body = urllib.parse.urlencode(dict(params, **{"api.version": 1})).encode()
    request = urllib.request.Request(f"{info['url']}/json-api/{function}", data=body, method="POST")
    request.add_header("Authorization", f"whm root:{token}")
    context = ssl.create_default_context(cafile=info["ca"])
    with urllib.request.urlopen(request, context=context, timeout=60) as response:
        envelope = json.load(response)
    if not envelope.get("metadata", {}).get("result"):
        raise RuntimeError(f"{function} failed during setup: {envelope.get('metadata', {}).get('reason')}")
    return envelope


def start_emulator(
    state: Path,
    token: str,
    hostname: str = "bench.example.test",
    ip: str = "192.0.2.10",
    extra: list[str] | None = None,
) -> tuple[subprocess.Popen, dict]:
    """Start ``python -m whm_emulator serve`` on a free port; returns the process and server.json."""
    command = [sys.executable, "-m", "whm_emulator", "serve", "--port", "0", "--state", str(state)]
    command += ["--hostname", hostname, "--ip", ip, "--token", token, "--admin", *(extra or [])]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    info_file = state / "server.json"
    for _attempt in range(200):
        if info_file.exists() and info_file.stat().st_size:
            return process, json.loads(info_file.read_text())
        if process.poll() is not None:
            break
        time.sleep(0.05)
    stop(process)
    raise RuntimeError(f"the emulator {hostname} did not start")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
