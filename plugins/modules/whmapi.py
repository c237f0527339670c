#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: whmapi
short_description: Call any WHM API 1 function
version_added: 0.1.0
description:
  - Calls one WHM API 1 function with the given parameters and returns its C(data) and C(metadata).
  - The escape hatch for what no other module of the collection covers. It is not declarative; prefer a
    resource module where one exists.
  - A function counts as a read when its name says so (for example C(listaccts), C(get_*), C(fetch_*),
    C(verify_*)); every other function, including any the collection does not know, counts as a write.
    O(write) overrides this.
author:
  - hosting.whm contributors (!UNKNOWN)
extends_documentation_fragment:
  - hosting.whm.connection
  - hosting.whm.attributes
  - hosting.whm.attributes.actiongroup_whm
attributes:
  check_mode:
    support: partial
    details:
      - Only read functions run in check mode. A write is not sent; the task reports C(changed=true) and says
        in RV(msg) that it was not run.
  diff_mode:
    support: none
  idempotent:
    description: When run twice in a row with the same arguments, the second run reports no change.
    support: none
    details:
      - A write always reports a change; whether WHM changed anything depends on the function.
options:
  function:
    description:
      - Name of the WHM API 1 function, for example V(listaccts) or V(setresellerlimits).
    type: str
    required: true
  params:
    description:
      - The function's parameters. V(api.version=1) is added.
      - A list value is sent as C(key-0), C(key-1)... which is how WHM takes several values for one parameter
        (for example C(acl) of C(api_token_create) becomes C(acl-0), C(acl-1)).
      - Booleans are sent as V(1) and V(0); V(null) values are left out. Nested dictionaries are not
        supported; write WHM's dotted names such as C(api.filter.a.field) as keys.
      - Values of keys whose names end in C(password), C(passwd), C(pass), C(passphrase), C(secret),
        C(token) or C(key) are treated as secrets and masked in every output of the task.
    type: dict
    default: {}
  write:
    description:
      - Whether the function changes the server. Left out, the function name decides (see above).
      - V(false) for a function that only reads but is not recognised lets it run in check mode and report
        no change; V(true) makes a read be treated as a write.
    type: bool
  fail_on_error:
    description:
      - Fail the task when WHM answers with C(metadata.result) V(0).
      - V(false) returns the answer instead, with RV(metadata.result) V(0) and WHM's RV(metadata.reason).
    type: bool
    default: true
notes:
  - Values WHM returns are not masked. A function that returns a secret (for example C(api_token_create))
    needs C(no_log=true) on the task.
seealso:
  - module: hosting.whm.api_token
  - module: hosting.whm.package
"""

EXAMPLES = r"""
- name: WHM version
  hosting.whm.whmapi:
    whm_host: whm.example.com
    whm_api_token: "{{ vault_whm_token }}"
    function: version
  register: whm_version

- name: Accounts of one reseller (a read; runs in check mode too)
  hosting.whm.whmapi:
    function: listaccts
    params:
      search: reseller1
      searchtype: owner
      want: user,domain

- name: Give a reseller some privileges (a write; skipped in check mode)
  hosting.whm.whmapi:
    function: setacls
    params:
      reseller: reseller1
      acl-list-accts: 1
      acl-create-acct: 1

- name: Try something and look at WHM's answer instead of failing
  hosting.whm.whmapi:
    function: killpkg
    params:
      pkgname: bronze
    fail_on_error: false
  register: killpkg

- name: Report why it failed (in check mode the write is not run and there is no answer)
  ansible.builtin.debug:
    msg: "{{ killpkg.metadata.reason }}"
  when: killpkg.metadata is defined and killpkg.metadata.result == 0
"""

RETURN = r"""
data:
  description:
    - The function's C(data), as WHM sent it. V(null) when WHM sent none (many writes send none).
  returned: when the function ran
  type: raw
  sample:
    version: 11.120.0.16
metadata:
  description: What WHM said about the call, with secrets blanked.
  returned: when the function ran
  type: dict
  contains:
    result:
      description: V(1) for success, V(0) for failure.
      type: int
      sample: 1
    reason:
      description: WHM's reason text; V(OK) for most successes.
      type: str
      sample: OK
    messages:
      description: Informational messages.
      type: list
      elements: str
      sample: []
    warnings:
      description: Warnings.
      type: list
      elements: str
      sample: []
msg:
  description: Why a write was not run (check mode).
  returned: when a write was skipped in check mode
  type: str
  sample: Check mode - the write function setacls was not run.
"""

import re
import typing as t

from ansible_collections.hosting.whm.plugins.module_utils._api import is_read_only
from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._errors import WHMInputError
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result

SECRET_KEY_ENDINGS = ("password", "passwd", "pass", "passphrase", "secret", "token", "key")
FUNCTION_PATTERN = re.compile(r"^[A-Za-z0-9_]+$")


def whmapi_argument_spec() -> ArgumentSpec:
    return ArgumentSpec(
        {
            "function": {"type": "str", "required": True},
            # Free-form: secret-looking keys are masked by key name in handle(), not by Ansible.
            "params": {"type": "dict", "default": {}, "no_log": False},
            "write": {"type": "bool"},
            "fail_on_error": {"type": "bool", "default": True},
        }
    )


def is_secret_key(key: str) -> bool:
    """``password``, ``rootpass``, ``sslkey``, ``token`` and ``acl-0``-style variants; not ``token_name``."""
    base = re.sub(r"-\d+$", "", key.strip().lower())
    return base.endswith(SECRET_KEY_ENDINGS)


def check_params(params: t.Mapping[str, t.Any]) -> None:
    for key, value in params.items():
        if isinstance(value, dict):
            raise WHMInputError(
                f"params.{key} is a dictionary; WHM takes flat parameters, use dotted keys such as api.filter.a.field."
            )


def scrub_data(value: t.Any, scrub: t.Callable[[str], str]) -> t.Any:
    """Blank known secrets (the ones sent) in every string of WHM's answer."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [scrub_data(item, scrub) for item in value]
    if isinstance(value, dict):
        return {key: scrub_data(item, scrub) for key, item in value.items()}
    return value


def handle(ctx: Context) -> Result:
    function = ctx.params["function"].strip()
    params = ctx.params["params"] or {}
    if not FUNCTION_PATTERN.match(function):
        raise WHMInputError(f"'{function}' is not a WHM API 1 function name (letters, digits and underscores).")
    check_params(params)
    for key, value in params.items():
        if is_secret_key(key):
            for item in value if isinstance(value, list) else [value]:
                ctx.hide(item)

    write = ctx.params["write"]
    if write is None:
        write = not is_read_only(function)
    if write and ctx.check_mode:
        return Result(changed=True, values={"msg": f"Check mode - the write function {function} was not run."})

    response = ctx.api.call(function, params, write=write)
    if ctx.params["fail_on_error"]:
        ctx.api.check(response)
    metadata = {
        "result": response.result,
        "reason": ctx.api.scrub(response.reason),
        "messages": [ctx.api.scrub(line) for line in response.messages],
        "warnings": [ctx.api.scrub(line) for line in response.warnings],
    }
    return Result(
        changed=bool(write and response.ok),
        values={"data": scrub_data(response.data, ctx.api.scrub), "metadata": metadata},
    )


def main() -> None:
    run_module(whmapi_argument_spec(), handle)


if __name__ == "__main__":
    main()
