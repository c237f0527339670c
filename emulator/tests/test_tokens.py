"""API tokens."""

from __future__ import annotations

import re
import time

import requests
from conftest import Whm


def _as(whm: Whm, secret: str) -> int:
    r = requests.get(
        f"{whm.url}/json-api/version?api.version=1", headers={"Authorization": f"whm root:{secret}"}, verify=whm.ca
    )
    return r.status_code


def test_create_list_authenticate_revoke(whm: Whm) -> None:
    data = whm.ok(
        "api_token_create",
        [
            ("token_name", "ci"),
            ("acl-0", "list-accts"),
            ("acl-1", "create-acct"),
            ("acl", "list-accts"),
            ("whitelist_ip", "127.0.0.1"),
            ("whitelist_ip-1", "fc00:abcd::f"),
            ("whitelist_ip-2", "10.0.0.0/8"),
        ],
    )["data"]
    assert re.fullmatch(r"[A-Z0-9]{32}", data["token"]) and data["expires_at"] is None
    assert data["acls"] == ["create-acct", "list-accts"]
    assert data["whitelist_ips"] == ["10.0.0.0/8", "127.0.0.1", "fc00:abcd:0000:0000:0000:0000:0000:000f"]
    assert _as(whm, data["token"]) == 200

    tokens = whm.ok("api_token_list")["data"]["tokens"]
    assert set(tokens) == {"emulator", "ci"}
    assert tokens["ci"]["acls"]["list-accts"] == 1 and tokens["ci"]["acls"]["edit-pkg"] == 0
    assert all(v == 1 for v in tokens["emulator"]["acls"].values())
    assert "whitelist_ips" not in tokens["emulator"] and "token" not in tokens["ci"]

    details = whm.ok("api_token_get_details", {"token": data["token"]})["data"]
    assert details["name"] == "ci"

    assert whm.fail("api_token_create", {"token_name": "ci"}) == (
        "The system failed to create the API token: A conflicting API token with the name “ci” already exists."
    )
    whm.ok("api_token_revoke", {"token_name": "ci"})
    whm.ok("api_token_revoke", [("token_name", "ci"), ("token_name-1", "never-existed")])  # idempotent
    assert _as(whm, data["token"]) == 403


def test_create_failures(whm: Whm) -> None:
    env = whm.call("api_token_create", [("token_name", "x"), ("acl", "bogus-acl")])
    assert env["metadata"]["reason"] == (
        "The system failed to create the API token: Invalid or unauthorized ACL(s) specified: bogus-acl"
    )
    assert env["data"] == {}
    assert whm.fail("api_token_create", {"token_name": "x", "expires_at": "1000"}) == (
        "The system failed to create the API token: The “1000” value must be a future date."
    )
    assert whm.fail("api_token_create", {"token_name": "bad name!"}).startswith(
        "The system failed to create the API token: "
    )
    assert whm.fail("api_token_revoke") == (
        "The system failed to revoke the API token: Provide at least one “token_name” argument."
    )


def test_expired_token_rejected(whm: Whm) -> None:
    secret = whm.ok("api_token_create", {"token_name": "short", "expires_at": str(int(time.time()) + 2)})["data"][
        "token"
    ]
    assert _as(whm, secret) == 200
    time.sleep(2.2)
    assert _as(whm, secret) == 403
    assert "short" in whm.ok("api_token_list")["data"]["tokens"]  # still listed


def test_update_semantics(whm: Whm) -> None:
    whm.ok("api_token_create", [("token_name", "a"), ("acl", "list-accts")])
    assert whm.fail("api_token_update", {"token_name": "a"}) == (
        "The system failed to update the API token: Specify a new name, updated ACLs, or IPs."
    )
    assert whm.fail("api_token_update", {"token_name": "zz", "new_name": "y"}) == (
        "The system failed to update the API token: The API token “zz” does not exist."
    )
    data = whm.ok("api_token_update", {"token_name": "a", "new_name": "b"})["data"]
    assert data["name"] == "b" and data["acls"] == ["list-accts"]  # omitting acl keeps the ACLs
    whm.ok("api_token_create", {"token_name": "c"})
    assert whm.fail("api_token_update", {"token_name": "c", "new_name": "b"}) == (
        "The system failed to update the API token: An API token with the name “b” already exists."
    )
    data = whm.ok("api_token_update", [("token_name", "b"), ("whitelist_ip", "192.0.2.0/24")])["data"]
    assert data["whitelist_ips"] == ["192.0.2.0/24"]
    data = whm.ok("api_token_update", [("token_name", "b"), ("whitelist_ip", "any")])["data"]
    assert "whitelist_ips" not in data


def test_whitelist_enforced(whm: Whm) -> None:
    secret = whm.ok("api_token_create", [("token_name", "far"), ("whitelist_ip", "192.0.2.1")])["data"]["token"]
    assert _as(whm, secret) == 403
