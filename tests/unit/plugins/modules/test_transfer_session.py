# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest

from ansible_collections.hosting.whm.plugins.modules import transfer_session
from ansible_collections.hosting.whm.tests.unit.plugins.module_utils.test_transfers import item_lines
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run

SESSION = "sourceexamplet0copya20261128120000AbCd"
REMOTE_PASSWORD = "Source-Root-Pw-1!"
REMOTE = {"remote_host": "source.example.test", "remote_password": REMOTE_PASSWORD, "comm_transport": "whostmgr"}
CHUNK = {"api.chunk.enable": "1", "api.chunk.verbose": "1", "api.chunk.size": "1000", "api.chunk.start": "1"}
CREDENTIALS = {"host": "source.example.test", "user": "root", "password": REMOTE_PASSWORD}
SESSION_PARAMS = dict(
    CREDENTIALS,
    comm_transport="whostmgr",
    transfer_threads="1",
    restore_threads="1",
    unrestricted_restore="0",
    copy_reseller_privs="0",
    compressed="0",
    unencrypted="0",
    use_backups="0",
    low_priority="0",
    enable_custom_pkgacct="0",
)
ID = {"transfer_session_id": SESSION}


def listaccts(*accounts):
    records = [{"user": user, "domain": domain} for user, domain in accounts]
    return Call("listaccts", dict(CHUNK, want="user,domain"), envelope("listaccts", data={"acct": records}))


def listpkgs(*names):
    return Call("listpkgs", {"want": "all"}, envelope("listpkgs", data={"pkg": [{"name": n} for n in names]}))


def validate(user, valid=True):
    data = {"exists": 0, "valid_for_transfer": int(valid), "valid_for_new": int(valid), "reserved": 0}
    return Call("validate_system_user", {"user": user}, envelope("validate_system_user", data=data))


def validate_batch(*users):
    """Several local usernames checked in one WHM batch request of validate_system_user reads."""
    params = [
        (f"command-{index}", f"validate_system_user?api.version=1&user={user}") for index, user in enumerate(users)
    ]
    answers = [validate(user).response for user in users]
    return Call("batch", params, envelope("batch", data={"result": answers}))


def create():
    return Call(
        "create_remote_root_transfer_session",
        SESSION_PARAMS,
        envelope(
            "create_remote_root_transfer_session",
            data={"transfer_session_id": SESSION, "create_rawout": "", "analyze_rawout": ""},
        ),
    )


def analysis(*accounts, packages=()):
    data = {
        "transfer_session_id": SESSION,
        "items": {
            "accounts": [{"user": user, "domain": domain, "owner": "root"} for user, domain in accounts],
            "packages": [{"name": name, "featurelist": "default"} for name in packages],
        },
    }
    return Call(
        "retrieve_transfer_session_remote_analysis",
        ID,
        envelope("retrieve_transfer_session_remote_analysis", data=data),
    )


def state(name):
    return Call("get_transfer_session_state", ID, envelope("get_transfer_session_state", data={"state_name": name}))


def log(logfile, text):
    return Call(
        "fetch_transfer_session_log",
        dict(ID, logfile=logfile),
        envelope("fetch_transfer_session_log", data={"log": text}),
    )


def batch(*commands, results=None):
    """A batch of enqueue_transfer_item commands with abort_on_error (checked by content)."""
    pairs = [(f"command-{i}", f"enqueue_transfer_item?{cmd}") for i, cmd in enumerate(commands)]
    answers = results or [envelope("enqueue_transfer_item") for dummy in commands]
    return Call(
        "batch",
        pairs + [("abort_on_error", "1")],
        envelope("batch", result=int(all(a["metadata"]["result"] for a in answers)), data={"result": answers}),
        check_params=False,
    )


def enqueued(calls):
    """The enqueue_transfer_item parameters sent in the run's batch requests."""
    items = []
    for function, pairs in calls:
        if function == "batch":
            for key, value in pairs:
                if key.startswith("command-") and value.startswith("enqueue_transfer_item?"):
                    items.append(dict(parse_qsl(value.split("?", 1)[1])))
    return items


GOOD_LOG = "\n".join(
    item_lines("alice", "alice", [("TRANSFER", "success"), ("RESTORE", "success")])
    + item_lines("bob", "bob2", [("TRANSFER", "success"), ("RESTORE", "success")])
    + item_lines(
        "carol",
        "carol",
        [("TRANSFER", "failed")],
        TRANSFER={"size": 1, "failure": "pkgacct failed on the source"},
    )
    + item_lines("gold", "gold", [("TRANSFER", "success"), ("RESTORE", "success")], item_type="PackageRemoteRoot")
)
CAROL_LOG = "\n".join(json.dumps({"type": "error", "contents": text}) for text in ("packaging carol", "disk full"))

ACCOUNTS = [
    {"user": "alice", "domain": "alice.example"},
    {"user": "bob", "localuser": "bob2"},
    {"user": "carol"},
    {"user": "dave", "domain": "dave.example"},
]


def full_run(wait_states=("RUNNING", "COMPLETED")):
    return [
        listaccts(("dave", "dave.example"), ("zed", "zed.example")),
        listpkgs("default"),
        validate_batch("alice", "bob2", "carol"),
        create(),
        analysis(("alice", "alice.example"), ("bob", "bob.example"), ("carol", "carol.example"), packages=["gold"]),
        batch("", "", "", ""),
        Call("start_transfer_session", ID, envelope("start_transfer_session", data={"pid": 4242})),
        *[state(name) for name in wait_states],
    ]


def test_transfer_with_rename_failure_and_a_present_account(monkeypatch):
    calls = full_run() + [log("master.log", GOOD_LOG), log("item-TRANSFER_AccountRemoteRoot_carol", CAROL_LOG)]
    args = dict(REMOTE, accounts=ACCOUNTS, packages=["gold"], allow_failed_items=True, poll_interval=1)
    result = run(monkeypatch, transfer_session, args, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True
    assert result["session_id"] == SESSION
    assert result["state"] == "COMPLETED"
    by_user = {entry["user"]: entry for entry in result["accounts"]}
    assert {user: entry["result"] for user, entry in by_user.items()} == {
        "alice": "success",
        "bob": "success",
        "carol": "failed",
        "dave": "present",
    }
    assert by_user["bob"]["localuser"] == "bob2"
    assert by_user["bob"]["domain"] == "bob.example"
    assert by_user["carol"]["failure"] == "pkgacct failed on the source"
    assert by_user["carol"]["log_excerpt"] == "packaging carol\ndisk full"
    assert result["packages"] == [{"package": "gold", "result": "success", "failure": None}]
    assert enqueued(result["_calls"]) == [
        {"api.version": "1", "transfer_session_id": SESSION, "module": "PackageRemoteRoot", "package": "gold"},
        {
            "api.version": "1",
            "transfer_session_id": SESSION,
            "module": "AccountRemoteRoot",
            "user": "alice",
            "localuser": "alice",
            "domain": "alice.example",
        },
        {
            "api.version": "1",
            "transfer_session_id": SESSION,
            "module": "AccountRemoteRoot",
            "user": "bob",
            "localuser": "bob2",
            "domain": "bob.example",
        },
        {
            "api.version": "1",
            "transfer_session_id": SESSION,
            "module": "AccountRemoteRoot",
            "user": "carol",
            "localuser": "carol",
            "domain": "carol.example",
        },
    ]
    assert result["diff"]["after"]["accounts"] == ["alice", "bob2", "carol", "dave", "zed"]
    assert REMOTE_PASSWORD not in json.dumps({k: v for k, v in result.items() if k != "_calls"})


def test_a_failed_item_fails_the_task_with_the_results(monkeypatch):
    calls = full_run() + [log("master.log", GOOD_LOG), log("item-TRANSFER_AccountRemoteRoot_carol", CAROL_LOG)]
    args = dict(REMOTE, accounts=ACCOUNTS, packages=["gold"])
    result = run(monkeypatch, transfer_session, args, calls)
    assert result["failed"] is True
    assert result["msg"] == (
        f"Transfer session {SESSION} ended COMPLETED; items not transferred: carol. "
        "See accounts for each account's failure and log excerpt."
    )
    assert result["session_id"] == SESSION
    assert [e["result"] for e in result["accounts"]] == ["success", "success", "failed", "present"]


def test_nothing_to_do_creates_no_session(monkeypatch):
    calls = [listaccts(("alice", "alice.example"), ("bob2", "bob.example")), listpkgs("gold")]
    args = dict(REMOTE, accounts=[{"user": "alice"}, {"user": "bob", "localuser": "bob2"}], packages=["gold"])
    result = run(monkeypatch, transfer_session, args, calls)
    assert result["failed"] is False
    assert result["changed"] is False
    assert result["session_id"] is None
    assert [(e["user"], e["result"], e["domain"]) for e in result["accounts"]] == [
        ("alice", "present", "alice.example"),
        ("bob", "present", "bob.example"),
    ]
    assert result["packages"] == [{"package": "gold", "result": "present"}]
    assert result["diff"]["before"] == result["diff"]["after"]


def test_check_mode_checks_the_login_and_creates_nothing(monkeypatch):
    calls = [
        listaccts(),
        validate("alice"),
        Call(
            "remote_basic_credential_check",
            CREDENTIALS,
            envelope("remote_basic_credential_check", data={"output": "basic credential check", "response": ""}),
        ),
    ]
    result = run(monkeypatch, transfer_session, dict(REMOTE, accounts=[{"user": "alice"}]), calls, check_mode=True)
    assert result["failed"] is False
    assert result["changed"] is True
    assert result["session_id"] is None
    assert result["accounts"][0]["result"] == "planned"


def test_check_mode_reports_a_refused_login_without_the_password(monkeypatch):
    reason = f"The remote basic credential check failed: Permission denied for root ({REMOTE_PASSWORD})"
    calls = [
        listaccts(),
        validate("alice"),
        Call("remote_basic_credential_check", CREDENTIALS, envelope("remote_basic_credential_check", 0, reason)),
    ]
    result = run(monkeypatch, transfer_session, dict(REMOTE, accounts=[{"user": "alice"}]), calls, check_mode=True)
    assert result["failed"] is True
    assert result["msg"].startswith("WHM API function remote_basic_credential_check failed on whm.example.com:2087")
    assert "Permission denied for root (********)" in result["msg"]
    assert REMOTE_PASSWORD not in json.dumps({k: v for k, v in result.items() if k != "_calls"})


def test_conflicts_fail_before_any_write(monkeypatch):
    calls = [listaccts(("alice", "other.example"), ("zed", "bob.example"))]
    accounts = [{"user": "alice", "domain": "alice.example"}, {"user": "bob", "domain": "bob.example"}]
    result = run(monkeypatch, transfer_session, dict(REMOTE, accounts=accounts), calls)
    assert result["failed"] is True
    assert result["msg"] == (
        "Accounts conflict with the destination, nothing was transferred: "
        '"alice" (restored as "alice"): the destination already has an account "alice", with domain other.example; '
        '"bob" (restored as "bob"): the domain bob.example belongs to the destination account "zed".'
    )
    assert [c[0] for c in result["_calls"]] == ["listaccts"]


def test_conflict_found_by_the_analysis_is_skipped(monkeypatch, capsys):
    calls = [
        listaccts(("zed", "bob.example")),
        validate_batch("alice", "bob"),
        create(),
        analysis(("alice", "alice.example"), ("bob", "bob.example")),
        batch(""),
    ]
    args = dict(REMOTE, accounts=[{"user": "alice"}, {"user": "bob"}], on_conflict="skip", state="present")
    result = run(monkeypatch, transfer_session, args, calls)
    assert result["failed"] is False
    assert result["state"] == "PENDING"
    assert [(e["user"], e["result"]) for e in result["accounts"]] == [("alice", "queued"), ("bob", "conflict")]
    warning = 'Account "bob" not transferred: the domain bob.example belongs to the destination account "zed".'
    assert warning in capsys.readouterr().err
    assert [item["user"] for item in enqueued(result["_calls"])] == ["alice"]


def test_account_missing_on_the_source_aborts_the_new_session(monkeypatch):
    calls = [
        listaccts(),
        validate("ghost"),
        create(),
        analysis(("alice", "alice.example")),
        Call("abort_transfer_session", ID),
    ]
    result = run(monkeypatch, transfer_session, dict(REMOTE, accounts=[{"user": "ghost"}]), calls)
    assert result["failed"] is True
    assert result["msg"] == (
        f"Not found on the source server (retrieve_transfer_session_remote_analysis of session {SESSION}, "
        "which was aborted): accounts ghost."
    )
    assert result["_calls"][-1][0] == "abort_transfer_session"


def test_missing_analysis_is_run_again(monkeypatch):
    calls = [
        listaccts(),
        validate("alice"),
        create(),
        Call(
            "retrieve_transfer_session_remote_analysis",
            ID,
            envelope("retrieve_transfer_session_remote_analysis", 0, "The analysis has not run."),
        ),
        Call("analyze_transfer_session_remote", ID),
        analysis(("alice", "alice.example")),
        batch(""),
    ]
    result = run(monkeypatch, transfer_session, dict(REMOTE, accounts=[{"user": "alice"}], state="present"), calls)
    assert result["failed"] is False
    assert result["session_id"] == SESSION


def test_enqueue_failure_names_the_function_and_aborts(monkeypatch):
    reason = "(XID abc) The \u201cbogus\u201d parameter is not valid for the \u201cAccountRemoteRoot\u201d module."
    calls = [
        listaccts(),
        validate("alice"),
        create(),
        analysis(("alice", "alice.example")),
        batch("", results=[envelope("enqueue_transfer_item", 0, reason)]),
        Call("abort_transfer_session", ID),
    ]
    result = run(monkeypatch, transfer_session, dict(REMOTE, accounts=[{"user": "alice"}]), calls)
    assert result["failed"] is True
    assert result["msg"] == (
        f"WHM API function enqueue_transfer_item failed on whm.example.com:2087 (session {SESSION}, which was "
        f"aborted): {reason}"
    )


def test_unknown_item_option_is_refused_before_any_write(monkeypatch):
    schema = {"schema": {"primary": ["user"], "required": ["user", "localuser"], "keys": {"user": {}, "force": {}}}}
    calls = [
        Call("transfer_module_schema", {"module": "AccountRemoteRoot"}, envelope("transfer_module_schema", data=schema))
    ]
    accounts = [{"user": "alice", "options": {"force": 1, "skipeverything": 1}}]
    result = run(monkeypatch, transfer_session, dict(REMOTE, accounts=accounts), calls)
    assert result["failed"] is True
    assert result["msg"] == (
        "Account options not known to the AccountRemoteRoot transfer module (transfer_module_schema): skipeverything."
    )


def test_wait_timeout_reports_the_session(monkeypatch):
    calls = full_run(wait_states=("RUNNING",))
    args = dict(REMOTE, accounts=ACCOUNTS, packages=["gold"], wait_timeout=0)
    result = run(monkeypatch, transfer_session, args, calls)
    assert result["failed"] is True
    assert result["msg"].startswith(f"Transfer session {SESSION} is still RUNNING after 0 s")
    assert result["session_id"] == SESSION
    assert result["state"] == "RUNNING"


@pytest.mark.parametrize(
    "wanted, before, call, after",
    [
        ("paused", "RUNNING", "pause_transfer_session", "PAUSED"),
        ("paused", "PAUSED", None, "PAUSED"),
        ("started", "PAUSED", "start_transfer_session", "COMPLETED"),
        ("started", "COMPLETED", None, "COMPLETED"),
        ("aborted", "RUNNING", "abort_transfer_session", "ABORTED"),
        ("aborted", "ABORTED", None, "ABORTED"),
    ],
)
def test_manage_an_existing_session(monkeypatch, wanted, before, call, after):
    calls = [state(before)]
    if call:
        calls += [Call(call, ID), state(after)]
    if after in ("COMPLETED", "ABORTED"):
        calls.append(
            log(
                "master.log", "\n".join(item_lines("alice", "alice", [("TRANSFER", "success"), ("RESTORE", "success")]))
            )
        )
    result = run(monkeypatch, transfer_session, {"session_id": SESSION, "state": wanted}, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is (call is not None)
    assert result["state"] == after
    assert result["diff"] == {"before": {"state": before}, "after": {"state": after}}
    if after in ("COMPLETED", "ABORTED"):
        assert result["accounts"][0]["result"] == "success"


@pytest.mark.parametrize("wanted, verb", [("paused", "pause"), ("aborted", "abort")])
def test_pause_or_abort_an_ended_session_warns(monkeypatch, capsys, wanted, verb):
    calls = [
        state("COMPLETED"),
        log("master.log", "\n".join(item_lines("alice", "alice", [("TRANSFER", "success"), ("RESTORE", "success")]))),
    ]
    result = run(monkeypatch, transfer_session, {"session_id": SESSION, "state": wanted}, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is False
    warning = f"Session {SESSION} already ended (COMPLETED); there is nothing to {verb}."
    assert warning in capsys.readouterr().err


def test_manage_in_check_mode_predicts(monkeypatch):
    result = run(
        monkeypatch, transfer_session, {"session_id": SESSION, "state": "paused"}, [state("RUNNING")], check_mode=True
    )
    assert result["changed"] is True
    assert result["state"] == "PAUSING"


def test_pause_waits_until_paused(monkeypatch):
    calls = [state("RUNNING"), Call("pause_transfer_session", ID), state("PAUSING"), state("PAUSING"), state("PAUSED")]
    result = run(monkeypatch, transfer_session, {"session_id": SESSION, "state": "paused", "poll_interval": 1}, calls)
    assert result["state"] == "PAUSED"
    assert result["transfer_items"] == []


def test_unknown_session(monkeypatch):
    reason = f"(XID 7q) The session ID \u201c{SESSION}\u201d does not exist."
    calls = [Call("get_transfer_session_state", ID, envelope("get_transfer_session_state", 0, reason))]
    result = run(monkeypatch, transfer_session, {"session_id": SESSION, "state": "started"}, calls)
    assert result["failed"] is True
    assert result["msg"] == f"Transfer session not found: {SESSION} (get_transfer_session_state: {reason})"


@pytest.mark.parametrize(
    "args, message",
    [
        (
            {"state": "paused", "accounts": [{"user": "a"}]},
            "state=paused needs the session_id of the session to change.",
        ),
        ({"accounts": [{"user": "a"}]}, "remote_host is required to create a transfer session."),
        (
            {"remote_host": "s.example", "accounts": [{"user": "a"}]},
            "Give remote_password or remote_ssh_key_name to log in to the source server.",
        ),
        (dict(REMOTE), "Give accounts, packages or feature_lists to transfer, or a session_id to manage a session."),
        (
            {"session_id": "no/slashes"},
            'The transfer session ID "no/slashes" is not valid: '
            "WHM session IDs hold only letters, digits and underscores.",
        ),
    ],
)
def test_bad_input(monkeypatch, args, message):
    result = run(monkeypatch, transfer_session, args, [])
    assert result["failed"] is True
    assert result["msg"] == message
    assert result["_calls"] == []


def test_session_id_and_accounts_are_exclusive(monkeypatch):
    result = run(monkeypatch, transfer_session, {"session_id": SESSION, "accounts": [{"user": "a"}]}, [])
    assert result["failed"] is True
    assert "mutually exclusive" in result["msg"]


def test_feature_lists_go_first_and_present_ones_are_skipped(monkeypatch):
    text = "\n".join(
        item_lines("shop", "shop", [("TRANSFER", "success"), ("RESTORE", "success")], item_type="FeatureListRemoteRoot")
    )
    calls = [
        listaccts(),
        listpkgs("default"),
        Call("get_featurelists", {}, envelope("get_featurelists", data={"featurelists": ["default", "mail"]})),
        create(),
        analysis(packages=["gold"]),
        batch("", ""),
        Call("start_transfer_session", ID, envelope("start_transfer_session", data={"pid": 1})),
        state("COMPLETED"),
        log(
            "master.log",
            text
            + "\n"
            + "\n".join(
                item_lines(
                    "gold", "gold", [("TRANSFER", "success"), ("RESTORE", "success")], item_type="PackageRemoteRoot"
                )
            ),
        ),
    ]
    args = dict(REMOTE, packages=["gold"], feature_lists=["mail", "shop"])
    result = run(monkeypatch, transfer_session, args, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["feature_lists"] == [
        {"feature_list": "mail", "result": "present"},
        {"feature_list": "shop", "result": "success", "failure": None},
    ]
    assert [(item["module"], item.get("featurelist", item.get("package"))) for item in enqueued(result["_calls"])] == [
        ("FeatureListRemoteRoot", "shop"),
        ("PackageRemoteRoot", "gold"),
    ]
    assert result["diff"]["after"]["feature_lists"] == ["default", "mail", "shop"]


def test_ssh_key_login_in_check_mode_keeps_the_passphrase_secret(monkeypatch):
    passphrase = "Key-Passphrase-7!"
    reason = f"The remote basic credential check failed: bad passphrase {passphrase}"
    credentials = {
        "host": "source.example.test",
        "user": "root",
        "sshkey_name": "old_key",
        "sshkey_passphrase": passphrase,
        "port": "2222",
    }
    calls = [
        listaccts(),
        validate("alice"),
        Call("remote_basic_credential_check", credentials, envelope("remote_basic_credential_check", 0, reason)),
    ]
    args = {
        "remote_host": "source.example.test",
        "remote_ssh_key_name": "old_key",
        "remote_ssh_key_passphrase": passphrase,
        "remote_port": 2222,
        "accounts": [{"user": "alice"}],
    }
    result = run(monkeypatch, transfer_session, args, calls, check_mode=True)
    assert result["failed"] is True
    assert result["msg"].endswith("bad passphrase ********")
    assert passphrase not in json.dumps({k: v for k, v in result.items() if k != "_calls"})


# -- user-authenticated sessions (create_remote_user_transfer_session, AccountRemoteUser) -------

USER_PASSWORD = "Carol-cPanel-Pw-9!"
USER_SESSION = {
    "session_type": "user",
    "remote_host": "source.example.test",
    "remote_user": "carol",
    "remote_password": USER_PASSWORD,
}


def create_user_session(unrestricted="0"):
    return Call(
        "create_remote_user_transfer_session",
        {"host": "source.example.test", "password": USER_PASSWORD, "unrestricted_restore": unrestricted},
        envelope("create_remote_user_transfer_session", data={"transfer_session_id": SESSION}),
    )


def user_item_log(local, outcomes, **msgs):
    return "\n".join(item_lines("carol", local, outcomes, item_type="AccountRemoteUser", **msgs))


def test_user_session_transfers_the_users_account_renamed(monkeypatch):
    calls = [
        listaccts(("zed", "zed.example")),
        validate("carolshop"),
        create_user_session(unrestricted="1"),
        batch(""),
        Call("start_transfer_session", ID, envelope("start_transfer_session", data={"pid": 99})),
        state("RUNNING"),
        state("COMPLETED"),
        log("master.log", user_item_log("carolshop", [("TRANSFER", "success"), ("RESTORE", "success")])),
    ]
    args = dict(
        USER_SESSION,
        unrestricted_restore=True,
        accounts=[{"user": "carol", "localuser": "carolshop", "domain": "Carol.Example", "skipbwdata": True}],
        poll_interval=1,
    )
    result = run(monkeypatch, transfer_session, args, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True
    assert result["session_id"] == SESSION
    assert result["state"] == "COMPLETED"
    assert result["accounts"] == [
        {
            "user": "carol",
            "localuser": "carolshop",
            "domain": "carol.example",
            "result": "success",
            "failure": None,
            "warnings": 0,
            "skipped_items": 0,
            "warning_messages": [],
            "skipped_messages": [],
            "log_excerpt": "",
        }
    ]
    assert enqueued(result["_calls"]) == [
        {
            "api.version": "1",
            "transfer_session_id": SESSION,
            "module": "AccountRemoteUser",
            "user": "carol",
            "localuser": "carolshop",
            "domain": "carol.example",
            "skipbwdata": "1",
        }
    ]
    # No remote analysis and no credential check in a user session.
    functions = [function for function, dummy in result["_calls"]]
    assert "retrieve_transfer_session_remote_analysis" not in functions
    assert "create_remote_root_transfer_session" not in functions
    assert result["diff"]["after"]["accounts"] == ["carolshop", "zed"]
    assert USER_PASSWORD not in json.dumps({k: v for k, v in result.items() if k != "_calls"})


def test_user_session_without_accounts_moves_the_remote_user_and_hides_the_password(monkeypatch):
    failure = f"The login for the cPanel user carol failed (password {USER_PASSWORD})"
    calls = [
        listaccts(),
        validate("carol"),
        create_user_session(),
        batch(""),
        Call("start_transfer_session", ID, envelope("start_transfer_session", data={"pid": 99})),
        state("COMPLETED"),
        log("master.log", user_item_log("carol", [("TRANSFER", "failed")], TRANSFER={"failure": failure})),
        log("item-TRANSFER_AccountRemoteUser_carol", json.dumps({"type": "error", "contents": failure})),
    ]
    result = run(monkeypatch, transfer_session, USER_SESSION, calls)
    assert result["failed"] is True
    assert result["msg"].startswith(f"Transfer session {SESSION} ended COMPLETED; items not transferred: carol.")
    entry = result["accounts"][0]
    assert (entry["user"], entry["localuser"], entry["result"]) == ("carol", "carol", "failed")
    assert "(password ********)" in entry["failure"]
    assert "(password ********)" in entry["log_excerpt"]
    assert enqueued(result["_calls"])[0]["module"] == "AccountRemoteUser"
    assert USER_PASSWORD not in json.dumps({k: v for k, v in result.items() if k != "_calls"})


def test_user_session_account_present_creates_no_session(monkeypatch):
    calls = [listaccts(("carolshop", "carol.example"), ("zed", "zed.example"))]
    args = dict(USER_SESSION, accounts=[{"user": "carol", "localuser": "carolshop", "domain": "carol.example"}])
    result = run(monkeypatch, transfer_session, args, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is False
    assert result["session_id"] is None
    assert [(e["localuser"], e["result"]) for e in result["accounts"]] == [("carolshop", "present")]


def test_user_session_check_mode_reads_only_and_warns_it_did_not_log_in(monkeypatch, capsys):
    calls = [listaccts(), validate("carol")]
    result = run(monkeypatch, transfer_session, USER_SESSION, calls, check_mode=True)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True
    assert result["session_id"] is None
    assert result["accounts"][0]["result"] == "planned"
    warning = (
        'Check mode did not log in to source.example.test: WHM checks the cPanel password of "carol" only when '
        "the session runs."
    )
    assert warning in capsys.readouterr().err


def test_user_session_source_name_on_the_destination_conflicts_before_any_write(monkeypatch):
    # AccountRemoteUser fails when the source name exists on the destination, even renamed.
    calls = [listaccts(("carol", "other.example"))]
    args = dict(USER_SESSION, accounts=[{"user": "carol", "localuser": "carol2"}])
    result = run(monkeypatch, transfer_session, args, calls)
    assert result["failed"] is True
    assert result["msg"].startswith('Accounts conflict with the destination, nothing was transferred: "carol"')
    assert "even renamed" in result["msg"]
    assert [function for function, dummy in result["_calls"]] == ["listaccts"]


def test_user_session_item_options_are_checked_against_the_user_module(monkeypatch):
    schema = {"schema": {"primary": ["user"], "required": ["user", "localuser"], "keys": {"force": {"def": "int"}}}}
    calls = [
        Call(
            "transfer_module_schema",
            {"module": "AccountRemoteUser"},
            envelope("transfer_module_schema", data=schema),
        )
    ]
    args = dict(USER_SESSION, accounts=[{"user": "carol", "options": {"bogus": 1}}])
    result = run(monkeypatch, transfer_session, args, calls)
    assert result["failed"] is True
    assert result["msg"] == (
        "Account options not known to the AccountRemoteUser transfer module (transfer_module_schema): bogus."
    )


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            {"remote_user": "root"},
            "session_type=user logs in to the source as a cPanel user: set remote_user to the name of the account "
            "to transfer (root logins use session_type=root).",
        ),
        ({"remote_password": None}, 'session_type=user needs remote_password, the cPanel password of "carol".'),
        (
            {"packages": ["gold"]},
            "packages and feature_lists need root on the source: a user session (session_type=user) transfers only "
            "the account of remote_user. Use session_type=root with the source's root login for them.",
        ),
        (
            {"feature_lists": ["default"]},
            "packages and feature_lists need root on the source: a user session (session_type=user) transfers only "
            "the account of remote_user. Use session_type=root with the source's root login for them.",
        ),
        (
            {"root_escalation_method": "su", "comm_transport": "whostmgr"},
            "root_escalation_method, comm_transport: only for root sessions; create_remote_user_transfer_session "
            "takes the host, the cPanel password and unrestricted_restore only.",
        ),
        (
            {"accounts": [{"user": "carol"}, {"user": "dave"}]},
            'A user session transfers exactly one account, the one of remote_user "carol": give at most one entry '
            "in accounts, with user carol.",
        ),
        (
            {"accounts": [{"user": "dave"}]},
            'A user session transfers exactly one account, the one of remote_user "carol": give at most one entry '
            "in accounts, with user carol.",
        ),
    ],
)
def test_user_session_bad_input(monkeypatch, extra, message):
    result = run(monkeypatch, transfer_session, dict(USER_SESSION, **extra), [])
    assert result["failed"] is True
    assert result["msg"] == message
    assert result["_calls"] == []


def test_manage_a_user_session_reports_its_account(monkeypatch):
    calls = [
        state("PENDING"),
        Call("start_transfer_session", ID),
        state("COMPLETED"),
        log("master.log", user_item_log("carolshop", [("TRANSFER", "success"), ("RESTORE", "success")])),
    ]
    result = run(monkeypatch, transfer_session, {"session_id": SESSION, "state": "started"}, calls)
    assert result["failed"] is False, result.get("msg")
    assert [(e["user"], e["localuser"], e["result"]) for e in result["accounts"]] == [("carol", "carolshop", "success")]
