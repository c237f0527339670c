"""SQLite-backed state of the emulated server.

Why SQLite: state must survive restarts and stay consistent under many concurrent clients
(Ansible forks, parallel CI jobs). Every request runs in one transaction; writers take a
process-wide lock *and* ``BEGIN IMMEDIATE`` so two createacct calls can never both see a
username as free. Readers use WAL snapshots and never block writers.

Rows hold the few columns we query on plus a JSON document for the rest, so later areas
(DNS zones, SSL, transfer sessions) add tables here without touching the accounts code.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    user TEXT PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    plan TEXT NOT NULL,
    uid INTEGER NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    suspended INTEGER NOT NULL DEFAULT 0,
    suspend_time INTEGER NOT NULL DEFAULT 0,
    suspend_reason TEXT NOT NULL DEFAULT '',
    locked INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL DEFAULT '',
    shell TEXT NOT NULL DEFAULT '/usr/local/cpanel/bin/noshell',
    quota_mb INTEGER NOT NULL DEFAULT 0,
    cpuser TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS domains (
    domain TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    domain_type TEXT NOT NULL,
    parent_domain TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS domains_user ON domains(user);
CREATE TABLE IF NOT EXISTS packages (name TEXT PRIMARY KEY, settings TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    user TEXT NOT NULL,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    create_time INTEGER NOT NULL,
    expires_at INTEGER,
    acls TEXT,
    whitelist_ips TEXT,
    PRIMARY KEY (user, name)
);
"""

# Tables wiped by a state reset (meta keeps the seed information).
STATE_TABLES: List[str] = ["accounts", "domains", "packages", "tokens"]

# DDL of the later areas (DNS, SSL, Transfers). An area module calls register_schema() at
# import time; every Store runs all registered DDL when it opens the database.
AREA_SCHEMAS: List[str] = []


def register_schema(ddl: str, tables: List[str]) -> None:
    """Add an area's tables (idempotent DDL) and mark them as wiped by a state reset."""
    AREA_SCHEMAS.append(ddl)
    for table in tables:
        if table not in STATE_TABLES:
            STATE_TABLES.append(table)


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        with self._write_lock:
            # executescript manages its own transaction; the DDL is idempotent.
            # Importing the API package registers every area's functions and tables.
            import whm_emulator.api  # noqa: F401

            self._connection().executescript(SCHEMA + "\n".join(AREA_SCHEMAS))

    def _connection(self) -> sqlite3.Connection:
        conn: Optional[sqlite3.Connection] = getattr(self._local, "conn", None)
        if conn is None:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves.
            conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def transaction(self, write: bool) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        lock = self._write_lock if write else None
        if lock:
            lock.acquire()
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            if lock:
                lock.release()

    # -- meta ----------------------------------------------------------------------------
    @staticmethod
    def get_meta(db: sqlite3.Connection, key: str) -> Optional[str]:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    @staticmethod
    def set_meta(db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))


def loads(text: Optional[str]) -> Any:
    return None if text is None else json.loads(text)


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def rows(db: sqlite3.Connection, sql: str, params: tuple = ()) -> List[Dict[str, Any]]:
    return [dict(r) for r in db.execute(sql, params).fetchall()]
