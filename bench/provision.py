"""Benchmark: provision N packages and M accounts on a fresh emulator, then run again.

Reports wall time and the WHM requests each run made (by function, reads vs writes), from the
emulator's own statistics. Nothing here asserts a time; compare the numbers between commits.

    .venv/bin/python bench/provision.py --packages 5 --accounts 20
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

from _emulator import admin, start_emulator, stop  # noqa: E402


def write_vars(path: Path, packages: int, accounts: int, tokens: int = 0) -> None:
    lines = ["---", "provision_packages:"]
    for index in range(packages):
        lines += [f"  - name: bench{index}", f"    quota: {1024 * (index + 1)}", "    bwlimit: unlimited"]
    lines.append("provision_accounts:" if accounts else "provision_accounts: []")
    for index in range(accounts):
        lines += [
            f"  - user: bn{index:04d}",
            f"    domain: bench{index}.example",
            f"    plan: bench{index % max(packages, 1)}" if packages else "    plan: default",
            f"    password: Bench-{index}-x9!",
        ]
    lines.append("provision_api_tokens:" if tokens else "provision_api_tokens: []")
    for index in range(tokens):
        lines += [f"  - name: bench{index}"] + (["    acls: [list-accts]"] if index % 2 else [])
    path.write_text("\n".join(lines) + "\n")


def run_playbook(work: Path, env: dict) -> float:
    started = time.monotonic()
    subprocess.run(
        [
            str(BIN / "ansible-playbook"),
            "-i",
            str(work / "inventory.yml"),
            str(ROOT / "playbooks" / "provision.yml"),
            "-e",
            f"@{work / 'vars.yml'}",
        ],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--tokens", type=int, default=0, help="API tokens (every other one limited to list-accts)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        collections = work / "collections" / "ansible_collections" / "hosting"
        collections.mkdir(parents=True)
        (collections / "whm").symlink_to(ROOT)
        (work / "inventory.yml").write_text(
            "all:\n  children:\n    whm_servers:\n      hosts:\n        bench:\n"
            "          ansible_connection: local\n          ansible_python_interpreter: " + sys.executable + "\n"
        )
        write_vars(work / "vars.yml", args.packages, args.accounts, args.tokens)
        token = "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(32))
        process, info = start_emulator(work / "state", token, extra=["--root-password", secrets.token_hex(8)])
        try:
            env = dict(
                os.environ,
                WHM_HOST="127.0.0.1",
                WHM_PORT=str(info["port"]),
                WHM_API_TOKEN=token,
                WHM_CA_PATH=info["ca"],
                ANSIBLE_COLLECTIONS_PATH=str(work / "collections"),
                ANSIBLE_NOCOLOR="1",
                ANSIBLE_LOCALHOST_WARNING="0",
            )
            report = {"packages": args.packages, "accounts": args.accounts, "tokens": args.tokens, "runs": []}
            for label in ("first run", "second run (no change)"):
                admin(info, "reset", {"stats": True})
                seconds = run_playbook(work, env)
                stats = admin(info, "stats")
                report["runs"].append({"run": label, "seconds": round(seconds, 2), "stats": stats})
                print(
                    f"{label:<24} {seconds:7.2f} s  requests={stats.get('total')} reads={stats.get('reads')} "
                    f"writes={stats.get('writes')}"
                )
                print("    " + ", ".join(f"{fn}={n}" for fn, n in sorted(stats.get("by_function", {}).items())))
            print(json.dumps(report))
        finally:
            stop(process)


if __name__ == "__main__":
    main()
