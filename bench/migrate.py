"""Benchmark: migrate N accounts between two emulators with playbooks/migrate.yml, then run again.

A source emulator gets N accounts (created straight through its json-api ``createacct``, not
measured); a destination emulator reaches the source's WHM port through the ``remote_port_map``
and ``remote_ca`` settings and logs in with the source's root password. playbooks/migrate.yml
(the ``hosting.whm.migrate`` role) moves every account, then runs again with nothing left to do.

Reports, per run: wall time of the playbook, the WHM requests on each server (by function, reads
vs writes, from the emulators' own statistics), and the wall time of the ``transfer_session``
tasks (session created, started and waited for), from Ansible's junit callback. Nothing here
asserts a time; compare the numbers between commits.

    .venv/bin/python bench/migrate.py --accounts 10 --batch-size 5 --transfer-seconds 0
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SOURCE_HOST = "source.bench.test"
DEST_HOST = "dest.bench.test"

from _emulator import PlaybookFailed, admin, json_api, random_string, start_emulator, stop  # noqa: E402


def transfer_task_times(junit_dir: Path) -> list[dict]:
    """The transfer_session tasks of the newest junit report: name and seconds."""
    reports = sorted(junit_dir.glob("*.xml"), key=lambda path: path.stat().st_mtime)
    if not reports:
        return []
    times = []
    for case in ET.parse(reports[-1]).getroot().iter("testcase"):
        name = case.get("name", "").rsplit(" : ", 1)[-1]
        if name.startswith("Transfer the"):
            skipped = case.find("skipped") is not None
            times.append({"task": name, "seconds": round(float(case.get("time") or 0), 2), "skipped": skipped})
    return times


def run_playbook(work: Path, env: dict, log: Path) -> float:
    started = time.monotonic()
    with log.open("w") as out:
        completed = subprocess.run(
            [
                str(BIN / "ansible-playbook"),
                "-i",
                str(work / "inventory.yml"),
                str(ROOT / "playbooks" / "migrate.yml"),
                "-e",
                f"@{work / 'vars.json'}",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.monotonic() - started
    if completed.returncode:
        tail = "".join(log.read_text().splitlines(keepends=True)[-40:])
        raise PlaybookFailed(f"migrate.yml failed (exit {completed.returncode}):\n{tail}")
    return seconds


def print_stats(server: str, stats: dict) -> None:
    print(
        f"    {server:<12} requests={stats.get('total')} reads={stats.get('reads')} writes={stats.get('writes')}: "
        + ", ".join(f"{fn}={n}" for fn, n in sorted(stats.get("by_function", {}).items()))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=10, help="accounts created on the source and moved (10)")
    parser.add_argument("--batch-size", type=int, default=5, help="migrate_batch_size: accounts per session (5)")
    parser.add_argument(
        "--transfer-seconds",
        type=float,
        default=None,
        help="the destination's transfer_seconds_per_item setting (the emulator's default, 0, when left out)",
    )
    parser.add_argument(
        "--poll-interval", type=float, default=1, help="migrate_poll_interval: seconds between state polls (1)"
    )
    parser.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    parser.add_argument(
        "--requests",
        action="store_true",
        help="add both request logs (function, parameter names) to the JSON",
    )
    args = parser.parse_args()
    if args.accounts < 1 or args.batch_size < 1:
        parser.error("--accounts and --batch-size must be at least 1")

    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="whm-bench-migrate-") as tmp:
        work = Path(tmp)
        collections = work / "collections" / "ansible_collections" / "hosting"
        collections.mkdir(parents=True)
        (collections / "whm").symlink_to(ROOT)
        (work / "inventory.yml").write_text(
            "all:\n  children:\n    whm_destinations:\n      hosts:\n        destination:\n"
            "          ansible_connection: local\n          ansible_python_interpreter: " + sys.executable + "\n"
        )
        try:
            source_token, source_password, dest_token = random_string(32), random_string(20), random_string(32)
            process, source = start_emulator(
                work / "source", source_token, SOURCE_HOST, "192.0.2.20", ["--root-password", source_password]
            )
            processes.append(process)
            settings = [
                "--set",
                f"remote_port_map={SOURCE_HOST}=127.0.0.1:{source['port']}",
                "--set",
                f"remote_ca={source['ca']}",
            ]
            if args.transfer_seconds is not None:
                settings += ["--set", f"transfer_seconds_per_item={args.transfer_seconds:g}"]
            process, dest = start_emulator(
                work / "destination",
                dest_token,
                DEST_HOST,
                "192.0.2.30",
                ["--root-password", random_string(20)] + settings,
            )
            processes.append(process)

            for index in range(args.accounts):
                json_api(
                    source,
                    source_token,
                    "createacct",
                    {"username": f"bm{index:04d}", "domain": f"bench{index}.example", "password": f"Bench-{index}-x9!"},
                )

            (work / "vars.json").write_text(
                json.dumps(
                    {
                        "whm_host": "127.0.0.1",
                        "whm_port": dest["port"],
                        "whm_api_token": dest_token,
                        "whm_ca_path": dest["ca"],
                        "migrate_source_host": "127.0.0.1",
                        "migrate_source_port": source["port"],
                        "migrate_source_api_token": source_token,
                        "migrate_source_ca_path": source["ca"],
                        "migrate_remote_host": SOURCE_HOST,
                        "migrate_remote_password": source_password,
                        "migrate_comm_transport": "whostmgr",
                        "migrate_accounts": [],
                        "migrate_batch_size": args.batch_size,
                        "migrate_poll_interval": args.poll_interval,
                    }
                )
            )
            junit = work / "junit"
            env = dict(
                os.environ,
                ANSIBLE_COLLECTIONS_PATH=str(work / "collections"),
                ANSIBLE_NOCOLOR="1",
                ANSIBLE_LOCALHOST_WARNING="0",
                ANSIBLE_RETRY_FILES_ENABLED="0",
                ANSIBLE_CALLBACKS_ENABLED="junit",
                JUNIT_OUTPUT_DIR=str(junit),
                JUNIT_HIDE_TASK_ARGUMENTS="True",
            )
            report = {
                "accounts": args.accounts,
                "batch_size": args.batch_size,
                "transfer_seconds_per_item": args.transfer_seconds,
                "poll_interval": args.poll_interval,
                "runs": [],
            }
            for label in ("first run", "rerun (no change)"):
                for info in (source, dest):
                    admin(info, "reset", {"stats": True})
                seconds = run_playbook(work, env, work / f"migrate-{len(report['runs'])}.log")
                run = {
                    "run": label,
                    "seconds": round(seconds, 2),
                    "source": admin(source, "stats"),
                    "destination": admin(dest, "stats"),
                    "transfer_tasks": transfer_task_times(junit),
                }
                if args.requests:
                    run["requests"] = {"source": admin(source, "requests"), "destination": admin(dest, "requests")}
                report["runs"].append(run)
                print(f"{label:<18} {seconds:7.2f} s")
                print_stats("source", run["source"])
                print_stats("destination", run["destination"])
                for task in run["transfer_tasks"]:
                    state = "skipped" if task["skipped"] else f"{task['seconds']:.2f} s"
                    print(f"    {task['task']}: {state}")
                sessions = run["destination"].get("by_function", {}).get("create_remote_root_transfer_session", 0)
                busy = sum(task["seconds"] for task in run["transfer_tasks"] if not task["skipped"])
                run["sessions"] = sessions
                if sessions:
                    run["seconds_per_session"] = round(busy / sessions, 2)
                    print(f"    {sessions} session(s), {busy / sessions:.2f} s each on average", flush=True)
                else:
                    print("    no session created", flush=True)

            # Independent check: every account is on the destination.
            moved = json_api(dest, dest_token, "listaccts", {})["data"]["acct"]
            report["accounts_on_destination"] = len(moved)
        except PlaybookFailed as failure:
            print(failure, file=sys.stderr)
            return 1
        finally:
            for process in reversed(processes):
                stop(process)
    print(json.dumps(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if report["accounts_on_destination"] >= args.accounts else 1


if __name__ == "__main__":
    sys.exit(main())
