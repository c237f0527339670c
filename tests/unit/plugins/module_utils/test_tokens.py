# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hosting.whm.plugins.module_utils._errors import WHMInputError
from ansible_collections.hosting.whm.plugins.module_utils._tokens import (
    check_expires_at,
    format_token,
    normalise_acls,
    normalise_whitelist,
    validate_token_name,
)


@pytest.mark.parametrize("name", ["ci", "a" * 50, "deploy_bot-2", "X"])
def test_valid_token_names(name):
    validate_token_name(name)


@pytest.mark.parametrize("name", ["", "a" * 51, "has space", "dot.ted", "ünï"])
def test_invalid_token_names(name):
    with pytest.raises(WHMInputError) as caught:
        validate_token_name(name)
    assert caught.value.message == (
        f"The API token name '{name}' is not valid: use 1 to 50 letters, digits, dashes (-) and underscores (_)."
    )


def test_acls_omitted_or_all_mean_full_access():
    assert normalise_acls(None) == ["all"]
    assert normalise_acls(["list-accts", "all"]) == ["all"]


def test_acls_sorted_and_deduplicated():
    assert normalise_acls(["list-accts", "create-dns", " list-accts "]) == ["create-dns", "list-accts"]


@pytest.mark.parametrize(
    "acls, message",
    [
        ([], "acls must not be an empty list; leave it out to give the token full access."),
        (["list-accts", ""], "Every entry of acls must be a non-empty privilege name, not ''."),
        ([" "], "Every entry of acls must be a non-empty privilege name, not ' '."),
    ],
)
def test_bad_acls(acls, message):
    with pytest.raises(WHMInputError) as caught:
        normalise_acls(acls)
    assert caught.value.message == message


def test_whitelist_normalised_like_whm():
    given = [
        "fc00:abcd::f",
        "10.0.0.5/32",
        "192.0.2.7/24",
        "10.0.0.5",
        "2001:db8::/32",
        "fc00:abcd:0:0:0:0:0:f/128",
        "9.9.9.9",
    ]
    assert normalise_whitelist(given) == [
        "9.9.9.9",
        "10.0.0.5",
        "192.0.2.0/24",
        "2001:0db8:0000:0000:0000:0000:0000:0000/32",
        "fc00:abcd:0000:0000:0000:0000:0000:000f",
    ]


def test_whitelist_bad_entry():
    with pytest.raises(WHMInputError) as caught:
        normalise_whitelist(["10.0.0.1", "example.com"])
    assert caught.value.message == "'example.com' in whitelist_ips is not an IP address or a CIDR range."


def test_whitelist_limit():
    with pytest.raises(WHMInputError) as caught:
        normalise_whitelist([f"10.0.{i // 256}.{i % 256}" for i in range(101)])
    assert caught.value.message == "whitelist_ips holds 101 entries; WHM accepts at most 100."


def test_expiry_must_be_future():
    check_expires_at(0, 1000.0)
    check_expires_at(1001, 1000.0)
    with pytest.raises(WHMInputError) as caught:
        check_expires_at(999, 1000.0)
    assert caught.value.message == (
        "expires_at 999 is not in the future; give a later Unix time, or 0 for a token that never expires."
    )


def test_format_token_full_access_root():
    record = {"name": "ci", "create_time": 1700000000, "expires_at": None, "acls": {"all": 1, "list-accts": 1}}
    assert format_token(record) == {
        "name": "ci",
        "acls": ["all"],
        "expires_at": 0,
        "whitelist_ips": [],
        "create_time": 1700000000,
    }


def test_format_token_restricted():
    record = {
        "name": "ro",
        "create_time": "1700000000",
        "expires_at": "1900000000",
        "acls": {"all": 0, "list-accts": 1, "create-dns": "0", "acct-summary": "1"},
        "whitelist_ips": ["fc00:abcd:0000:0000:0000:0000:0000:000f", "10.0.0.1"],
    }
    assert format_token(record) == {
        "name": "ro",
        "acls": ["acct-summary", "list-accts"],
        "expires_at": 1900000000,
        "whitelist_ips": ["10.0.0.1", "fc00:abcd:0000:0000:0000:0000:0000:000f"],
        "create_time": 1700000000,
    }
