# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from ansible_collections.hosting.whm.plugins.modules import api_tokens
from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_api_token import (
    FUTURE,
    SECRET,
    listing,
    token_record,
)
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run

SECRET2 = "ZXCVBNMASDFGHJKLQWERTYUIOP123456"


def command(function, params):
    return f"{function}?{urlencode([('api.version', '1')] + [(k, str(v)) for k, v in params])}"


def batch(*commands, results=None):
    pairs = [(f"command-{index}", command(function, params)) for index, (function, params) in enumerate(commands)]
    if results is None:
        results = [envelope(function, data={}) for function, dummy in commands]
    failed = [r for r in results if not r["metadata"]["result"]]
    outer = envelope("batch", data={"result": results})
    if failed:
        outer = envelope("batch", 0, failed[0]["metadata"]["reason"], data={"result": results})
    return Call("batch", pairs, outer)


def create(name, secret, **params):
    data = {"token": secret, "name": name, "create_time": 1700000100, "expires_at": None}
    return Call("api_token_create", {"token_name": name, **params}, envelope("api_token_create", data=data))


STORED = [
    token_record("keep"),
    token_record("narrow", acls=("list-accts",)),
    token_record("old1"),
    token_record("old2"),
]
DECLARED = [
    {"name": "keep"},
    {"name": "narrow", "acls": ["list-accts", "acct-summary"]},
    {"name": "new1"},
    {"name": "new2", "acls": ["list-accts"], "whitelist_ips": ["10.0.0.1/32"]},
    {"name": "old1", "state": "absent"},
    {"name": "old2", "state": "absent"},
    {"name": "never-there", "state": "absent"},
]


def secrets_outside_tokens(result):
    rest = dict(result, api_tokens=[{k: v for k, v in item.items() if k != "token"} for item in result["api_tokens"]])
    rest.pop("_calls")
    text = json.dumps(rest)
    return [secret for secret in (SECRET, SECRET2) if secret in text]


def test_one_read_one_batch_and_a_create_per_new_token(monkeypatch):
    calls = [
        listing(*STORED),
        batch(
            ("api_token_update", [("token_name", "narrow"), ("acl-0", "acct-summary"), ("acl-1", "list-accts")]),
            ("api_token_revoke", [("token_name-0", "old1"), ("token_name-1", "old2")]),
        ),
        create("new1", SECRET),
        create("new2", SECRET2, **{"acl-0": "list-accts", "whitelist_ip-0": "10.0.0.1"}),
    ]
    result = run(monkeypatch, api_tokens, {"api_tokens": DECLARED}, calls)
    assert result["failed"] is False
    assert result["changed"] is True
    assert [(i["name"], i["changed"], i["created"]) for i in result["api_tokens"]] == [
        ("keep", False, False),
        ("narrow", True, False),
        ("new1", True, True),
        ("new2", True, True),
        ("old1", True, False),
        ("old2", True, False),
        ("never-there", False, False),
    ]
    by_name = {item["name"]: item for item in result["api_tokens"]}
    assert by_name["new1"]["token"] == SECRET
    assert by_name["new2"]["token"] == SECRET2
    assert [name for name, item in by_name.items() if "token" in item] == ["new1", "new2"]
    assert by_name["new2"]["api_token"] == {
        "name": "new2",
        "acls": ["list-accts"],
        "expires_at": 0,
        "whitelist_ips": ["10.0.0.1"],
        "create_time": 1700000100,
    }
    assert by_name["old1"]["api_token"] == {}
    assert sorted(result["diff"]["before"]) == ["narrow", "new1", "new2", "old1", "old2"]
    assert result["diff"]["before"]["narrow"]["acls"] == ["list-accts"]
    assert result["diff"]["after"]["narrow"]["acls"] == ["acct-summary", "list-accts"]
    assert result["diff"]["after"]["old1"] == {}
    assert result["diff"]["before"]["new1"] == {}
    assert secrets_outside_tokens(result) == []


def test_check_mode_reads_once_and_writes_nothing(monkeypatch):
    result = run(monkeypatch, api_tokens, {"api_tokens": DECLARED}, [listing(*STORED)], check_mode=True)
    assert result["failed"] is False
    assert result["changed"] is True
    assert all("token" not in item for item in result["api_tokens"])
    assert [i["name"] for i in result["api_tokens"] if i["created"]] == ["new1", "new2"]
    assert result["diff"]["after"]["new1"] == {"name": "new1", "acls": ["all"], "expires_at": 0, "whitelist_ips": []}
    assert len(result["_calls"]) == 1


def test_nothing_to_do_is_one_read(monkeypatch):
    declared = [{"name": "keep"}, {"name": "narrow", "acls": ["list-accts"]}, {"name": "gone", "state": "absent"}]
    result = run(monkeypatch, api_tokens, {"api_tokens": declared}, [listing(*STORED)])
    assert result["changed"] is False
    assert result["diff"] == {"before": {}, "after": {}}
    assert len(result["_calls"]) == 1


def test_a_single_change_is_sent_alone(monkeypatch):
    calls = [listing(*STORED), Call("api_token_revoke", {"token_name": "old1"})]
    result = run(monkeypatch, api_tokens, {"api_tokens": [{"name": "old1", "state": "absent"}]}, calls)
    assert result["changed"] is True


def test_several_revokes_are_one_call(monkeypatch):
    calls = [listing(*STORED), Call("api_token_revoke", {"token_name-0": "old1", "token_name-1": "old2"})]
    declared = [{"name": "old1", "state": "absent"}, {"name": "old2", "state": "absent"}]
    result = run(monkeypatch, api_tokens, {"api_tokens": declared}, calls)
    assert result["changed"] is True


def test_two_updates_go_in_one_batch(monkeypatch):
    calls = [
        listing(*STORED),
        batch(
            ("api_token_update", [("token_name", "keep"), ("expires_at", str(FUTURE))]),
            ("api_token_update", [("token_name", "narrow"), ("acl", "all")]),
        ),
    ]
    declared = [{"name": "keep", "expires_at": FUTURE}, {"name": "narrow"}]
    result = run(monkeypatch, api_tokens, {"api_tokens": declared}, calls)
    assert result["changed"] is True
    assert result["api_tokens"][0]["api_token"]["expires_at"] == FUTURE
    assert result["api_tokens"][1]["api_token"]["acls"] == ["all"]


def test_a_failed_batch_command_names_the_token_and_function(monkeypatch):
    reason = "The system failed to update the API token: Invalid or unauthorized ACL(s) specified: bogus"
    calls = [
        listing(*STORED),
        batch(
            ("api_token_update", [("token_name", "keep"), ("acl-0", "bogus")]),
            ("api_token_revoke", [("token_name", "old1")]),
            results=[envelope("api_token_update", 0, reason), envelope("api_token_revoke", data={})],
        ),
    ]
    declared = [{"name": "keep", "acls": ["bogus"]}, {"name": "old1", "state": "absent"}]
    result = run(monkeypatch, api_tokens, {"api_tokens": declared}, calls)
    assert result["failed"] is True
    assert "api_token_update failed" in result["msg"]
    assert 'token "keep", in a batch' in result["msg"]
    assert reason in result["msg"]


def test_a_failed_create_keeps_the_secrets_already_made(monkeypatch):
    reason = "The system failed to create the API token: Invalid or unauthorized ACL(s) specified: bogus"
    calls = [
        listing(),
        create("first", SECRET),
        Call(
            "api_token_create",
            {"token_name": "second", "acl-0": "bogus"},
            envelope("api_token_create", 0, reason, data={}),
        ),
    ]
    declared = [{"name": "first"}, {"name": "second", "acls": ["bogus"]}, {"name": "third"}]
    result = run(monkeypatch, api_tokens, {"api_tokens": declared}, calls)
    assert result["failed"] is True
    assert "api_token_create failed" in result["msg"] and '(token "second")' in result["msg"]
    assert SECRET not in result["msg"]
    assert result["api_tokens"] == [
        {
            "name": "first",
            "changed": True,
            "created": True,
            "api_token": {
                "name": "first",
                "acls": ["all"],
                "expires_at": 0,
                "whitelist_ips": [],
                "create_time": 1700000100,
            },
            "token": SECRET,
        }
    ]
    assert len(result["_calls"]) == 3


@pytest.mark.parametrize(
    "declared, message",
    [
        ([{"name": "ok"}, {"name": "bad name"}], "api_tokens[1]: The API token name 'bad name' is not valid"),
        ([{"name": "a"}, {"name": "a", "state": "absent"}], 'api_tokens[1]: the token "a" is listed twice.'),
        ([{"name": "a", "acls": []}], "api_tokens[0]: acls must not be an empty list"),
        ([{"name": "a", "whitelist_ips": ["nope"]}], "api_tokens[0]: 'nope' in whitelist_ips is not an IP address"),
        ([{"name": "a", "expires_at": -1}], "api_tokens[0]: expires_at must be a Unix time or 0, not -1."),
        ([{"name": "a", "colour": "red"}], "colour"),
    ],
)
def test_bad_input_is_refused_before_any_call(monkeypatch, declared, message):
    result = run(monkeypatch, api_tokens, {"api_tokens": declared}, [])
    assert result["failed"] is True
    assert message in result["msg"]
    assert result["_calls"] == []


def test_past_expiry_is_refused_after_the_read_before_any_write(monkeypatch):
    declared = [{"name": "new1"}, {"name": "keep", "expires_at": 1000}]
    result = run(monkeypatch, api_tokens, {"api_tokens": declared}, [listing(*STORED)])
    assert result["failed"] is True
    assert result["msg"].startswith("api_tokens[1]: expires_at 1000 is not in the future")
    assert [function for function, dummy in result["_calls"]] == ["api_token_list"]


def test_empty_list_makes_no_call(monkeypatch):
    result = run(monkeypatch, api_tokens, {"api_tokens": []}, [])
    assert result["changed"] is False
    assert result["api_tokens"] == []
