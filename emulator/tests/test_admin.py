"""Admin API: stats, request log, reset, faults."""

from __future__ import annotations

import time
import urllib.parse

import pytest
import requests
from conftest import Whm


def test_admin_disabled_by_default(tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = Whm(tmp_path / "s", admin=False)
    try:
        assert server.session.get(f"{server.url}/__emulator__/stats").status_code == 404
    finally:
        server.close()


def test_stats_and_requests(whm: Whm) -> None:
    whm.create("alice")
    whm.ok("listaccts", {"api.chunk.enable": 1})
    whm.ok(
        "batch", [("command", "version"), ("command", "accountsummary?" + urllib.parse.urlencode({"user": "alice"}))]
    )
    stats = whm.admin("GET", "stats")
    # the batch holds only reads, so it counts as a read
    assert stats["total"] == 3 and stats["writes"] == 1 and stats["reads"] == 2
    assert stats["by_function"] == {"createacct": 1, "listaccts": 1, "batch": 1, "version": 1, "accountsummary": 1}
    reqs = whm.admin("GET", "requests")
    assert reqs[0] == {
        "function": "createacct",
        "method": "GET",
        "params": ["api.version", "domain", "password", "username"],
        "status": 200,
    }
    assert reqs[1]["params"] == ["api.chunk.enable", "api.version"]
    assert [r.get("via") for r in reqs[2:]] == [None, "batch", "batch"]
    assert reqs[4]["params"] == ["user"]
    whm.admin("POST", "reset", {"stats": True})
    assert whm.admin("GET", "stats")["total"] == 0 and whm.admin("GET", "requests") == []


def test_reset_state_keeps_seed_token(whm: Whm) -> None:
    whm.create("alice")
    whm.ok("addpkg", {"name": "gold"})
    whm.ok("api_token_create", {"token_name": "extra"})
    whm.admin("POST", "reset", {"state": True})
    assert "data" not in whm.ok("listaccts")
    assert [p["name"] for p in whm.ok("listpkgs")["data"]["pkg"]] == ["default"]
    assert list(whm.ok("api_token_list")["data"]["tokens"]) == ["emulator"]


def test_fault_status_and_list_clear(whm: Whm) -> None:
    whm.admin("POST", "faults", {"function": "createacct", "mode": "status", "status": 503, "count": 2})
    assert whm.admin("GET", "faults")[0]["count"] == 2
    r = whm.raw("createacct", {"api.version": 1, "username": "bob", "domain": "bob.example.com"})
    assert r.status_code == 503 and "metadata" not in r.text
    assert "data" not in whm.ok("listaccts")  # not run
    whm.admin("DELETE", "faults")
    assert whm.admin("GET", "faults") == []
    whm.create("bob")


def test_fault_latency(whm: Whm) -> None:
    whm.admin("POST", "faults", {"function": "version", "mode": "latency", "seconds": 0.5})
    start = time.monotonic()
    whm.ok("version")
    assert time.monotonic() - start >= 0.5
    start = time.monotonic()
    whm.ok("version")  # count defaults to 1
    assert time.monotonic() - start < 0.5


def test_fault_drop(whm: Whm) -> None:
    whm.admin("POST", "faults", {"function": "createacct", "mode": "drop"})
    with pytest.raises(requests.exceptions.ConnectionError):
        whm.raw("createacct", {"api.version": 1, "username": "bob", "domain": "bob.example.com"})
    assert "data" not in whm.ok("listaccts")


def test_fault_apply_then_timeout(whm: Whm) -> None:
    whm.admin("POST", "faults", {"function": "createacct", "mode": "apply_then_timeout", "seconds": 0.2})
    with pytest.raises(requests.exceptions.ConnectionError):
        whm.raw("createacct", {"api.version": 1, "username": "bob", "domain": "bob.example.com"})
    assert whm.ok("listaccts")["data"]["acct"][0]["user"] == "bob"  # the write was applied


def test_settings_read_and_update(tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = Whm(tmp_path / "s", settings={"example_delay": "2"})
    try:
        assert server.admin("GET", "settings") == {"example_delay": "2"}
        assert server.admin("POST", "settings", {"example_delay": 0.5, "other": "x"}) == {
            "example_delay": "0.5",
            "other": "x",
        }
        assert server.emulator.setting("example_delay") == "0.5"
        assert server.emulator.setting("missing", "default") == "default"
    finally:
        server.close()


def test_a_batch_counts_as_a_write_when_one_command_writes(whm: Whm) -> None:
    whm.create("alice")
    whm.admin("POST", "reset", {"stats": True})
    whm.ok("batch", [("command", "accountsummary?user=alice"), ("command", "suspendacct?user=alice")])
    stats = whm.admin("GET", "stats")
    assert (stats["total"], stats["reads"], stats["writes"]) == (1, 0, 1)
