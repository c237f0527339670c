"""Transfer sessions between two emulators (source and destination in one process)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from conftest import PASSWORD, Whm, strip_xid
from test_ssl_pki import self_signed

from whm_emulator import transfer_engine

SOURCE = "source.example.test"


def _port(server: Whm) -> int:
    return int(server.server.server_address[1])


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Tuple[Whm, Whm]]:
    source = Whm(tmp_path / "source", hostname=SOURCE, ip="192.0.2.20")
    dest = Whm(
        tmp_path / "dest",
        hostname="dest.example.test",
        ip="192.0.2.30",
        settings={"remote_port_map": f"{SOURCE}=127.0.0.1:{_port(source)}", "remote_ca": source.ca},
    )
    try:
        yield source, dest
    finally:
        transfer_engine.halt(dest.emulator)
        transfer_engine.halt(source.emulator)
        dest.close()
        source.close()


def new_session(dest: Whm, **extra: Any) -> str:
    params = {"host": SOURCE, "user": "root", "password": PASSWORD, "comm_transport": "whostmgr"}
    params.update(extra)
    return str(dest.ok("create_remote_root_transfer_session", params)["data"]["transfer_session_id"])


def state(dest: Whm, sid: str) -> str:
    return str(dest.ok("get_transfer_session_state", {"transfer_session_id": sid})["data"]["state_name"])


def wait_state(
    dest: Whm, sid: str, wanted: Tuple[str, ...] = ("COMPLETED", "ABORTED", "FAILED"), timeout: float = 30
) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = state(dest, sid)
        if current in wanted:
            return current
        time.sleep(0.05)
    raise AssertionError(f"session {sid} stuck in {state(dest, sid)}")


def master_log(dest: Whm, sid: str) -> List[Dict[str, Any]]:
    text = dest.ok("fetch_transfer_session_log", {"transfer_session_id": sid, "logfile": "master.log"})["data"]["log"]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def outcomes(log: List[Dict[str, Any]], queue: str) -> Dict[str, Tuple[str, Any]]:
    out = {}
    for entry in log:
        contents = entry["contents"]
        if contents.get("action") in ("success-item", "warning-item", "failed-item") and contents.get("queue") == queue:
            out[contents["item"]] = (contents["action"], contents["msg"])
    return out


def users(server: Whm) -> List[str]:
    return sorted(a["user"] for a in (server.ok("listaccts").get("data") or {}).get("acct", []))


def enqueue(dest: Whm, sid: str, module: str, **params: Any) -> Dict[str, Any]:
    return dest.call("enqueue_transfer_item", {"transfer_session_id": sid, "module": module, **params})


# ---------------------------------------------------------------------------------------------


def test_complete_session_with_conflict_rename_and_failure(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    source.ok("create_featurelist", {"featurelist": "pro", "cron": "1"})
    source.ok("addpkg", {"name": "gold", "quota": "2048", "maxftp": "7", "featurelist": "pro"})
    source.create("alice", plan="gold", contactemail="alice@example.net")
    crt, key = self_signed(["alice.example.com"])
    assert source.ok("installssl", {"domain": "alice.example.com", "crt": crt, "key": key})
    source.create("bob")
    source.create("carol")
    source.ok("addzonerecord", {"domain": "carol.example.com", "name": "extra", "type": "TXT", "txtdata": "kept"})
    source.create("dave")
    dest.create("bob", domain="bob-local.example.org")  # conflicting username on the destination
    dest.admin("POST", "settings", {"transfer_fail_users": "dave"})

    sid = new_session(dest, transfer_threads="2", restore_threads="2")
    assert len(sid) == 36 and sid.startswith("sourceexamplecopya")
    analysis = dest.ok("retrieve_transfer_session_remote_analysis", {"transfer_session_id": sid})["data"]
    assert {a["user"] for a in analysis["items"]["accounts"]} == {"alice", "bob", "carol", "dave"}
    assert analysis["remote"]["conflicts"]["users"] == {"bob": 1}
    assert {p["name"] for p in analysis["items"]["packages"]} >= {"gold"}
    # The destination logged in and made a transfer token on the source, as WHM does.
    tokens = source.ok("api_token_list")["data"]["tokens"]
    assert any(name.startswith("transfer-") for name in tokens)

    assert enqueue(dest, sid, "PackageRemoteRoot", package="gold")["metadata"]["result"] == 1
    assert enqueue(dest, sid, "FeatureListRemoteRoot", featurelist="pro")["metadata"]["result"] == 1
    assert enqueue(dest, sid, "FeatureListRemoteRoot", featurelist="missing")["metadata"]["result"] == 1
    for user, local in (("alice", "alice"), ("bob", "bob"), ("carol", "carol2"), ("dave", "dave")):
        envelope = enqueue(dest, sid, "AccountRemoteRoot", user=user, localuser=local)
        assert envelope["metadata"]["result"] == 1, envelope
        assert "data" not in envelope
    assert state(dest, sid) == "PENDING"
    pid = dest.ok("start_transfer_session", {"transfer_session_id": sid})["data"]["pid"]
    assert isinstance(pid, int)
    assert wait_state(dest, sid) == "COMPLETED"  # COMPLETED even though items failed

    log = master_log(dest, sid)
    transfer, restore = outcomes(log, "TRANSFER"), outcomes(log, "RESTORE")
    assert restore["alice"][0] == "success-item"
    assert restore["carol"][0] == "success-item"
    assert restore["gold"][0] == "success-item"
    assert restore["pro"][0] == "success-item"
    assert transfer["missing"][0] == "failed-item"
    assert dest.ok("read_featurelist", {"featurelist": "pro"})["data"]["features"]["cron"] == 1
    assert transfer["bob"] == ("failed-item", transfer["bob"][1])
    assert transfer["bob"][1]["failure"] == "A user named \u201cbob\u201d already exists on this server."
    assert restore["bob"][0] == "failed-item"  # a transfer failure fails the restore phase too
    assert transfer["dave"][0] == "failed-item" and "dave" in transfer["dave"][1]["failure"]
    actions = [e["contents"]["action"] for e in log]
    assert actions[:3] == ["start", "initiator", "version"] and actions[-1] == "complete"
    # Packages are restored before any account.
    order = [
        e["contents"]["item"]
        for e in log
        if e["contents"].get("action") == "start-item" and e["contents"]["queue"] == "RESTORE"
    ]
    # Feature lists, then packages, then accounts.
    assert [item for item in order if item not in ("bob", "dave", "missing")][:2] == ["pro", "gold"]

    accounts = {a["user"]: a for a in dest.ok("listaccts")["data"]["acct"]}
    assert set(accounts) == {"alice", "bob", "carol2"}
    assert accounts["alice"]["plan"] == "gold" and accounts["alice"]["ip"] == "192.0.2.30"
    assert accounts["alice"]["email"] == "alice@example.net"
    assert accounts["carol2"]["domain"] == "carol.example.com"
    assert accounts["bob"]["domain"] == "bob-local.example.org"  # the local bob is untouched
    assert dest.ok("getpkginfo", {"pkg": "gold"})["data"]["pkg"]["MAXFTP"] == 7
    # The zone travelled through the areas' archive sections: custom records kept, A records
    # moved to the destination's IP, SOA/NS from the destination.
    records = dest.ok("dumpzone", {"domain": "carol.example.com"})["data"]["zone"][0]["record"]
    a_records = {r["name"]: r["address"] for r in records if r.get("type") == "A"}
    assert a_records["carol.example.com."] == "192.0.2.30"
    assert any(r.get("type") == "TXT" and r["name"] == "extra.carol.example.com." for r in records)
    soa = next(r for r in records if r.get("type") == "SOA")
    assert soa["rname"].endswith("dest.example.test")
    # The certificate travelled through the "ssl" section and is installed on the destination's IP.
    vhosts = {v["servername"]: v for v in dest.ok("fetch_ssl_vhosts")["data"]["vhosts"]}
    assert (vhosts["alice.example.com"]["user"], vhosts["alice.example.com"]["ip"]) == ("alice", "192.0.2.30")
    # The source keeps everything (a transfer copies) and its token was revoked at the end.
    assert {a["user"] for a in source.ok("listaccts")["data"]["acct"]} == {"alice", "bob", "carol", "dave"}
    assert not any(n.startswith("transfer-") for n in source.ok("api_token_list")["data"]["tokens"])
    # Item logs exist for each phase.
    item_log = dest.ok(
        "fetch_transfer_session_log", {"transfer_session_id": sid, "logfile": "item-RESTORE_AccountRemoteRoot_carol"}
    )["data"]["log"]
    assert "carol2" in item_log
    # The packaging route is not part of the source's WHM request log.
    assert all(not r["function"].startswith("__") for r in source.admin("GET", "requests"))


def test_enqueue_is_strict(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    sid = new_session(dest)
    assert strip_xid(
        enqueue(dest, sid, "AccountRemoteRoot", user="a", localuser="a", bogus="1")["metadata"]["reason"]
    ) == ("(XID) The \u201cbogus\u201d parameter is not valid for the \u201cAccountRemoteRoot\u201d module.")
    assert strip_xid(enqueue(dest, sid, "AccountRemoteRoot", user="a")["metadata"]["reason"]) == (
        "(XID) The \u201clocaluser\u201d parameter is required for the \u201cAccountRemoteRoot\u201d module."
    )
    assert enqueue(dest, sid, "AccountRemoteRoot", user="a", localuser="a")["metadata"]["result"] == 1
    assert strip_xid(enqueue(dest, sid, "AccountRemoteRoot", user="a", localuser="b")["metadata"]["reason"]) == (
        "(XID) An item with a \u201cuser\u201d key value of \u201ca\u201d and a type of \u201cAccountRemoteRoot\u201d"
        " already exists in the queue."
    )
    assert enqueue(dest, sid, "Nope", user="a")["metadata"]["reason"] == (
        "The transfer session module \u201cNope\u201d does not exist."
    )
    assert strip_xid(dest.fail("enqueue_transfer_item", {"module": "AccountRemoteRoot"})) == (
        "API failure: (XID) Provide the \u201ctransfer_session_id\u201d parameter."
    )
    reason = strip_xid(enqueue(dest, sid, "AccountRemoteUser", user="a", localuser="a")["metadata"]["reason"])
    assert reason.startswith("API failure: (XID) Root-authenticated transfer sessions cannot enqueue")
    assert strip_xid(enqueue(dest, "nosuch", "PackageRemoteRoot", package="x")["metadata"]["reason"]) == (
        "(XID) The session ID \u201cnosuch\u201d does not exist."
    )
    assert strip_xid(dest.fail("get_transfer_session_state", {"transfer_session_id": "bad-id"})) == (
        "(XID) The session ID \u201cbad-id\u201d may only contain alphanumeric characters and underscores."
    )


def test_modules_and_schemas(whm: Whm) -> None:
    modules = whm.ok("available_transfer_modules")["data"]["modules"]
    assert modules["AccountRemoteRoot"] == "3000" and modules["PackageRemoteRoot"] == "2000"
    assert modules["FeatureListRemoteRoot"] == "1000" and len(modules) == 19
    schema = whm.ok("transfer_module_schema", {"module": "AccountRemoteRoot"})["data"]["schema"]
    assert schema["primary"] == ["user"] and schema["required"] == ["user", "localuser"]
    assert schema["keys"]["replaceip"] == {"def": "char(255) DEFAULT NULL"}
    assert whm.fail("transfer_module_schema", {"module": "FeaturesListRemoteRoot"}) == (
        "The transfer session module \u201cFeaturesListRemoteRoot\u201d does not exist."
    )
    assert (
        strip_xid(whm.fail("transfer_module_schema")) == "API failure: (XID) Provide the \u201cmodule\u201d parameter."
    )


def test_session_creation_failures(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    assert dest.fail("create_remote_root_transfer_session", {"host": SOURCE, "comm_transport": "ftp"}) == (
        "Invalid \u201ccomm_transport\u201d (ftp)."
    )
    assert dest.fail("create_remote_root_transfer_session", {"host": "nowhere.invalid", "password": "x"}) == (
        "The system was unable to resolve the host, \u201cnowhere.invalid\u201d, to an IP address."
    )
    assert dest.fail("create_remote_root_transfer_session", {"host": "dest.example.test", "password": "x"}).startswith(
        "\u201cdest.example.test\u201d resolves to the local server."
    )
    envelope = dest.call(
        "create_remote_root_transfer_session",
        {"host": SOURCE, "user": "root", "password": "wrong", "comm_transport": "whostmgr"},
    )
    assert envelope["metadata"]["result"] == 0
    assert envelope["metadata"]["reason"] == "Access denied"
    warnings = envelope["metadata"]["output"]["warnings"]
    assert warnings[0].startswith("whostmgr transport failed (Access denied); trying ssh")
    # Without the CA, TLS verification fails; whostmgr_insecure does not verify.
    dest.admin("POST", "settings", {"remote_ca": ""})
    reason = dest.fail(
        "create_remote_root_transfer_session", {"host": SOURCE, "password": PASSWORD, "comm_transport": "whostmgr"}
    )
    assert "TLS verification failed" in reason
    assert new_session(dest, comm_transport="whostmgr_insecure")


def test_user_session(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    source.create("erin")
    sid = dest.ok(
        "create_remote_user_transfer_session", {"host": SOURCE, "password": "S3cure-pass!", "unrestricted_restore": "1"}
    )["data"]["transfer_session_id"]
    assert sid[15:20] == "noroo" or "noroo" in sid
    assert (
        dest.fail("create_remote_user_transfer_session", {"host": SOURCE})
        == "You must specify a \u201cpassword\u201d argument."
    )
    reason = strip_xid(enqueue(dest, sid, "AccountRemoteRoot", user="erin", localuser="erin")["metadata"]["reason"])
    assert reason.startswith("API failure: (XID) User-authenticated transfer sessions cannot enqueue")
    assert dest.fail("retrieve_transfer_session_remote_analysis", {"transfer_session_id": sid}).startswith(
        "The supplied session ID has an invalid session type"
    )
    assert enqueue(dest, sid, "AccountRemoteUser", user="erin", localuser="erin")["metadata"]["result"] == 1
    dest.ok("start_transfer_session", {"transfer_session_id": sid})
    assert wait_state(dest, sid) == "COMPLETED"
    assert outcomes(master_log(dest, sid), "RESTORE")["erin"][0] == "success-item"
    assert users(dest) == ["erin"]
    # A wrong cPanel password fails the item.
    source.create("fay")
    bad = dest.ok("create_remote_user_transfer_session", {"host": SOURCE, "password": "wrong"})["data"][
        "transfer_session_id"
    ]
    enqueue(dest, bad, "AccountRemoteUser", user="fay", localuser="fay")
    dest.ok("start_transfer_session", {"transfer_session_id": bad})
    assert wait_state(dest, bad) == "COMPLETED"
    failure = outcomes(master_log(dest, bad), "TRANSFER")["fay"]
    assert failure[0] == "failed-item" and "fay" in failure[1]["failure"]


# -- state machine --------------------------------------------------------------------------


def _slow_session(source: Whm, dest: Whm, users: int = 3, seconds: float = 0.4) -> str:
    for n in range(users):
        source.create(f"user{n}x")
    dest.admin("POST", "settings", {"transfer_seconds_per_item": str(seconds)})
    sid = new_session(dest)
    for n in range(users):
        assert (
            enqueue(dest, sid, "AccountRemoteRoot", user=f"user{n}x", localuser=f"user{n}x")["metadata"]["result"] == 1
        )
    return sid


def test_pause_resume_complete(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    sid = _slow_session(source, dest)
    pid = dest.ok("start_transfer_session", {"transfer_session_id": sid})["data"]["pid"]
    # Starting a live session returns the same pid.
    assert dest.ok("start_transfer_session", {"transfer_session_id": sid})["data"]["pid"] == pid
    time.sleep(0.1)
    dest.ok("pause_transfer_session", {"transfer_session_id": sid})
    assert state(dest, sid) in ("PAUSING", "PAUSED")
    assert dest.fail("pause_transfer_session", {"transfer_session_id": sid}) == (
        "The system failed to \u201cpause\u201d the transfer session."
    )
    assert wait_state(dest, sid, ("PAUSED",)) == "PAUSED"
    done = len(users(dest))
    assert done < 3
    dest.ok("start_transfer_session", {"transfer_session_id": sid})
    assert state(dest, sid) == "RUNNING"
    assert wait_state(dest, sid) == "COMPLETED"
    assert len(users(dest)) == 3
    actions = [e["contents"]["action"] for e in master_log(dest, sid)]
    assert "pausing" in actions and "pause" in actions and "resume" in actions
    # Pausing or aborting a finished session fails.
    assert dest.fail("abort_transfer_session", {"transfer_session_id": sid}) == (
        "The system failed to \u201cabort\u201d the transfer session."
    )
    assert dest.fail("pause_transfer_session", {"transfer_session_id": sid}) == (
        "The system failed to \u201cpause\u201d the transfer session."
    )


def test_abort_running_and_paused(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    sid = _slow_session(source, dest, users=3, seconds=0.5)
    dest.ok("start_transfer_session", {"transfer_session_id": sid})
    time.sleep(0.1)
    dest.ok("abort_transfer_session", {"transfer_session_id": sid})
    assert state(dest, sid) in ("ABORTING", "ABORTED")
    assert wait_state(dest, sid) == "ABORTED"
    assert len(users(dest)) < 3
    reason = dest.fail("start_transfer_session", {"transfer_session_id": sid})
    assert reason.startswith(f"The system failed to start the transfer session \u201c{sid}\u201d because of an error:")

    # A paused session (no live process) is aborted at once.
    sid2 = new_session(dest)
    source.create("zed")
    enqueue(dest, sid2, "AccountRemoteRoot", user="zed", localuser="zed")
    dest.ok("start_transfer_session", {"transfer_session_id": sid2})
    dest.ok("pause_transfer_session", {"transfer_session_id": sid2})
    wait_state(dest, sid2, ("PAUSED",))
    dest.ok("abort_transfer_session", {"transfer_session_id": sid2})
    assert state(dest, sid2) == "ABORTED"


def test_abort_never_started_session_fails_it(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    sid = new_session(dest)
    assert state(dest, sid) == "PENDING"
    # Pausing a PENDING session fails; aborting it marks it FAILED (not ABORTED).
    assert dest.fail("pause_transfer_session", {"transfer_session_id": sid}) == (
        "The system failed to \u201cpause\u201d the transfer session."
    )
    dest.ok("abort_transfer_session", {"transfer_session_id": sid})
    assert state(dest, sid) == "FAILED"
    # A never-started session has no master.log.
    reason = strip_xid(dest.fail("fetch_transfer_session_log", {"transfer_session_id": sid, "logfile": "master.log"}))
    assert reason.startswith("API failure: (XID) The system failed to locate either the file")


def test_empty_session_completes_immediately(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    sid = new_session(dest)
    dest.ok("start_transfer_session", {"transfer_session_id": sid})
    assert wait_state(dest, sid) == "COMPLETED"


def test_pausing_a_dead_running_session_fails_it(pair: Tuple[Whm, Whm], tmp_path: Path) -> None:
    source, dest = pair
    sid = _slow_session(source, dest, users=2, seconds=5)
    dest.ok("start_transfer_session", {"transfer_session_id": sid})
    time.sleep(0.1)
    transfer_engine.halt(dest.emulator)  # the transfer process dies
    assert state(dest, sid) == "RUNNING"
    dest.ok("pause_transfer_session", {"transfer_session_id": sid})
    assert state(dest, sid) == "FAILED"
    # Starting a FAILED session processes it again (the state change's result is ignored);
    # the item the dead process was working on starts over.
    dest.admin("POST", "settings", {"transfer_seconds_per_item": "0"})
    dest.ok("start_transfer_session", {"transfer_session_id": sid})
    assert wait_state(dest, sid) == "COMPLETED"
    assert users(dest) == ["user0x", "user1x"]


def test_invalid_local_username_fails_the_item(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    source.create("gina")
    sid = new_session(dest)
    enqueue(dest, sid, "AccountRemoteRoot", user="gina", localuser="root")
    enqueue(dest, sid, "AccountRemoteRoot", user="nobody1", localuser="nobody1")
    dest.ok("start_transfer_session", {"transfer_session_id": sid})
    assert wait_state(dest, sid) == "COMPLETED"
    transfer = outcomes(master_log(dest, sid), "TRANSFER")
    assert transfer["gina"][1]["failure"] == "\u201croot\u201d is a reserved username on this system."
    assert transfer["nobody1"][0] == "failed-item"  # no such account on the source
    assert users(dest) == []


def test_source_vanishes_mid_session(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    sid = _slow_session(source, dest, users=2, seconds=0.3)
    dest.ok("start_transfer_session", {"transfer_session_id": sid})
    time.sleep(0.05)
    transfer_engine.halt(source.emulator)
    source.close()  # the source server stops answering
    assert wait_state(dest, sid) == "COMPLETED"
    transfer = outcomes(master_log(dest, sid), "TRANSFER")
    assert all(action == "failed-item" for action, dummy in transfer.values())
    assert "user1x" in transfer
    assert users(dest) == []


def test_destination_restart_resumes_without_half_restored_accounts(pair: Tuple[Whm, Whm], tmp_path: Path) -> None:
    source, dest = pair
    sid = _slow_session(source, dest, users=3, seconds=0.3)
    dest.ok("start_transfer_session", {"transfer_session_id": sid})
    time.sleep(0.5)
    transfer_engine.halt(dest.emulator)  # the destination process stops mid session
    dest.close()
    settings = dict(dest.emulator.config.settings)
    restarted = Whm(tmp_path / "dest", hostname="dest.example.test", ip="192.0.2.30", settings=settings)
    try:
        assert wait_state(restarted, sid) == "COMPLETED"
        assert users(restarted) == ["user0x", "user1x", "user2x"]
        restore = outcomes(master_log(restarted, sid), "RESTORE")
        assert {k for k, v in restore.items() if v[0] == "success-item"} == {"user0x", "user1x", "user2x"}
    finally:
        transfer_engine.halt(restarted.emulator)
        restarted.close()


def test_remote_basic_credential_check(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    data = dest.ok("remote_basic_credential_check", {"host": SOURCE, "user": "root", "password": PASSWORD})["data"]
    assert data["output"] == "basic credential check\n"
    envelope = dest.call("remote_basic_credential_check", {"host": SOURCE, "user": "root", "password": "nope"})
    assert envelope["metadata"]["result"] == 0
    assert envelope["metadata"]["reason"].startswith("The remote basic credential check failed due to an error (")
    assert dest.fail("remote_basic_credential_check", {"host": SOURCE, "user": "admin", "password": "x"}) == (
        "You must provide the \u201croot_escalation_method\u201d argument to connect as an unprivileged user."
    )


def test_validate_system_user(whm: Whm) -> None:
    whm.create("alice")
    assert whm.ok("validate_system_user", {"user": "alice"})["data"] == {
        "exists": 1,
        "valid_for_transfer": 1,
        "valid_for_new": 1,
        "reserved": 0,
    }
    assert whm.ok("validate_system_user", {"user": "a.b"})["data"] == {
        "exists": 0,
        "valid_for_transfer": 1,
        "valid_for_new": 0,
        "reserved": 0,
    }
    assert whm.ok("validate_system_user", {"user": "root"})["data"]["reserved"] == 1
    assert whm.fail("validate_system_user") == "No user name supplied: \u201cuser\u201d is a required argument."


def test_fetching_a_log_being_written_waits_for_it(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    sid = _slow_session(source, dest, users=2, seconds=0.3)
    dest.ok("start_transfer_session", {"transfer_session_id": sid})
    time.sleep(0.1)
    began = time.monotonic()
    log = master_log(dest, sid)  # LogTailer follows the log until the session finishes it
    assert time.monotonic() - began > 0.5
    assert log[-1]["contents"]["action"] == "complete"
    assert state(dest, sid) == "COMPLETED"
    error_log = dest.ok("fetch_transfer_session_log", {"transfer_session_id": sid, "logfile": "master.error_log"})
    assert error_log["data"]["log"] == ""
    assert strip_xid(dest.fail("fetch_transfer_session_log", {"transfer_session_id": sid, "logfile": "../x"})) == (
        "API failure: (XID) The log file name \u201c../x\u201d is not valid."
    )


def test_abort_while_pausing_and_verbs_on_finished_sessions(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    sid = _slow_session(source, dest, users=2, seconds=0.5)
    dest.ok("start_transfer_session", {"transfer_session_id": sid})
    time.sleep(0.1)
    dest.ok("pause_transfer_session", {"transfer_session_id": sid})
    assert state(dest, sid) == "PAUSING"  # the worker is still inside its item
    # Starting a session whose process is alive returns that process (no new one).
    pid = dest.ok("start_transfer_session", {"transfer_session_id": sid})["data"]["pid"]
    assert isinstance(pid, int)
    dest.ok("abort_transfer_session", {"transfer_session_id": sid})
    assert state(dest, sid) in ("ABORTING", "ABORTED")  # workers are stopped at once
    assert wait_state(dest, sid) == "ABORTED"
    for verb in ("pause", "abort"):
        assert dest.fail(f"{verb}_transfer_session", {"transfer_session_id": sid}) == (
            f"The system failed to \u201c{verb}\u201d the transfer session."
        )
    actions = [e["contents"]["action"] for e in master_log(dest, sid)]
    assert "aborting" in actions and actions[-1] == "abort"

    # A paused session cannot be paused again; a FAILED one cannot be aborted.
    sid2 = _slow_session(source, dest, users=0, seconds=0)
    source.create("hank")
    enqueue(dest, sid2, "AccountRemoteRoot", user="hank", localuser="hank")
    dest.admin("POST", "settings", {"transfer_seconds_per_item": "0.5"})
    dest.ok("start_transfer_session", {"transfer_session_id": sid2})
    dest.ok("pause_transfer_session", {"transfer_session_id": sid2})
    assert wait_state(dest, sid2, ("PAUSED",)) == "PAUSED"
    assert dest.fail("pause_transfer_session", {"transfer_session_id": sid2}) == (
        "The system failed to \u201cpause\u201d the transfer session."
    )
    sid3 = new_session(dest)
    dest.ok("abort_transfer_session", {"transfer_session_id": sid3})
    assert state(dest, sid3) == "FAILED"
    assert dest.fail("abort_transfer_session", {"transfer_session_id": sid3}) == (
        "The system failed to \u201cabort\u201d the transfer session."
    )


def test_disabled_restore_modules_and_restricted_mode(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    source.ok("addpkg", {"name": "silver", "quota": "300"})
    source.create("ivan", plan="silver")
    source.ok("addzonerecord", {"domain": "ivan.example.com", "name": "kept", "type": "TXT", "txtdata": "x"})
    source.create("jane", plan="silver")
    source.ok("suspendacct", {"user": "jane", "reason": "billing"})
    # Restricted session (the default): the Package restore module is not available.
    sid = new_session(dest)
    enqueue(dest, sid, "AccountRemoteRoot", user="ivan", localuser="ivan", disabled="ZoneFile")
    enqueue(dest, sid, "AccountRemoteRoot", user="jane", localuser="jane", disabled="Suspend,Password")
    dest.ok("start_transfer_session", {"transfer_session_id": sid})
    assert wait_state(dest, sid) == "COMPLETED"
    restore = outcomes(master_log(dest, sid), "RESTORE")
    assert restore["ivan"][0] == "warning-item"
    skipped = restore["ivan"][1]["contents"]["skipped_items"]
    assert "ZoneFile (disabled)" in skipped and "Package (not available in restricted mode)" in skipped
    assert dest.fail("getpkginfo", {"pkg": "silver"})
    records = dest.ok("dumpzone", {"domain": "ivan.example.com"})["data"]["zone"][0]["record"]
    assert not any(r.get("name") == "kept.ivan.example.com." for r in records)  # the zone from the templates
    assert "Suspend (disabled)" in restore["jane"][1]["contents"]["skipped_items"]
    assert (dest.ok("listsuspended").get("data") or {}).get("account", []) == []

    # Unrestricted: the account's package is created on the destination.
    source.create("kate", plan="silver")
    sid2 = new_session(dest, unrestricted_restore="1")
    enqueue(dest, sid2, "AccountRemoteRoot", user="kate", localuser="kate")
    dest.ok("start_transfer_session", {"transfer_session_id": sid2})
    assert wait_state(dest, sid2) == "COMPLETED"
    assert dest.ok("getpkginfo", {"pkg": "silver"})["data"]["pkg"]["QUOTA"] == 300
    summary = {m["module"]: m for m in dest.ok("restore_modules_summary")["data"]["modules"]}
    assert summary["Package"]["restricted_available"] == 0 and summary["ZoneFile"]["restricted_available"] == 1


def test_priority_and_prerequisite_order(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    for name in ("amy", "ben", "cat"):
        source.create(name)
    sid = new_session(dest, transfer_threads="3", restore_threads="3")
    enqueue(dest, sid, "AccountRemoteRoot", user="amy", localuser="amy")
    enqueue(dest, sid, "AccountRemoteRoot", user="ben", localuser="ben", priority="1")
    enqueue(dest, sid, "AccountRemoteRoot", user="cat", localuser="cat", prerequisite_user="amy")
    dest.admin("POST", "settings", {"transfer_seconds_per_item": "0.2"})
    dest.ok("start_transfer_session", {"transfer_session_id": sid})
    assert wait_state(dest, sid) == "COMPLETED"
    log = master_log(dest, sid)
    events = [
        (e["contents"]["action"], e["contents"]["queue"], e["contents"]["item"])
        for e in log
        if e["contents"].get("action") in ("start-item", "success-item")
    ]
    # cat waits until amy has passed each phase.
    assert events.index(("start-item", "TRANSFER", "cat")) > events.index(("success-item", "TRANSFER", "amy"))
    assert events.index(("start-item", "RESTORE", "cat")) > events.index(("success-item", "RESTORE", "amy"))
    assert users(dest) == ["amy", "ben", "cat"]


def test_priority_order_with_one_worker(pair: Tuple[Whm, Whm]) -> None:
    source, dest = pair
    for name in ("amy", "ben"):
        source.create(name)
    sid = new_session(dest)
    enqueue(dest, sid, "AccountRemoteRoot", user="amy", localuser="amy")
    enqueue(dest, sid, "AccountRemoteRoot", user="ben", localuser="ben", priority="1")
    dest.ok("start_transfer_session", {"transfer_session_id": sid})
    assert wait_state(dest, sid) == "COMPLETED"
    starts = [
        e["contents"]["item"]
        for e in master_log(dest, sid)
        if e["contents"].get("action") == "start-item" and e["contents"]["queue"] == "TRANSFER"
    ]
    assert starts == ["ben", "amy"]  # priority 1 before the default 255, then the name
