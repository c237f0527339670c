"""Transfer sessions: storage, the state machine, the worker threads and the logs.

Follows cPanel 11.120's Whostmgr/Transfers/Session*.pm (whm-api transfers_accounts.md §2):
states PENDING(0) RUNNING(20) PAUSING(50) ABORTING(60) PAUSED(70) COMPLETED(100) ABORTED(150)
FAILED(200); items go TRANSFER_PENDING(0) → TRANSFER_INPROGRESS(10) → RESTORE_PENDING(30) →
RESTORE_INPROGRESS(40) → COMPLETED(100) | FAILED(200). WHM's ``bin/start_transfer`` process is
a background thread ("runner") of the emulator here: one master plus ``transfer_threads``
TRANSFER and ``restore_threads`` RESTORE workers. Every state change is one write
transaction of the store; an account's restore and its item's COMPLETED state share one.
"""

from __future__ import annotations

import base64
import json
import random
import re
import secrets
import string
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from whm_emulator import archive
from whm_emulator.registry import CallContext
from whm_emulator.store import dumps, loads, register_schema
from whm_emulator.transfer_remote import Remote, RemoteError
from whm_emulator.transfer_remote import call as remote_call
from whm_emulator.transfer_remote import internal as remote_internal

DDL = """
CREATE TABLE IF NOT EXISTS transfer_sessions (
    id TEXT PRIMARY KEY,
    initiator TEXT NOT NULL,
    session_type TEXT NOT NULL,
    state TEXT NOT NULL,
    source_host TEXT NOT NULL DEFAULT '',
    target_host TEXT NOT NULL DEFAULT '',
    created INTEGER NOT NULL,
    starttime INTEGER NOT NULL DEFAULT 0,
    endtime INTEGER NOT NULL DEFAULT 0,
    pid INTEGER NOT NULL DEFAULT 0,
    pause_requested INTEGER NOT NULL DEFAULT 0,
    abort_requested INTEGER NOT NULL DEFAULT 0,
    options TEXT NOT NULL,
    remote TEXT,
    analysis TEXT
);
CREATE TABLE IF NOT EXISTS transfer_items (
    session TEXT NOT NULL,
    module TEXT NOT NULL,
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type_id INTEGER NOT NULL,
    priority INTEGER NOT NULL,
    state INTEGER NOT NULL,
    params TEXT NOT NULL,
    result TEXT,
    PRIMARY KEY (session, module, key)
);
CREATE TABLE IF NOT EXISTS restore_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_id TEXT NOT NULL,
    user TEXT NOT NULL,
    restore_point TEXT NOT NULL,
    options TEXT NOT NULL,
    state TEXT NOT NULL,
    queued INTEGER NOT NULL,
    status TEXT
);
"""
register_schema(DDL, ["transfer_sessions", "transfer_items", "restore_jobs"])

# Session states (Whostmgr/Transfers/SessionBase.pm).
PENDING, RUNNING, PAUSING, ABORTING, PAUSED = "PENDING", "RUNNING", "PAUSING", "ABORTING", "PAUSED"
COMPLETED, ABORTED, FAILED = "COMPLETED", "ABORTED", "FAILED"
TERMINAL = (COMPLETED, ABORTED, FAILED)

# Item queue states (Session/Constants.pm %QUEUE_STATES).
TRANSFER_PENDING, TRANSFER_INPROGRESS, RESTORE_PENDING, RESTORE_INPROGRESS = 0, 10, 30, 40
ITEM_COMPLETED, ITEM_FAILED = 100, 200

LOG_VERSION = 2.3  # Session/Config.pm $VERSION, logged as the master's "version" message
SESSION_ROOT = "transfer_sessions"


# ---------------------------------------------------------------------------------------------
# Item modules and their schemas (Session/Config.pm %ITEMTYPE_NAMES, Items/Schema/*.pm)
# ---------------------------------------------------------------------------------------------

_INT0 = "int(1) DEFAULT 0"
_CHAR = "char(255) DEFAULT NULL"
_BIG = "BIGINT UNSIGNED DEFAULT 1"

ACCOUNT_KEYS: Dict[str, str] = {
    "copypoint": "text",
    "cpmovefile": "text",
    "customip": _CHAR,
    "detected_remote_user": _CHAR,
    "disabled": "text",
    "domain": _CHAR,
    "files": _BIG,
    "force": _INT0,
    "ip": _INT0,
    "keep_local_cpuser_values": "text",
    "live_transfer": _INT0,
    "localuser": _CHAR,
    "mail_location": _CHAR,
    "overwrite_all_dbs": _INT0,
    "overwrite_all_dbusers": _INT0,
    "overwrite_sameowner_dbs": _INT0,
    "overwrite_sameowner_dbusers": _INT0,
    "overwrite_with_delete": _INT0,
    "prerequisite_user": _CHAR,
    "priority": "int(1) DEFAULT 255",
    "replaceip": _CHAR,
    "reseller": _INT0,
    "shared_mysql_server": _INT0,
    "size": _BIG,
    "skipaccount": _INT0,
    "skipacctdb": _INT0,
    "skipbwdata": _INT0,
    "skipemail": _INT0,
    "skiphomedir": _INT0,
    "skipres": _INT0,
    "skipsubdomains": _INT0,
    "user": _CHAR,
    "xferpoint": _INT0,
}


def _schema(
    keys: Dict[str, str], primary: str, required: List[str], prerequisite: Optional[str] = None
) -> Dict[str, Any]:
    schema: Dict[str, Any] = {
        "primary": [primary],
        "required": required,
        "keys": {k: {"def": v} for k, v in keys.items()},
    }
    if prerequisite:
        schema["prerequisite"] = prerequisite
    return schema


def _name_schema() -> Dict[str, Any]:
    return _schema({"name": _CHAR, "size": _BIG}, "name", ["name"])


_ACCOUNT_SCHEMA = _schema(ACCOUNT_KEYS, "user", ["user", "localuser"], "prerequisite_user")
_LEGACY_KEYS = {
    k: _INT0
    for k in (
        "restoreall",
        "restoreip",
        "restoremail",
        "restoremysql",
        "restorepsql",
        "restorebwdata",
        "restoresubs",
        "unrestricted_restore",
        "overwrite_all_dbs",
        "overwrite_all_dbusers",
        "overwrite_sameowner_dbs",
        "overwrite_sameowner_dbusers",
    )
}
_LEGACY_KEYS.update(
    {"user": _CHAR, "restoretype": _CHAR, "mysql_dbs_to_restore": "text", "pgsql_dbs_to_restore": "text", "size": _BIG}
)

MODULES: Dict[str, Tuple[int, Dict[str, Any]]] = {
    "FeatureListRemoteRoot": (1000, _schema({"featurelist": _CHAR, "size": _BIG}, "featurelist", ["featurelist"])),
    "BackupsRemoteRoot": (1045, _name_schema()),
    "EximRemoteRoot": (1050, _name_schema()),
    "ThemesRemoteRoot": (1052, _name_schema()),
    "ApacheRemoteRoot": (1054, _name_schema()),
    "MySQLRemoteRoot": (1056, _name_schema()),
    "WHMConfRemoteRoot": (1058, _name_schema()),
    "GreyListRemoteRoot": (1060, _name_schema()),
    "HulkRemoteRoot": (1061, _name_schema()),
    "AutoSSLOptionsRemoteRoot": (1062, _name_schema()),
    "ModSecurityRemoteRoot": (1070, _name_schema()),
    "PackageRemoteRoot": (2000, _schema({"package": _CHAR, "size": _BIG}, "package", ["package"])),
    "AccountRemoteRoot": (3000, _ACCOUNT_SCHEMA),
    "AccountRemoteUser": (4000, _ACCOUNT_SCHEMA),
    "AccountLocal": (5000, _ACCOUNT_SCHEMA),
    "LegacyAccountBackup": (6000, _schema(_LEGACY_KEYS, "user", ["user", "restoretype"])),
    "AccountUpload": (7000, _ACCOUNT_SCHEMA),
    "RearrangeAccount": (8000, _schema({"user": _CHAR, "target": _CHAR, "size": _BIG}, "user", ["user", "target"])),
    "MailboxConversion": (
        9000,
        _schema(
            {"user": _CHAR, "target_format": _CHAR, "source_format": _CHAR, "skip_removal": _INT0, "size": _BIG},
            "user",
            ["user", "target_format"],
        ),
    ),
}
ACCOUNT_MODULES = ("AccountRemoteRoot", "AccountRemoteUser", "AccountLocal", "AccountUpload", "LegacyAccountBackup")
# Modules this emulator actually moves data for; the others are accepted and fail when run.
EMULATED_MODULES = ("FeatureListRemoteRoot", "PackageRemoteRoot", *ACCOUNT_MODULES)
ITEM_NAMES = {"FeatureListRemoteRoot": "Feature List", "PackageRemoteRoot": "Package"}


def item_name(module: str) -> str:
    if module in ACCOUNT_MODULES:
        return "Account"
    return ITEM_NAMES.get(module, module.replace("RemoteRoot", ""))


# ---------------------------------------------------------------------------------------------
# Session ids, lookups
# ---------------------------------------------------------------------------------------------

_ID_OK = re.compile(r"^[0-9A-Za-z_]+$")
_ALNUM = string.ascii_letters + string.digits


class SessionError(Exception):
    """Session lookup failure; the API reports ``(XID …) <text>`` as the reason."""


def new_session_id(template: str, initiator: str) -> str:
    # Session.pm _generate_session_id: 15 chars of the template + 5 of the initiator + UTC time,
    # non-word characters removed, padded with random alphanumerics to 36.
    base = template[:15] + initiator[:5] + time.strftime("%Y%m%d%H%M%S", time.gmtime())
    base = re.sub(r"[^0-9A-Za-z_]", "", base)
    return base + "".join(secrets.choice(_ALNUM) for dummy in range(max(0, 36 - len(base))))


def load_session(db: Any, session_id: Optional[str]) -> Dict[str, Any]:
    sid = session_id or ""
    if not _ID_OK.match(sid):
        raise SessionError(f"The session ID “{sid}” may only contain alphanumeric characters and underscores.")
    row = db.execute("SELECT * FROM transfer_sessions WHERE id = ?", (sid,)).fetchone()
    if row is None:
        raise SessionError(f"The session ID “{sid}” does not exist.")
    session = dict(row)
    session["options"] = loads(session["options"]) or {}
    session["remote"] = loads(session["remote"])
    session["analysis"] = loads(session["analysis"])
    return session


def create_session(
    db: Any,
    emulator: Any,
    *,
    template: str,
    initiator: str,
    session_type: str,
    source_host: str,
    options: Dict[str, Any],
    remote: Optional[Dict[str, Any]] = None,
) -> str:
    sid = new_session_id(template, initiator)
    db.execute(
        "INSERT INTO transfer_sessions(id, initiator, session_type, state, source_host, target_host, created, options,"
        " remote) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            sid,
            initiator,
            session_type,
            PENDING,
            source_host,
            emulator.config.hostname,
            int(time.time()),
            dumps(options),
            dumps(remote) if remote else None,
        ),
    )
    session_dir(emulator, sid).mkdir(parents=True, exist_ok=True)
    return sid


def set_state(db: Any, sid: str, state: str) -> None:
    endtime = f", endtime = {int(time.time())}" if state in (COMPLETED, FAILED) else ""
    db.execute(f"UPDATE transfer_sessions SET state = ?{endtime} WHERE id = ?", (state, sid))  # noqa: S608


# ---------------------------------------------------------------------------------------------
# Logs (Cpanel/Output.pm JSON lines; ".<name>" while being written, Cpanel/LogTailer.pm)
# ---------------------------------------------------------------------------------------------

_LOG_LOCK = threading.Lock()


def session_dir(emulator: Any, sid: str) -> Path:
    return Path(emulator.config.state_dir) / SESSION_ROOT / sid


def log_paths(emulator: Any, sid: str, name: str) -> Tuple[Path, Path]:
    directory = session_dir(emulator, sid)
    return directory / name, directory / ("." + name)


def log_line(emulator: Any, sid: str, name: str, entry: Dict[str, Any]) -> None:
    """Append one JSON line to log ``name`` (reopening a finished log for appending)."""
    final, active = log_paths(emulator, sid, name)
    with _LOG_LOCK:
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists() and not active.exists():
            final.replace(active)
        with active.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")


def open_log(emulator: Any, sid: str, name: str) -> None:
    """Create (or reopen) an empty log, e.g. master.error_log (the processor's STDERR)."""
    final, active = log_paths(emulator, sid, name)
    with _LOG_LOCK:
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists() and not active.exists():
            final.replace(active)
        active.touch()


def finish_log(emulator: Any, sid: str, name: str) -> None:
    final, active = log_paths(emulator, sid, name)
    with _LOG_LOCK:
        if active.exists():
            active.replace(final)


def control(pid: int, child: int, action: str, **extra: Any) -> Dict[str, Any]:
    contents: Dict[str, Any] = {"action": action, "time": int(time.time()), "child_number": child}
    contents.update(extra)
    return {"type": "control", "contents": contents, "pid": pid, "indent": 0, "partial": 0}


def text_line(pid: int, kind: str, text: str) -> Dict[str, Any]:
    return {"type": kind, "contents": text + "\n", "pid": pid, "indent": 0, "partial": 0}


def master(emulator: Any, sid: str, pid: int, action: str, child: int = 0, **extra: Any) -> None:
    log_line(emulator, sid, "master.log", control(pid, child, action, **extra))


# ---------------------------------------------------------------------------------------------
# Runners (the start_transfer process)
# ---------------------------------------------------------------------------------------------

_RUNNERS: Dict[Tuple[int, str], Runner] = {}
_RUNNERS_LOCK = threading.Lock()


def is_live(emulator: Any, sid: str) -> bool:
    with _RUNNERS_LOCK:
        runner = _RUNNERS.get((id(emulator), sid))
    return runner is not None and runner.alive()


def runner_pid(emulator: Any, sid: str) -> Optional[int]:
    with _RUNNERS_LOCK:
        runner = _RUNNERS.get((id(emulator), sid))
    return runner.pid if runner is not None and runner.alive() else None


def halt(emulator: Any) -> None:
    """Stop every runner of ``emulator`` at once without touching state (a crash or kill -9).

    Used when an emulator is shut down: what was committed stays, what was in flight is lost.
    """
    with _RUNNERS_LOCK:
        runners = [r for (owner, dummy), r in _RUNNERS.items() if owner == id(emulator)]
    for runner in runners:
        runner.crash.set()
    for runner in runners:
        runner.join(10)
    from whm_emulator.transfer_queue import halt_queue

    halt_queue(emulator)


def new_pid() -> int:
    return random.randint(10000, 4000000)  # noqa: S311 - a display value, not a secret


def start_runner(emulator: Any, sid: str, pid: int, resumed: bool) -> Runner:
    runner = Runner(emulator, sid, pid, resumed)
    with _RUNNERS_LOCK:
        _RUNNERS[(id(emulator), sid)] = runner
    runner.start()
    return runner


class _Stop(Exception):
    """Abandon the current item (abort requested, or the runner was halted)."""


class Runner:
    def __init__(self, emulator: Any, sid: str, pid: int, resumed: bool) -> None:
        self.emulator = emulator
        self.sid = sid
        self.pid = pid
        self.resumed = resumed
        self.crash = threading.Event()
        self.finished = False
        self.thread = threading.Thread(target=self._master, name=f"transfer-{sid}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def alive(self) -> bool:
        return self.thread.is_alive() and not self.finished

    def join(self, timeout: float) -> None:
        self.thread.join(timeout)

    # -- helpers ---------------------------------------------------------------------------
    def tx(self) -> Any:
        return self.emulator.store.transaction(write=True)

    def flags(self) -> Tuple[bool, bool, bool]:
        """(exists, pause requested, abort requested)."""
        with self.emulator.store.transaction(write=False) as db:
            row = db.execute(
                "SELECT pause_requested, abort_requested FROM transfer_sessions WHERE id = ?", (self.sid,)
            ).fetchone()
        if row is None:
            return False, False, False
        return True, bool(row[0]), bool(row[1])

    def sleep(self, seconds: float, abortable: bool = True) -> None:
        """Sleep, giving up when halted or (``abortable``) when an abort is requested."""
        deadline = time.monotonic() + seconds
        while True:
            if self.crash.is_set():
                raise _Stop()
            if abortable:
                exists, dummy, abort = self.flags()
                if abort or not exists:
                    raise _Stop()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.05))

    # -- the master ------------------------------------------------------------------------
    def _master(self) -> None:
        try:
            self._run_master()
        finally:
            with _RUNNERS_LOCK:
                if _RUNNERS.get((id(self.emulator), self.sid)) is self:
                    del _RUNNERS[(id(self.emulator), self.sid)]

    def _run_master(self) -> None:
        emulator, sid, pid = self.emulator, self.sid, self.pid
        # A write transaction waits for the call that started us to commit (it may have
        # created the session in the same transaction).
        with self.tx() as db:
            try:
                session = load_session(db, sid)
            except SessionError:
                return
            counts = {
                queue: db.execute(
                    "SELECT COUNT(*) FROM transfer_items WHERE session = ? AND state < ?", (sid, limit)
                ).fetchone()[0]
                for queue, limit in (("TRANSFER", RESTORE_PENDING), ("RESTORE", ITEM_COMPLETED))
            }
        options = session["options"]
        open_log(emulator, sid, "master.error_log")
        if self.resumed:
            master(emulator, sid, pid, "resume")
        else:
            master(emulator, sid, pid, "start")
            master(emulator, sid, pid, "initiator", msg=session["initiator"])
            master(emulator, sid, pid, "version", msg=LOG_VERSION)
        for queue in ("TRANSFER", "RESTORE"):
            master(emulator, sid, pid, "queue_count", queue=queue, msg=counts[queue])
            master(emulator, sid, pid, "queue_size", queue=queue, msg=counts[queue])
        if session["source_host"]:
            master(emulator, sid, pid, "remotehost", msg=session["source_host"])

        workers: List[threading.Thread] = []
        child = 0
        for queue, key in (("TRANSFER", "transfer_threads"), ("RESTORE", "restore_threads")):
            # Processor.pm: 1..9 workers, no more than there are items.
            wanted = max(1, min(9, int(options.get(key) or 1)))
            for _index in range(max(1, min(wanted, counts[queue])) if counts[queue] else 0):
                child += 1
                worker = threading.Thread(target=self._worker, args=(queue, child), daemon=True)
                workers.append(worker)
                worker.start()
        for worker in workers:
            worker.join()
        if self.crash.is_set():
            return  # the process died: nothing more is written

        with self.tx() as db:
            row = db.execute(
                "SELECT pause_requested, abort_requested, remote, session_type FROM transfer_sessions WHERE id = ?",
                (sid,),
            ).fetchone()
            if row is None:
                self.finished = True
                return
            if row["abort_requested"]:
                final = ABORTED
                set_state(db, sid, ABORTED)
            elif row["pause_requested"]:
                final = PAUSED
                db.execute("UPDATE transfer_sessions SET pause_requested = 0 WHERE id = ?", (sid,))
                set_state(db, sid, PAUSED)
            else:
                final = COMPLETED
                set_state(db, sid, COMPLETED)
            self.finished = True
        master(emulator, sid, pid, {ABORTED: "abort", PAUSED: "pause", COMPLETED: "complete"}[final])
        finish_log(emulator, sid, "master.log")
        finish_log(emulator, sid, "master.error_log")
        remote = loads(row["remote"])
        if final == COMPLETED and remote and remote.get("token"):
            # Processor.pm revokes the source-side API token when the session finishes.
            try:
                token = str(remote.get("token_name") or "")
                remote_call(Remote.from_dict(_remote_fields(remote)), "api_token_revoke", [("token_name", token)])
            except RemoteError as err:
                log_line(emulator, sid, "master.error_log", text_line(pid, "warn", f"api_token_revoke: {err}"))

    # -- workers -------------------------------------------------------------------------
    def _pick(self, db: Any, queue: str) -> Tuple[Optional[Dict[str, Any]], bool]:
        """(item to process, whether more may come). Packages before accounts (one type at a time)."""
        sid = self.sid
        if queue == "TRANSFER":
            active = (TRANSFER_PENDING, TRANSFER_INPROGRESS)
            pending = TRANSFER_PENDING
        else:
            active = (TRANSFER_PENDING, TRANSFER_INPROGRESS, RESTORE_PENDING, RESTORE_INPROGRESS)
            pending = RESTORE_PENDING
        marks = ",".join("?" * len(active))
        row = db.execute(
            f"SELECT MIN(type_id) FROM transfer_items WHERE session = ? AND state IN ({marks})",  # noqa: S608
            (sid, *active),
        ).fetchone()
        if row[0] is None:
            return None, False
        candidates = db.execute(
            "SELECT * FROM transfer_items WHERE session = ? AND state = ? AND type_id = ? ORDER BY priority, key",
            (sid, pending, row[0]),
        ).fetchall()
        for candidate in candidates:
            params = loads(candidate["params"]) or {}
            prerequisite = params.get("prerequisite_user")
            if prerequisite:
                # Session.pm: wait until the prerequisite passed this phase (a failure releases it too).
                needed = RESTORE_PENDING if queue == "TRANSFER" else ITEM_COMPLETED
                other = db.execute(
                    "SELECT state FROM transfer_items WHERE session = ? AND key = ? AND module = ?",
                    (sid, prerequisite, candidate["module"]),
                ).fetchone()
                if other is not None and other[0] < needed:
                    continue
            item = dict(candidate)
            item["params"] = params
            return item, True
        return None, True

    def _worker(self, queue: str, child: int) -> None:
        emulator, sid = self.emulator, self.sid
        wpid = self.pid + child
        try:
            while not self.crash.is_set():
                with self.tx() as db:
                    row = db.execute(
                        "SELECT pause_requested, abort_requested FROM transfer_sessions WHERE id = ?", (sid,)
                    ).fetchone()
                    if row is None or row[0] or row[1]:
                        break
                    item, more = self._pick(db, queue)
                    if item is not None:
                        state = TRANSFER_INPROGRESS if queue == "TRANSFER" else RESTORE_INPROGRESS
                        db.execute(
                            "UPDATE transfer_items SET state = ? WHERE session = ? AND module = ? AND key = ?",
                            (state, sid, item["module"], item["key"]),
                        )
                if item is None:
                    if not more:
                        break
                    time.sleep(0.05)
                    continue
                self._process(queue, child, wpid, item)
        except _Stop:
            return
        if not self.crash.is_set():
            master(emulator, sid, wpid, "complete", child=child, queue=queue)

    def _item_fields(self, queue: str, item: Dict[str, Any]) -> Dict[str, Any]:
        params = item["params"]
        local = params.get("localuser") or item["key"]
        return {
            "item": item["key"],
            "local_item": local,
            "item_type": item["module"],
            "item_name": item_name(item["module"]),
            "queue": queue,
            "logfile": f"item-{queue}_{item['module']}_{item['key']}",
        }

    def _process(self, queue: str, child: int, wpid: int, item: Dict[str, Any]) -> None:
        emulator, sid = self.emulator, self.sid
        fields = self._item_fields(queue, item)
        logfile = fields["logfile"]
        size = int(item["params"].get("size") or 1)
        master(emulator, sid, wpid, "start", child=child, **fields)
        master(emulator, sid, wpid, "process-item", child=child, msg=logfile, **fields)
        master(emulator, sid, wpid, "start-item", child=child, msg={"size": size}, **fields)
        log_line(
            emulator,
            sid,
            logfile,
            text_line(wpid, "start", f"Starting “{queue}” for “{fields['item_name']}” “{item['key']}”."),
        )
        seconds = float(emulator.setting("transfer_seconds_per_item", "0") or 0)
        try:
            if seconds > 0:
                self.sleep(seconds)
            if queue == "TRANSFER":
                outcome = self._transfer(item, wpid, logfile)
            else:
                outcome = self._restore(item, wpid, logfile)
        except _Stop:
            # Killed mid item (abort/crash): the log stays unfinished, the item keeps its state.
            raise
        except ItemFailure as failure:
            self._failed(queue, child, wpid, item, fields, size, str(failure))
            return
        warnings, skipped = outcome
        counts = {
            "size": size,
            "warnings": len(warnings),
            "skipped_items": len(skipped),
            "dangerous_items": 0,
            "altered_items": 0,
            "contents": {
                "warnings": warnings or None,
                "skipped_items": skipped or None,
                "dangerous_items": None,
                "altered_items": None,
            },
            "message": f"{fields['item_name']} “{item['key']}” {'transferred' if queue == 'TRANSFER' else 'restored'}.",
        }
        for text in warnings:
            log_line(emulator, sid, logfile, text_line(wpid, "warn", text))
        log_line(emulator, sid, logfile, text_line(wpid, "success", counts["message"]))
        finish_log(emulator, sid, logfile)
        action = "warning-item" if warnings or skipped else "success-item"
        master(emulator, sid, wpid, action, child=child, msg=counts, **fields)

    def _failed(
        self, queue: str, child: int, wpid: int, item: Dict[str, Any], fields: Dict[str, Any], size: int, text: str
    ) -> None:
        emulator, sid = self.emulator, self.sid
        with self.tx() as db:
            db.execute(
                "UPDATE transfer_items SET state = ?, result = ? WHERE session = ? AND module = ? AND key = ?",
                (ITEM_FAILED, dumps({"failure": text, "queue": queue}), sid, item["module"], item["key"]),
            )
        log_line(emulator, sid, fields["logfile"], text_line(wpid, "error", text))
        log_line(emulator, sid, fields["logfile"], text_line(wpid, "failed", text))
        finish_log(emulator, sid, fields["logfile"])
        msg = {
            "size": size,
            "warnings": 0,
            "skipped_items": 0,
            "dangerous_items": 0,
            "altered_items": 0,
            "failure": text,
            "contents": {"warnings": None, "skipped_items": None, "dangerous_items": None, "altered_items": None},
        }
        master(emulator, sid, wpid, "failed-item", child=child, msg=msg, **fields)
        if queue == "TRANSFER":
            # Processor.pm _mark_item_failed_in_subsequent_queues: the restore phase fails too.
            restore = dict(fields, queue="RESTORE", logfile=f"item-RESTORE_{item['module']}_{item['key']}")
            master(emulator, sid, wpid, "start-item", child=child, msg={"size": size}, **restore)
            master(emulator, sid, wpid, "failed-item", child=child, msg={"size": size, "failure": text}, **restore)

    # -- the phases --------------------------------------------------------------------------
    def _session_remote(self) -> Tuple[Dict[str, Any], Optional[Remote]]:
        with self.emulator.store.transaction(write=False) as db:
            session = load_session(db, self.sid)
        remote = session["remote"]
        return session, (Remote.from_dict(_remote_fields(remote)) if remote else None)

    def _transfer(self, item: Dict[str, Any], wpid: int, logfile: str) -> Tuple[List[str], List[str]]:
        emulator, sid = self.emulator, self.sid
        module, key, params = item["module"], item["key"], item["params"]
        session, remote = self._session_remote()
        if module not in EMULATED_MODULES:
            raise ItemFailure(f"The emulator does not transfer “{module}” items.")  # emulator limit
        if remote is None:
            raise ItemFailure("This transfer session has no remote server.")
        skipped: List[str] = []
        if module == "PackageRemoteRoot":
            data = _fetch(remote, "package", {"name": key})
            result: Dict[str, Any] = {"package": data.get("settings")}
        elif module == "FeatureListRemoteRoot":
            data = _fetch(remote, "featurelist", {"name": key})
            result = {"featurelist": data}
        else:
            localuser = str(params.get("localuser") or key)
            # AccountRemoteUser checks the remote name, AccountRemoteRoot the local one (§2.5).
            check = key if module == "AccountRemoteUser" else localuser
            with emulator.store.transaction(write=False) as db:
                exists = db.execute("SELECT 1 FROM accounts WHERE user = ?", (check,)).fetchone() is not None
                renamed_exists = (
                    db.execute("SELECT 1 FROM accounts WHERE user = ?", (key,)).fetchone() is not None
                    if localuser != key
                    else False
                )
            force = str(params.get("force") or "0") == "1" and bool(session["options"].get("unrestricted"))
            if force and localuser != key and (exists or renamed_exists):
                raise ItemFailure("You cannot overwrite an account if you change the account’s username.")
            if str(params.get("skipaccount") or "0") == "1":
                if not exists:
                    raise ItemFailure(f"No user named “{check}” exists on this server.")
            elif exists:
                raise ItemFailure(f"A user named “{check}” already exists on this server.")
            else:
                with emulator.store.transaction(write=False) as db:
                    problem = archive.restore_username_problem(CallContext(db=db, emulator=emulator), localuser)
                if problem:
                    raise ItemFailure(problem)
            failing = [u.strip() for u in emulator.setting("transfer_fail_users", "").split(",") if u.strip()]
            if key in failing:
                # Emulated packaging failure (setting transfer_fail_users); invented text.
                raise ItemFailure(
                    f"The remote server failed to package the account “{key}” (pkgacct exited with an error)."
                )
            log_line(
                emulator, sid, logfile, text_line(wpid, "out", f"Packaging “{key}” on “{session['source_host']}” …")
            )
            if session["session_type"] == "RemoteUser":
                # The cPanel user logs in with the session's password and packages their account.
                remote.user, remote.token = key, ""
                data = _fetch(remote, "user_pkgacct", {"user": key})
            else:
                data = _fetch(remote, "pkgacct", {"user": key})
            blob = base64.b64decode(str(data.get("archive") or ""))
            try:
                archive.unpack(blob)
            except archive.RestoreError as err:
                raise ItemFailure(str(err)) from err
            path = archive.transfer_archive_path(Path(emulator.config.state_dir), key)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(blob)
            log_line(
                emulator,
                sid,
                logfile,
                text_line(wpid, "out", f"Received “{archive.archive_name(key)}” ({len(blob)} bytes)."),
            )
            result = {"cpmovefile": str(path)}
            if str(params.get("skiphomedir") or "0") == "1":
                skipped.append("Home directory (skiphomedir)")
        self.sleep(0)
        with self.tx() as db:
            params = dict(params)
            params.update({k: v for k, v in result.items() if k == "cpmovefile"})
            db.execute(
                "UPDATE transfer_items SET state = ?, params = ?, result = ?"
                " WHERE session = ? AND module = ? AND key = ?",
                (RESTORE_PENDING, dumps(params), dumps(result), sid, module, key),
            )
        return [], skipped

    def _restore(self, item: Dict[str, Any], wpid: int, logfile: str) -> Tuple[List[str], List[str]]:
        emulator, sid = self.emulator, self.sid
        module, key = item["module"], item["key"]
        with emulator.store.transaction(write=False) as db:
            row = db.execute(
                "SELECT result, params FROM transfer_items WHERE session = ? AND module = ? AND key = ?",
                (sid, module, key),
            ).fetchone()
        carried = loads(row["result"]) if row is not None else None
        params = loads(row["params"]) if row is not None else item["params"]
        self.sleep(0)
        try:
            with self.tx() as db:
                ctx = CallContext(db=db, emulator=emulator, user="root")
                restricted = not load_session(db, sid)["options"].get("unrestricted")
                outcome = restore_item(ctx, module, key, params or {}, carried or {}, restricted)
                db.execute(
                    "UPDATE transfer_items SET state = ?, result = ? WHERE session = ? AND module = ? AND key = ?",
                    (ITEM_COMPLETED, dumps(outcome), sid, module, key),
                )
        except archive.RestoreError as err:
            raise ItemFailure(str(err)) from err
        cpmove = (params or {}).get("cpmovefile")
        if cpmove and module in ("AccountRemoteRoot", "AccountRemoteUser"):
            # The transferred archive is removed once the account is restored.
            try:
                Path(cpmove).unlink()
            except OSError:
                pass
        for line in outcome.get("log", []):
            log_line(emulator, sid, logfile, text_line(wpid, "out", line))
        return list(outcome.get("warnings", [])), list(outcome.get("skipped", []))


class ItemFailure(Exception):
    """The item failed; the text is the ``failure`` of its failed-item line."""


def _remote_fields(remote: Dict[str, Any]) -> Dict[str, Any]:
    allowed = ("host", "address", "port", "verify", "ca", "user", "password", "token")
    return {k: remote[k] for k in allowed if k in remote}


def _fetch(remote: Remote, route: str, payload: Dict[str, Any]) -> Dict[str, Any]:
    try:
        return remote_internal(remote, route, payload)
    except RemoteError as err:
        raise ItemFailure(str(err)) from err


# ---------------------------------------------------------------------------------------------
# Restoring one item (shared with restoreaccount and the restore queue)
# ---------------------------------------------------------------------------------------------


def restore_item(
    ctx: CallContext,
    module: str,
    key: str,
    params: Dict[str, Any],
    carried: Dict[str, Any],
    restricted: bool = False,
) -> Dict[str, Any]:
    """Apply one item on this server inside the caller's transaction. Raises RestoreError."""
    from whm_emulator.api.packages import load_package

    if module == "PackageRemoteRoot":
        settings = carried.get("package")
        if load_package(ctx, key) is not None:
            return {"warnings": [], "skipped": [f"The package “{key}” already exists on this server."]}
        if not isinstance(settings, dict):
            raise archive.RestoreError(f"The package “{key}” could not be read from the remote server.")
        ctx.db.execute(
            "INSERT INTO packages(name, settings) VALUES (?, ?)", (key, json.dumps(settings, sort_keys=True))
        )
        return {"warnings": [], "skipped": [], "log": [f"Created the package “{key}”."]}
    if module == "FeatureListRemoteRoot":
        from whm_emulator.api.features import restore_featurelist

        return restore_featurelist(ctx, key, carried.get("featurelist"))
    # Account modules: the archive comes from the transfer phase or from a local path.
    path = params.get("cpmovefile") or carried.get("cpmovefile")
    if not path:
        raise archive.RestoreError(f"No archive is available for “{key}”.")
    data = archive.read_archive(Path(str(path)))
    localuser = str(params.get("localuser") or key)
    options = {k: str(v) for k, v in params.items() if v is not None}
    if module == "LegacyAccountBackup":
        options = {
            "skipaccount": "0" if str(params.get("restoreall") or "0") == "1" else "1",
            "skipsubdomains": "0" if str(params.get("restoresubs") or "1") == "1" else "1",
            "ip": str(params.get("restoreip") or "0"),
        }
    options["restricted"] = "1" if restricted else "0"
    outcome = archive.restore_account(ctx, data, localuser, options)
    outcome["log"] = [f"Restored the account “{localuser}” ({outcome['domain']})."]
    return outcome


# ---------------------------------------------------------------------------------------------
# Resuming after a restart
# ---------------------------------------------------------------------------------------------


def requeue_in_flight(db: Any, sid: str) -> None:
    """Items a dead process was working on go back to their phase's pending state.

    Nothing of an in-flight phase was committed (a restore is one transaction), so the phase
    simply starts over.
    """
    db.execute(
        "UPDATE transfer_items SET state = ? WHERE session = ? AND state = ?",
        (TRANSFER_PENDING, sid, TRANSFER_INPROGRESS),
    )
    db.execute(
        "UPDATE transfer_items SET state = ? WHERE session = ? AND state = ?",
        (RESTORE_PENDING, sid, RESTORE_INPROGRESS),
    )


def resume_sessions(emulator: Any) -> None:
    """Sessions that were running when the previous process stopped continue (see README)."""
    with emulator.store.transaction(write=True) as db:
        sids = [
            r[0]
            for r in db.execute(
                "SELECT id FROM transfer_sessions WHERE state IN (?, ?, ?)", (RUNNING, PAUSING, ABORTING)
            ).fetchall()
        ]
        for sid in sids:
            requeue_in_flight(db, sid)
    for sid in sids:
        with emulator.store.transaction(write=False) as db:
            pid = int(db.execute("SELECT pid FROM transfer_sessions WHERE id = ?", (sid,)).fetchone()[0] or new_pid())
        start_runner(emulator, sid, pid, resumed=True)
