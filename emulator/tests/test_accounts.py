"""Accounts functions: happy paths, documented failures and their exact reasons."""

from __future__ import annotations

import pytest
from conftest import Whm, strip_xid


def test_createacct_and_listaccts_types(whm: Whm) -> None:
    env = whm.create("Alice", contactemail="a@example.net", quota="1024")
    assert env["metadata"]["reason"] == "Account Creation Ok"
    assert "raw" in env["metadata"]["output"] and env["data"]["package"] == "default"
    acct = whm.ok("listaccts")["data"]["acct"][0]
    assert acct["user"] == "alice"  # converted to lowercase
    assert acct["disklimit"] == "1024M" and acct["suspended"] == 0 and acct["suspendtime"] == 0
    assert isinstance(acct["unix_startdate"], int) and isinstance(acct["uid"], int)
    assert acct["email"] == "a@example.net" and acct["plan"] == "default"


def test_createacct_duplicates_and_rules(whm: Whm) -> None:
    whm.create("alice")
    assert whm.fail("createacct", {"username": "alice", "domain": "x.example.com"}) == (
        "This system already has an account named “alice”."
    )
    assert whm.fail("createacct", {"username": "bob", "domain": "alice.example.com"}) == (
        "The domain “alice.example.com” already exists in the userdata for the user “alice”."
    )
    assert whm.fail("createacct", {"username": "1abc", "domain": "y.example.com"}) == (
        "“1abc” is not a valid username on this system."
    )
    assert whm.fail("createacct", {"username": "testuser", "domain": "y.example.com"}) == (
        "“testuser” is a reserved username on this system."
    )
    assert whm.fail("createacct", {"username": "a" * 17, "domain": "y.example.com"}) == (
        f"“{'a' * 17}” is not a valid username on this system."
    )
    assert whm.fail("createacct", {"username": "bob", "domain": "nodot"}).startswith(
        "The system cannot accept “nodot” as a domain name ("
    )
    assert whm.fail("createacct", {"username": "bob", "domain": "bob.example.com", "plan": "gold"}) == (
        "Specified package does not exist."
    )


def test_eight_character_prefix_rule(whm: Whm) -> None:
    whm.create("abcdefgh1")
    expected = (
        "The name of another account on this server has the same initial 8 characters as the given "
        "username (abcdefgh2). Each username’s first 8 characters must be unique."
    )
    assert whm.fail("createacct", {"username": "abcdefgh2", "domain": "z.example.com"}) == expected
    assert strip_xid(whm.fail("verify_new_username", {"user": "abcdefgh2"})) == "API failure: (XID) " + expected
    whm.ok("verify_new_username", {"user": "abcdefg"})  # 7 characters: no prefix conflict


def test_verify_new_username(whm: Whm) -> None:
    env = whm.ok("verify_new_username", {"user": "fresh"})
    assert "data" not in env
    assert strip_xid(whm.fail("verify_new_username", {"user": "root"})) == (
        "API failure: (XID) “root” is a reserved username on this system."
    )
    assert strip_xid(whm.fail("verify_new_username", {"user": "a.b"})) == (
        "API failure: (XID) “a.b” is not a valid username on this system."
    )
    assert strip_xid(whm.fail("verify_new_username", {})) == "API failure: (XID) Provide the “user” parameter."


def test_createacct_with_plan_applies_limits(whm: Whm) -> None:
    whm.ok("addpkg", {"name": "gold", "quota": "2048", "maxftp": "5", "hasshell": "1"})
    whm.create("bob", plan="gold")
    acct = whm.ok("accountsummary", {"user": "bob"})["data"]["acct"][0]
    assert acct["plan"] == "gold" and acct["disklimit"] == "2048M" and acct["maxftp"] == "5"
    assert acct["shell"] == "/bin/bash" and "has_backup" not in acct


def test_removeacct_not_idempotent(whm: Whm) -> None:
    whm.create("alice")
    env = whm.ok("removeacct", {"username": "alice"})
    assert env["metadata"]["reason"] == "alice account removed" and "data" not in env
    assert strip_xid(whm.fail("removeacct", {"user": "alice"})) == (
        "API failure: (XID) You do not have a user named “alice”."
    )


def test_suspend_unsuspend_listsuspended(whm: Whm) -> None:
    whm.create("alice")
    whm.ok("suspendacct", {"user": "alice", "reason": "late=payment\nnow", "disallowun": "1"})
    env = whm.ok("suspendacct", {"user": "alice", "reason": "other"})
    assert env["metadata"]["reason"] == "OK"
    assert "User 'alice' is already suspended." in env["metadata"]["output"]["raw"]
    susp = whm.ok("listsuspended")["data"]["account"]
    assert susp[0]["user"] == "alice" and susp[0]["reason"] == "latepaymentnow" and susp[0]["is_locked"] == 1
    assert isinstance(susp[0]["unixtime"], int) and isinstance(susp[0]["time"], str)
    acct = whm.ok("accountsummary", {"user": "alice"})["data"]["acct"][0]
    assert acct["suspended"] == 1 and acct["suspendreason"] == "latepaymentnow" and acct["suspendtime"] > 0
    whm.ok("unsuspendacct", {"user": "alice"})
    env = whm.ok("unsuspendacct", {"user": "alice"})
    assert "is not in a suspended state" in env["metadata"]["output"]["raw"]
    assert whm.ok("listsuspended")["data"]["account"] == []
    assert strip_xid(whm.fail("suspendacct", {"user": "ghost"})) == (
        "API failure: (XID) You do not have a user named “ghost”."
    )


def test_listaccts_search(whm: Whm) -> None:
    whm.create("alice")
    whm.create("bob")
    env = whm.ok("listaccts", {"searchtype": "user", "search": "^al"})
    assert [a["user"] for a in env["data"]["acct"]] == ["alice"]
    env = whm.ok("listaccts", {"searchtype": "domain", "search": "nothing-here"})
    assert "data" not in env
    assert whm.fail("listaccts", {"searchtype": "user", "searchmethod": "exact", "search": "zed"}) == (
        "No accounts found."
    )
    assert whm.fail("listaccts", {"searchtype": "color", "search": "x"}) == "Unknown search type."
    env = whm.ok("listaccts", {"want": "user,plan"})
    assert env["data"]["acct"][0] == {"user": "alice", "plan": "default"}


def test_accountsummary_failures(whm: Whm) -> None:
    env = whm.call("accountsummary", {"user": "ghost"})
    assert env["metadata"]["reason"] == "Account does not exist." and env["data"]["acct"] == []
    assert whm.fail("accountsummary") == "API failure: You must specify a user or domain to get a summary of."
    whm.create("alice")
    assert whm.ok("accountsummary", {"domain": "alice.example.com"})["data"]["acct"][0]["user"] == "alice"


def test_passwd(whm: Whm) -> None:
    whm.create("alice")
    env = whm.ok("passwd", {"user": "alice", "password": "N3w-Secret!"})
    assert "system" in env["data"]["app"]
    assert whm.fail("passwd", {"password": "x"}) == "No user name supplied: “user” is a required argument."
    assert whm.fail("passwd", {"user": "alice"}) == "No password supplied: “password” is a required argument."
    assert whm.fail("passwd", {"user": "alice", "password": "xalicex"}) == (
        "Sorry, the password may not contain the username for security reasons."
    )
    assert whm.fail("passwd", {"user": "alice", "password": "abc"}) == (
        "Sorry, passwords must be at least 5 characters for security reasons."
    )
    whm.ok("suspendacct", {"user": "alice"})
    assert whm.fail("passwd", {"user": "alice", "password": "N3w-Secret!"}) == (
        "Sorry, the user “alice” is currently suspended. Changing the user’s password would unsuspend the account."
    )


def test_changepackage_editquota_limitbw(whm: Whm) -> None:
    whm.create("alice")
    whm.ok("addpkg", {"name": "silver", "quota": "500"})
    env = whm.ok("changepackage", {"user": "alice", "pkg": "silver"})
    assert env["metadata"]["reason"] == "OK" and "raw" in env["metadata"]["output"]
    assert whm.ok("accountsummary", {"user": "alice"})["data"]["acct"][0]["disklimit"] == "500M"
    assert strip_xid(whm.fail("changepackage", {"user": "alice", "pkg": "nope"})) == (
        "API failure: (XID) Specified package does not exist."
    )
    assert strip_xid(whm.fail("changepackage", {"user": "alice"})) == "API failure: (XID) Provide the “pkg” parameter."

    env = whm.ok("editquota", {"user": "alice", "quota": "750"})
    assert env["metadata"]["reason"] == "Set quota for user." and "data" not in env
    assert whm.ok("accountsummary", {"user": "alice"})["data"]["acct"][0]["disklimit"] == "750M"
    whm.ok("editquota", {"user": "alice", "quota": "0"})
    assert whm.ok("accountsummary", {"user": "alice"})["data"]["acct"][0]["disklimit"] == "unlimited"

    env = whm.ok("limitbw", {"user": "alice", "bwlimit": "100"})
    assert env["metadata"]["reason"] == "Bandwidth Limit for alice has been set to 100 megabytes"
    bw = env["data"]["bwlimits"][0]
    assert bw["bwlimit"] == 100 * 1024 * 1024 and bw["unlimited"] == 0 and bw["domains"] == ["alice.example.com"]
    env = whm.ok("limitbw", {"user": "alice", "bwlimit": "unlimited"})
    assert env["metadata"]["reason"] == "Bandwidth Limit for alice has been set to unlimited megabytes"
    assert whm.fail("limitbw", {"user": "alice", "bwlimit": "-5"}) == (
        "Sorry, the bandwidth value you specified, '-5', is invalid.  Only non-negative, integral, simple "
        "numeric values or 'unlimited' are allowed."
    )


def test_modifyacct(whm: Whm) -> None:
    whm.create("alice")
    env = whm.ok("modifyacct", {"user": "alice", "MAXFTP": "3", "contactemail": "n@example.org", "maxftp": "99"})
    data = env["data"]
    assert data["user"] == "alice" and data["domain"] == "alice.example.com" and data["setshell"] == "unmodified"
    assert all(isinstance(v, str) for v in data["cpuser"].values())
    assert data["cpuser"]["MAXFTP"] == "3"  # lower-case maxftp is ignored (case-sensitive keys)
    env = whm.ok("modifyacct", {"user": "alice", "newuser": "alice2", "DNS": "new.example.com"})
    assert env["data"]["user"] == "alice2" and env["data"]["domain"] == "new.example.com"
    assert whm.ok("getdomainowner", {"domain": "new.example.com"})["data"]["user"] == "alice2"
    assert whm.fail("modifyacct", {}) == "Must at least specify a user to modify."
    assert strip_xid(whm.fail("modifyacct", {"user": "ghost"})) == (
        "API failure: (XID) You do not have a user named “ghost”."
    )


def test_domain_functions(whm: Whm) -> None:
    whm.create("alice")
    ud = whm.ok("domainuserdata", {"domain": "alice.example.com"})["data"]["userdata"]
    assert ud["user"] == "alice" and ud["documentroot"] == "/home/alice/public_html"
    assert strip_xid(whm.fail("domainuserdata", {"domain": "nope.example.com"})) == (
        "API failure: (XID) This system does not have a domain named “nope.example.com”."
    )
    assert whm.ok("getdomainowner", {"domain": "nope.example.com"})["data"] == {"user": None}
    assert strip_xid(whm.fail("getdomainowner")) == "API failure: (XID) Provide the “domain” parameter."
    info = whm.ok("get_domain_info")["data"]["domains"]
    assert info[0]["domain"] == "alice.example.com" and info[0]["domain_type"] == "main"


@pytest.mark.parametrize("repeat", [1])
def test_suspend_root_fails(whm: Whm, repeat: int) -> None:
    assert whm.fail("suspendacct", {"user": "root"}) == "Failed to suspend account."


def test_showbw_reports_limit_in_bytes(whm: Whm) -> None:
    whm.ok("createacct", {"username": "alice", "domain": "alice.example", "password": "Xy7-long-pass"})
    whm.ok("limitbw", {"user": "alice", "bwlimit": "100"})
    env = whm.ok("showbw", {"searchtype": "user", "search": "^alice$"})
    (acct,) = env["data"]["acct"]
    assert acct["user"] == "alice" and acct["maindomain"] == "alice.example"
    assert acct["limit"] == 100 * 1024 * 1024
    assert acct["bwusage"] == [{"domain": "alice.example", "usage": 0, "deleted": 0}]
    whm.ok("limitbw", {"user": "alice", "bwlimit": "unlimited"})
    assert whm.ok("showbw", {"searchtype": "user", "search": "alice"})["data"]["acct"][0]["limit"] == 0
    assert whm.fail("showbw", {"searchtype": "plan"}) == "Unknown search type."


def _a_records(whm: Whm, zone: str) -> dict:
    records = whm.ok("dumpzone", {"domain": zone})["data"]["zone"][0]["record"]
    return {r["name"]: r["address"] for r in records if r.get("type") == "A"}


def test_setsiteip_moves_the_account_and_its_zone(whm: Whm) -> None:
    whm.admin("POST", "settings", {"additional_ips": "192.0.2.20, 192.0.2.30"})
    whm.create("alice")
    whm.create("bob")
    before = _a_records(whm, "alice.example.com")
    assert set(before.values()) == {"192.0.2.10"}
    env = whm.ok("setsiteip", {"user": "alice", "ip": "192.0.2.20"})
    assert env["metadata"]["reason"] == "OK" and "data" not in env
    acct = whm.ok("accountsummary", {"user": "alice"})["data"]["acct"][0]
    assert acct["ip"] == "192.0.2.20"
    after = _a_records(whm, "alice.example.com")
    assert set(after) == set(before) and set(after.values()) == {"192.0.2.20"}
    # Other accounts and their zones stay on the shared address.
    assert whm.ok("accountsummary", {"user": "bob"})["data"]["acct"][0]["ip"] == "192.0.2.10"
    assert set(_a_records(whm, "bob.example.com").values()) == {"192.0.2.10"}
    # Same address: a success that names it, nothing changes.
    again = whm.ok("setsiteip", {"domain": "alice.example.com", "ip": "192.0.2.20"})
    assert again["metadata"]["reason"] == "alice.example.com is already using ip 192.0.2.20"
    # Back to the shared address, found by domain.
    whm.ok("setsiteip", {"domain": "alice.example.com", "ip": "192.0.2.10"})
    assert whm.ok("listaccts", {"searchtype": "user", "search": "alice"})["data"]["acct"][0]["ip"] == "192.0.2.10"


def test_setsiteip_failures(whm: Whm) -> None:
    whm.admin("POST", "settings", {"additional_ips": "192.0.2.20"})
    whm.create("alice")
    whm.create("bob")
    assert whm.fail("setsiteip", {"user": "alice", "ip": "198.51.100.7"}) == (
        "Unable to set to an unconfigured ip address"
    )
    assert whm.fail("setsiteip", {"user": "alice", "ip": "999.1.1.1"}) == (
        "The specified IP address “999.1.1.1” is invalid."
    )
    assert whm.fail("setsiteip", {"user": "nobody1", "ip": "192.0.2.20"}) == "Invalid user: nobody1"
    assert whm.fail("setsiteip", {"user": "bob", "domain": "alice.example.com", "ip": "192.0.2.20"}) == (
        "User does not own the domain provided."
    )
    whm.ok("setsiteip", {"user": "alice", "ip": "192.0.2.20"})
    assert whm.fail("setsiteip", {"user": "bob", "ip": "192.0.2.20"}) == (
        "Sorry, 192.0.2.20 is in use by another domain name and is not a shared ip."
    )
    assert whm.ok("accountsummary", {"user": "bob"})["data"]["acct"][0]["ip"] == "192.0.2.10"
