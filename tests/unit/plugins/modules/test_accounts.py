# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from requests.exceptions import ReadTimeout

from ansible_collections.hosting.whm.plugins.module_utils._accounts import SUMMARY_FIELDS
from ansible_collections.hosting.whm.plugins.modules import account, accounts
from ansible_collections.hosting.whm.tests.unit.plugins.modules.test_account import (
    BEFORE,
    CHUNK,
    EXAMPLE,
    PASSWORD,
    SUSPENDED,
    packages,
    verify,
)
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run

SHOP = dict(EXAMPLE, user="shop", domain="shop.example.net", plan="bronze", disklimit="512M", ip="192.0.2.11")


def listing(*records):
    """The one listaccts read of the plural module."""
    return Call("listaccts", {"want": SUMMARY_FIELDS, **CHUNK}, envelope("listaccts", data={"acct": list(records)}))


def command(function, params):
    return f"{function}?{urlencode([('api.version', '1')] + [(k, str(v)) for k, v in params])}"


def batch(*commands, results=None):
    pairs = [(f"command-{index}", command(function, params)) for index, (function, params) in enumerate(commands)]
    if results is None:
        results = [envelope(function) for function, dummy in commands]
    failed = [r for r in results if not r["metadata"]["result"]]
    outer = envelope("batch", data={"result": results})
    if failed:
        outer = envelope("batch", 0, failed[0]["metadata"]["reason"], data={"result": results})
    return Call("batch", pairs + [("abort_on_error", "1")], outer)


def createacct(user, domain, **extra):
    params = {"username": user, "domain": domain, **extra}
    return Call("createacct", params, envelope("createacct", reason="Account Creation Ok", data={"ip": "192.0.2.12"}))


def test_nothing_to_do_is_one_read(monkeypatch):
    declared = [
        {"user": "example", "domain": "example.com", "plan": "gold", "quota": "1024", "hasshell": False},
        {"user": "shop", "plan": "bronze", "quota": 512, "password": PASSWORD},
    ]
    result = run(monkeypatch, accounts, {"accounts": declared}, [listing(EXAMPLE, SHOP)])
    assert result["failed"] is False
    assert result["changed"] is False
    assert [(item["user"], item["changed"]) for item in result["accounts"]] == [("example", False), ("shop", False)]
    assert result["accounts"][0]["account"] == BEFORE
    assert result["diff"] == {"before": {}, "after": {}}
    assert len(result["_calls"]) == 1


@pytest.mark.parametrize("check_mode", [False, True])
def test_create_update_suspend_and_remove(monkeypatch, check_mode):
    old = dict(EXAMPLE, user="old", domain="old.example.org")
    declared = [
        {"user": "example", "quota": 2048},
        {"user": "shop", "state": "suspended", "suspend_reason": "Unpaid"},
        {"user": "newbie", "domain": "newbie.example.com", "password": PASSWORD, "plan": "gold", "quota": 100},
        {"user": "old", "state": "absent"},
        {"user": "never", "state": "absent"},
    ]
    calls = [listing(EXAMPLE, SHOP, old), verify("newbie"), packages("gold")]
    if not check_mode:
        calls += [
            Call(
                "removeacct", {"username": "old", "keepdns": "0"}, envelope("removeacct", reason="old account removed")
            ),
            createacct("newbie", "newbie.example.com", password=PASSWORD, plan="gold"),
            batch(
                ("editquota", [("user", "example"), ("quota", 2048)]),
                ("suspendacct", [("user", "shop"), ("reason", "Unpaid")]),
                ("editquota", [("user", "newbie"), ("quota", 100)]),
            ),
        ]
    result = run(monkeypatch, accounts, {"accounts": declared}, calls, check_mode=check_mode)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True
    assert [(item["user"], item["changed"]) for item in result["accounts"]] == [
        ("example", True),
        ("shop", True),
        ("newbie", True),
        ("old", True),
        ("never", False),
    ]
    assert [item["created"] for item in result["accounts"]] == [False, False, True, False, False]
    diff = result["diff"]
    assert sorted(diff["before"]) == ["example", "newbie", "old", "shop"]
    assert diff["before"]["example"]["quota"] == 1024
    assert diff["after"]["example"]["quota"] == 2048
    assert diff["after"]["shop"]["suspended"] is True
    assert diff["before"]["newbie"] == {}
    assert diff["after"]["old"] == {}
    assert PASSWORD not in json.dumps({k: v for k, v in result.items() if k != "_calls"})


def test_a_single_write_is_sent_alone(monkeypatch):
    calls = [
        listing(EXAMPLE, SUSPENDED | {"user": "shop", "domain": "shop.example.net"}),
        Call("unsuspendacct", {"user": "shop"}),
    ]
    result = run(monkeypatch, accounts, {"accounts": [{"user": "example"}, {"user": "shop"}]}, calls)
    assert result["changed"] is True
    assert [item["changed"] for item in result["accounts"]] == [False, True]


def test_plan_change_and_password_keep_the_singular_order(monkeypatch):
    declared = [
        {"user": "example", "plan": "silver", "hasshell": False, "password": PASSWORD, "update_password": "always"},
    ]
    calls = [
        listing(SUSPENDED),
        packages("gold", "silver"),
        batch(
            ("unsuspendacct", [("user", "example")]),
            ("changepackage", [("user", "example"), ("pkg", "silver")]),
            ("modifyacct", [("user", "example"), ("HASSHELL", "0")]),
            ("passwd", [("user", "example"), ("password", PASSWORD)]),
        ),
    ]
    result = run(monkeypatch, accounts, {"accounts": declared}, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["accounts"][0]["account"]["plan"] == "silver"
    assert result["accounts"][0]["account"]["suspended"] is False


def test_bwlimit_reads_showbw_once_for_all(monkeypatch):
    limits = [
        {"user": "example", "maindomain": "example.com", "limit": 0, "owner": "root"},
        {"user": "shop", "maindomain": "shop.example.net", "limit": 1024 * 1024 * 1024, "owner": "root"},
    ]
    calls = [
        listing(EXAMPLE, SHOP),
        Call("showbw", {}, envelope("showbw", data={"acct": limits})),
        Call("limitbw", {"user": "example", "bwlimit": "2048"}),
    ]
    declared = [{"user": "example", "bwlimit": 2048}, {"user": "shop", "bwlimit": "1024"}]
    result = run(monkeypatch, accounts, {"accounts": declared}, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["diff"]["before"]["example"]["bwlimit"] == "unlimited"
    assert [item["changed"] for item in result["accounts"]] == [True, False]
    assert result["accounts"][1]["account"]["bwlimit"] == 1024


@pytest.mark.parametrize(
    "declared, message",
    [
        (
            [{"user": "example", "quota": 10}, {"user": "shop", "quota": "lots"}],
            "accounts[1]: quota must be a whole number of megabytes or 'unlimited', not 'lots'.",
        ),
        (
            [{"user": "example"}, {"username": "example", "quota": 10}],
            'accounts[1]: the account "example" is listed twice.',
        ),
        (
            [{"user": "example"}, {"user": "shop", "password": "shop1234"}],
            'accounts[1]: The password for "shop" must not contain the username.',
        ),
    ],
)
def test_every_element_is_checked_before_any_call(monkeypatch, declared, message):
    result = run(monkeypatch, accounts, {"accounts": declared}, [])
    assert result["failed"] is True
    assert result["msg"] == message
    assert result["_calls"] == []


def test_unknown_element_option_is_refused_by_the_argument_spec(monkeypatch):
    result = run(monkeypatch, accounts, {"accounts": [{"user": "example", "colour": "red"}]}, [])
    assert result["failed"] is True
    assert "colour" in result["msg"]
    assert result["_calls"] == []


@pytest.mark.parametrize(
    "declared, message",
    [
        (
            [{"user": "example", "quota": 10}, {"user": "newbie", "domain": "shop.example.net"}],
            'accounts[1]: The domain "shop.example.net" already belongs to the account "shop".',
        ),
        (
            [{"user": "example", "quota": 10}, {"user": "shopping1", "domain": "a.example.org"}],
            'accounts[1]: The username "shopping1" cannot be used: its first 8 characters',
        ),
        (
            [
                {"user": "example", "quota": 10},
                {"user": "twin", "domain": "twin.example.org"},
                {"user": "twin2", "domain": "TWIN.example.org"},
            ],
            'accounts[2]: The domain "twin.example.org" already belongs to the account "twin".',
        ),
        (
            [{"user": "example", "quota": 10}, {"user": "newbie"}],
            'accounts[1]: domain is required to create the account "newbie".',
        ),
    ],
)
def test_checks_that_need_the_listing_refuse_before_any_write(monkeypatch, declared, message):
    shopping = dict(SHOP, user="shopping", domain="shopping.example.net")
    calls = [listing(EXAMPLE, SHOP, shopping), verify("twin")]
    result = run(monkeypatch, accounts, {"accounts": declared}, calls)
    assert result["failed"] is True
    assert result["msg"].startswith(message)
    assert all(function in ("listaccts", "verify_new_username") for function, dummy in result["_calls"])


def test_a_removed_account_frees_its_domain(monkeypatch):
    declared = [{"user": "shop", "state": "absent"}, {"user": "newshop", "domain": "shop.example.net"}]
    calls = [
        listing(SHOP),
        verify("newshop"),
        Call("removeacct", {"username": "shop", "keepdns": "0"}),
        createacct("newshop", "shop.example.net"),
    ]
    result = run(monkeypatch, accounts, {"accounts": declared}, calls)
    assert result["failed"] is False, result.get("msg")


def test_a_failed_batch_command_names_the_account_and_the_password_is_blanked(monkeypatch):
    declared = [
        {"user": "example", "quota": 2048},
        {"user": "shop", "password": PASSWORD, "update_password": "always"},
    ]
    refusal = f"The password \u201c{PASSWORD}\u201d is too weak."
    calls = [
        listing(EXAMPLE, SHOP),
        batch(
            ("editquota", [("user", "example"), ("quota", 2048)]),
            ("passwd", [("user", "shop"), ("password", PASSWORD)]),
            results=[envelope("editquota"), envelope("passwd", 0, refusal)],
        ),
    ]
    result = run(monkeypatch, accounts, {"accounts": declared}, calls)
    assert result["failed"] is True
    assert result["msg"].startswith(f"WHM API function passwd failed on {accounts_host()}")
    assert 'account "shop", in a batch' in result["msg"]
    assert PASSWORD not in result["msg"]


def accounts_host():
    return "whm.example.com:2087"


def test_createacct_timeout_is_read_back_not_resent(monkeypatch):
    calls = [
        listing(EXAMPLE),
        verify("newbie"),
        Call("createacct", check_params=False, raises=ReadTimeout("read timed out")),
        Call(
            "accountsummary",
            {"user": "newbie"},
            envelope("accountsummary", data={"acct": [dict(EXAMPLE, user="newbie", domain="newbie.example.com")]}),
        ),
    ]
    result = run(monkeypatch, accounts, {"accounts": [{"user": "newbie", "domain": "newbie.example.com"}]}, calls)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True


def test_elements_take_exactly_the_account_module_options():
    single = account.account_argument_spec().argument_spec
    plural = accounts.accounts_argument_spec().argument_spec["accounts"]["options"]
    assert plural == single


def verify_batch(*users, results=None):
    pairs = [(f"command-{index}", command("verify_new_username", [("user", user)])) for index, user in enumerate(users)]
    if results is None:
        results = [envelope("verify_new_username") for dummy in users]
    failed = [r for r in results if not r["metadata"]["result"]]
    outer = envelope("batch", 0 if failed else 1, failed[0]["metadata"]["reason"] if failed else "OK")
    outer["data"] = {"result": results}
    return Call("batch", pairs, outer)


@pytest.mark.parametrize("check_mode", [False, True])
def test_new_usernames_are_verified_in_one_batch_of_reads(monkeypatch, check_mode):
    declared = [{"user": "one", "domain": "one.example.com"}, {"user": "two", "domain": "two.example.com"}]
    calls = [listing(EXAMPLE), verify_batch("one", "two")]
    if not check_mode:
        calls += [createacct("one", "one.example.com"), createacct("two", "two.example.com")]
    result = run(monkeypatch, accounts, {"accounts": declared}, calls, check_mode=check_mode)
    assert result["failed"] is False, result.get("msg")
    assert [item["created"] for item in result["accounts"]] == [True, True]


def test_a_refused_new_username_in_the_batch_stops_before_any_write(monkeypatch):
    declared = [{"user": "one", "domain": "one.example.com"}, {"user": "two", "domain": "two.example.com"}]
    refusal = "The system already has a group named \u201ctwo\u201d."
    calls = [
        listing(EXAMPLE),
        verify_batch(
            "one", "two", results=[envelope("verify_new_username"), envelope("verify_new_username", 0, refusal)]
        ),
    ]
    result = run(monkeypatch, accounts, {"accounts": declared}, calls)
    assert result["failed"] is True
    assert result["msg"].endswith(f'(account "two"): {refusal}')
    assert [function for function, dummy in result["_calls"]] == ["listaccts", "batch"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_ip_change_goes_in_the_batch(monkeypatch, check_mode):
    declared = [{"user": "example", "ip": "192.0.2.10"}, {"user": "shop", "ip": "192.0.2.99", "quota": 100}]
    calls = [listing(EXAMPLE, SHOP)]
    if not check_mode:
        calls.append(
            batch(
                ("editquota", [("user", "shop"), ("quota", 100)]),
                ("setsiteip", [("user", "shop"), ("ip", "192.0.2.99")]),
            )
        )
    result = run(monkeypatch, accounts, {"accounts": declared}, calls, check_mode=check_mode)
    assert result["failed"] is False, result.get("msg")
    assert [(item["user"], item["changed"]) for item in result["accounts"]] == [("example", False), ("shop", True)]
    assert result["accounts"][1]["account"]["ip"] == "192.0.2.99"
    assert result["diff"]["before"]["shop"]["ip"] == "192.0.2.11"
    assert result["diff"]["after"]["shop"]["ip"] == "192.0.2.99"


def test_ip_refused_by_whm_names_the_account(monkeypatch):
    reason = "Sorry, 192.0.2.99 is in use by another domain name and is not a shared ip."
    failed = envelope("setsiteip", 0, reason)
    calls = [listing(EXAMPLE, SHOP), Call("setsiteip", {"user": "shop", "ip": "192.0.2.99"}, failed)]
    result = run(monkeypatch, accounts, {"accounts": [{"user": "shop", "ip": "192.0.2.99"}]}, calls)
    assert result["failed"] is True
    assert "setsiteip" in result["msg"] and "shop" in result["msg"] and reason in result["msg"]


def test_a_missing_package_is_refused_before_any_account_is_written(monkeypatch):
    declared = [
        {"user": "first", "domain": "first.example.com", "password": PASSWORD, "plan": "gold"},
        {"user": "second", "domain": "second.example.com", "password": PASSWORD, "plan": "platinum"},
    ]
    calls = [
        listing(EXAMPLE),
        Call(
            "batch",
            [
                ("command-0", "verify_new_username?api.version=1&user=first"),
                ("command-1", "verify_new_username?api.version=1&user=second"),
            ],
            envelope(
                "batch",
                data={"result": [envelope("verify_new_username"), envelope("verify_new_username")]},
            ),
        ),
        packages("gold"),
    ]
    result = run(monkeypatch, accounts, {"accounts": declared}, calls)
    assert result["failed"] is True
    assert result["msg"] == (
        'The package "platinum" of the account "second" does not exist on the server (listpkgs); '
        "createacct and changepackage would refuse it. Create the package first."
    )
