"""Protocol: URL forms, auth, api.version, envelope, output post-processing, batch."""

from __future__ import annotations

import base64
import urllib.parse

import requests
from conftest import PASSWORD, TOKEN, Whm


def test_envelope_shape_and_types(whm: Whm) -> None:
    env = whm.ok("version")
    assert env["metadata"] == {"command": "version", "version": 1, "result": 1, "reason": "OK"}
    assert env["data"] == {"version": "11.120.0.16"}
    assert whm.ok("gethostname")["data"] == {"hostname": "server.example.test"}


def test_mutator_has_no_data(whm: Whm) -> None:
    whm.create("alice")
    env = whm.ok("suspendacct", {"user": "alice", "reason": "billing"})
    assert "data" not in env and isinstance(env["metadata"]["result"], int)


def test_cpsess_path_and_post_form(whm: Whm) -> None:
    r = whm.session.get(f"{whm.url}/cpsess0123456789/json-api/version", params={"api.version": "1"}, timeout=10)
    assert r.json()["data"]["version"]
    # POST body and query string are merged.
    r = whm.session.post(
        f"{whm.url}/json-api/createacct?api.version=1", data={"username": "bob", "domain": "bob.example.com"}
    )
    assert r.json()["metadata"]["result"] == 1


def test_bad_token_is_non_2xx_without_envelope(whm: Whm) -> None:
    for header in ("whm root:WRONG", "whm root:", "whm nobody:" + TOKEN, "Bearer x", None):
        headers = {"Authorization": header} if header else {}
        s = requests.Session()
        s.verify = whm.ca
        s.trust_env = False
        r = s.get(f"{whm.url}/json-api/listaccts", params={"api.version": "1"}, headers=headers, timeout=10)
        assert r.status_code in (401, 403)
        assert "metadata" not in r.text


def test_basic_auth(whm: Whm) -> None:
    good = base64.b64encode(f"root:{PASSWORD}".encode()).decode()
    r = requests.get(
        f"{whm.url}/json-api/version?api.version=1", headers={"Authorization": f"Basic {good}"}, verify=whm.ca
    )
    assert r.status_code == 200 and r.json()["metadata"]["result"] == 1
    bad = base64.b64encode(b"root:nope").decode()
    r = requests.get(
        f"{whm.url}/json-api/version?api.version=1", headers={"Authorization": f"Basic {bad}"}, verify=whm.ca
    )
    assert r.status_code == 403


def test_missing_api_version_is_api0(whm: Whm) -> None:
    r = whm.raw("createacct", {"username": "bob", "domain": "bob.example.com"})
    assert r.status_code == 200
    assert r.json() == {"status": 0, "statusmsg": "Unknown App Requested for this version (0) of the api: createacct"}
    assert "acct" not in (whm.ok("listaccts").get("data") or {})  # the function did not run


def test_unknown_function(whm: Whm) -> None:
    env = whm.call("no_such_function")
    assert env["metadata"]["result"] == 0
    assert "no_such_function" in env["metadata"]["reason"]


def test_tls_verified_with_generated_ca(whm: Whm) -> None:
    import pytest

    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{whm.url}/json-api/version", verify=True, timeout=10)
    assert requests.get(f"{whm.url}/json-api/version", verify=whm.ca, timeout=10).status_code == 403


def _seed(whm: Whm) -> None:
    for name in ("carol", "alice", "bob", "dave", "erin"):
        whm.create(name)


def test_columns(whm: Whm) -> None:
    _seed(whm)
    env = whm.ok("listaccts", {"api.columns.enable": 1, "api.columns.a": "user", "api.columns.b": "nope"})
    assert all(set(r) == {"user"} for r in env["data"]["acct"])
    assert env["metadata"]["columns"]["invalid"] == ["nope"]
    assert env["metadata"]["columns"]["invalid_msg"] == "“nope” is not a valid column."


def test_filter_sort_chunk_verbose(whm: Whm) -> None:
    _seed(whm)
    env = whm.ok(
        "listaccts",
        {
            "api.filter.enable": 1,
            "api.filter.verbose": 1,
            "api.filter.a.field": "user",
            "api.filter.a.type": "begins",
            "api.filter.a.arg0": "",  # empty arg0 disables this filter
            "api.filter.b.field": "domain",
            "api.filter.b.arg0": "E.COM",  # default type contains, case-insensitive
            "api.sort.enable": 1,
            "api.sort.a.field": "user",
            "api.sort.a.reverse": 1,
            "api.chunk.enable": 1,
            "api.chunk.verbose": 1,
            "api.chunk.size": 2,
            "api.chunk.start": 3,
        },
    )
    assert [r["user"] for r in env["data"]["acct"]] == ["carol", "bob"]
    meta = env["metadata"]
    assert meta["filter"]["filtered"] == 5
    assert meta["filter"]["a"]["valid"] == 0 and meta["filter"]["b"]["valid"] == 1
    assert meta["chunk"] == {"start": 3, "size": 2, "records": 5, "current": 2, "chunks": 3}


def test_chunk_start_beyond_end_and_default_size(whm: Whm) -> None:
    _seed(whm)
    env = whm.ok("listaccts", {"api.chunk.enable": 1, "api.chunk.size": 2, "api.chunk.start": 99})
    assert len(env["data"]["acct"]) == 2 and env["data"]["acct"][0]["user"] == "alice"
    env = whm.ok("listaccts", {"api.chunk.enable": 1, "api.chunk.size": 0, "api.chunk.verbose": 1})
    assert env["metadata"]["chunk"]["size"] == 100


def test_filter_numeric_and_eq(whm: Whm) -> None:
    _seed(whm)
    env = whm.ok(
        "listaccts",
        {"api.filter.enable": 1, "api.filter.x.field": "uid", "api.filter.x.type": "gt", "api.filter.x.arg0": "1003"},
    )
    assert sorted(r["user"] for r in env["data"]["acct"]) == ["dave", "erin"]
    env = whm.ok(
        "listaccts",
        {"api.filter.enable": 1, "api.filter.x.field": "user", "api.filter.x.type": "eq", "api.filter.x.arg0": "bob"},
    )
    assert [r["user"] for r in env["data"]["acct"]] == ["bob"]


def _cmd(fn: str, **params: str) -> str:
    return fn + ("?" + urllib.parse.urlencode(params) if params else "")


def test_batch_ok(whm: Whm) -> None:
    env = whm.ok(
        "batch",
        [
            ("command", _cmd("createacct", username="bob", domain="bob.example.com")),
            ("command", _cmd("version")),
            ("command", _cmd("accountsummary", user="bob")),
        ],
    )
    subs = env["data"]["result"]
    assert [s["metadata"]["command"] for s in subs] == ["createacct", "version", "accountsummary"]
    assert subs[2]["data"]["acct"][0]["user"] == "bob"


def test_batch_failing_sub_and_abort(whm: Whm) -> None:
    env = whm.call(
        "batch",
        [
            ("command-0", _cmd("removeacct", username="ghost")),
            ("command-1", _cmd("version")),
        ],
    )
    assert env["metadata"]["result"] == 0
    assert len(env["data"]["result"]) == 2 and env["data"]["result"][1]["metadata"]["result"] == 1
    env = whm.call(
        "batch",
        [("command", _cmd("removeacct", username="ghost")), ("command", _cmd("version")), ("abort_on_error", "1")],
    )
    assert env["metadata"]["result"] == 0 and len(env["data"]["result"]) == 1


def test_batch_unknown_function_is_500(whm: Whm) -> None:
    r = whm.raw(
        "batch",
        [
            ("api.version", "1"),
            ("command", _cmd("createacct", username="bob", domain="b.example.com")),
            ("command", "nonexistent_fn"),
        ],
    )
    assert r.status_code == 500
    assert "acct" not in (whm.ok("listaccts").get("data") or {})  # nothing ran


def test_batch_authorizes_every_command_first(whm: Whm) -> None:
    secret = whm.ok("api_token_create", [("token_name", "ro"), ("acl", "list-accts")])["data"]["token"]
    s = requests.Session()
    s.verify = whm.ca
    s.trust_env = False
    r = s.get(
        f"{whm.url}/json-api/batch",
        params=[
            ("api.version", "1"),
            ("command", _cmd("listaccts")),
            ("command", _cmd("createacct", username="bob", domain="bob.example.com")),
        ],
        headers={"Authorization": f"whm root:{secret}"},
    )
    assert r.json()["metadata"]["result"] == 0
    assert "acct" not in (whm.ok("listaccts").get("data") or {})


def test_restricted_token_acl(whm: Whm) -> None:
    secret = whm.ok("api_token_create", [("token_name", "ro"), ("acl", "list-accts")])["data"]["token"]
    headers = {"Authorization": f"whm root:{secret}"}
    r = requests.get(f"{whm.url}/json-api/listaccts?api.version=1", headers=headers, verify=whm.ca)
    assert r.json()["metadata"]["result"] == 1
    r = requests.get(
        f"{whm.url}/json-api/createacct?api.version=1&username=bob&domain=bob.example.com",
        headers=headers,
        verify=whm.ca,
    )
    assert r.json()["metadata"]["result"] == 0 and "create-acct" in r.json()["metadata"]["reason"]
