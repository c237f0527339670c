"""The emulated WHM server, independent of HTTP: configuration, state, dispatch, stats, faults.

:class:`Emulator` runs one WHM API 1 call (``call``) or a ``batch`` and returns the envelope
and the HTTP status to send. The HTTP layer (:mod:`whm_emulator.httpd`) only parses requests,
authenticates and writes responses.
"""

from __future__ import annotations

import hashlib
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from whm_emulator.args import Args
from whm_emulator.envelope import build
from whm_emulator.errors import ApiError
from whm_emulator.registry import CallContext, FunctionSpec, Result, lookup
from whm_emulator.store import STATE_TABLES, Store

SEED_TOKEN_NAME = "emulator"


@dataclass
class Config:
    state_dir: Path
    token: str
    root_password: Optional[str] = None
    hostname: str = "server.example.test"
    ip: str = "192.0.2.10"
    create_delay: float = 0.0
    admin: bool = False
    # Area settings (``--set KEY=VALUE`` on the command line, ``/__emulator__/settings`` at
    # run time), e.g. how long an AutoSSL check or a transfer takes. Areas read them with
    # Emulator.setting() and document their keys in docs/emulator.md.
    settings: Dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    function: str
    mode: str  # status | latency | drop | apply_then_timeout
    status: int = 503
    seconds: float = 5.0
    count: int = 1

    def as_dict(self) -> Dict[str, Any]:
        return {
            "function": self.function,
            "mode": self.mode,
            "status": self.status,
            "seconds": self.seconds,
            "count": self.count,
        }


@dataclass
class Outcome:
    """What the HTTP layer must do with a /json-api request."""

    status: int
    body: Optional[Dict[str, Any]] = None
    text: Optional[str] = None  # non-JSON body (fault / protocol error)
    drop: bool = False  # close the connection without answering
    sleep_after: float = 0.0  # apply_then_timeout: sleep, then drop


@dataclass
class Stats:
    total: int = 0
    reads: int = 0
    writes: int = 0
    by_function: Dict[str, int] = field(default_factory=dict)
    requests: List[Dict[str, Any]] = field(default_factory=list)


def token_hash(secret: str) -> str:
    # cPanel stores API tokens keyed by the SHA-512 hex digest (Cpanel/Security/Authn/APITokens/Write.pm).
    return hashlib.sha512(secret.encode("utf-8")).hexdigest()


class Emulator:
    def __init__(self, config: Config) -> None:
        self.config = config
        config.state_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store(config.state_dir / "whm.sqlite3")
        self._lock = threading.Lock()
        self.stats = Stats()
        self.faults: List[Fault] = []
        # Per-function artificial delays before the function runs (e.g. createacct is slow on
        # real servers). Applied outside the database lock so other clients are not blocked.
        self.delays: Dict[str, float] = {"createacct": config.create_delay}
        self._seed()
        # Areas with background work (transfer sessions, the restore queue) resume it here.
        from whm_emulator.api.common import EMULATOR_STARTED

        for hook in EMULATOR_STARTED:
            hook(self)

    # -- state ---------------------------------------------------------------------------
    def _seed(self) -> None:
        """Make root's --token valid as the API token named "emulator".

        Done on every start (not only the first) so a state directory can be reused with a
        new --token; everything else in the state is kept as it was.
        """
        with self.store.transaction(write=True) as db:
            db.execute(
                "DELETE FROM tokens WHERE user = 'root' AND (name = ? OR hash = ?)",
                (SEED_TOKEN_NAME, token_hash(self.config.token)),
            )
            created = Store.get_meta(db, "seed_token_created") or str(int(time.time()))
            db.execute(
                "INSERT INTO tokens(user, name, hash, create_time, expires_at, acls, whitelist_ips)"
                " VALUES ('root', ?, ?, ?, NULL, NULL, NULL)",
                (SEED_TOKEN_NAME, token_hash(self.config.token), int(created)),
            )
            Store.set_meta(db, "seed_token_created", created)

    def reset_state(self) -> None:
        # Areas stop their background work and remove their files first (api.common.STATE_RESET).
        from whm_emulator.api.common import STATE_RESET

        for hook in STATE_RESET:
            hook(self)
        with self.store.transaction(write=True) as db:
            for table in STATE_TABLES:
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            db.execute("DELETE FROM meta")
        self._seed()

    def setting(self, key: str, default: str = "") -> str:
        with self._lock:
            return self.config.settings.get(key, default)

    def update_settings(self, values: Dict[str, str]) -> Dict[str, str]:
        with self._lock:
            self.config.settings.update({str(k): str(v) for k, v in values.items()})
            return dict(self.config.settings)

    # -- authentication ------------------------------------------------------------------
    def token_auth(
        self, user: str, secret: str, client_ip: str = "127.0.0.1"
    ) -> Optional[Tuple[str, Optional[List[str]]]]:
        """(user, acls) for a valid, unexpired token; acls None means full access."""
        if not secret or user != "root":  # only root is emulated (no resellers yet)
            return None
        import json

        from whm_emulator.api.tokens import ip_allowed

        with self.store.transaction(write=False) as db:
            row = db.execute(
                "SELECT expires_at, acls, whitelist_ips FROM tokens WHERE user = ? AND hash = ?",
                (user, token_hash(secret)),
            ).fetchone()
        if row is None:
            return None
        if row["expires_at"] and int(row["expires_at"]) <= time.time():
            return None
        if not ip_allowed(row["whitelist_ips"], client_ip):
            return None
        acls = json.loads(row["acls"]) if row["acls"] else None
        if acls is not None and "all" in acls:
            acls = None
        return user, acls

    def password_auth(self, user: str, password: str) -> bool:
        return bool(self.config.root_password) and user == "root" and password == self.config.root_password

    # -- faults & stats ------------------------------------------------------------------
    def take_fault(self, function: str) -> Optional[Fault]:
        with self._lock:
            for fault in self.faults:
                if fault.function in (function, "*"):
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def record(
        self,
        function: str,
        method: str,
        params: List[str],
        status: int,
        via: Optional[str] = None,
        commands: Optional[List[str]] = None,
    ) -> Dict[str, Any]:
        spec = lookup(function)
        writes = spec is not None and spec.write
        if function == "batch" and commands is not None:
            # Statistics only: a batch counts as a write when any of its commands writes (or is
            # unknown); a batch holding only reads is a read.
            writes = any(not _is_read(command) for command in commands) or not commands
        with self._lock:
            stats = self.stats
            if via is None:
                stats.total += 1
                if writes:
                    stats.writes += 1
                else:
                    stats.reads += 1
            stats.by_function[function] = stats.by_function.get(function, 0) + 1
            entry: Dict[str, Any] = {"function": function, "method": method, "params": sorted(params), "status": status}
            if via:
                entry["via"] = via
            stats.requests.append(entry)
        return entry

    def reset_stats(self) -> None:
        with self._lock:
            self.stats = Stats()

    # -- dispatch ------------------------------------------------------------------------
    def run(self, spec: FunctionSpec, args: Args, user: str, acls: Optional[List[str]]) -> Dict[str, Any]:
        """Run one function and return its envelope (never raises ApiError)."""
        if not self.allowed(spec, acls):
            # WHM's ACL table is compiled and unreadable; refuse with a result-0 envelope so
            # clients see a normal function failure with a clear reason.
            return build(
                spec.name,
                Result(result=0, reason=f"Permission denied: the API token lacks the “{spec.acl}” privilege."),
            )
        delay = self.delays.get(spec.name, 0.0)
        if delay > 0:
            time.sleep(delay)
        try:
            with self.store.transaction(write=spec.write) as db:
                ctx = CallContext(db=db, emulator=self, user=user, acls=acls)
                try:
                    result = spec.handler(ctx, args)
                except ApiError as err:
                    # A failed call must not leave half-applied state behind: roll back by
                    # re-raising after capturing the result.
                    raise _Failed(Result(data=err.data, result=0, reason=err.reason, raw=err.raw)) from err
        except _Failed as failed:
            result = failed.result
        return build(spec.name, result, args.api)

    @staticmethod
    def allowed(spec: FunctionSpec, acls: Optional[List[str]]) -> bool:
        return acls is None or spec.acl is None or spec.acl in acls

    def batch(self, args: Args, user: str, acls: Optional[List[str]], method: str) -> Tuple[int, Dict[str, Any]]:
        """WHM ``batch`` (Whostmgr/API/1/Utils/Batch.pm): run URI-encoded sub-commands in order."""
        commands: List[Tuple[FunctionSpec, Args]] = []
        for command in args.getlist("command"):
            name, _, query = command.partition("?")
            name = urllib.parse.unquote(name)
            spec = lookup(name)
            if spec is None or spec.name == "batch":
                # An unknown function anywhere fails the whole batch with HTTP 500
                # (cPanel Cpanel/DNSLib/PeerStatus.pm relies on this).
                return 500, {"error": f"Unknown function in batch: {name}"}
            commands.append((spec, Args(urllib.parse.parse_qsl(query, keep_blank_values=True))))
        # "We have to authorize every command before we do any of them" (Batch.pm parse_batch).
        for spec, _ in commands:
            if not self.allowed(spec, acls):
                result = Result(result=0, reason=f"Permission denied: the API token lacks the “{spec.acl}” privilege.")
                return 200, build("batch", result)
        abort = args.get("abort_on_error", "0") not in ("", "0")
        results: List[Dict[str, Any]] = []
        first_failure: Optional[str] = None
        for spec, sub_args in commands:
            envelope = self.run(spec, sub_args, user, acls)
            results.append(envelope)
            self.record(spec.name, method, sub_args.all_names(), 200, via="batch")
            if not envelope["metadata"]["result"] and first_failure is None:
                first_failure = envelope["metadata"]["reason"]
                if abort:
                    # UNCONFIRMED in WHM: skipped commands are left out of data.result.
                    break
        if first_failure is None:
            outer = Result(data={"result": results})
        else:
            # UNCONFIRMED in WHM: the outer reason text. We report the first failing reason.
            outer = Result(data={"result": results}, result=0, reason=first_failure)
        return 200, build("batch", outer)


def _is_read(command: str) -> bool:
    """Whether a batch command (``function?query``) names a known read function."""
    spec = lookup(urllib.parse.unquote(command.partition("?")[0]))
    return spec is not None and not spec.write


class _Failed(Exception):
    def __init__(self, result: Result) -> None:
        super().__init__(result.reason)
        self.result = result


Hook = Callable[[CallContext, Dict[str, Any]], None]
