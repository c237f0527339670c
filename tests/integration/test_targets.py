"""One test per integration target: fresh emulator(s), a real ansible-playbook run, then checks.

Run with ``pytest -p no:pytest-ansible tests/integration -n 2`` (``make integration``).
How to write a target: README.md in this directory.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import pytest
from conftest import REPO_ROOT, TARGETS_DIR, Emulator, InstalledCollection, tail, venv_tool

FIDELITY_DIR = REPO_ROOT / "tests" / "fidelity"
DEFAULT_TIMEOUT = 900
SKIP_ALIASES = {"disabled", "unsupported", "hidden"}


# -- targets ---------------------------------------------------------------------------------


def read_lines(path: Path) -> List[str]:
    """Non-empty lines of a file, without comments (``#`` to end of line)."""
    if not path.is_file():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def discover_targets() -> List[str]:
    if not TARGETS_DIR.is_dir():
        return []
    return sorted(
        entry.name
        for entry in TARGETS_DIR.iterdir()
        if (entry / "tasks" / "main.yml").is_file() and (entry / "aliases").is_file()
    )


def alias_value(aliases: List[str], prefix: str) -> Optional[str]:
    """``needs/emulators/2`` -> ``alias_value(aliases, "needs/emulators/") == "2"``."""
    for alias in aliases:
        if alias.startswith(prefix):
            return alias[len(prefix) :]
    return None


# -- playbook run ----------------------------------------------------------------------------


def target_vars(servers: List[Emulator]) -> Dict[str, object]:
    """Variables every target gets; the second emulator's are the same names with ``whm2_``."""
    variables: Dict[str, object] = {}
    for index, server in enumerate(servers):
        prefix = "whm_" if index == 0 else f"whm{index + 1}_"
        variables.update(
            {
                prefix + "host": "127.0.0.1",
                prefix + "port": server.port,
                prefix + "api_token": server.token,
                prefix + "root_password": server.root_password,
                prefix + "ca_path": server.ca,
                prefix + "url": server.url,
                prefix + "admin_url": server.admin_url,
                prefix + "emulator_state": str(server.state_dir),
            }
        )
    return variables


def write_playbook(
    run_dir: Path, target: str, servers: List[Emulator], collection: InstalledCollection
) -> Tuple[Path, bool]:
    first = servers[0]
    play: Dict[str, object] = {
        "name": f"integration target {target}",
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "vars": target_vars(servers),
        "roles": [{"role": target}],
    }
    # module_defaults for a group that does not exist is a hard error in ansible-core
    with_defaults = collection.has_action_group("whm")
    if with_defaults:
        play["module_defaults"] = {
            "group/hosting.whm.whm": {
                "whm_host": "127.0.0.1",
                "whm_port": first.port,
                "whm_api_token": first.token,
                "ca_path": first.ca,
            }
        }
    playbook = run_dir / "playbook.yml"
    playbook.write_text(json.dumps([play], indent=2), encoding="utf-8")  # JSON is YAML
    (run_dir / "ansible.cfg").write_text("[defaults]\n", encoding="utf-8")
    return playbook, with_defaults


def playbook_env(
    base: Dict[str, str], run_dir: Path, servers: List[Emulator], collection: InstalledCollection
) -> Dict[str, str]:
    first = servers[0]
    env = dict(base)
    env.update(
        {
            "ANSIBLE_CONFIG": str(run_dir / "ansible.cfg"),
            "ANSIBLE_COLLECTIONS_PATH": str(collection.collections_path),
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False",
            "ANSIBLE_ROLES_PATH": str(TARGETS_DIR),
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_LOCAL_TEMP": str(run_dir / "tmp"),
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            # for the whmapi1 command shim (transport: cli)
            "WHM_EMULATOR_URL": first.url,
            "WHM_EMULATOR_TOKEN": first.token,
            "WHM_EMULATOR_CA": first.ca,
        }
    )
    return env


def secrets_of(target_dir: Path, servers: List[Emulator]) -> List[str]:
    values = [value for server in servers for value in (server.token, server.root_password)]
    values += read_lines(target_dir / "secrets.txt")
    return [value for value in values if value]


# -- fidelity --------------------------------------------------------------------------------


def load_fidelity_checker():
    """``contract.undocumented`` from tests/fidelity, or None when that helper does not exist yet."""
    if not (FIDELITY_DIR / "contract.py").is_file():
        return None
    if str(FIDELITY_DIR) not in sys.path:
        sys.path.insert(0, str(FIDELITY_DIR))
    import contract  # pylint: disable=import-error,import-outside-toplevel

    return contract.undocumented


def fidelity_problems(servers: List[Emulator], allowed: Set[str]) -> List[str]:
    """Functions and parameters the targets sent that the WHM API contract does not document."""
    undocumented = load_fidelity_checker()
    if undocumented is None:
        warnings.warn("fidelity check skipped: tests/fidelity/contract.py does not exist yet", stacklevel=2)
        return []
    problems: List[str] = []
    seen: Set[Tuple[str, Tuple[str, ...]]] = set()
    for index, server in enumerate(servers):
        for record in server.fetch_requests():
            function = record.get("function")
            if not function or function in allowed:
                continue
            params = tuple(sorted(p for p in record.get("params") or [] if f"{function} {p}" not in allowed))
            if (function, params) in seen:
                continue
            seen.add((function, params))
            for problem in undocumented(function, list(params)):
                via = f" via {record['via']}" if record.get("via") else ""
                problems.append(f"emulator {index + 1}: {record.get('method', '?')} {function}{via}: {problem}")
    return sorted(set(problems))


# -- the test --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", discover_targets())
def test_target(
    target: str, installed_collection, emulators, ansible_env_base, output_dir: Path, tmp_path: Path
) -> None:
    target_dir = TARGETS_DIR / target
    aliases = read_lines(target_dir / "aliases")
    skip = SKIP_ALIASES.intersection(aliases)
    if skip:
        pytest.skip(f"aliases mark the target {', '.join(sorted(skip))}")

    servers = emulators(int(alias_value(aliases, "needs/emulators/") or 1))
    run_dir = tmp_path / "run"
    (run_dir / "tmp").mkdir(parents=True)
    playbook, with_defaults = write_playbook(run_dir, target, servers, installed_collection)
    env = playbook_env(ansible_env_base, run_dir, servers, installed_collection)
    verbose = "verbosity/4" in aliases
    command = [venv_tool("ansible-playbook"), "-i", "localhost,", str(playbook)]
    if verbose:
        command.append("-vvvv")
    timeout = int(alias_value(aliases, "timeout/") or DEFAULT_TIMEOUT)

    started = time.monotonic()
    try:
        run = subprocess.run(
            command, cwd=run_dir, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
        returncode, stdout, stderr = run.returncode, run.stdout, run.stderr
    except subprocess.TimeoutExpired as exc:
        returncode = -1
        stdout = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
        stderr = (
            exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr or ""
        ) + f"\n[harness] timed out after {timeout} s"
    elapsed = time.monotonic() - started

    log_path = output_dir / f"{target}.log"
    header = [
        f"# target: {target}",
        f"# aliases: {' '.join(aliases)}",
        f"# command: {' '.join(command)}",
        f"# emulators: {', '.join(server.url for server in servers)}",
        "# module_defaults for group/hosting.whm.whm: "
        + ("yes" if with_defaults else "no (meta/runtime.yml has no whm action group)"),
        f"# exit code: {returncode}, {elapsed:.1f} s",
    ]
    log_path.write_text(
        "\n".join(header) + "\n\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr, encoding="utf-8"
    )

    for index, server in enumerate(servers):
        if server.log_path.is_file():
            (output_dir / f"{target}.emulator{index + 1}.log").write_bytes(server.log_path.read_bytes())

    output = stdout + "\n" + stderr
    if returncode != 0:
        message = f"ansible-playbook failed for {target} (exit {returncode}); full log: {log_path}\n{tail(output)}"
        pytest.fail(message, pytrace=False)

    if verbose:
        leaked = sum(1 for value in secrets_of(target_dir, servers) if value in output)
        if leaked:
            # pytest.fail rather than assert: assertion rewriting would print the secret itself
            pytest.fail(
                f"{leaked} secret value(s) appear in the -vvvv output of {target}; see {log_path}", pytrace=False
            )

    problems = fidelity_problems(servers, set(read_lines(target_dir / "fidelity_allow.txt")))
    if problems:
        pytest.fail(
            f"{target} sent requests the WHM API contract does not document:\n" + "\n".join(problems), pytrace=False
        )
