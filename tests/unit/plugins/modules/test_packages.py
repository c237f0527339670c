# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hosting.whm.plugins.modules import packages
from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_package import GOLD, listing
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run

BRONZE = dict(GOLD, name="bronze", QUOTA="512")

DECLARED = [
    {"name": "gold", "quota": 1024},
    {"name": "bronze", "quota": 1024},
    {"name": "silver", "quota": "2048", "hasshell": False},
    {"name": "old", "state": "absent"},
]


@pytest.mark.parametrize("check_mode", [False, True])
def test_one_read_and_a_write_per_real_change(monkeypatch, check_mode):
    calls = [listing(GOLD, BRONZE)]
    if not check_mode:
        calls += [
            Call("editpkg", {"name": "bronze", "quota": "1024"}, envelope("editpkg", data={"pkg": "bronze"})),
            Call(
                "addpkg",
                {"name": "silver", "quota": "2048", "hasshell": "0"},
                envelope("addpkg", data={"pkg": "silver"}),
            ),
        ]
    result = run(monkeypatch, packages, {"packages": DECLARED}, calls, check_mode=check_mode)
    assert result["failed"] is False
    assert result["changed"] is True
    assert [(p["name"], p["changed"]) for p in result["packages"]] == [
        ("gold", False),
        ("bronze", True),
        ("silver", True),
        ("old", False),
    ]
    assert result["diff"]["before"] == {"bronze": dict(result["diff"]["before"]["bronze"]), "silver": {}}
    assert result["diff"]["before"]["bronze"]["quota"] == 512
    assert result["diff"]["after"]["silver"] == {"name": "silver", "quota": 2048, "hasshell": False}


def test_nothing_to_do(monkeypatch):
    result = run(monkeypatch, packages, {"packages": [{"name": "gold", "quota": 1024}]}, [listing(GOLD)])
    assert result["changed"] is False
    assert result["diff"] == {"before": {}, "after": {}}


@pytest.mark.parametrize(
    "declared, message",
    [
        (
            [{"name": "a", "quota": 1}, {"name": "b", "quota": "0"}],
            "quota must be at least 1; use 'unlimited' for no limit (WHM rejects 0).",
        ),
        ([{"name": "a"}, {"name": "a"}], 'packages[1]: package "a" is listed twice.'),
        ([{"name": "a", "quotta": 5}], "packages[0]: unsupported option(s) quotta."),
        ([{"quota": 5}], "packages[0]: name is required."),
    ],
)
def test_every_element_is_checked_before_any_call(monkeypatch, declared, message):
    result = run(monkeypatch, packages, {"packages": declared}, [])
    assert result["failed"] is True
    assert result["msg"] == message
    assert result["_calls"] == []
