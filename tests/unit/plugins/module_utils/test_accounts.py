# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hosting.whm.plugins.module_utils import _accounts
from ansible_collections.hosting.whm.plugins.module_utils._errors import WHMInputError


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1024M", 1024),
        (1024, 1024),
        ("unlimited", "unlimited"),
        ("0M", "unlimited"),
        (0, "unlimited"),
        (None, "unlimited"),
    ],
)
def test_quota_from_listing(value, expected):
    assert _accounts._limit(value) == expected


@pytest.mark.parametrize("value, expected", [("12M", 12), ("none", 0), ("1.6M", 2), ("*unknown*", None)])
def test_disk_used(value, expected):
    assert _accounts._megabytes(value) == expected


@pytest.mark.parametrize(
    "shell, expected",
    [
        ("/usr/local/cpanel/bin/noshell", False),
        ("/bin/bash", True),
        ("/usr/local/cpanel/bin/jailshell", True),
        ("/sbin/nologin", False),
        ("", False),
        (None, False),
    ],
)
def test_shell_enabled(shell, expected):
    assert _accounts.shell_enabled(shell) is expected


@pytest.mark.parametrize("value, expected", [("0", "unlimited"), ("Unlimited", "unlimited"), ("15", 15), (20, 20)])
def test_parse_megabytes(value, expected):
    assert _accounts.parse_megabytes(value, "quota") == expected


def test_not_suspended_reason_is_none():
    account = _accounts.format_account(
        {"user": "a", "suspended": "0", "suspendreason": "not suspended", "plan": "undefined"}
    )
    assert account["suspend_reason"] is None
    assert account["plan"] is None


@pytest.mark.parametrize("user", ["example", "a1", "abcdefghijklmnop"])
def test_valid_new_usernames(user):
    _accounts.check_username(user, new=True)


@pytest.mark.parametrize("user", ["ex-ample", "ex.ample", "ex_ample"])
def test_transferred_usernames_are_manageable(user):
    _accounts.check_username(user)
    with pytest.raises(WHMInputError):
        _accounts.check_username(user, new=True)


def test_unique_prefix_ignores_the_account_itself():
    _accounts.check_unique_prefix("example1", ["example1", "exampl"])
    with pytest.raises(WHMInputError, match='"example1x"'):
        _accounts.check_unique_prefix("example12", ["example1x"])


@pytest.mark.parametrize("domain", ["example.com", "xn--bcher-kva.example", "sub.example.co.uk", "a.xn--p1ai"])
def test_valid_domains(domain):
    assert _accounts.check_domain(domain.upper(), "user") == domain


def test_long_domain_label():
    with pytest.raises(WHMInputError, match="longer than 63"):
        _accounts.check_domain("a" * 64 + ".com", "user")
