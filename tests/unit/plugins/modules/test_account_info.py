# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hosting.whm.plugins.modules import account_info
from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_account import EXAMPLE, SUSPENDED
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run

CHUNK = [
    ("api.chunk.enable", "1"),
    ("api.chunk.verbose", "1"),
    ("api.chunk.size", "1000"),
    ("api.chunk.start", "1"),
]
OTHER = dict(EXAMPLE, user="another", domain="another.net", disklimit="unlimited", shell="/bin/bash", email="*unknown*")


def listaccts(params, records, **metadata):
    data = {"acct": records} if records is not None else None
    return Call("listaccts", params + CHUNK, envelope("listaccts", data=data, **metadata))


def filters(*clauses):
    params = [("api.filter.enable", "1")]
    for ident, (field, kind, value) in zip("abcde", clauses):
        params += [
            (f"api.filter.{ident}.field", field),
            (f"api.filter.{ident}.type", kind),
            (f"api.filter.{ident}.arg0", value),
        ]
    return params


@pytest.mark.parametrize("check_mode", [False, True])
def test_all_accounts_sorted_and_normalised(monkeypatch, check_mode):
    result = run(monkeypatch, account_info, {}, [listaccts([], [EXAMPLE, OTHER])], check_mode=check_mode)
    assert result["changed"] is False
    assert [a["user"] for a in result["accounts"]] == ["another", "example"]
    another, example = result["accounts"]
    assert example == {
        "user": "example",
        "domain": "example.com",
        "plan": "gold",
        "contact_email": "owner@example.com",
        "quota": 1024,
        "hasshell": False,
        "owner": "root",
        "theme": "jupiter",
        "ip": "192.0.2.10",
        "suspended": False,
        "suspend_reason": None,
        "diskused": 12,
        "startdate": "24 Jan 15 10:20",
        "unix_startdate": 1706091600,
        "uid": 1001,
        "partition": "home",
        "shell": "/usr/local/cpanel/bin/noshell",
        "ipv6": [],
        "locked": False,
        "mailbox_format": "maildir",
    }
    assert another["quota"] == "unlimited"
    assert another["hasshell"] is True
    assert another["contact_email"] == ""


def test_every_filter_in_one_request(monkeypatch):
    params = filters(
        ("user", "eq", "example"),
        ("domain", "eq", "example.com"),
        ("owner", "eq", "root"),
        ("plan", "eq", "gold"),
        ("suspended", "==", "1"),
    )
    result = run(
        monkeypatch,
        account_info,
        {"user": "example", "domain": "Example.com", "owner": "root", "plan": "gold", "suspended": True},
        [listaccts(params, [SUSPENDED])],
    )
    assert len(result["_calls"]) == 1
    assert result["accounts"][0]["suspended"] is True
    assert result["accounts"][0]["suspend_reason"] == "Unpaid"


def test_active_only(monkeypatch):
    result = run(
        monkeypatch, account_info, {"suspended": False}, [listaccts(filters(("suspended", "==", "0")), [EXAMPLE])]
    )
    assert [a["user"] for a in result["accounts"]] == ["example"]


def test_no_match_without_data(monkeypatch):
    result = run(
        monkeypatch, account_info, {"owner": "nobody1"}, [listaccts(filters(("owner", "eq", "nobody1")), None)]
    )
    assert result["failed"] is False
    assert result["accounts"] == []


def test_error_names_function(monkeypatch):
    result = run(
        monkeypatch,
        account_info,
        {},
        [Call("listaccts", check_params=False, response=envelope("listaccts", 0, "Access denied"))],
    )
    assert result["failed"] is True
    assert result["msg"] == "WHM API function listaccts failed on whm.example.com:2087: Access denied"
