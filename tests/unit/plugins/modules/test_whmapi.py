# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest
from ansible.module_utils import basic

from ansible_collections.hosting.whm.plugins.modules import whmapi
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run

PASSWORD = "s3cret-Pa55word!"


@pytest.fixture
def modules(monkeypatch):
    """The AnsibleModule instances created during the test (to look at their no_log values)."""
    created = []
    original = basic.AnsibleModule.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        created.append(self)

    monkeypatch.setattr(basic.AnsibleModule, "__init__", init)
    return created


@pytest.mark.parametrize("check_mode", [False, True])
def test_read_runs_and_reports_no_change(monkeypatch, check_mode):
    result = run(
        monkeypatch,
        whmapi,
        {"function": "version"},
        [Call("version", {}, envelope("version", data={"version": "11.120.0.16"}))],
        check_mode=check_mode,
    )
    assert result["failed"] is False
    assert result["changed"] is False
    assert result["data"] == {"version": "11.120.0.16"}
    assert result["metadata"] == {"result": 1, "reason": "OK", "messages": [], "warnings": []}


def test_write_reports_change_and_sends_params(monkeypatch):
    result = run(
        monkeypatch,
        whmapi,
        {"function": "suspendacct", "params": {"user": "bob", "reason": "unpaid", "leave-ftp": True, "skip": None}},
        [
            Call(
                "suspendacct",
                {"user": "bob", "reason": "unpaid", "leave-ftp": "1"},
                envelope("suspendacct", output={"raw": "Suspended", "messages": "one\ntwo"}),
            )
        ],
    )
    assert result["changed"] is True
    assert result["data"] is None
    assert result["metadata"]["messages"] == ["one", "two"]


def test_list_params_become_numbered_keys(monkeypatch):
    result = run(
        monkeypatch,
        whmapi,
        {"function": "api_token_revoke", "params": {"token_name": ["a", "b"]}},
        [Call("api_token_revoke", {"token_name-0": "a", "token_name-1": "b"})],
    )
    assert result["changed"] is True


def test_unknown_function_is_a_write_and_skipped_in_check_mode(monkeypatch):
    result = run(monkeypatch, whmapi, {"function": "frobnicate", "params": {"x": 1}}, [], check_mode=True)
    assert result["failed"] is False
    assert result["changed"] is True
    assert result["msg"] == "Check mode - the write function frobnicate was not run."
    assert result["_calls"] == []
    assert "data" not in result


def test_write_override_false_runs_in_check_mode(monkeypatch):
    result = run(
        monkeypatch,
        whmapi,
        {"function": "acctcounts", "write": False},
        [Call("acctcounts", {}, envelope("acctcounts", data={"reseller": {"active": 1}}))],
        check_mode=True,
    )
    assert result["changed"] is False
    assert result["data"] == {"reseller": {"active": 1}}


def test_write_override_true_skips_a_read_in_check_mode(monkeypatch):
    result = run(monkeypatch, whmapi, {"function": "listaccts", "write": True}, [], check_mode=True)
    assert result["changed"] is True
    assert result["_calls"] == []


def test_failure_fails_with_the_standard_message(monkeypatch):
    reason = "The package \u201cgold\u201d does not exist."
    result = run(
        monkeypatch,
        whmapi,
        {"function": "killpkg", "params": {"pkgname": "gold"}},
        [Call("killpkg", {"pkgname": "gold"}, envelope("killpkg", 0, reason))],
    )
    assert result["failed"] is True
    assert result["msg"] == f"WHM API function killpkg failed on whm.example.com:2087: {reason}"


def test_failure_returned_when_fail_on_error_is_false(monkeypatch):
    reason = "The package \u201cgold\u201d does not exist."
    result = run(
        monkeypatch,
        whmapi,
        {"function": "killpkg", "params": {"pkgname": "gold"}, "fail_on_error": False},
        [Call("killpkg", {"pkgname": "gold"}, envelope("killpkg", "0", reason))],
    )
    assert result["failed"] is False
    assert result["changed"] is False
    assert result["metadata"] == {"result": 0, "reason": reason, "messages": [], "warnings": []}


def test_secret_params_are_hidden(monkeypatch, modules):
    reason = f"Sorry, the password \u201c{PASSWORD}\u201d is too weak."
    response = envelope("passwd", 0, reason, data={"echo": [PASSWORD]}, warnings=[f"tried {PASSWORD}"])
    result = run(
        monkeypatch,
        whmapi,
        {"function": "passwd", "params": {"user": "bob", "password": PASSWORD}, "fail_on_error": False},
        [Call("passwd", {"user": "bob", "password": PASSWORD}, response)],
    )
    assert PASSWORD not in json.dumps({k: v for k, v in result.items() if k != "_calls"})
    assert result["metadata"]["reason"] == "Sorry, the password \u201c********\u201d is too weak."
    assert PASSWORD in modules[0].no_log_values


def test_secret_in_failure_message_is_hidden(monkeypatch, modules):
    result = run(
        monkeypatch,
        whmapi,
        {"function": "passwd", "params": {"user": "bob", "password": PASSWORD}},
        [Call("passwd", None, envelope("passwd", 0, f"bad {PASSWORD}"))],
    )
    assert result["failed"] is True
    assert PASSWORD not in result["msg"]


@pytest.mark.parametrize(
    "key, secret",
    [
        ("password", True),
        ("rootpass", True),
        ("passphrase", True),
        ("token", True),
        ("api_token", True),
        ("sslkey", True),
        ("key-1", True),
        ("client_secret", True),
        ("token_name", False),
        ("token_name-0", False),
        ("keepdns", False),
        ("user", False),
    ],
)
def test_secret_key_names(key, secret):
    assert whmapi.is_secret_key(key) is secret


def test_token_name_is_not_hidden(monkeypatch, modules):
    run(
        monkeypatch,
        whmapi,
        {"function": "api_token_revoke", "params": {"token_name": "ci"}},
        [Call("api_token_revoke")],
    )
    assert "ci" not in modules[0].no_log_values


@pytest.mark.parametrize(
    "args, message",
    [
        (
            {"function": "listaccts", "params": {"api": {"filter": 1}}},
            "params.api is a dictionary; WHM takes flat parameters, use dotted keys such as api.filter.a.field.",
        ),
        (
            {"function": "list accts"},
            "'list accts' is not a WHM API 1 function name (letters, digits and underscores).",
        ),
    ],
)
def test_bad_input_rejected_before_any_call(monkeypatch, args, message):
    result = run(monkeypatch, whmapi, args, [])
    assert result["failed"] is True
    assert result["msg"] == message
    assert result["_calls"] == []
