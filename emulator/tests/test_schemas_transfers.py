"""Transfers and restores: successful responses validate against cPanel's 200 schemas."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from conftest import PASSWORD, Whm
from test_schemas import CONTRACT, _errors

from whm_emulator import transfer_engine

jsonschema = pytest.importorskip("jsonschema")

SOURCE = "source.example.test"

TRANSFER_FUNCTIONS = {
    "abort_transfer_session",
    "analyze_transfer_session_remote",
    "available_transfer_modules",
    "create_remote_root_transfer_session",
    "create_remote_user_transfer_session",
    "delete_account_archives",
    "enqueue_transfer_item",
    "fetch_transfer_session_log",
    "get_transfer_session_state",
    "pause_transfer_session",
    "remote_basic_credential_check",
    "retrieve_transfer_session_remote_analysis",
    "start_transfer_session",
    "transfer_module_schema",
    "validate_system_user",
    "restore_modules_summary",
    "restoreaccount",
    "verify_new_username_for_restore",
    "restore_queue_add_task",
    "restore_queue_activate",
    "restore_queue_is_active",
    "restore_queue_state",
    "restore_queue_list_pending",
    "restore_queue_list_active",
    "restore_queue_list_completed",
    "restore_queue_clear_pending_task",
    "restore_queue_clear_completed_task",
    "restore_queue_clear_all_tasks",
    "restore_queue_clear_all_pending_tasks",
    "restore_queue_clear_all_completed_tasks",
    "restore_queue_clear_all_failed_tasks",
}

# Read by test_schemas.py's coverage test.
COVERED = TRANSFER_FUNCTIONS


def test_every_function_is_in_the_contract_and_registered() -> None:
    from whm_emulator.registry import REGISTRY, lookup

    lookup("version")
    assert set(CONTRACT) >= TRANSFER_FUNCTIONS
    assert set(REGISTRY) >= TRANSFER_FUNCTIONS


def _wait(server: Whm, fn: str, params: Dict[str, Any], check: Any, timeout: float = 20) -> Dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        envelope = server.ok(fn, params)
        if check(envelope):
            return envelope
        time.sleep(0.05)
    raise AssertionError(f"{fn} never reached the expected state")


def test_transfer_and_restore_responses_match_cpanel_schemas(tmp_path: Path) -> None:
    source = Whm(tmp_path / "source", hostname=SOURCE, ip="192.0.2.20")
    dest = Whm(
        tmp_path / "dest",
        hostname="dest.example.test",
        ip="192.0.2.30",
        settings={"remote_port_map": f"{SOURCE}=127.0.0.1:{source.server.server_address[1]}", "remote_ca": source.ca},
    )
    seen: List[Tuple[str, Dict[str, Any]]] = []

    def ok(server: Whm, fn: str, params: Any = None) -> Dict[str, Any]:
        envelope = server.ok(fn, params or {})
        seen.append((fn, envelope))
        return envelope

    try:
        source.ok("addpkg", {"name": "gold", "quota": "100"})
        source.create("alice", plan="gold")
        source.create("bob")
        ok(dest, "available_transfer_modules")
        ok(dest, "transfer_module_schema", {"module": "AccountRemoteRoot"})
        ok(dest, "validate_system_user", {"user": "alice"})
        ok(dest, "remote_basic_credential_check", {"host": SOURCE, "user": "root", "password": PASSWORD})
        created = ok(
            dest,
            "create_remote_root_transfer_session",
            {"host": SOURCE, "user": "root", "password": PASSWORD, "comm_transport": "whostmgr"},
        )
        sid = created["data"]["transfer_session_id"]
        ok(dest, "analyze_transfer_session_remote", {"transfer_session_id": sid})
        ok(dest, "retrieve_transfer_session_remote_analysis", {"transfer_session_id": sid})
        ok(
            dest,
            "enqueue_transfer_item",
            {"transfer_session_id": sid, "module": "PackageRemoteRoot", "package": "gold"},
        )
        ok(
            dest,
            "enqueue_transfer_item",
            {"transfer_session_id": sid, "module": "AccountRemoteRoot", "user": "alice", "localuser": "alice"},
        )
        ok(dest, "get_transfer_session_state", {"transfer_session_id": sid})
        ok(dest, "start_transfer_session", {"transfer_session_id": sid})
        _wait(
            dest,
            "get_transfer_session_state",
            {"transfer_session_id": sid},
            lambda e: e["data"]["state_name"] == "COMPLETED",
        )
        ok(dest, "fetch_transfer_session_log", {"transfer_session_id": sid, "logfile": "master.log"})

        # pause/abort on fresh sessions
        paused = ok(dest, "create_remote_user_transfer_session", {"host": SOURCE, "password": "x"})
        other = paused["data"]["transfer_session_id"]
        ok(dest, "abort_transfer_session", {"transfer_session_id": other})
        dest.admin("POST", "settings", {"transfer_seconds_per_item": "2"})
        sid2 = dest.ok(
            "create_remote_root_transfer_session",
            {"host": SOURCE, "user": "root", "password": PASSWORD, "comm_transport": "whostmgr"},
        )["data"]["transfer_session_id"]
        dest.ok(
            "enqueue_transfer_item",
            {"transfer_session_id": sid2, "module": "AccountRemoteRoot", "user": "bob", "localuser": "bob"},
        )
        dest.ok("start_transfer_session", {"transfer_session_id": sid2})
        ok(dest, "pause_transfer_session", {"transfer_session_id": sid2})
        dest.admin("POST", "settings", {"transfer_seconds_per_item": "0"})

        # restores
        ok(dest, "verify_new_username_for_restore", {"user": "newbie"})
        ok(dest, "restore_modules_summary")
        response = dest.session.post(
            f"{dest.url}/__emulator__/internal/backup",
            json={"user": "alice", "restore_point": "2026-11-03"},
            timeout=30,
        )
        assert response.status_code == 200
        response = dest.session.post(
            f"{dest.url}/__emulator__/internal/backup", json={"user": "alice", "type": "daily"}, timeout=30
        )
        assert response.status_code == 200
        ok(dest, "restore_queue_add_task", {"user": "alice", "restore_point": "2026-11-03"})
        ok(dest, "restore_queue_list_pending")
        ok(dest, "restore_queue_is_active")
        ok(dest, "restore_queue_activate")
        ok(dest, "restore_queue_list_active")
        completed = _wait(dest, "restore_queue_list_completed", {}, lambda e: e["data"]["restore_job"])
        seen.append(("restore_queue_list_completed", completed))
        ok(dest, "restore_queue_state")
        started = completed["data"]["restore_job"][0]["status_info"]["started"]
        ok(dest, "restore_queue_clear_completed_task", {"user": "alice", "start_time": started})
        ok(dest, "restore_queue_add_task", {"user": "zoe", "restore_point": "2026-11-03"})
        ok(dest, "restore_queue_clear_pending_task", {"user": "zoe"})
        ok(dest, "restore_queue_clear_all_pending_tasks")
        ok(dest, "restore_queue_clear_all_completed_tasks")
        ok(dest, "restore_queue_clear_all_failed_tasks")
        ok(dest, "restore_queue_clear_all_tasks")
        ok(dest, "restoreaccount", {"user": "alice", "type": "daily"})
        ok(dest, "delete_account_archives", {"user": "alice"})
    finally:
        transfer_engine.halt(dest.emulator)
        transfer_engine.halt(source.emulator)
        dest.close()
        source.close()

    assert {fn for fn, dummy in seen} == TRANSFER_FUNCTIONS
    problems: List[str] = []
    for function, envelope in seen:
        problems += _errors(function, envelope)
    assert problems == []
