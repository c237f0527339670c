"""The restore queue (``restore_queue_*``) and local restores (``restoreaccount``).

WHM's backend is the compiled ``bin/backup_restore_manager``; shapes come from cPanel's
descriptions (whm-api transfers_accounts.md §2.5). Each queued restore runs as a transfer
session with one ``AccountLocal`` item (completed jobs carry its ``transfer_session_id``), so
it gets the same logs and the same one-transaction restore as a transfer.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from whm_emulator import archive
from whm_emulator import transfer_engine as engine
from whm_emulator.store import Store, dumps, loads

ACTIVE_KEY = "restore_queue_active"
_QUEUES: Dict[int, QueueRunner] = {}
_LOCK = threading.Lock()


def new_queue_id() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for dummy in range(15))


def job_record(row: Dict[str, Any]) -> Dict[str, Any]:
    options = loads(row["options"]) or {}
    return {"user": row["user"], "restore_point": row["restore_point"], "options": options}


def completed_record(row: Dict[str, Any]) -> Dict[str, Any]:
    return {"restore_job": job_record(row), "status_info": loads(row["status"]) or {}}


def is_active(db: Any) -> bool:
    return Store.get_meta(db, ACTIVE_KEY) == "1"


def start_queue(emulator: Any) -> None:
    """Start the queue worker unless one is running (restore_queue_activate)."""
    with _LOCK:
        runner = _QUEUES.get(id(emulator))
        if runner is not None and runner.thread.is_alive():
            return
        runner = QueueRunner(emulator)
        _QUEUES[id(emulator)] = runner
    runner.thread.start()


def halt_queue(emulator: Any) -> None:
    with _LOCK:
        runner = _QUEUES.pop(id(emulator), None)
    if runner is not None:
        runner.crash.set()
        runner.thread.join(10)


def resume_queue(emulator: Any) -> None:
    with emulator.store.transaction(write=False) as db:
        active = is_active(db)
    if active:
        start_queue(emulator)


class QueueRunner:
    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self.crash = threading.Event()
        self.thread = threading.Thread(target=self._run, name="restore-queue", daemon=True)

    def _run(self) -> None:
        store = self.emulator.store
        while not self.crash.is_set():
            with store.transaction(write=True) as db:
                if not is_active(db):
                    return
                row = db.execute("SELECT * FROM restore_jobs WHERE state = 'active' ORDER BY id LIMIT 1").fetchone()
                if row is None:
                    row = db.execute(
                        "SELECT * FROM restore_jobs WHERE state = 'pending' ORDER BY id LIMIT 1"
                    ).fetchone()
                if row is None:
                    # Nothing left: the queue stops being active.
                    Store.set_meta(db, ACTIVE_KEY, "0")
                    return
                job = dict(row)
                status = loads(job["status"]) or {}
                sid = status.get("transfer_session_id")
                if not sid:
                    sid = self._create_session(db, job)
                    status = {"transfer_session_id": sid, "started": str(int(time.time()))}
                    db.execute(
                        "UPDATE restore_jobs SET state = 'active', status = ? WHERE id = ?", (dumps(status), job["id"])
                    )
                    start = True
                else:
                    start = not engine.is_live(self.emulator, sid)
            if start and not engine.is_live(self.emulator, sid):
                state = _session_state(self.emulator, sid)
                if state not in engine.TERMINAL:
                    with store.transaction(write=True) as db:
                        pid = engine.new_pid()
                        db.execute(
                            "UPDATE transfer_sessions SET pid = ?, starttime = ? WHERE id = ?",
                            (pid, int(time.time()), sid),
                        )
                        engine.set_state(db, sid, engine.RUNNING)
                    engine.start_runner(self.emulator, sid, pid, resumed=False)
            while not self.crash.is_set() and _session_state(self.emulator, sid) not in engine.TERMINAL:
                time.sleep(0.05)
            if self.crash.is_set():
                return
            self._finish(job, sid, status)

    def _create_session(self, db: Any, job: Dict[str, Any]) -> str:
        emulator = self.emulator
        options = loads(job["options"]) or {}
        sid = engine.create_session(
            db,
            emulator,
            template=job["user"],
            initiator="backup_restore_manager",
            session_type="RestoreQueue",
            source_host="",
            options={"restore_threads": 1, "transfer_threads": 1, "unrestricted": 1},
        )
        # Restore points are ISO dates (e.g. 2026-11-28 or 2026-11-28T00:00:00Z); backups are per day.
        path = archive.backup_path(Path(emulator.config.state_dir), str(job["restore_point"])[:10], job["user"])
        params = {
            "user": job["user"],
            "localuser": job["user"],
            "cpmovefile": str(path),
            "ip": str(options.get("give_ip", 0)),
            "skipsubdomains": "0" if str(options.get("subdomains", 0)) == "1" else "1",
            # An existing account is restored over (cPanel's local restore: skipaccount=1).
            "skipaccount": "1"
            if db.execute("SELECT 1 FROM accounts WHERE user = ?", (job["user"],)).fetchone()
            else "0",
        }
        enqueue(db, sid, "AccountLocal", job["user"], params, engine.RESTORE_PENDING)
        return sid

    def _finish(self, job: Dict[str, Any], sid: str, status: Dict[str, Any]) -> None:
        emulator = self.emulator
        with emulator.store.transaction(write=True) as db:
            item = db.execute(
                "SELECT state, result FROM transfer_items WHERE session = ? AND module = 'AccountLocal'", (sid,)
            ).fetchone()
            result = loads(item["result"]) if item is not None else None
            ok = item is not None and item["state"] == engine.ITEM_COMPLETED
            warnings: List[str] = list((result or {}).get("warnings") or []) if ok else []
            skipped: List[str] = list((result or {}).get("skipped") or []) if ok else []
            logfile = f"item-RESTORE_AccountLocal_{job['user']}"
            info = {
                "result": (2 if warnings or skipped else 1) if ok else 0,
                "status": "success" if ok else "failed",
                "statusmsg": "Restore completed." if ok else str((result or {}).get("failure") or "Restore failed."),
                "started": str(status.get("started") or int(time.time())),
                "finished": str(int(time.time())),
                "log": _log_text(emulator, sid, logfile),
                "restore_logfile": logfile,
                "transfer_session_id": sid,
                "warnings": warnings or None,
                "skipped_items": len(skipped),
                "dangerous_items": 0,
                "altered_items": 0,
            }
            db.execute("UPDATE restore_jobs SET state = 'completed', status = ? WHERE id = ?", (dumps(info), job["id"]))


def _session_state(emulator: Any, sid: str) -> Optional[str]:
    with emulator.store.transaction(write=False) as db:
        row = db.execute("SELECT state FROM transfer_sessions WHERE id = ?", (sid,)).fetchone()
    return None if row is None else str(row[0])


def _log_text(emulator: Any, sid: str, name: str) -> str:
    import json

    final, active = engine.log_paths(emulator, sid, name)
    path = final if final.exists() else active
    if not path.exists():
        return ""
    parts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry.get("contents"), str):
            parts.append(entry["contents"].strip())
    return " ".join(p for p in parts if p)


def enqueue(db: Any, sid: str, module: str, key: str, params: Dict[str, Any], state: int) -> None:
    type_id = engine.MODULES[module][0]
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM transfer_items WHERE session = ?", (sid,)).fetchone()[0]
    priority = int(params.get("priority") or 255)
    db.execute(
        "INSERT INTO transfer_items(session, module, key, seq, type_id, priority, state, params)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (sid, module, key, seq, type_id, priority, state, dumps(params)),
    )
