# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hosting.whm.plugins.modules import package_info
from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_package import GOLD
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run

DEFAULT = dict(GOLD, name="default", QUOTA="unlimited", CGI="n", MAX_TEAM_USERS="7", HASSHELL="y")

GOLD_OUT = {
    "name": "gold",
    "quota": 1024,
    "bwlimit": "unlimited",
    "max_emailacct_quota": "unlimited",
    "maxftp": "unlimited",
    "maxsql": "unlimited",
    "maxpop": 50,
    "maxlst": "unlimited",
    "maxsub": "unlimited",
    "maxpark": 0,
    "maxaddon": 0,
    "max_email_per_hour": "unlimited",
    "max_defer_fail_percentage": "unlimited",
    "max_team_users": 7,
    "ip": False,
    "cgi": True,
    "hasshell": False,
    "digestauth": False,
    "cpmod": "jupiter",
    "language": "en",
    "featurelist": "default",
}


def listing():
    return Call("listpkgs", {"want": "all"}, envelope("listpkgs", data={"pkg": [GOLD, DEFAULT]}))


@pytest.mark.parametrize("check_mode", [False, True])
def test_all_packages_in_one_call(monkeypatch, check_mode):
    result = run(monkeypatch, package_info, {}, [listing()], check_mode=check_mode)
    assert result["failed"] is False
    assert result["changed"] is False
    assert [p["name"] for p in result["packages"]] == ["default", "gold"]
    assert result["packages"][1] == GOLD_OUT
    assert result["packages"][0]["quota"] == "unlimited"
    assert result["packages"][0]["hasshell"] is True
    assert len(result["_calls"]) == 1
    assert "diff" not in result


def test_one_package(monkeypatch):
    result = run(monkeypatch, package_info, {"name": "gold"}, [listing()])
    assert result["packages"] == [GOLD_OUT]


def test_missing_package_is_an_empty_list(monkeypatch):
    result = run(monkeypatch, package_info, {"name": "silver"}, [listing()])
    assert result["failed"] is False
    assert result["packages"] == []


def test_no_packages(monkeypatch):
    result = run(monkeypatch, package_info, {}, [Call("listpkgs", {"want": "all"}, envelope("listpkgs"))])
    assert result["packages"] == []
