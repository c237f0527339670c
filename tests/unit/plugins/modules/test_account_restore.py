# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hosting.whm.plugins.modules import account_restore
from ansible_collections.hosting.whm.tests.unit.plugins.module_utils.test_transfers import item_lines
from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_transfer_session import (
    SESSION,
    listaccts,
    log,
    state,
)
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run

POINT = "2026-11-27"


def job(user):
    return {
        "user": user,
        "restore_point": POINT,
        "options": {"destid": "local", "give_ip": 0, "mail_config": 0, "mysql": 0, "subdomains": 0},
    }


def completed(user, result, started, **info):
    status = {
        "result": result,
        "status": "completed",
        "statusmsg": info.pop("statusmsg", "Restored"),
        "started": str(started),
        "finished": str(started + 5),
        "transfer_session_id": SESSION,
        "restore_logfile": f"item-RESTORE_AccountLocal_{user}",
        "warnings": info.pop("warnings", []),
        "skipped_items": [],
        "log": "",
    }
    return {"restore_job": job(user), "status_info": status}


def queue_state(pending=(), active=(), done=(), is_active=0):
    # Completed jobs come without status_info here (cPanel's restore_queue_state doc page).
    data = {
        "is_active": is_active,
        "pending": [job(u) for u in pending],
        "active": [job(u) for u in active],
        "completed": [entry["restore_job"] for entry in done],
    }
    return Call("restore_queue_state", {}, envelope("restore_queue_state", data=data))


def list_completed(*done):
    return Call(
        "restore_queue_list_completed", {}, envelope("restore_queue_list_completed", data={"restore_job": list(done)})
    )


def verify(user, reason=None):
    if reason is None:
        return Call("verify_new_username_for_restore", {"user": user})
    return Call(
        "verify_new_username_for_restore", {"user": user}, envelope("verify_new_username_for_restore", 0, reason)
    )


OLD = completed("alice", 1, 1000)


def test_restore_through_the_queue(monkeypatch):
    calls = [
        listaccts(("carol", "carol.example")),
        queue_state(done=[OLD]),
        verify("alice"),
        verify("bob"),
        list_completed(OLD),
        Call(
            "restore_queue_add_task",
            {"user": "alice", "restore_point": POINT, "mysql": "1"},
            envelope("restore_queue_add_task", data={"queue_id": 1}),
        ),
        Call(
            "restore_queue_add_task",
            {"user": "bob", "restore_point": POINT},
            envelope("restore_queue_add_task", data={"queue_id": 2}),
        ),
        Call("restore_queue_activate", {}),
        queue_state(pending=["bob"], active=["alice"], done=[OLD], is_active=1),
        queue_state(done=[OLD, completed("alice", 1, 2000), completed("bob", 2, 2001, warnings=["no mail"])]),
        list_completed(OLD, completed("alice", 1, 2000), completed("bob", 2, 2001, warnings=["no mail"])),
        log("item-RESTORE_AccountLocal_bob", '{"type":"warn","contents":"mail config skipped"}'),
    ]
    args = {
        "accounts": [
            {"user": "alice", "restore_point": POINT, "mysql": True},
            {"user": "bob", "restore_point": POINT},
            {"user": "carol", "restore_point": POINT},
        ]
    }
    result = run(monkeypatch, account_restore, args, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True
    assert [(e["user"], e["result"]) for e in result["accounts"]] == [
        ("alice", "success"),
        ("bob", "warning"),
        ("carol", "present"),
    ]
    bob = result["accounts"][1]
    assert bob["warnings"] == ["no mail"]
    assert bob["log_excerpt"] == "mail config skipped"
    assert bob["transfer_session_id"] == SESSION
    assert result["diff"]["after"]["accounts"] == ["alice", "bob", "carol"]


def test_check_mode_and_present_accounts(monkeypatch):
    calls = [listaccts(("carol", "carol.example")), queue_state(), verify("alice")]
    args = {"accounts": [{"user": "alice", "restore_point": POINT}, {"user": "carol", "restore_point": POINT}]}
    result = run(monkeypatch, account_restore, args, calls, check_mode=True)
    assert result["changed"] is True
    assert [(e["user"], e["result"]) for e in result["accounts"]] == [("alice", "planned"), ("carol", "present")]

    result = run(monkeypatch, account_restore, {"accounts": [{"user": "carol", "restore_point": POINT}]}, calls[:2])
    assert result["changed"] is False


def test_failed_restore_fails_the_task(monkeypatch):
    calls = [
        listaccts(),
        queue_state(),
        verify("alice"),
        list_completed(),
        Call(
            "restore_queue_add_task",
            {"user": "alice", "restore_point": POINT},
            envelope("restore_queue_add_task", data={"queue_id": 1}),
        ),
        Call("restore_queue_activate", {}),
        queue_state(done=[completed("alice", 0, 3000, statusmsg="The archive is damaged.")]),
        list_completed(completed("alice", 0, 3000, statusmsg="The archive is damaged.")),
        log("item-RESTORE_AccountLocal_alice", '{"type":"error","contents":"gzip: unexpected end of file"}'),
    ]
    result = run(monkeypatch, account_restore, {"accounts": [{"user": "alice", "restore_point": POINT}]}, calls)
    assert result["failed"] is True
    assert result["msg"] == (
        "Restores failed: alice (The archive is damaged). See accounts for each account's status and log excerpt."
    )
    assert result["accounts"][0]["message"] == "The archive is damaged."
    assert result["accounts"][0]["log_excerpt"] == "gzip: unexpected end of file"


def test_username_refused_before_any_write(monkeypatch):
    reason = "API failure: (XID 9) \u201cabc\u201d is a reserved username on this system."
    calls = [listaccts(), queue_state(), verify("abrt", reason)]
    result = run(monkeypatch, account_restore, {"accounts": [{"user": "abrt", "restore_point": POINT}]}, calls)
    assert result["failed"] is True
    assert result["msg"] == f'verify_new_username_for_restore refused "abrt": {reason}'
    assert result["function"] == "verify_new_username_for_restore"


def test_in_flight_restore_is_waited_for_not_queued_again(monkeypatch):
    calls = [
        listaccts(),
        queue_state(active=["alice"], is_active=1),
        list_completed(),
        Call("restore_queue_activate", {}),
        queue_state(done=[completed("alice", 1, 4000)]),
        list_completed(completed("alice", 1, 4000)),
    ]
    result = run(monkeypatch, account_restore, {"accounts": [{"user": "alice", "restore_point": POINT}]}, calls)
    assert result["failed"] is False
    assert result["changed"] is False
    assert result["accounts"][0]["result"] == "success"


def test_legacy_restoreaccount_runs_as_a_session(monkeypatch):
    text = "\n".join(item_lines("alice", "alice", [("RESTORE", "success")], item_type="LegacyAccountBackup"))
    calls = [
        listaccts(),
        verify("alice"),
        Call(
            "restoreaccount",
            {"user": "alice", "type": "weekly", "mail": "1"},
            envelope(
                "restoreaccount",
                reason="Account Restoring in background",
                data={"transfer_session_id": SESSION, "pid": 5},
            ),
        ),
        state("RUNNING"),
        state("COMPLETED"),
        log("master.log", text),
    ]
    args = {"method": "legacy", "accounts": [{"user": "alice", "backup_type": "weekly", "mail_config": True}]}
    result = run(monkeypatch, account_restore, args, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["accounts"][0]["result"] == "success"
    assert result["accounts"][0]["transfer_session_id"] == SESSION


@pytest.mark.parametrize(
    "args, message",
    [
        ({"accounts": [{"user": "alice"}]}, "accounts[0]: restore_point is required with method=queue."),
        (
            {"method": "legacy", "accounts": [{"user": "alice"}]},
            "accounts[0]: backup_type (daily, weekly or monthly) is required with method=legacy.",
        ),
        (
            {"accounts": [{"user": "a", "restore_point": POINT}, {"user": "a", "restore_point": POINT}]},
            'accounts[1]: the account "a" is listed twice.',
        ),
    ],
)
def test_bad_input(monkeypatch, args, message):
    result = run(monkeypatch, account_restore, args, [])
    assert result["failed"] is True
    assert result["msg"] == message
