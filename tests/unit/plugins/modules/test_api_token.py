# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.hosting.whm.plugins.modules import api_token
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run

SECRET = "Q1W2E3R4T5Y6U7I8O9P0ASDFGHJKLZXC"
FUTURE = 4102444800  # 2100-01-01
ACL_NAMES = ("acct-summary", "all", "create-dns", "list-accts", "manage-api-tokens")


def acl_object(*enabled):
    return {name: 1 if name in enabled or "all" in enabled else 0 for name in ACL_NAMES}


def token_record(name, acls=("all",), expires_at=None, whitelist_ips=None):
    record = {"name": name, "create_time": 1700000000, "expires_at": expires_at, "acls": acl_object(*acls)}
    if whitelist_ips is not None:
        record["whitelist_ips"] = whitelist_ips
    return record


def listing(*records):
    return Call("api_token_list", {}, envelope("api_token_list", data={"tokens": {r["name"]: r for r in records}}))


def created(name="ci", **data):
    return envelope(
        "api_token_create", data={"token": SECRET, "name": name, "create_time": 1700000100, "expires_at": None, **data}
    )


def no_secret_outside_token(result):
    rest = {key: value for key, value in result.items() if key not in ("token", "_calls")}
    assert SECRET not in json.dumps(rest)


# -- create ------------------------------------------------------------------------------------


def test_create_full_access_returns_secret_once(monkeypatch):
    result = run(
        monkeypatch, api_token, {"name": "ci"}, [listing(), Call("api_token_create", {"token_name": "ci"}, created())]
    )
    assert result["failed"] is False
    assert result["changed"] is True
    assert result["token"] == SECRET
    assert result["api_token"] == {
        "name": "ci",
        "acls": ["all"],
        "expires_at": 0,
        "whitelist_ips": [],
        "create_time": 1700000100,
    }
    assert result["diff"] == {
        "before": {},
        "after": {"name": "ci", "acls": ["all"], "expires_at": 0, "whitelist_ips": []},
    }
    no_secret_outside_token(result)


def test_create_restricted(monkeypatch):
    result = run(
        monkeypatch,
        api_token,
        {
            "name": "ro",
            "acls": ["list-accts", "acct-summary"],
            "expires_at": FUTURE,
            "whitelist_ips": ["fc00:abcd::f/128", "10.0.0.1/32", "10.0.0.1"],
        },
        [
            listing(),
            Call(
                "api_token_create",
                {
                    "token_name": "ro",
                    "acl-0": "acct-summary",
                    "acl-1": "list-accts",
                    "expires_at": str(FUTURE),
                    "whitelist_ip-0": "10.0.0.1",
                    "whitelist_ip-1": "fc00:abcd:0000:0000:0000:0000:0000:000f",
                },
                created("ro"),
            ),
        ],
    )
    assert result["changed"] is True
    assert result["token"] == SECRET
    assert result["diff"]["after"] == {
        "name": "ro",
        "acls": ["acct-summary", "list-accts"],
        "expires_at": FUTURE,
        "whitelist_ips": ["10.0.0.1", "fc00:abcd:0000:0000:0000:0000:0000:000f"],
    }


def test_create_check_mode_makes_no_write_and_returns_no_token(monkeypatch):
    result = run(monkeypatch, api_token, {"name": "ci", "acls": ["list-accts"]}, [listing()], check_mode=True)
    assert result["changed"] is True
    assert "token" not in result
    assert result["diff"]["after"] == {"name": "ci", "acls": ["list-accts"], "expires_at": 0, "whitelist_ips": []}
    assert [call[0] for call in result["_calls"]] == ["api_token_list"]


def test_create_failure_names_function_and_reason(monkeypatch):
    reason = "The system failed to create the API token: Invalid or unauthorized ACL(s) specified: bogus"
    result = run(
        monkeypatch,
        api_token,
        {"name": "ci", "acls": ["bogus"]},
        [
            listing(),
            Call(
                "api_token_create",
                {"token_name": "ci", "acl-0": "bogus"},
                envelope("api_token_create", 0, reason, data={}),
            ),
        ],
    )
    assert result["failed"] is True
    assert result["msg"] == f"WHM API function api_token_create failed on whm.example.com:2087: {reason}"


# -- existing ------------------------------------------------------------------------------------


def test_rerun_is_unchanged_and_returns_no_secret(monkeypatch):
    result = run(monkeypatch, api_token, {"name": "ci"}, [listing(token_record("ci"), token_record("other"))])
    assert result["changed"] is False
    assert "token" not in result
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["api_token"]["create_time"] == 1700000000


def test_whitelist_spelling_is_idempotent(monkeypatch):
    stored = token_record(
        "ro",
        acls=("list-accts",),
        expires_at=FUTURE,
        whitelist_ips=["10.0.0.0/8", "fc00:abcd:0000:0000:0000:0000:0000:000f"],
    )
    result = run(
        monkeypatch,
        api_token,
        {
            "name": "ro",
            "acls": ["list-accts", "list-accts"],
            "expires_at": FUTURE,
            "whitelist_ips": ["fc00:abcd::f", "10.1.2.3/8", "10.0.0.0/8"],
        },
        [listing(stored)],
    )
    assert result["changed"] is False


def test_acl_change_sends_only_acls(monkeypatch):
    stored = token_record("ro", acls=("list-accts",), whitelist_ips=["10.0.0.1"])
    result = run(
        monkeypatch,
        api_token,
        {"name": "ro", "acls": ["list-accts", "create-dns"]},
        [listing(stored), Call("api_token_update", {"token_name": "ro", "acl-0": "create-dns", "acl-1": "list-accts"})],
    )
    assert result["changed"] is True
    assert result["diff"] == {
        "before": {"name": "ro", "acls": ["list-accts"], "expires_at": 0, "whitelist_ips": ["10.0.0.1"]},
        "after": {"name": "ro", "acls": ["create-dns", "list-accts"], "expires_at": 0, "whitelist_ips": ["10.0.0.1"]},
    }


def test_back_to_full_access_sends_acl_all(monkeypatch):
    # api_token_update keeps the ACLs when acl is left out, so full access must be asked for.
    stored = token_record("ro", acls=("list-accts",))
    result = run(
        monkeypatch,
        api_token,
        {"name": "ro"},
        [listing(stored), Call("api_token_update", {"token_name": "ro", "acl": "all"})],
    )
    assert result["changed"] is True
    assert result["api_token"]["acls"] == ["all"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_expiry_and_whitelist_cleared(monkeypatch, check_mode):
    stored = token_record("ci", expires_at=FUTURE, whitelist_ips=["10.0.0.1"])
    calls = [listing(stored)]
    if not check_mode:
        calls.append(Call("api_token_update", {"token_name": "ci", "expires_at": "0", "whitelist_ip": "any"}))
    result = run(
        monkeypatch, api_token, {"name": "ci", "expires_at": 0, "whitelist_ips": []}, calls, check_mode=check_mode
    )
    assert result["changed"] is True
    assert result["diff"]["after"] == {"name": "ci", "acls": ["all"], "expires_at": 0, "whitelist_ips": []}


def test_unmanaged_settings_kept(monkeypatch):
    stored = token_record("ci", expires_at=FUTURE, whitelist_ips=["10.0.0.1"])
    result = run(monkeypatch, api_token, {"name": "ci"}, [listing(stored)])
    assert result["changed"] is False
    assert result["api_token"]["expires_at"] == FUTURE
    assert result["api_token"]["whitelist_ips"] == ["10.0.0.1"]


def test_expiry_set(monkeypatch):
    result = run(
        monkeypatch,
        api_token,
        {"name": "ci", "expires_at": FUTURE},
        [listing(token_record("ci")), Call("api_token_update", {"token_name": "ci", "expires_at": str(FUTURE)})],
    )
    assert result["changed"] is True
    assert result["api_token"]["expires_at"] == FUTURE


def test_past_expiry_refused_before_write(monkeypatch):
    result = run(monkeypatch, api_token, {"name": "ci", "expires_at": 1000}, [listing(token_record("ci"))])
    assert result["failed"] is True
    assert result["msg"] == (
        "expires_at 1000 is not in the future; give a later Unix time, or 0 for a token that never expires."
    )
    assert [call[0] for call in result["_calls"]] == ["api_token_list"]


def test_expired_token_with_same_expiry_is_unchanged(monkeypatch):
    result = run(
        monkeypatch, api_token, {"name": "ci", "expires_at": 1000}, [listing(token_record("ci", expires_at=1000))]
    )
    assert result["changed"] is False


# -- revoke --------------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True])
def test_revoke(monkeypatch, check_mode):
    calls = [listing(token_record("ci"))]
    if not check_mode:
        calls.append(Call("api_token_revoke", {"token_name": "ci"}))
    result = run(monkeypatch, api_token, {"name": "ci", "state": "absent"}, calls, check_mode=check_mode)
    assert result["changed"] is True
    assert result["api_token"] == {}
    assert result["diff"] == {
        "before": {"name": "ci", "acls": ["all"], "expires_at": 0, "whitelist_ips": []},
        "after": {},
    }


def test_revoke_absent_is_unchanged(monkeypatch):
    result = run(monkeypatch, api_token, {"name": "ci", "state": "absent"}, [listing(token_record("other"))])
    assert result["changed"] is False
    assert result["diff"] == {"before": {}, "after": {}}


# -- input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (
            {"name": "bad name"},
            "The API token name 'bad name' is not valid: use 1 to 50 letters, digits, dashes (-) and underscores (_).",
        ),
        ({"name": "ci", "acls": []}, "acls must not be an empty list; leave it out to give the token full access."),
        ({"name": "ci", "whitelist_ips": ["nope"]}, "'nope' in whitelist_ips is not an IP address or a CIDR range."),
        ({"name": "ci", "expires_at": -5}, "expires_at must be a Unix time or 0, not -5."),
    ],
)
def test_bad_input_rejected_before_any_call(monkeypatch, args, message):
    result = run(monkeypatch, api_token, args, [])
    assert result["failed"] is True
    assert result["msg"] == message
    assert result["_calls"] == []
