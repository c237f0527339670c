# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import subprocess
import typing as t
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from ansible_collections.hosting.whm.plugins.module_utils._api import WhmApi, encode_params, is_read_only
from ansible_collections.hosting.whm.plugins.module_utils._errors import (
    WHMAPIError,
    WHMAuthenticationError,
    WHMTransportError,
    WHMWriteOutcomeUnknown,
)
from ansible_collections.hosting.whm.plugins.module_utils._transport import CliTransport, HttpTransport
from ansible_collections.hosting.whm.tests.unit.utils.whm_http import TOKEN, Call, ScriptedSession, envelope


def make_api(
    calls: t.Sequence[Call], retries: int = 3, warnings: t.Optional[list] = None
) -> t.Tuple[WhmApi, ScriptedSession]:
    session = ScriptedSession(calls)
    transport = HttpTransport(
        "whm.example.com",
        api_token=TOKEN,
        retries=retries,
        session=session,
        warn=None if warnings is None else warnings.append,
    )
    transport.sleep = lambda seconds: None  # type: ignore[method-assign]
    return WhmApi(transport), session


def test_auth_header_and_url():
    session = ScriptedSession([Call("version", {}, envelope("version", data={"version": "11.120.0.16"}))])
    seen = {}

    def post(url, data=None, headers=None, timeout=None, verify=None):
        seen.update(url=url, headers=headers, verify=verify, timeout=timeout)
        return ScriptedSession.post(session, url, data, headers, timeout, verify)

    session.post = post  # type: ignore[method-assign]
    api = WhmApi(HttpTransport("whm.example.com", api_token=TOKEN, session=session, ca_path="/etc/ca.pem"))
    assert api.read("version").data == {"version": "11.120.0.16"}
    assert seen["url"] == "https://whm.example.com:2087/json-api/version"
    assert seen["headers"]["Authorization"] == f"whm root:{TOKEN}"
    assert seen["verify"] == "/etc/ca.pem"
    assert seen["timeout"] == 60.0


def test_url_forms_and_schemes():
    assert (
        HttpTransport._build_base_url("https://whm.example.com:2443/", 2087, None)[0] == "https://whm.example.com:2443"
    )
    assert HttpTransport._build_base_url("2001:db8::1", 2087, None)[0] == "https://[2001:db8::1]:2087"
    warnings: list = []
    HttpTransport._build_base_url("http://whm.example.com", 2086, warnings.append)
    assert warnings == ["whm_host uses http://: the API token or password travels unencrypted"]
    with pytest.raises(WHMTransportError, match="unsupported scheme 'ftp'"):
        HttpTransport._build_base_url("ftp://whm.example.com", 2087, None)


def test_basic_auth_and_missing_credentials():
    transport = HttpTransport("h", password="s3cret", session=object())
    assert transport.auth_header == "Basic cm9vdDpzM2NyZXQ="
    with pytest.raises(WHMTransportError, match="Either whm_api_token or whm_password is required"):
        HttpTransport("h", session=object())


def test_result_zero_is_an_error_and_result_may_be_a_string():
    api, dummy = make_api(
        [
            Call("listaccts", response={"metadata": {"command": "listaccts", "result": "1", "reason": "OK"}}),
            Call("accountsummary", response=envelope("accountsummary", "0", "Account does not exist.")),
        ]
    )
    assert api.read("listaccts").ok
    with pytest.raises(WHMAPIError) as caught:
        api.read("accountsummary", {"user": "nobody1"})
    assert (
        str(caught.value) == "WHM API function accountsummary failed on whm.example.com:2087: Account does not exist."
    )
    assert caught.value.reason == "Account does not exist."


def test_messages_and_warnings_as_list_or_string():
    api, dummy = make_api(
        [Call("modifyacct", response=envelope("modifyacct", output={"messages": "one\ntwo", "warnings": ["w"]}))]
    )
    response = api.write("modifyacct", {"user": "bob"})
    assert response.messages == ["one", "two"]
    assert response.warnings == ["w"]


def test_params_encoding():
    assert encode_params({"a": True, "b": False, "c": None, "acl": ["list-accts", "create-acct"], "n": 5}) == [
        ("a", "1"),
        ("b", "0"),
        ("acl-0", "list-accts"),
        ("acl-1", "create-acct"),
        ("n", "5"),
    ]


def test_read_retries_on_503_then_succeeds_with_warning():
    warnings: list = []
    api, session = make_api(
        [Call("listaccts", status=503, body="busy"), Call("listaccts", response=envelope("listaccts"))],
        warnings=warnings,
    )
    assert api.read("listaccts").ok
    session.assert_done()
    assert warnings == ["listaccts on whm.example.com:2087: HTTP 503; retry 1 of 3 in 0.5 s"]


def test_read_gives_up_after_retries():
    api, dummy = make_api([Call("listaccts", status=503, body="busy")] * 3, retries=2)
    with pytest.raises(WHMTransportError) as caught:
        api.read("listaccts")
    assert (
        str(caught.value)
        == "WHM API function listaccts on whm.example.com:2087 failed with HTTP 503 (stopping after 2 retries)"
    )


def test_retry_after_is_honoured_and_clamped():
    delays: list = []
    session = ScriptedSession([Call("version", status=429, body=""), Call("version")])
    transport = HttpTransport("h", api_token=TOKEN, session=session)
    transport.sleep = delays.append  # type: ignore[method-assign]
    original = session.post

    def post(*args, **kwargs):
        response = original(*args, **kwargs)
        response.headers = {"Retry-After": "120"}
        return response

    session.post = post  # type: ignore[method-assign]
    WhmApi(transport).read("version")
    assert delays == [30.0]


def test_write_is_never_retried_on_5xx():
    api, session = make_api([Call("createacct", status=503, body="busy")])
    with pytest.raises(WHMTransportError, match=r"failed with HTTP 503$"):
        api.write("createacct", {"username": "bob"})
    session.assert_done()


def test_write_timeout_is_an_unknown_outcome():
    api, dummy = make_api([Call("createacct", raises=requests.exceptions.ReadTimeout("read timed out"))])
    with pytest.raises(WHMWriteOutcomeUnknown, match="timed out after 300 s; the write may have been applied"):
        api.write("createacct", {"username": "bob"})


def test_write_connection_refused_is_retried():
    refused = requests.exceptions.ConnectionError("Failed to establish a new connection: Connection refused")
    api, session = make_api([Call("killpkg", raises=refused), Call("killpkg")])
    api.write("killpkg", {"pkgname": "gold"})
    session.assert_done()


def test_authentication_error_has_no_secret():
    api, dummy = make_api([Call("version", status=403, body="Access denied")])
    with pytest.raises(WHMAuthenticationError) as caught:
        api.read("version")
    assert TOKEN not in str(caught.value)
    assert str(caught.value) == (
        "WHM at whm.example.com:2087 refused the credentials of user 'root' for version (HTTP 403); "
        "check whm_username and the API token or password"
    )


def test_non_json_and_missing_envelope():
    api, dummy = make_api([Call("version", body="<html>IE11</html>"), Call("version", body='{"status": 1}')])
    with pytest.raises(WHMTransportError, match="did not return JSON \\(HTTP 200\\): <html>IE11</html>"):
        api.read("version")
    with pytest.raises(WHMTransportError, match="without the WHM API 1 'metadata' envelope"):
        api.read("version")


def test_tls_error_message():
    api, dummy = make_api([Call("version", raises=requests.exceptions.SSLError("certificate verify failed"))])
    with pytest.raises(WHMTransportError, match="TLS verification failed for whm.example.com:2087 calling version"):
        api.read("version")


def test_secret_scrubbed_from_reason():
    api, dummy = make_api([Call("passwd", response=envelope("passwd", 0, "Password hunter22 contains the username"))])
    api.add_secret("hunter22")
    with pytest.raises(WHMAPIError) as caught:
        api.write("passwd", {"user": "bob", "password": "hunter22"})
    assert "hunter22" not in str(caught.value)
    assert "********" in str(caught.value)


def test_write_with_readback_confirms_applied():
    warnings: list = []
    api, dummy = make_api([Call("createacct", raises=requests.exceptions.ReadTimeout("timed out"))])
    checks = iter([False, True])
    assert (
        api.write_with_readback("createacct", {"username": "bob"}, lambda: next(checks), warn=warnings.append) is None
    )
    assert len(warnings) == 1 and "reading back shows it was applied" in warnings[0]


def test_write_with_readback_not_applied_fails_without_retry():
    api, session = make_api([Call("createacct", raises=requests.exceptions.ReadTimeout("timed out"))])
    with pytest.raises(WHMTransportError, match="It was not retried"):
        api.write_with_readback("createacct", {"username": "bob"}, lambda: False, settle_time=0)
    session.assert_done()


def test_batch_builds_commands_and_splits_results():
    sub_ok = envelope("accountsummary", data={"acct": [{"user": "bob"}]})
    sub_fail = envelope("accountsummary", 0, "Account does not exist.")
    batch_reply = envelope("batch", 0, "A batch command failed.", data={"result": [sub_ok, sub_fail]})
    api, session = make_api([Call("batch", response=batch_reply, check_params=False)])
    responses = api.batch([("accountsummary", {"user": "bob"}), ("accountsummary", {"user": "eve"})], write=False)
    assert [r.ok for r in responses] == [True, False]
    assert responses[0].records("acct") == [{"user": "bob"}]
    function, pairs = session.made[0]
    commands = [value for key, value in pairs if key.startswith("command")]
    assert [dict(parse_qsl(urlsplit(c).query)) for c in commands] == [
        {"api.version": "1", "user": "bob"},
        {"api.version": "1", "user": "eve"},
    ]
    assert all(c.startswith("accountsummary?") for c in commands)


def test_list_records_pages_until_total():
    def page(records, total):
        return envelope("listaccts", data={"acct": records}, chunk={"records": total})

    api, session = make_api(
        [
            Call("listaccts", response=page([{"user": "a"}, {"user": "b"}], 3), check_params=False),
            Call("listaccts", response=page([{"user": "c"}], 3), check_params=False),
        ]
    )
    assert [r["user"] for r in api.list_records("listaccts", "acct", page_size=2)] == ["a", "b", "c"]
    second = dict(session.made[1][1])
    assert second["api.chunk.start"] == "3" and second["api.chunk.size"] == "2"


def test_read_only_classification():
    assert is_read_only("listaccts") and is_read_only("get_domain_info") and is_read_only("verify_new_username")
    assert (
        not is_read_only("createacct")
        and not is_read_only("generatessl")
        and not is_read_only("start_transfer_session")
    )


def test_cli_transport(monkeypatch, tmp_path):
    calls = []

    def fake_run(argv, capture_output, text, timeout, check):
        calls.append(argv)
        return subprocess.CompletedProcess(argv, 0, json.dumps(envelope("listaccts", data={"acct": []})), "")

    monkeypatch.setattr(subprocess, "run", fake_run)
    api = WhmApi(CliTransport(executable="/bin/whmapi1"))
    assert api.read("listaccts", {"searchtype": "user", "search": "bob"}).ok
    assert calls == [["/bin/whmapi1", "--output=json", "listaccts", "searchtype=user", "search=bob"]]


def test_cli_transport_failure_is_scrubbed(monkeypatch):
    def fake_run(argv, capture_output, text, timeout, check):
        return subprocess.CompletedProcess(argv, 2, "", "bad password hunter22")

    monkeypatch.setattr(subprocess, "run", fake_run)
    api = WhmApi(CliTransport(executable="/bin/whmapi1", secrets=["hunter22"]))
    with pytest.raises(WHMTransportError) as caught:
        api.write("passwd", {"user": "bob", "password": "hunter22"})
    assert str(caught.value) == "whmapi1 passwd exited with status 2: bad password ********"


def test_cli_transport_timeout_on_write(monkeypatch):
    def fake_run(argv, capture_output, text, timeout, check):
        raise subprocess.TimeoutExpired(argv, timeout)

    monkeypatch.setattr(subprocess, "run", fake_run)
    with pytest.raises(WHMWriteOutcomeUnknown):
        WhmApi(CliTransport(executable="/bin/whmapi1")).write("createacct", {"username": "bob"})
