"""Local restores: restoreaccount, the restore queue, archive helpers and archive sections."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List

import pytest
from conftest import Whm, strip_xid

from whm_emulator import archive, transfer_engine
from whm_emulator.api import common


def users(server: Whm) -> List[str]:
    return sorted(a["user"] for a in (server.ok("listaccts").get("data") or {}).get("acct", []))


def backup(server: Whm, **body: Any) -> Dict[str, Any]:
    response = server.session.post(f"{server.url}/__emulator__/internal/backup", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def wait_session(server: Whm, sid: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = server.ok("get_transfer_session_state", {"transfer_session_id": sid})["data"]["state_name"]
        if state in ("COMPLETED", "ABORTED", "FAILED"):
            return str(state)
        time.sleep(0.05)
    raise AssertionError("session did not finish")


def wait_queue_idle(server: Whm, timeout: float = 20) -> Dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = server.ok("restore_queue_state")["data"]
        if not data["is_active"] and not data["pending"] and not data["active"]:
            return dict(data)
        time.sleep(0.05)
    raise AssertionError("restore queue did not finish")


@pytest.fixture
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    whm = Whm(tmp_path / "state")
    try:
        yield whm
    finally:
        transfer_engine.halt(whm.emulator)
        whm.close()


def test_internal_routes_need_root_credentials(server: Whm) -> None:
    response = server.session.post(
        f"{server.url}/__emulator__/internal/backup", json={"user": "x"}, headers={"Authorization": "whm root:wrong"}
    )
    assert response.status_code == 403
    assert server.session.post(f"{server.url}/__emulator__/internal/nope", json={}).status_code == 404


def test_restoreaccount_from_legacy_backup(server: Whm) -> None:
    server.ok("addpkg", {"name": "silver", "quota": "100"})
    server.create("alice", plan="silver")
    path = backup(server, user="alice", type="daily")["path"]
    assert path.endswith("backup/cpbackup/daily/alice.tar.gz")
    server.ok("removeacct", {"username": "alice"})
    server.ok("killpkg", {"pkgname": "silver"})
    envelope = server.ok("restoreaccount", {"user": "alice", "type": "daily"})
    assert envelope["metadata"]["reason"] == "Account Restoring in background"
    sid = envelope["data"]["transfer_session_id"]
    assert isinstance(envelope["data"]["pid"], int)
    assert wait_session(server, sid) == "COMPLETED"
    assert users(server) == ["alice"]
    # The package came back with the account.
    assert server.ok("getpkginfo", {"pkg": "silver"})["data"]["pkg"]["QUOTA"] == 100
    log = server.ok("fetch_transfer_session_log", {"transfer_session_id": sid, "logfile": "master.log"})["data"]["log"]
    assert '"warning-item"' in log or '"success-item"' in log


def test_restoreaccount_failures(server: Whm) -> None:
    assert strip_xid(server.fail("restoreaccount", {"type": "daily"})) == (
        "API failure: (XID) Provide the \u201cuser\u201d parameter."
    )
    assert strip_xid(server.fail("restoreaccount", {"user": "bob"})) == (
        "API failure: (XID) Provide the \u201ctype\u201d parameter."
    )
    # No backup: the call starts in the background and the item fails there.
    sid = server.ok("restoreaccount", {"user": "bob", "type": "weekly"})["data"]["transfer_session_id"]
    assert wait_session(server, sid) == "COMPLETED"
    log = server.ok("fetch_transfer_session_log", {"transfer_session_id": sid, "logfile": "master.log"})["data"]["log"]
    assert '"failed-item"' in log
    assert users(server) == []


def test_restore_queue(server: Whm) -> None:
    server.create("bob")
    server.create("carol")
    backup(server, user="bob", restore_point="2026-11-01")
    backup(server, user="carol", restore_point="2026-11-01")
    server.ok("removeacct", {"username": "bob"})
    assert server.ok("restore_queue_is_active")["data"]["is_active"] == 0
    queue_id = server.ok("restore_queue_add_task", {"user": "bob", "restore_point": "2026-11-01", "subdomains": "1"})[
        "data"
    ]["queue_id"]
    assert isinstance(queue_id, str) and queue_id
    server.ok("restore_queue_add_task", {"user": "ghost", "restore_point": "2026-11-01"})
    server.ok("restore_queue_add_task", {"user": "zoe", "restore_point": "2026-11-01"})
    pending = server.ok("restore_queue_list_pending")["data"]["restore_job"]
    assert [j["user"] for j in pending] == ["bob", "ghost", "zoe"]
    assert pending[0]["options"] == {"destid": "local", "give_ip": 0, "mail_config": 0, "mysql": 0, "subdomains": 1}
    server.ok("restore_queue_clear_pending_task", {"user": "zoe"})
    assert [j["user"] for j in server.ok("restore_queue_list_pending")["data"]["restore_job"]] == ["bob", "ghost"]
    assert strip_xid(server.fail("restore_queue_add_task", {"user": "bob"})) == (
        "API failure: (XID) Provide the \u201crestore_point\u201d parameter."
    )

    server.ok("restore_queue_activate")
    state = wait_queue_idle(server)
    assert [j["user"] for j in state["completed"]] == ["bob", "ghost"]
    assert users(server) == ["bob", "carol"]
    completed = server.ok("restore_queue_list_completed")["data"]["restore_job"]
    by_user = {c["restore_job"]["user"]: c["status_info"] for c in completed}
    assert by_user["bob"]["result"] in (1, 2)
    assert by_user["bob"]["restore_logfile"] == "item-RESTORE_AccountLocal_bob"
    assert by_user["ghost"]["result"] == 0
    assert server.ok("restore_queue_list_active")["data"]["restore_job"] == []

    server.ok("restore_queue_clear_all_failed_tasks")
    remaining = server.ok("restore_queue_list_completed")["data"]["restore_job"]
    assert [c["restore_job"]["user"] for c in remaining] == ["bob"]
    started = by_user["bob"]["started"]
    server.ok("restore_queue_clear_completed_task", {"user": "bob", "start_time": started})
    assert server.ok("restore_queue_list_completed")["data"]["restore_job"] == []
    server.ok("restore_queue_add_task", {"user": "carol", "restore_point": "2026-11-01"})
    server.ok("restore_queue_clear_all_pending_tasks")
    assert server.ok("restore_queue_list_pending")["data"]["restore_job"] == []
    server.ok("restore_queue_add_task", {"user": "carol", "restore_point": "2026-11-01"})
    server.ok("restore_queue_clear_all_tasks")
    assert server.ok("restore_queue_state")["data"]["pending"] == []
    server.ok("restore_queue_clear_all_completed_tasks")


def test_restore_queue_restores_over_an_existing_account(server: Whm) -> None:
    server.create("dora")
    backup(server, user="dora", restore_point="2026-11-02")
    server.ok("restore_queue_add_task", {"user": "dora", "restore_point": "2026-11-02T00:00:00.000Z"})
    assert server.ok("restore_queue_list_pending")["data"]["restore_job"][0]["restore_point"] == (
        "2026-11-02T00:00:00.000Z"
    )
    server.ok("restore_queue_activate")
    state = wait_queue_idle(server)
    assert [j["user"] for j in state["completed"]] == ["dora"]
    info = server.ok("restore_queue_list_completed")["data"]["restore_job"][0]["status_info"]
    assert info["result"] in (1, 2), info
    assert users(server) == ["dora"]


def test_verify_new_username_for_restore(server: Whm) -> None:
    server.create("alice")
    envelope = server.ok("verify_new_username_for_restore", {"user": "new-name"})
    assert "data" not in envelope
    assert strip_xid(server.fail("verify_new_username_for_restore", {"user": "alice"})) == (
        "API failure: (XID) This system already has an account named \u201calice\u201d."
    )
    assert strip_xid(server.fail("verify_new_username_for_restore", {"user": "root"})) == (
        "API failure: (XID) \u201croot\u201d is a reserved username on this system."
    )
    assert strip_xid(server.fail("verify_new_username_for_restore", {"user": "9lives"})) == (
        "API failure: (XID) \u201c9lives\u201d is not a valid username on this system."
    )
    assert strip_xid(server.fail("verify_new_username_for_restore")) == (
        "API failure: (XID) Provide the \u201cuser\u201d parameter."
    )


def test_delete_account_archives(server: Whm) -> None:
    home = Path(server.state) / "home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "cpmove-bob.tar.gz").write_bytes(b"x")
    (home / "cpmove-bob").mkdir()
    (home / "cpmove-bobby.tar.gz").write_bytes(b"x")
    envelope = server.ok("delete_account_archives", {"user": "bob"})
    assert envelope["metadata"]["output"]["messages"] == [
        "Removed \u201c/home/cpmove-bob\u201d.",
        "Removed \u201c/home/cpmove-bob.tar.gz\u201d.",
    ]
    assert not (home / "cpmove-bob.tar.gz").exists() and (home / "cpmove-bobby.tar.gz").exists()
    # Nothing left: still result 1.
    assert server.ok("delete_account_archives", {"user": "bob", "mountpoint": "/home"})["metadata"]["result"] == 1
    assert strip_xid(server.fail("delete_account_archives")) == (
        "API failure: (XID) Provide the \u201cuser\u201d parameter."
    )


def test_restore_modules_summary(server: Whm) -> None:
    modules = server.ok("restore_modules_summary")["data"]["modules"]
    names = [m["module"] for m in modules]
    assert "Account" in names
    assert all(isinstance(m["summary"], list) and m["restricted_available"] in (0, 1) for m in modules)


def test_every_archive_section_travels(server: Whm, monkeypatch: pytest.MonkeyPatch) -> None:
    """Areas' sections are exported and imported for the (renamed) account without this code knowing them."""
    seen: List[Any] = []

    def exporter(ctx: Any, account: Dict[str, Any]) -> Any:
        return {"owner": account["user"], "records": ["a", "b"]}

    def importer(ctx: Any, account: Dict[str, Any], data: Any, options: Dict[str, str]) -> None:
        seen.append((account["user"], data, options["olduser"], options["replaceip"], options["ip"]))

    monkeypatch.setitem(common.ARCHIVE_SECTIONS, "probe", (exporter, importer))
    server.create("erin")
    path = Path(backup(server, user="erin", type="monthly")["path"])
    data = archive.read_archive(path)
    assert data["sections"]["probe"] == {"owner": "erin", "records": ["a", "b"]}
    assert data["account"]["user"] == "erin" and data["domains"][0]["domain"] == "erin.example.com"
    server.ok("removeacct", {"username": "erin"})
    sid = server.ok("restoreaccount", {"user": "erin", "type": "monthly"})["data"]["transfer_session_id"]
    assert wait_session(server, sid) == "COMPLETED"
    assert seen == [("erin", {"owner": "erin", "records": ["a", "b"]}, "erin", "all", "192.0.2.10")]


def test_a_failing_importer_leaves_no_half_restored_account(server: Whm, monkeypatch: pytest.MonkeyPatch) -> None:
    def exporter(ctx: Any, account: Dict[str, Any]) -> Any:
        return 1

    def importer(ctx: Any, account: Dict[str, Any], data: Any, options: Dict[str, str]) -> None:
        raise archive.RestoreError("The probe section could not be restored.")

    monkeypatch.setitem(common.ARCHIVE_SECTIONS, "probe", (exporter, importer))
    server.create("fred")
    backup(server, user="fred", type="daily")
    server.ok("removeacct", {"username": "fred"})
    sid = server.ok("restoreaccount", {"user": "fred", "type": "daily"})["data"]["transfer_session_id"]
    assert wait_session(server, sid) == "COMPLETED"
    log = server.ok("fetch_transfer_session_log", {"transfer_session_id": sid, "logfile": "master.log"})["data"]["log"]
    assert "The probe section could not be restored." in log
    assert users(server) == []


def test_restore_queue_resumes_after_a_restart(tmp_path: Path) -> None:
    first = Whm(tmp_path / "state", settings={"transfer_seconds_per_item": "0.4"})
    try:
        for name in ("gus", "hal"):
            first.create(name)
            backup(first, user=name, restore_point="2026-11-05")
            first.ok("removeacct", {"username": name})
            first.ok("restore_queue_add_task", {"user": name, "restore_point": "2026-11-05"})
        first.ok("restore_queue_activate")
        time.sleep(0.2)
        assert first.ok("restore_queue_is_active")["data"]["is_active"] == 1
    finally:
        transfer_engine.halt(first.emulator)  # the server stops mid queue
        first.close()
    second = Whm(tmp_path / "state", settings={"transfer_seconds_per_item": "0"})
    try:
        state = wait_queue_idle(second)
        assert [j["user"] for j in state["completed"]] == ["gus", "hal"]
        assert users(second) == ["gus", "hal"]
    finally:
        transfer_engine.halt(second.emulator)
        second.close()
