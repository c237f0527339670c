# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hosting.whm.plugins.modules import package
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run

GOLD = {
    "name": "gold",
    "QUOTA": "1024",
    "BWLIMIT": "unlimited",
    "MAXPOP": "50",
    "MAXSQL": "unlimited",
    "MAXFTP": "unlimited",
    "MAXLST": "unlimited",
    "MAXSUB": "unlimited",
    "MAXPARK": "0",
    "MAXADDON": "0",
    "MAX_EMAIL_PER_HOUR": "unlimited",
    "MAX_DEFER_FAIL_PERCENTAGE": "unlimited",
    "MAX_EMAILACCT_QUOTA": "unlimited",
    "MAX_TEAM_USERS": 7,
    "CGI": "y",
    "HASSHELL": "n",
    "IP": "n",
    "DIGESTAUTH": "n",
    "CPMOD": "jupiter",
    "LANG": "en",
    "FEATURELIST": "default",
}


def listing(*records):
    return Call("listpkgs", {"want": "all"}, envelope("listpkgs", data={"pkg": list(records)}))


@pytest.mark.parametrize("check_mode", [False, True])
def test_create(monkeypatch, check_mode):
    calls = [listing()]
    if not check_mode:
        calls.append(
            Call(
                "addpkg",
                {"name": "gold", "quota": "1024", "maxpop": "50", "hasshell": "0"},
                envelope("addpkg", data={"pkg": "gold"}),
            )
        )
    result = run(
        monkeypatch,
        package,
        {"name": "gold", "quota": "1024", "maxpop": 50, "hasshell": False},
        calls,
        check_mode=check_mode,
    )
    assert result["failed"] is False
    assert result["changed"] is True
    assert result["diff"] == {"before": {}, "after": {"name": "gold", "quota": 1024, "maxpop": 50, "hasshell": False}}


def test_unchanged(monkeypatch):
    result = run(
        monkeypatch, package, {"name": "gold", "quota": "1024", "bwlimit": "UNLIMITED", "cgi": True}, [listing(GOLD)]
    )
    assert result["changed"] is False
    assert result["package"]["quota"] == 1024
    assert result["diff"]["before"] == result["diff"]["after"]


def test_update_sends_only_changes(monkeypatch):
    result = run(
        monkeypatch,
        package,
        {"name": "gold", "quota": "2048", "maxpop": "50"},
        [listing(GOLD), Call("editpkg", {"name": "gold", "quota": "2048"}, envelope("editpkg", data={"pkg": "gold"}))],
    )
    assert result["changed"] is True
    assert result["diff"]["before"]["quota"] == 1024
    assert result["diff"]["after"]["quota"] == 2048


def test_remove(monkeypatch):
    result = run(
        monkeypatch, package, {"name": "gold", "state": "absent"}, [listing(GOLD), Call("killpkg", {"pkgname": "gold"})]
    )
    assert result["changed"] is True
    assert result["diff"]["after"] == {}


def test_remove_in_use_names_function_and_reason(monkeypatch):
    reason = "You must move all accounts using the package \u201cgold\u201d to another package before removing it."
    result = run(
        monkeypatch,
        package,
        {"name": "gold", "state": "absent"},
        [listing(GOLD), Call("killpkg", {"pkgname": "gold"}, envelope("killpkg", 0, reason))],
    )
    assert result["failed"] is True
    assert result["msg"] == f"WHM API function killpkg failed on whm.example.com:2087: {reason}"


@pytest.mark.parametrize(
    "args, message",
    [
        ({"quota": "0"}, "quota must be at least 1; use 'unlimited' for no limit (WHM rejects 0)."),
        ({"maxpop": "lots"}, "maxpop must be a whole number or 'unlimited', not 'lots'."),
        ({"max_team_users": 9}, "max_team_users must be a whole number from 0 to 7, not 9."),
    ],
)
def test_bad_input_rejected_before_any_call(monkeypatch, args, message):
    result = run(monkeypatch, package, {"name": "gold", **args}, [])
    assert result["failed"] is True
    assert result["msg"] == message
    assert result["_calls"] == []


def test_bad_name(monkeypatch):
    result = run(monkeypatch, package, {"name": "go/ld"}, [])
    assert result["failed"] is True
    assert "not valid" in result["msg"]
    assert result["_calls"] == []
