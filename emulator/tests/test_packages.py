"""Packages: addpkg/editpkg/killpkg/listpkgs/getpkginfo."""

from __future__ import annotations

from conftest import Whm


def test_addpkg_listpkgs_getpkginfo(whm: Whm) -> None:
    env = whm.ok("addpkg", {"name": "gold", "quota": "2048", "bwlimit": "unlimited", "MAXFTP": "10", "ip": "no"})
    assert env["data"] == {"pkg": "gold"} and env["metadata"]["reason"] == "OK"
    pkgs = whm.ok("listpkgs")["data"]["pkg"]
    assert [p["name"] for p in pkgs] == ["default", "gold"]
    gold = pkgs[1]
    # listpkgs: raw strings as stored ("no" counts as yes per Whostmgr/Func.pm yesno)
    assert gold["QUOTA"] == "2048" and gold["BWLIMIT"] == "unlimited" and gold["MAXFTP"] == "10"
    assert gold["IP"] == "y" and gold["CGI"] == "y"
    info = whm.ok("getpkginfo", {"pkg": "gold"})["data"]["pkg"]
    assert info["QUOTA"] == 2048 and info["BWLIMIT"] is None and info["CGI"] == 1 and info["IP"] == 1
    assert info["FRONTPAGE"] == 0
    assert whm.ok("getpkginfo", {"pkg": "default"})["data"]["pkg"]["QUOTA"] is None


def test_addpkg_failures(whm: Whm) -> None:
    whm.ok("addpkg", {"name": "gold"})
    assert whm.fail("addpkg", {"name": "gold"}) == (
        "The package “gold” already exists. If you wish to make changes, please edit the package."
    )
    assert whm.fail("addpkg", {"name": "x", "bwlimit": "0"}) == "Invalid value “0” for the “bwlimit” setting."
    assert whm.fail("addpkg", {"name": "x", "quota": "0"}) == "Invalid value “0” for the “quota” setting."
    whm.ok("addpkg", {"name": "zero", "maxftp": "0"})
    assert whm.ok("getpkginfo", {"pkg": "zero"})["data"]["pkg"]["MAXFTP"] == 0
    assert whm.fail("addpkg", {"name": "undefined"}).startswith("The package name")
    assert whm.fail("getpkginfo", {"pkg": "nope"}) == "Failed to load package “nope”: No such file or directory"
    assert whm.fail("getpkginfo", {"pkg": "../x"}) == "Invalid package ../x"


def test_editpkg_keeps_unspecified_and_propagates(whm: Whm) -> None:
    whm.ok("addpkg", {"name": "gold", "quota": "100", "maxftp": "3"})
    whm.create("alice", plan="gold")
    whm.ok("editpkg", {"name": "gold", "quota": "300"})
    info = whm.ok("getpkginfo", {"pkg": "gold"})["data"]["pkg"]
    assert info["QUOTA"] == 300 and info["MAXFTP"] == 3
    assert whm.ok("accountsummary", {"user": "alice"})["data"]["acct"][0]["disklimit"] == "300M"


def test_killpkg(whm: Whm) -> None:
    whm.ok("addpkg", {"name": "gold"})
    whm.create("alice", plan="gold")
    assert whm.fail("killpkg", {"pkgname": "gold"}) == (
        "You must move all accounts using the package “gold” to another package before removing it."
    )
    whm.ok("changepackage", {"user": "alice", "pkg": "default"})
    env = whm.ok("killpkg", {"pkgname": "gold"})
    assert "data" not in env
    assert whm.fail("killpkg", {"pkgname": "gold"}) == "The package “gold” does not exist."
