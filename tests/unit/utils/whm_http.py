# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Scripted WHM conversations for unit tests.

A test lists the calls it expects (function, exact parameters) with canned answers. The fake
session fails the test on any unexpected call, on a missing ``Authorization: whm`` header,
and on any write while the module runs in check mode; ``assert_done()`` checks every scripted
call was made.
"""

from __future__ import annotations

import json
import typing as t
import urllib.parse

import pytest
from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

# Kept apart from the collection's own list on purpose: a function wrongly marked read-only
# there must still fail these tests.
READ_FUNCTIONS = frozenset(
    (
        "accountsummary",
        "acctcounts",
        "analyze_transfer_session_remote",
        "api_token_get_details",
        "api_token_list",
        "available_transfer_modules",
        "domainuserdata",
        "dumpzone",
        "fetch_service_ssl_components",
        "fetch_ssl_vhosts",
        "fetch_transfer_session_log",
        "fetch_vhost_ssl_components",
        "fetchsslinfo",
        "get_autossl_problems_for_user",
        "get_autossl_providers",
        "get_domain_info",
        "get_featurelist_data",
        "get_transfer_session_state",
        "getdomainowner",
        "gethostname",
        "getpkginfo",
        "getzonerecord",
        "listaccts",
        "listcrts",
        "listmxs",
        "listpkgs",
        "listsuspended",
        "listzones",
        "parse_dns_zone",
        "remote_basic_credential_check",
        "restore_modules_summary",
        "restore_queue_is_active",
        "restore_queue_list_active",
        "restore_queue_list_completed",
        "restore_queue_list_pending",
        "restore_queue_state",
        "retrieve_transfer_session_remote_analysis",
        "showbw",
        "transfer_module_schema",
        "validate_system_user",
        "verify_new_username",
        "verify_new_username_for_restore",
        "verify_user_has_feature",
        "version",
    )
)

TOKEN = "TESTTOKEN0123456789ABCDEFGHIJKLM"
HOST = "whm.example.com"
CONNECTION = {"whm_host": HOST, "whm_api_token": TOKEN}


def envelope(function: str, result: int = 1, reason: str = "OK", data: t.Any = None, **metadata: t.Any) -> dict:
    body: dict = {"metadata": {"command": function, "version": 1, "result": result, "reason": reason, **metadata}}
    if data is not None:
        body["data"] = data
    return body


class Call:
    """One expected request and its answer."""

    def __init__(
        self,
        function: str,
        params: t.Optional[t.Union[dict, t.List[t.Tuple[str, str]]]] = None,
        response: t.Optional[dict] = None,
        status: int = 200,
        body: t.Optional[str] = None,
        raises: t.Optional[BaseException] = None,
        check_params: bool = True,
    ) -> None:
        self.function = function
        self.params = params
        self.response = response if response is not None else envelope(function)
        self.status = status
        self.body = body
        self.raises = raises
        self.check_params = check_params


def batch_of_reads(function: str, pairs: t.List[t.Tuple[str, str]]) -> bool:
    """A ``batch`` request whose every sub-command is a read function (allowed in check mode)."""
    if function != "batch":
        return False
    commands = [value for key, value in pairs if key == "command" or key.startswith("command-")]
    return bool(commands) and all(
        urllib.parse.unquote(command.partition("?")[0]) in READ_FUNCTIONS for command in commands
    )


class FakeResponse:
    def __init__(self, status: int, text: str, headers: t.Optional[dict] = None) -> None:
        self.status_code = status
        self.text = text
        self.headers = headers or {}


class ScriptedSession:
    """Stands in for ``requests.Session``."""

    def __init__(self, calls: t.Sequence[Call], check_mode: bool = False) -> None:
        self.calls = list(calls)
        self.check_mode = check_mode
        self.made: t.List[t.Tuple[str, t.List[t.Tuple[str, str]]]] = []

    def post(self, url: str, data=None, headers=None, timeout=None, verify=None) -> FakeResponse:
        function = url.rsplit("/json-api/", 1)[-1]
        pairs = list(data or [])
        self.made.append((function, pairs))
        assert headers and headers.get("Authorization", "").startswith(("whm ", "Basic ")), "no WHM auth header"
        assert timeout, "every call must carry a timeout"
        if self.check_mode and function not in READ_FUNCTIONS and not batch_of_reads(function, pairs):
            pytest.fail(f"write call {function} made in check mode")
        if not self.calls:
            pytest.fail(f"unexpected call {function} {pairs}")
        expected = self.calls.pop(0)
        assert function == expected.function, f"expected {expected.function}, got {function} {pairs}"
        assert ("api.version", "1") in pairs, "api.version=1 missing"
        if expected.check_params and expected.params is not None:
            sent = sorted(p for p in pairs if p[0] != "api.version")
            wanted = expected.params.items() if isinstance(expected.params, dict) else expected.params
            assert sent == sorted((k, str(v)) for k, v in wanted), f"{function}: sent {sent}"
        if expected.raises is not None:
            raise expected.raises
        text = expected.body if expected.body is not None else json.dumps(expected.response)
        return FakeResponse(expected.status, text)

    def assert_done(self) -> None:
        assert not self.calls, f"scripted calls not made: {[c.function for c in self.calls]}"


class ModuleExit(Exception):
    def __init__(self, result: dict, failed: bool) -> None:
        super().__init__(result)
        self.result = result
        self.failed = failed


def run(monkeypatch, module, args: dict, calls: t.Sequence[Call], check_mode: bool = False, diff: bool = True) -> dict:
    """Run ``module.main()`` against a scripted WHM; return the exit or fail result."""
    session = ScriptedSession(calls, check_mode=check_mode)
    monkeypatch.setattr(
        "ansible_collections.hosting.whm.plugins.module_utils._transport.requests.Session", lambda: session
    )
    monkeypatch.setattr(
        "ansible_collections.hosting.whm.plugins.module_utils._transport.Transport.sleep", lambda self, s: None
    )
    full = dict(CONNECTION)
    full.update(args)
    full["_ansible_check_mode"] = check_mode
    full["_ansible_diff"] = diff
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": full})))
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy", raising=False)

    def exit_json(self, **kwargs):
        raise ModuleExit(kwargs, failed=False)

    def fail_json(self, **kwargs):
        raise ModuleExit(kwargs, failed=True)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    with pytest.raises(ModuleExit) as caught:
        module.main()
    result = dict(caught.value.result)
    result["failed"] = caught.value.failed
    if not caught.value.failed:
        session.assert_done()
    result["_calls"] = session.made
    return result
