"""Fixtures for the integration harness (see README.md in this directory).

The harness runs each target under ``targets/`` as a role in a real ``ansible-playbook``
process, against the collection as it ships (built with ``ansible-galaxy collection build``
and installed into a temporary tree) and against freshly started WHM emulators.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, List

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TARGETS_DIR = Path(__file__).resolve().parent / "targets"
OUTPUT_DIR = REPO_ROOT / "tests" / "output" / "integration"
# not resolved: resolving the venv's python symlink would leave the venv
VENV_BIN = Path(sys.executable).parent
EMULATOR_START_TIMEOUT = 20.0
EMULATOR_STOP_TIMEOUT = 10.0


def venv_tool(name: str) -> str:
    """Path of a console script next to the running interpreter (the venv), else the bare name."""
    candidate = VENV_BIN / name
    return str(candidate) if candidate.exists() else name


def tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


# -- the collection under test -------------------------------------------------------------


@dataclass
class InstalledCollection:
    """A built and installed copy of this collection."""

    collections_path: Path  # goes into ANSIBLE_COLLECTIONS_PATH
    tarball: Path

    @property
    def root(self) -> Path:
        return self.collections_path / "ansible_collections" / "hosting" / "whm"

    def has_action_group(self, name: str) -> bool:
        runtime = self.root / "meta" / "runtime.yml"
        if not runtime.is_file():
            return False
        import yaml  # ansible-core's own dependency, present wherever ansible-playbook is

        data = yaml.safe_load(runtime.read_text(encoding="utf-8")) or {}
        return bool((data.get("action_groups") or {}).get(name))


def _build_and_install(workdir: Path) -> InstalledCollection:
    galaxy = venv_tool("ansible-galaxy")
    build_dir = workdir / "build"
    collections_path = workdir / "collections"
    build = subprocess.run(
        [galaxy, "collection", "build", str(REPO_ROOT), "--output-path", str(build_dir), "--force"],
        capture_output=True,
        text=True,
        check=False,
    )
    tarballs = sorted(build_dir.glob("hosting-whm-*.tar.gz"))
    if build.returncode != 0 or not tarballs:
        pytest.fail(f"ansible-galaxy collection build failed:\n{tail(build.stdout + build.stderr)}")
    install = subprocess.run(
        [
            galaxy,
            "collection",
            "install",
            str(tarballs[-1]),
            "-p",
            str(collections_path),
            "--no-deps",
            "--offline",
            "--force",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if install.returncode != 0:
        pytest.fail(f"ansible-galaxy collection install failed:\n{tail(install.stdout + install.stderr)}")
    return InstalledCollection(collections_path=collections_path, tarball=tarballs[-1])


@pytest.fixture(scope="session")
def installed_collection(tmp_path_factory: pytest.TempPathFactory) -> InstalledCollection:
    """Build + install the collection once per test run (shared by xdist workers via a lock)."""
    base = tmp_path_factory.getbasetemp()
    # xdist workers get sibling base dirs; their common parent is shared by this run only
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    workdir = shared / "hosting-whm-collection"
    workdir.mkdir(parents=True, exist_ok=True)
    with open(shared / "hosting-whm-collection.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = workdir / "installed.json"
        if done.is_file():
            data = json.loads(done.read_text(encoding="utf-8"))
            return InstalledCollection(Path(data["collections_path"]), Path(data["tarball"]))
        result = _build_and_install(workdir)
        done.write_text(
            json.dumps({"collections_path": str(result.collections_path), "tarball": str(result.tarball)}),
            encoding="utf-8",
        )
        return result


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


# -- emulators -----------------------------------------------------------------------------


@dataclass
class Emulator:
    """A running ``whm_emulator serve`` process and what a target needs to reach it."""

    state_dir: Path
    token: str
    root_password: str
    url: str
    port: int
    ca: str
    process: subprocess.Popen = field(repr=False)
    log_path: Path = field(repr=False)

    @property
    def admin_url(self) -> str:
        return self.url + "/__emulator__"

    def fetch_requests(self) -> list:
        """The emulator's request log: ``[{"function", "method", "params", "status", "via"?}]``."""
        import ssl
        import urllib.request

        context = ssl.create_default_context(cafile=self.ca)
        request = urllib.request.Request(
            self.admin_url + "/requests", headers={"Authorization": f"whm root:{self.token}"}
        )
        with urllib.request.urlopen(request, context=context, timeout=10) as response:  # noqa: S310 - https to our own server
            return json.loads(response.read().decode("utf-8"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=EMULATOR_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_emulator(state_dir: Path) -> Emulator:
    """Start an emulator with random credentials and wait until it wrote ``server.json``."""
    state_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16).upper()
    root_password = "Rp-" + secrets.token_urlsafe(18)
    log_path = state_dir / "emulator.log"
    command = [
        sys.executable,
        "-m",
        "whm_emulator",
        "serve",
        "--port",
        "0",
        "--state",
        str(state_dir),
        "--token",
        token,
        "--root-password",
        root_password,
        "--admin",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=state_dir
        )
    server_json = state_dir / "server.json"
    deadline = time.monotonic() + EMULATOR_START_TIMEOUT
    info = None
    while time.monotonic() < deadline:
        if server_json.is_file():
            try:
                info = json.loads(server_json.read_text(encoding="utf-8"))
                break
            except ValueError:
                pass  # still being written
        if process.poll() is not None:
            break
        time.sleep(0.05)
    if info is None:
        if process.poll() is None:
            process.kill()
            process.wait()
        output = log_path.read_text(encoding="utf-8", errors="replace")
        pytest.fail(
            f"emulator did not write {server_json} within {EMULATOR_START_TIMEOUT:.0f} s"
            f" (exit code {process.returncode}):\n{tail(output)}"
        )
    return Emulator(
        state_dir=state_dir,
        token=token,
        root_password=root_password,
        url=str(info["url"]).rstrip("/"),
        port=int(info["port"]),
        ca=str(info["ca"]),
        process=process,
        log_path=log_path,
    )


@pytest.fixture
def emulators(tmp_path: Path) -> Iterator[Callable[[int], List[Emulator]]]:
    """Factory: ``emulators(n)`` starts n fresh emulators; all are stopped (SIGTERM) at teardown."""
    if not (REPO_ROOT / "emulator" / "pyproject.toml").is_file():
        pytest.skip("the WHM emulator (emulator/) does not exist yet")
    started: List[Emulator] = []

    def start(count: int) -> List[Emulator]:
        for index in range(count):
            started.append(start_emulator(tmp_path / f"emulator{index + 1}"))
        return list(started)

    try:
        yield start
    finally:
        for emulator in started:
            emulator.stop()


@pytest.fixture(scope="session")
def ansible_env_base() -> dict:
    """The caller's environment without ANSIBLE_* settings, so runs are reproducible."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env["PATH"] = os.pathsep.join([str(VENV_BIN), env.get("PATH", "")])
    return env
