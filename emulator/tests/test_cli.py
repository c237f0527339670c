"""The real command line: server.json, TLS files, restart, signals, the whmapi1 shim."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
import requests

TOKEN = "CLITOKEN"


def _start(state: Path, *extra: str) -> Tuple[subprocess.Popen, Dict[str, object]]:
    cmd = [sys.executable, "-m", "whm_emulator", "serve", "--port", "0", "--state", str(state), "--token", TOKEN]
    proc = subprocess.Popen([*cmd, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("whm_emulator listening on "), line + (proc.stderr.read() if proc.stderr else "")
    info = json.loads((state / "server.json").read_text())
    assert line.strip() == f"whm_emulator listening on {info['url']} ca={info['ca'] or ''}"
    return proc, info


def _stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=10)


def _call(info: Dict[str, object], fn: str, **params: str) -> Dict[str, object]:
    s = requests.Session()
    s.trust_env = False
    r = s.get(
        f"{info['url']}/json-api/{fn}",
        params={"api.version": "1", **params},
        headers={"Authorization": f"whm root:{TOKEN}"},
        verify=str(info["ca"]),
        timeout=30,
    )
    assert r.status_code == 200
    return r.json()


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "state"


def test_serve_restart_keeps_state(state: Path) -> None:
    proc, info = _start(state, "--admin")
    try:
        assert info["admin"] is True and info["pid"] == proc.pid and Path(str(info["ca"])).is_absolute()
        for name in ("ca.pem", "ca.key", "server.pem", "server.key", "whm.sqlite3"):
            assert (state / name).exists()
        assert (state / "root_token").stat().st_mode & 0o777 == 0o600
        assert _call(info, "createacct", username="alice", domain="alice.example.com")["metadata"]["result"] == 1
    finally:
        assert _stop(proc) == 0
    ca_before = (state / "ca.pem").read_bytes()
    proc, info = _start(state)
    try:
        assert info["admin"] is False
        assert (state / "ca.pem").read_bytes() == ca_before  # certificates reused
        env = _call(info, "accountsummary", user="alice")
        assert env["data"]["acct"][0]["user"] == "alice"
    finally:
        _stop(proc)


def test_version_command() -> None:
    out = subprocess.run([sys.executable, "-m", "whm_emulator", "version"], capture_output=True, text=True, check=True)
    assert "whm_emulator" in out.stdout
    out = subprocess.run(
        [sys.executable, "-m", "whm_emulator", "--version"], capture_output=True, text=True, check=True
    )
    assert "11.120" in out.stdout


def _shim(args: List[str], env: Dict[str, str]) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("WHM_EMULATOR_")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "whm_emulator.cli_shim", *args], capture_output=True, text=True, env=full, timeout=60
    )


def test_whmapi1_shim(state: Path) -> None:
    proc, info = _start(state, "--http")
    try:
        assert str(info["url"]).startswith("http://")
        res = _shim(["createacct", "username=bob", "domain=bob.example.com"], {"WHM_EMULATOR_STATE": str(state)})
        assert res.returncode == 0, res.stderr
        assert json.loads(res.stdout)["metadata"]["reason"] == "Account Creation Ok"
        # result 0 still exits 0 and prints the envelope
        res = _shim(["--output=jsonpretty", "removeacct", "username=ghost"], {"WHM_EMULATOR_STATE": str(state)})
        assert res.returncode == 0 and json.loads(res.stdout)["metadata"]["result"] == 0 and "\n   " in res.stdout
        res = _shim(["version"], {"WHM_EMULATOR_URL": str(info["url"]), "WHM_EMULATOR_TOKEN": "wrong"})
        assert res.returncode != 0 and "403" in res.stderr
    finally:
        _stop(proc)
    res = _shim(["version"], {"WHM_EMULATOR_STATE": str(state)})
    assert res.returncode != 0 and "cannot reach" in res.stderr


def test_whmapi1_shim_tls(state: Path) -> None:
    proc, info = _start(state)
    try:
        env = {"WHM_EMULATOR_URL": str(info["url"]), "WHM_EMULATOR_TOKEN": TOKEN, "WHM_EMULATOR_CA": str(info["ca"])}
        res = _shim(["api_token_create", "token_name=a", "acl=list-accts", "acl=create-acct"], env)
        assert json.loads(res.stdout)["data"]["acls"] == ["create-acct", "list-accts"]
        # TLS is always verified: without the CA the default trust store rejects the certificate.
        env.pop("WHM_EMULATOR_CA")
        res = _shim(["version"], env)
        assert res.returncode != 0
    finally:
        _stop(proc)
