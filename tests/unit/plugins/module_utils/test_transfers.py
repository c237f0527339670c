# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.hosting.whm.plugins.module_utils import _transfers
from ansible_collections.hosting.whm.plugins.module_utils._errors import WHMInputError


def control(pid=100, **contents):
    return json.dumps({"type": "control", "pid": pid, "indent": 0, "partial": 0, "contents": contents})


# The master.log example of cPanel's fetch_transfer_session_log documentation (a user session
# whose only item fails in both phases), line for line.
DOC_FAILURE = "The account \u201croot\u201d already exists on \u201ccontrol.box.new\u201d."
DOCS_MASTER_LOG = "\n".join(
    [
        control(action="start", time=1598991042, child_number=0),
        control(action="initiator", time=1598991042, child_number=0, msg="norootcopy"),
        control(action="version", time=1598991042, child_number=0, msg=2.3),
        control(action="queue_count", queue="TRANSFER", time=1598991042, child_number=0, msg=1),
        control(action="remotehost", time=1598991042, child_number=0, msg="10.1.32.200"),
        control(
            action="start",
            item="root",
            local_item="root",
            queue="TRANSFER",
            logfile="item-TRANSFER_AccountRemoteUser_root",
            item_name="Account",
            item_type="AccountRemoteUser",
            child_number=1,
        ),
        control(
            action="start-item",
            item="root",
            local_item="root",
            queue="TRANSFER",
            logfile="item-TRANSFER_AccountRemoteUser_root",
            item_type="AccountRemoteUser",
            msg={"size": 1},
        ),
        control(
            action="failed-item",
            item="root",
            local_item="root",
            queue="TRANSFER",
            logfile="item-TRANSFER_AccountRemoteUser_root",
            item_type="AccountRemoteUser",
            msg={
                "dangerous_items": 0,
                "skipped_items": 0,
                "altered_items": 0,
                "failure": DOC_FAILURE,
                "size": 1,
                "warnings": 0,
                "contents": {"warnings": None, "skipped_items": None, "dangerous_items": None, "altered_items": None},
            },
        ),
        control(
            action="start-item",
            item="root",
            local_item="root",
            queue="RESTORE",
            logfile="item-RESTORE_AccountRemoteUser_root",
            item_type="AccountRemoteUser",
            msg={"size": 1},
        ),
        control(
            action="failed-item",
            item="root",
            local_item="root",
            queue="RESTORE",
            logfile="item-RESTORE_AccountRemoteUser_root",
            item_type="AccountRemoteUser",
            msg={"size": 1, "failure": DOC_FAILURE},
        ),
        control(action="complete", queue="TRANSFER", child_number=1),
        control(action="complete", queue="RESTORE", child_number=1),
        control(action="complete", child_number=0),
    ]
)


def item_lines(user, local, outcomes, item_type="AccountRemoteRoot", **msgs):
    lines = []
    for queue, outcome in outcomes:
        logfile = f"item-{queue}_{item_type}_{user}"
        common = {"item": user, "local_item": local, "queue": queue, "logfile": logfile, "item_type": item_type}
        lines.append(control(action="start-item", msg={"size": 1}, **common))
        if outcome:
            lines.append(control(action=f"{outcome}-item", msg=msgs.get(queue, {"size": 1}), **common))
    return lines


def test_docs_example_is_one_failed_item():
    parsed = _transfers.parse_master_log(DOCS_MASTER_LOG)
    assert list(parsed["items"]) == [("AccountRemoteUser", "root")]
    item = parsed["items"][("AccountRemoteUser", "root")]
    assert item["result"] == "failed"
    assert item["failure"] == DOC_FAILURE
    assert item["logs"] == {
        "TRANSFER": "item-TRANSFER_AccountRemoteUser_root",
        "RESTORE": "item-RESTORE_AccountRemoteUser_root",
    }
    # queue-level "complete" lines are not session events; the last one is
    assert parsed["events"] == ["complete"]
    assert parsed["failure"] is None


def test_outcomes_of_each_item():
    warning_msg = {
        "size": 1,
        "warnings": 2,
        "skipped_items": 1,
        "contents": {"warnings": ["PHP-FPM settings not restored", "zone template"], "skipped_items": ["2FA"]},
    }
    text = "\n".join(
        item_lines("alice", "alice", [("TRANSFER", "success"), ("RESTORE", "success")])
        + item_lines("bob", "bob2", [("TRANSFER", "success"), ("RESTORE", "warning")], RESTORE=warning_msg)
        + item_lines("carol", "carol", [("TRANSFER", "success"), ("RESTORE", None)])
        + item_lines("dave", "dave", [("TRANSFER", None)])
        + item_lines("gold", "gold", [("TRANSFER", "success"), ("RESTORE", "success")], item_type="PackageRemoteRoot")
        + ["not json", control(action="abort", child_number=0), "", "[1, 2]"]
    )
    items = _transfers.parse_master_log(text)["items"]
    results = {key[1]: item["result"] for key, item in items.items()}
    assert results == {
        "alice": "success",
        "bob": "warning",
        "carol": "incomplete",
        "dave": "pending",
        "gold": "success",
    }
    bob = items[("AccountRemoteRoot", "bob")]
    assert bob["local_item"] == "bob2"
    assert (bob["warnings"], bob["skipped_items"]) == (2, 1)
    assert bob["warning_messages"] == ["PHP-FPM settings not restored", "zone template"]
    assert bob["skipped_messages"] == ["2FA"]


def test_session_failure_message():
    text = control(action="fail", msg="The remote server went away.")
    parsed = _transfers.parse_master_log(text)
    assert parsed["failure"] == "The remote server went away."
    assert parsed["items"] == {}


def test_log_excerpt_keeps_the_last_lines():
    lines = [json.dumps({"type": "out", "contents": f"line {n}\n"}) for n in range(30)]
    lines.append(json.dumps({"type": "control", "contents": {"action": "percentage", "msg": 100}}))
    lines.append(json.dumps({"type": "error", "contents": "Restore failed: quota"}))
    excerpt = _transfers.log_excerpt("\n".join(lines), lines=3)
    assert excerpt == "line 28\nline 29\nRestore failed: quota"
    assert _transfers.log_excerpt("plain text\nsecond") == "plain text\nsecond"


def account(user, localuser=None, domain=None):
    return _transfers.normalise_accounts([{"user": user, "localuser": localuser, "domain": domain}])[0]


def test_plan_splits_present_conflicting_and_missing():
    accounts = [
        account("alice", domain="alice.example"),
        account("bob", domain="bob.example"),
        account("carol"),
        account("dave", "dave2"),
        account("erin", domain="taken.example"),
    ]
    destination = {"alice": "alice.example", "bob": "other.example", "carol": "carol.example", "zed": "taken.example"}
    plan = _transfers.plan_transfer(accounts, ["gold", "bronze"], destination, {"gold"})
    assert [a["user"] for a in plan["present"]] == ["alice", "carol"]
    assert plan["present"][1]["domain"] == "carol.example"
    assert [(c["user"], c["reason"]) for c in plan["conflicts"]] == [
        ("bob", 'the destination already has an account "bob", with domain other.example'),
        ("erin", 'the domain taken.example belongs to the destination account "zed"'),
    ]
    assert [a["localuser"] for a in plan["to_transfer"]] == ["dave2"]
    assert plan["packages_missing"] == ["bronze"]
    assert plan["packages_present"] == ["gold"]


@pytest.mark.parametrize(
    "accounts, message",
    [
        ([{"user": ""}], "accounts[0]: user is required."),
        ([{"user": "Bob"}], 'accounts[0]: The username "Bob" must be lowercase: WHM stores usernames in lowercase.'),
        ([{"user": "a"}, {"user": "a"}], 'accounts[1]: the source account "a" is listed twice.'),
        ([{"user": "a"}, {"user": "b", "localuser": "a"}], 'accounts[1]: two accounts would be restored as "a".'),
        (
            [{"user": "a", "options": {"localuser": "x"}}],
            "accounts[0]: set localuser as account options, not inside options.",
        ),
        ([{"user": "a", "replaceip": "some"}], 'accounts[0]: replaceip must be "all" or "basic".'),
    ],
)
def test_bad_accounts(accounts, message):
    with pytest.raises(WHMInputError) as caught:
        _transfers.normalise_accounts(accounts)
    assert str(caught.value) == message


def test_item_params_leave_unset_options_out():
    item = _transfers.normalise_accounts(
        [{"user": "bob", "localuser": "bob2", "skiphomedir": True, "ip": False, "options": {"mail_location": ".local"}}]
    )[0]
    assert _transfers.item_params(item) == {
        "user": "bob",
        "localuser": "bob2",
        "ip": False,
        "skiphomedir": True,
        "mail_location": ".local",
    }


def test_session_id_rule():
    _transfers.check_session_id("sourceexamplecopya20260101120000aBcD")
    with pytest.raises(WHMInputError):
        _transfers.check_session_id("../etc")


def test_skipaccount_restores_into_the_existing_account():
    [entry] = _transfers.normalise_accounts([{"user": "alice", "options": {"skipaccount": 1}}])
    plan = _transfers.plan_transfer([entry], [], {"alice": "alice.example"}, set())
    assert [a["user"] for a in plan["to_transfer"]] == ["alice"]
    assert plan["present"] == []


def test_plan_of_a_user_session_refuses_a_source_name_taken_on_the_destination():
    # AccountRemoteUser checks the source name against the destination's accounts (not localuser).
    accounts = _transfers.normalise_accounts(
        [{"user": "carol", "localuser": "carolshop"}, {"user": "dora", "localuser": "dora2"}, {"user": "erin"}]
    )
    dest = {"carolshop": "carol.example", "dora": "dora-elsewhere.example"}
    plan = _transfers.plan_transfer(accounts, [], dest, set(), source_name_checked=True)
    assert [a["user"] for a in plan["present"]] == ["carol"]
    assert [a["user"] for a in plan["conflicts"]] == ["dora"]
    assert "even renamed" in plan["conflicts"][0]["reason"]
    assert [a["user"] for a in plan["to_transfer"]] == ["erin"]
    # Root sessions check the local name only: the renamed dora is transferred.
    root_plan = _transfers.plan_transfer(accounts, [], dest, set())
    assert [a["user"] for a in root_plan["to_transfer"]] == ["dora", "erin"]
