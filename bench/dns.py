"""Benchmark: converge DNS record sets on a fresh emulator, then run again.

Three measurements, each a first run and a no-op rerun:

* ``dns_record_sets``: N record sets (A, AAAA, TXT, MX, SRV) in each of K zones, in one task;
* ``dns_record_set`` in a loop: M record sets of one zone, one task per set, to show the per-task cost.

Reports wall time and the WHM requests each run made (by function, reads vs writes), from the
emulator's own statistics. Nothing here asserts a time; compare the numbers between commits.

    .venv/bin/python bench/dns.py --records 500 --zones 1 --single 50
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
ZONE_IP = "192.0.2.10"

from _emulator import PlaybookFailed, admin, json_api, start_emulator, stop  # noqa: E402


def record_sets(count: int) -> list[dict]:
    """``count`` record sets of several types; the same mix as the integration target."""
    sets = []
    for i in range(count):
        if i % 10 == 1:
            sets.append({"name": f"host{i}", "type": "TXT", "values": [f"k={i}+v%20/{i}"]})
        elif i % 10 == 2:
            sets.append({"name": f"host{i}", "type": "AAAA", "values": [f"2001:db8::{i:x}"]})
        elif i % 10 == 3:
            sets.append({"name": f"host{i}", "type": "MX", "values": [f"10 mx{i}.example.net"]})
        elif i % 10 == 4:
            sets.append({"name": f"_svc{i}._tcp", "type": "SRV", "values": [f"0 5 {1000 + i} sip.example.net"]})
        else:
            sets.append({"name": f"host{i}", "type": "A", "ttl": 300, "values": [f"10.1.{i // 250}.{i % 250 + 1}"]})
    return sets


PLAYBOOK_SETS = """---
- name: Many record sets in one task
  hosts: bench
  gather_facts: false
  tasks:
    - name: Converge the record sets of every zone
      hosting.whm.dns_record_sets:
        record_sets: "{{ bench_record_sets }}"
"""

PLAYBOOK_SINGLE = """---
- name: One task per record set
  hosts: bench
  gather_facts: false
  tasks:
    - name: Converge one record set
      hosting.whm.dns_record_set:
        zone: "{{ bench_single_zone }}"
        name: "{{ item.name }}"
        type: "{{ item.type }}"
        ttl: "{{ item.ttl | default(omit) }}"
        values: "{{ item['values'] }}"
      loop: "{{ bench_single_sets }}"
      loop_control:
        label: "{{ item.name }} {{ item.type }}"
"""


def run_playbook(work: Path, env: dict, playbook: Path, log: Path) -> float:
    started = time.monotonic()
    with log.open("w") as out:
        completed = subprocess.run(
            [
                str(BIN / "ansible-playbook"),
                "-i",
                str(work / "inventory.yml"),
                str(playbook),
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
        raise PlaybookFailed(f"{playbook.name} failed (exit {completed.returncode}):\n{tail}")
    return seconds


def measure(info: dict, work: Path, env: dict, name: str, playbook: Path, report: dict, requests: bool) -> None:
    for label in ("first run", "rerun (no change)"):
        admin(info, "reset", {"stats": True})
        seconds = run_playbook(work, env, playbook, work / f"{name}-{len(report['runs'])}.log")
        stats = admin(info, "stats")
        run = {"benchmark": name, "run": label, "seconds": round(seconds, 2), "stats": stats}
        if requests:
            run["requests"] = admin(info, "requests")
        report["runs"].append(run)
        print(
            f"{name:<18} {label:<18} {seconds:7.2f} s  requests={stats.get('total')} reads={stats.get('reads')} "
            f"writes={stats.get('writes')}"
        )
        print("    " + ", ".join(f"{fn}={n}" for fn, n in sorted(stats.get("by_function", {}).items())), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=500, help="record sets per zone for dns_record_sets (500)")
    parser.add_argument("--zones", type=int, default=1, help="zones converged by the one dns_record_sets task (1)")
    parser.add_argument(
        "--single", type=int, default=50, help="record sets for the dns_record_set loop (50; 0 skips it)"
    )
    parser.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    parser.add_argument(
        "--requests", action="store_true", help="add the request log (function and parameter names) to the JSON"
    )
    args = parser.parse_args()
    if args.records < 1 or args.zones < 1 or args.single < 0:
        parser.error("--records and --zones must be at least 1, --single at least 0")

    with tempfile.TemporaryDirectory(prefix="whm-bench-dns-") as tmp:
        work = Path(tmp)
        collections = work / "collections" / "ansible_collections" / "hosting"
        collections.mkdir(parents=True)
        (collections / "whm").symlink_to(ROOT)
        (work / "inventory.yml").write_text(
            "all:\n  children:\n    whm_servers:\n      hosts:\n        bench:\n"
            "          ansible_connection: local\n          ansible_python_interpreter: " + sys.executable + "\n"
        )
        zones = [f"zone{k}.bench.example" for k in range(args.zones)]
        single_zone = "single.bench.example"
        bench_sets = [dict(item, zone=zone) for zone in zones for item in record_sets(args.records)]
        (work / "vars.json").write_text(
            json.dumps(
                {
                    "bench_record_sets": bench_sets,
                    "bench_single_zone": single_zone,
                    "bench_single_sets": record_sets(args.single),
                }
            )
        )
        (work / "sets.yml").write_text(PLAYBOOK_SETS)
        (work / "single.yml").write_text(PLAYBOOK_SINGLE)

        token = "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(32))
        process, info = start_emulator(work / "state", token)
        try:
            for zone in zones + ([single_zone] if args.single else []):
                json_api(info, token, "adddns", {"domain": zone, "ip": ZONE_IP})
            env = dict(
                os.environ,
                WHM_HOST="127.0.0.1",
                WHM_PORT=str(info["port"]),
                WHM_API_TOKEN=token,
                WHM_CA_PATH=info["ca"],
                ANSIBLE_COLLECTIONS_PATH=str(work / "collections"),
                ANSIBLE_NOCOLOR="1",
                ANSIBLE_LOCALHOST_WARNING="0",
                ANSIBLE_RETRY_FILES_ENABLED="0",
            )
            report = {"records": args.records, "zones": args.zones, "single": args.single, "runs": []}
            measure(info, work, env, "dns_record_sets", work / "sets.yml", report, args.requests)
            if args.single:
                measure(info, work, env, "dns_record_set", work / "single.yml", report, args.requests)
            # Independent check that the records arrived: count them in each zone.
            for zone in zones:
                parsed = json_api(info, token, "parse_dns_zone", {"zone": zone})
                rows = [r for r in parsed["data"]["payload"] if r.get("type") == "record"]
                report.setdefault("records_in_zone", {})[zone] = len(rows)
        except PlaybookFailed as failure:
            print(failure, file=sys.stderr)
            return 1
        finally:
            stop(process)
    print(json.dumps(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
