# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import itertools
import json

import pytest
from ansible.module_utils import basic
from requests.exceptions import ReadTimeout

from ansible_collections.hosting.whm.plugins.modules import account
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import Call, envelope, run

PASSWORD = "Zq7-unit-Secret-Pw!"
HOST = "whm.example.com:2087"

EXAMPLE = {
    "user": "example",
    "domain": "example.com",
    "plan": "gold",
    "email": "owner@example.com",
    "disklimit": "1024M",
    "diskused": "12M",
    "shell": "/usr/local/cpanel/bin/noshell",
    "owner": "root",
    "theme": "jupiter",
    "ip": "192.0.2.10",
    "ipv6": [],
    "suspended": 0,
    "suspendreason": "not suspended",
    "suspendtime": 0,
    "is_locked": 0,
    "uid": 1001,
    "partition": "home",
    "startdate": "24 Jan 15 10:20",
    "unix_startdate": 1706091600,
    "mailbox_format": "maildir",
}
SUSPENDED = dict(EXAMPLE, suspended=1, suspendreason="Unpaid", suspendtime=1706091700)

BEFORE = {
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
}

CHUNK = {"api.chunk.enable": "1", "api.chunk.verbose": "1", "api.chunk.size": "1000", "api.chunk.start": "1"}


def summary(record="example", user="example"):
    """An accountsummary call answering with ``record`` (the example account by default; None: absent)."""
    if record == "example":
        record = EXAMPLE
    if record is None:
        return Call(
            "accountsummary",
            {"user": user},
            envelope("accountsummary", 0, "Account does not exist.", data={"acct": []}),
        )
    return Call("accountsummary", {"user": user}, envelope("accountsummary", data={"acct": [record]}))


def listing(*users):
    records = [{"user": user, "domain": f"{user}.net"} for user in users]
    return Call("listaccts", {"want": "user,domain", **CHUNK}, envelope("listaccts", data={"acct": records}))


def verify(user="example"):
    return Call("verify_new_username", {"user": user}, envelope("verify_new_username"))


def showbw(limit_bytes, user="example"):
    record = {"user": user, "maindomain": "example.com", "limit": limit_bytes, "totalbytes": 0, "owner": "root"}
    return Call("showbw", {"searchtype": "user", "search": f"^{user}$"}, envelope("showbw", data={"acct": [record]}))


def create_reads(user="example", others=("other",)):
    return [summary(None, user), listing(*others), verify(user)]


def packages(*names):
    """listpkgs: the packages that exist (read before an account is given a package)."""
    return Call("listpkgs", {"want": "all"}, envelope("listpkgs", data={"pkg": [{"name": name} for name in names]}))


def assert_no_password(result):
    visible = {key: value for key, value in result.items() if key != "_calls"}
    assert PASSWORD not in json.dumps(visible)


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning, **kwargs: seen.append(warning))
    return seen


# -- create ---------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True])
def test_create(monkeypatch, check_mode):
    calls = create_reads() + [packages("gold")]
    if not check_mode:
        calls.append(
            Call(
                "createacct",
                {
                    "username": "example",
                    "domain": "example.com",
                    "password": PASSWORD,
                    "plan": "gold",
                    "contactemail": "owner@example.com",
                },
                envelope("createacct", reason="Account Creation Ok", data={"ip": "192.0.2.10", "package": "gold"}),
            )
        )
    result = run(
        monkeypatch,
        account,
        {
            "user": "example",
            "domain": "Example.COM",
            "password": PASSWORD,
            "plan": "gold",
            "contact_email": "owner@example.com",
        },
        calls,
        check_mode=check_mode,
    )
    assert result["failed"] is False
    assert result["changed"] is True
    after = {
        "user": "example",
        "domain": "example.com",
        "plan": "gold",
        "contact_email": "owner@example.com",
        "suspended": False,
        "suspend_reason": None,
    }
    assert result["diff"] == {"before": {}, "after": after}
    assert result["account"] == after
    assert_no_password(result)


def test_create_without_plan_sends_limits_to_createacct(monkeypatch):
    result = run(
        monkeypatch,
        account,
        {"user": "example", "domain": "example.com", "quota": "0", "bwlimit": "2048", "hasshell": True},
        create_reads()
        + [
            Call(
                "createacct",
                {"username": "example", "domain": "example.com", "quota": "0", "bwlimit": "2048", "hasshell": "1"},
            )
        ],
    )
    assert result["changed"] is True
    assert result["account"]["quota"] == "unlimited"
    assert result["account"]["bwlimit"] == 2048


def test_create_with_plan_sets_limits_afterwards(monkeypatch):
    result = run(
        monkeypatch,
        account,
        {"user": "example", "domain": "example.com", "plan": "gold", "quota": "500", "hasshell": False},
        create_reads()
        + [
            packages("gold"),
            Call("createacct", {"username": "example", "domain": "example.com", "plan": "gold"}),
            Call("modifyacct", {"user": "example", "HASSHELL": "0"}),
            Call("editquota", {"user": "example", "quota": "500"}, envelope("editquota", reason="Set quota for user.")),
        ],
    )
    assert result["changed"] is True


def test_create_only_options(monkeypatch):
    result = run(
        monkeypatch,
        account,
        {
            "user": "example",
            "domain": "example.com",
            "owner": "reseller1",
            "theme": "jupiter",
            "ip": "192.0.2.20",
            "dedicated_ip": True,
            "language": "de",
        },
        create_reads()
        + [
            Call(
                "createacct",
                {
                    "username": "example",
                    "domain": "example.com",
                    "owner": "reseller1",
                    "cpmod": "jupiter",
                    "customip": "192.0.2.20",
                    "ip": "y",
                    "language": "de",
                },
            )
        ],
    )
    assert result["changed"] is True
    assert "language" not in result["account"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_create_suspended(monkeypatch, check_mode):
    calls = create_reads()
    if not check_mode:
        calls += [
            Call("createacct", {"username": "example", "domain": "example.com"}),
            Call("suspendacct", {"user": "example", "reason": "Not paid"}),
        ]
    result = run(
        monkeypatch,
        account,
        {"user": "example", "domain": "example.com", "state": "suspended", "suspend_reason": "Not paid"},
        calls,
        check_mode=check_mode,
    )
    assert result["changed"] is True
    assert result["account"]["suspended"] is True
    assert result["account"]["suspend_reason"] == "Not paid"


def test_create_timeout_but_applied_is_success_with_warning(monkeypatch, warnings):
    result = run(
        monkeypatch,
        account,
        {"user": "example", "domain": "example.com", "password": PASSWORD},
        create_reads()
        + [
            Call("createacct", check_params=False, raises=ReadTimeout("read timed out")),
            summary(EXAMPLE),
        ],
    )
    assert result["failed"] is False
    assert result["changed"] is True
    assert [call[0] for call in result["_calls"]].count("createacct") == 1
    assert warnings == [
        f"WHM API function createacct on {HOST} timed out after 300 s; the write may have been applied"
        " - reading back shows it was applied, so it was not sent again"
    ]
    assert_no_password(result)


def test_create_timeout_not_applied_fails_without_retry(monkeypatch):
    clock = itertools.count(100, 100)
    monkeypatch.setattr(
        "ansible_collections.hosting.whm.plugins.module_utils._api.time.monotonic", lambda: float(next(clock))
    )
    result = run(
        monkeypatch,
        account,
        {"user": "example", "domain": "example.com", "password": PASSWORD},
        create_reads() + [Call("createacct", check_params=False, raises=ReadTimeout("read timed out")), summary(None)],
    )
    assert result["failed"] is True
    assert result["msg"] == (
        f"WHM API function createacct on {HOST} timed out after 300 s; the write may have been applied, "
        "and after 60 s of reading back it is still not visible. It was not retried, to avoid applying it "
        "twice; check the server and run again"
    )
    assert [call[0] for call in result["_calls"]].count("createacct") == 1


def test_create_failure_names_function_and_reason_without_password(monkeypatch):
    reason = f'Sorry, the password "{PASSWORD}" is too weak.'
    result = run(
        monkeypatch,
        account,
        {"user": "example", "domain": "example.com", "password": PASSWORD},
        create_reads() + [Call("createacct", check_params=False, response=envelope("createacct", 0, reason))],
    )
    assert result["failed"] is True
    assert result["msg"] == f'WHM API function createacct failed on {HOST}: Sorry, the password "********" is too weak.'
    assert_no_password(result)


def test_create_needs_domain(monkeypatch):
    result = run(monkeypatch, account, {"user": "example"}, [summary(None)])
    assert result["failed"] is True
    assert result["msg"] == 'domain is required to create the account "example".'


def test_eight_character_clash_names_the_other_account(monkeypatch):
    result = run(
        monkeypatch,
        account,
        {"user": "example12", "domain": "example.com"},
        [summary(None, "example12"), listing("other", "example1x")],
    )
    assert result["failed"] is True
    assert result["msg"] == (
        'The username "example12" cannot be used: its first 8 characters ("example1") are the same as those '
        'of the existing account "example1x", and WHM requires the first 8 characters of every username to be unique.'
    )
    assert [call[0] for call in result["_calls"]] == ["accountsummary", "listaccts"]


def test_domain_of_another_account(monkeypatch):
    result = run(monkeypatch, account, {"user": "example", "domain": "other.net"}, [summary(None), listing("other")])
    assert result["failed"] is True
    assert result["msg"] == 'The domain "other.net" already belongs to the account "other".'


def test_verify_new_username_refusal(monkeypatch):
    reason = 'API failure: (XID abc123) This system already has a group named "example".'
    result = run(
        monkeypatch,
        account,
        {"user": "example", "domain": "example.com"},
        [
            summary(None),
            listing(),
            Call("verify_new_username", {"user": "example"}, envelope("verify_new_username", 0, reason)),
        ],
    )
    assert result["failed"] is True
    assert result["msg"] == f"WHM API function verify_new_username failed on {HOST}: {reason}"


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "user, message",
    [
        ("Example", 'The username "Example" must be lowercase: WHM stores usernames in lowercase.'),
        ("abcdefghijklmnopq", 'The username "abcdefghijklmnopq" has 17 characters; WHM allows at most 16.'),
        ("1example", 'The username "1example" cannot begin with a digit.'),
        (
            "ex/ample",
            'The username "ex/ample" is not valid: use lowercase letters, digits, "-", "." and "_", '
            "starting with a letter.",
        ),
        (
            "-example",
            'The username "-example" is not valid: use lowercase letters, digits, "-", "." and "_", '
            "starting with a letter.",
        ),
    ],
)
def test_bad_username_rejected_before_any_call(monkeypatch, user, message):
    result = run(monkeypatch, account, {"user": user, "domain": "example.com"}, [])
    assert result["failed"] is True
    assert result["msg"] == message
    assert result["_calls"] == []


@pytest.mark.parametrize(
    "user, message",
    [
        (
            "ex.ample",
            'The username "ex.ample" cannot be used for a new account: use only lowercase letters (a-z) and '
            "digits (0-9), starting with a letter.",
        ),
        (
            "ex_ample",
            'The username "ex_ample" cannot be used for a new account: use only lowercase letters (a-z) and '
            "digits (0-9), starting with a letter.",
        ),
        ("test1", 'The username "test1" cannot begin with "test": cPanel reserves that prefix.'),
        ("cpanelfan", 'The username "cpanelfan" cannot begin with "cpanel": cPanel reserves that prefix.'),
        ("root", 'The username "root" is reserved by cPanel.'),
        ("postgres", 'The username "postgres" is reserved by cPanel.'),
        ("mypassword", 'The username "mypassword" cannot end with "assword": cPanel reserves that suffix.'),
    ],
)
def test_new_username_rules_checked_before_any_write(monkeypatch, user, message):
    result = run(monkeypatch, account, {"user": user, "domain": "example.com"}, [summary(None, user)])
    assert result["failed"] is True
    assert result["msg"] == message
    assert [call[0] for call in result["_calls"]] == ["accountsummary"]


@pytest.mark.parametrize(
    "domain, message",
    [
        ("example", 'The domain "example" is not valid: it must contain at least one dot.'),
        ("www.example.com", 'The domain "www.example.com" is not valid: it must not begin with "www.".'),
        (
            "-bad.example.com",
            'The domain "-bad.example.com" is not valid: the label "-bad" may contain only letters, digits and '
            "hyphens, and may not begin or end with a hyphen.",
        ),
        ("192.0.2.1", 'The domain "192.0.2.1" is not valid: it is an IP address.'),
        ("example.123", 'The domain "example.123" is not valid: "123" is not a valid top-level domain.'),
        (
            "exa mple.com",
            'The domain "exa mple.com" is not valid: the label "exa mple" may contain only letters, '
            "digits and hyphens, and may not begin or end with a hyphen.",
        ),
        ("example..com", 'The domain "example..com" is not valid: it has an empty label.'),
    ],
)
def test_bad_domain_rejected_before_any_call(monkeypatch, domain, message):
    result = run(monkeypatch, account, {"user": "example", "domain": domain}, [])
    assert result["failed"] is True
    assert result["msg"] == message
    assert result["_calls"] == []


def test_domain_same_as_username(monkeypatch):
    result = run(monkeypatch, account, {"user": "ex.com", "domain": "ex.com"}, [])
    assert result["msg"] == "The domain name may not be the same as a username."


@pytest.mark.parametrize(
    "args, message",
    [
        ({"quota": "lots"}, "quota must be a whole number of megabytes or 'unlimited', not 'lots'."),
        ({"bwlimit": "-1"}, "bwlimit must be a whole number of megabytes or 'unlimited', not '-1'."),
        ({"contact_email": "nobody"}, 'contact_email "nobody" is not an email address.'),
        ({"ip": "192.0.2"}, 'ip "192.0.2" is not an IPv4 address.'),
        ({"password": "abc"}, 'The password for "example" is too short: WHM requires at least 5 characters.'),
        ({"password": "myexample1"}, 'The password for "example" must not contain the username.'),
    ],
)
def test_bad_settings_rejected_before_any_call(monkeypatch, args, message):
    result = run(monkeypatch, account, {"user": "example", **args}, [])
    assert result["failed"] is True
    assert result["msg"] == message
    assert result["_calls"] == []


# -- update ---------------------------------------------------------------------------------


def test_unchanged(monkeypatch):
    result = run(
        monkeypatch,
        account,
        {
            "user": "example",
            "domain": "EXAMPLE.com",
            "plan": "gold",
            "contact_email": "owner@example.com",
            "quota": "1024",
            "hasshell": False,
            "owner": "root",
            "theme": "jupiter",
            "ip": "192.0.2.10",
            "password": PASSWORD,
        },
        [summary()],
    )
    assert result["changed"] is False
    assert result["diff"] == {"before": BEFORE, "after": BEFORE}
    assert result["account"] == BEFORE
    assert_no_password(result)


def test_unchanged_with_bwlimit_reads_showbw(monkeypatch):
    result = run(monkeypatch, account, {"user": "example", "bwlimit": "2048"}, [summary(), showbw(2048 * 1048576)])
    assert result["changed"] is False
    assert result["account"]["bwlimit"] == 2048


@pytest.mark.parametrize(
    "args, reads, writes, changed_field",
    [
        (
            {"plan": "silver"},
            [packages("gold", "silver")],
            [Call("changepackage", {"user": "example", "pkg": "silver"})],
            {"plan": "silver"},
        ),
        (
            {"contact_email": "new@example.com"},
            [],
            [Call("modifyacct", {"user": "example", "contactemail": "new@example.com"})],
            {"contact_email": "new@example.com"},
        ),
        (
            {"contact_email": ""},
            [],
            [Call("modifyacct", {"user": "example", "contactemail": ""})],
            {"contact_email": ""},
        ),
        ({"hasshell": True}, [], [Call("modifyacct", {"user": "example", "HASSHELL": "1"})], {"hasshell": True}),
        (
            {"owner": "reseller1"},
            [],
            [Call("modifyacct", {"user": "example", "owner": "reseller1"})],
            {"owner": "reseller1"},
        ),
        (
            {"domain": "example.org"},
            [],
            [Call("modifyacct", {"user": "example", "domain": "example.org"})],
            {"domain": "example.org"},
        ),
        (
            {"theme": "paper_lantern"},
            [],
            [Call("modifyacct", {"user": "example", "RS": "paper_lantern"})],
            {"theme": "paper_lantern"},
        ),
        ({"quota": "2048"}, [], [Call("editquota", {"user": "example", "quota": "2048"})], {"quota": 2048}),
        (
            {"quota": "unlimited"},
            [],
            [Call("editquota", {"user": "example", "quota": "unlimited"})],
            {"quota": "unlimited"},
        ),
        (
            {"bwlimit": "0"},
            [showbw(2048 * 1048576)],
            [Call("limitbw", {"user": "example", "bwlimit": "unlimited"})],
            {"bwlimit": "unlimited"},
        ),
        (
            {"bwlimit": "4096"},
            [showbw(0)],
            [Call("limitbw", {"user": "example", "bwlimit": "4096"})],
            {"bwlimit": 4096},
        ),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True])
def test_each_field_uses_its_function(monkeypatch, args, reads, writes, changed_field, check_mode):
    calls = [summary()] + reads + ([] if check_mode else writes)
    result = run(monkeypatch, account, {"user": "example", **args}, calls, check_mode=check_mode)
    assert result["failed"] is False
    assert result["changed"] is True
    before = dict(BEFORE)
    if "bwlimit" in changed_field:
        before["bwlimit"] = {0: "unlimited"}.get(reads[0].response["data"]["acct"][0]["limit"], 2048)
    assert result["diff"]["before"] == before
    assert result["diff"]["after"] == dict(before, **changed_field)


def test_several_modifyacct_keys_in_one_call(monkeypatch):
    result = run(
        monkeypatch,
        account,
        {"user": "example", "contact_email": "new@example.com", "hasshell": True, "owner": "reseller1"},
        [
            summary(),
            Call(
                "modifyacct",
                {"user": "example", "contactemail": "new@example.com", "HASSHELL": "1", "owner": "reseller1"},
            ),
        ],
    )
    assert result["changed"] is True


def test_plan_change_reapplies_declared_limits(monkeypatch):
    result = run(
        monkeypatch,
        account,
        {"user": "example", "plan": "silver", "quota": "1024", "hasshell": False},
        [
            summary(),
            packages("silver"),
            Call("changepackage", {"user": "example", "pkg": "silver"}),
            Call("modifyacct", {"user": "example", "HASSHELL": "0"}),
            Call("editquota", {"user": "example", "quota": "1024"}),
        ],
    )
    assert result["changed"] is True
    assert result["diff"]["after"]["quota"] == 1024


@pytest.mark.parametrize("check_mode", [False, True])
def test_ip_change_uses_setsiteip(monkeypatch, check_mode):
    calls = [summary()] + ([] if check_mode else [Call("setsiteip", {"user": "example", "ip": "192.0.2.99"})])
    result = run(monkeypatch, account, {"user": "example", "ip": " 192.0.2.99"}, calls, check_mode=check_mode)
    assert result["failed"] is False, result.get("msg")
    assert result["changed"] is True
    assert result["diff"] == {"before": BEFORE, "after": dict(BEFORE, ip="192.0.2.99")}
    assert result["account"]["ip"] == "192.0.2.99"


def test_same_ip_is_unchanged(monkeypatch):
    result = run(monkeypatch, account, {"user": "example", "ip": "192.0.2.10"}, [summary()])
    assert result["changed"] is False


def test_ip_change_comes_after_modifyacct_and_before_suspension(monkeypatch):
    result = run(
        monkeypatch,
        account,
        {"user": "example", "ip": "192.0.2.99", "hasshell": True, "state": "suspended", "suspend_reason": "Moved"},
        [
            summary(),
            Call("modifyacct", {"user": "example", "HASSHELL": "1"}),
            Call("setsiteip", {"user": "example", "ip": "192.0.2.99"}),
            Call("suspendacct", {"user": "example", "reason": "Moved"}),
        ],
    )
    assert result["changed"] is True


def test_ip_change_refused_by_whm(monkeypatch):
    reason = "Unable to set to an unconfigured ip address"
    result = run(
        monkeypatch,
        account,
        {"user": "example", "ip": "198.51.100.7"},
        [summary(), Call("setsiteip", {"user": "example", "ip": "198.51.100.7"}, envelope("setsiteip", 0, reason))],
    )
    assert result["failed"] is True
    assert result["msg"] == f"WHM API function setsiteip failed on {HOST}: {reason}"


@pytest.mark.parametrize("check_mode", [False, True])
def test_password_always(monkeypatch, check_mode):
    calls = [summary()] + ([] if check_mode else [Call("passwd", {"user": "example", "password": PASSWORD})])
    result = run(
        monkeypatch,
        account,
        {"user": "example", "password": PASSWORD, "update_password": "always"},
        calls,
        check_mode=check_mode,
    )
    assert result["changed"] is True
    assert result["diff"] == {"before": BEFORE, "after": BEFORE}
    assert_no_password(result)


def test_password_failure_is_scrubbed(monkeypatch):
    reason = f'The password "{PASSWORD}" has a strength rating of 20; use 65 or higher.'
    result = run(
        monkeypatch,
        account,
        {"user": "example", "password": PASSWORD, "update_password": "always"},
        [summary(), Call("passwd", {"user": "example", "password": PASSWORD}, envelope("passwd", 0, reason))],
    )
    assert result["failed"] is True
    assert result["msg"] == (
        f"WHM API function passwd failed on {HOST}: "
        'The password "********" has a strength rating of 20; use 65 or higher.'
    )
    assert_no_password(result)


def test_password_on_create_is_not_sent_to_existing_account(monkeypatch):
    result = run(monkeypatch, account, {"user": "example", "password": PASSWORD}, [summary()])
    assert result["changed"] is False


# -- suspension -----------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True])
def test_suspend(monkeypatch, check_mode):
    calls = [summary()] + ([] if check_mode else [Call("suspendacct", {"user": "example", "reason": "Unpaid"})])
    result = run(
        monkeypatch,
        account,
        {"user": "example", "state": "suspended", "suspend_reason": "Unpaid"},
        calls,
        check_mode=check_mode,
    )
    assert result["changed"] is True
    assert result["diff"]["after"] == dict(BEFORE, suspended=True, suspend_reason="Unpaid")


def test_already_suspended_is_unchanged(monkeypatch):
    result = run(
        monkeypatch, account, {"user": "example", "state": "suspended", "suspend_reason": "Other"}, [summary(SUSPENDED)]
    )
    assert result["changed"] is False
    assert result["account"]["suspend_reason"] == "Unpaid"


@pytest.mark.parametrize("check_mode", [False, True])
def test_unsuspend(monkeypatch, check_mode):
    calls = [summary(SUSPENDED)] + ([] if check_mode else [Call("unsuspendacct", {"user": "example"})])
    result = run(monkeypatch, account, {"user": "example"}, calls, check_mode=check_mode)
    assert result["changed"] is True
    assert result["diff"]["before"]["suspended"] is True
    assert result["diff"]["after"] == BEFORE


def test_unsuspend_before_password(monkeypatch):
    result = run(
        monkeypatch,
        account,
        {"user": "example", "password": PASSWORD, "update_password": "always", "quota": "10"},
        [
            summary(SUSPENDED),
            Call("unsuspendacct", {"user": "example"}),
            Call("editquota", {"user": "example", "quota": "10"}),
            Call("passwd", {"user": "example", "password": PASSWORD}),
        ],
    )
    assert result["changed"] is True


def test_password_before_suspend(monkeypatch):
    result = run(
        monkeypatch,
        account,
        {"user": "example", "password": PASSWORD, "update_password": "always", "state": "suspended"},
        [
            summary(),
            Call("passwd", {"user": "example", "password": PASSWORD}),
            Call("suspendacct", {"user": "example"}),
        ],
    )
    assert result["changed"] is True


@pytest.mark.parametrize("check_mode", [False, True])
def test_password_on_suspended_account_fails_before_any_write(monkeypatch, check_mode):
    result = run(
        monkeypatch,
        account,
        {"user": "example", "password": PASSWORD, "update_password": "always", "state": "suspended", "quota": "5"},
        [summary(SUSPENDED)],
        check_mode=check_mode,
    )
    assert result["failed"] is True
    assert result["msg"] == (
        'Cannot set the password of "example" while it stays suspended: WHM refuses to change the password of a '
        "suspended account. Use state=present to unsuspend it, or update_password=on_create."
    )
    assert [call[0] for call in result["_calls"]] == ["accountsummary"]


# -- removal --------------------------------------------------------------------------------


@pytest.mark.parametrize("keep_dns, sent", [(False, "0"), (True, "1")])
def test_remove(monkeypatch, keep_dns, sent):
    result = run(
        monkeypatch,
        account,
        {"user": "example", "state": "absent", "keep_dns": keep_dns},
        [
            summary(SUSPENDED),
            Call(
                "removeacct",
                {"username": "example", "keepdns": sent},
                envelope("removeacct", reason="example account removed"),
            ),
        ],
    )
    assert result["changed"] is True
    assert result["diff"]["after"] == {}
    assert result["account"] == {}


def test_remove_check_mode(monkeypatch):
    result = run(monkeypatch, account, {"user": "example", "state": "absent"}, [summary()], check_mode=True)
    assert result["changed"] is True
    assert result["diff"] == {"before": BEFORE, "after": {}}


def test_remove_absent_is_unchanged(monkeypatch):
    result = run(monkeypatch, account, {"user": "example", "state": "absent", "domain": "not checked"}, [summary(None)])
    assert result["changed"] is False
    assert result["diff"] == {"before": {}, "after": {}}


def test_remove_timeout_but_applied(monkeypatch, warnings):
    result = run(
        monkeypatch,
        account,
        {"user": "example", "state": "absent"},
        [summary(), Call("removeacct", check_params=False, raises=ReadTimeout("read timed out")), summary(None)],
    )
    assert result["failed"] is False
    assert result["changed"] is True
    assert len(warnings) == 1 and "removeacct" in warnings[0] and "was not sent again" in warnings[0]


def test_lookup_error_is_reported(monkeypatch):
    reason = 'You do not have access to an account named "example".'
    result = run(
        monkeypatch,
        account,
        {"user": "example"},
        [Call("accountsummary", {"user": "example"}, envelope("accountsummary", 0, reason))],
    )
    assert result["failed"] is True
    assert result["msg"] == f"WHM API function accountsummary failed on {HOST}: {reason}"


def test_a_package_that_does_not_exist_is_refused_before_any_write(monkeypatch):
    args = {"user": "example", "domain": "example.com", "password": PASSWORD, "plan": "platinum"}
    result = run(monkeypatch, account, args, create_reads() + [packages("gold")])
    assert result["failed"] is True
    assert result["msg"] == (
        'The package "platinum" of the account "example" does not exist on the server (listpkgs); '
        "createacct and changepackage would refuse it. Create the package first."
    )


def test_a_missing_package_is_a_warning_in_check_mode(monkeypatch, warnings):
    # An earlier task of the same check-mode run (the provision role's packages) only predicted it.
    args = {"user": "example", "domain": "example.com", "password": PASSWORD, "plan": "platinum"}
    result = run(monkeypatch, account, args, create_reads() + [packages("gold")], check_mode=True)
    assert result["failed"] is False
    assert result["changed"] is True
    assert warnings == [
        'The package "platinum" of the account "example" does not exist on the server (listpkgs); '
        "the real run fails unless it is created before this task."
    ]


def test_the_default_package_needs_no_read(monkeypatch):
    args = {"user": "example", "plan": "default"}
    calls = [summary(), Call("changepackage", {"user": "example", "pkg": "default"})]
    result = run(monkeypatch, account, args, calls)
    assert result["changed"] is True
