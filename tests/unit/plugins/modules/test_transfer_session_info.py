# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.hosting.whm.plugins.modules import transfer_session_info
from ansible_collections.hosting.whm.tests.unit.plugins.module_utils.test_transfers import DOC_FAILURE, DOCS_MASTER_LOG
from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_transfer_session import ID, SESSION, log, state
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run


def test_ended_session_with_items_and_log(monkeypatch):
    calls = [
        state("COMPLETED"),
        log("master.log", DOCS_MASTER_LOG),
        log("item-RESTORE_AccountRemoteUser_root", '{"type":"error","contents":"already exists"}'),
        log("master.log", DOCS_MASTER_LOG),
    ]
    result = run(
        monkeypatch, transfer_session_info, {"session_id": SESSION, "include_log": True}, calls, check_mode=True
    )
    assert result["failed"] is False
    assert result["changed"] is False
    assert result["terminal"] is True
    assert result["master_log"] == DOCS_MASTER_LOG
    [item] = result["transfer_items"]
    assert item["item"] == "root"
    assert item["item_type"] == "AccountRemoteUser"
    assert item["result"] == "failed"
    assert item["failure"] == DOC_FAILURE
    assert item["log_excerpt"] == "already exists"


def test_running_session_log_is_not_read(monkeypatch):
    result = run(monkeypatch, transfer_session_info, {"session_id": SESSION, "include_log": True}, [state("RUNNING")])
    assert result["state"] == "RUNNING"
    assert result["terminal"] is False
    assert result["transfer_items"] == []
    assert "master_log" not in result


def test_never_started_session_has_no_log(monkeypatch):
    reason = "(XID 3) The system failed to locate either the file \u201cmaster.log\u201d or \u201c.master.log\u201d."
    calls = [
        state("FAILED"),
        Call(
            "fetch_transfer_session_log",
            dict(ID, logfile="master.log"),
            envelope("fetch_transfer_session_log", 0, reason),
        ),
    ]
    result = run(monkeypatch, transfer_session_info, {"session_id": SESSION}, calls)
    assert result["failed"] is False
    assert result["transfer_items"] == []


def test_capabilities_without_a_session(monkeypatch):
    summary = [{"module": "Account", "summary": ["creates the account"], "restricted_available": 1}]
    calls = [
        Call(
            "available_transfer_modules",
            {},
            envelope(
                "available_transfer_modules",
                data={"modules": {"PackageRemoteRoot": "2000", "AccountRemoteRoot": "3000"}},
            ),
        ),
        Call("restore_modules_summary", {}, envelope("restore_modules_summary", data={"modules": summary})),
    ]
    result = run(monkeypatch, transfer_session_info, {}, calls, check_mode=True)
    assert result["transfer_modules"] == ["AccountRemoteRoot", "PackageRemoteRoot"]
    assert result["restore_modules"] == summary
