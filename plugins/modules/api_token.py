#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: api_token
short_description: Create, update and revoke WHM API tokens
version_added: 0.1.0
description:
  - Keeps one WHM API token of the connecting user (O(whm_username)) in the declared state.
  - Reads every token with one C(api_token_list) call, then creates the token with C(api_token_create),
    changes only the settings that differ with C(api_token_update), or revokes it with C(api_token_revoke).
  - WHM shows a token's secret only once, when it is created. The module returns it in RV(token) on that run
    and never again; store it right away (for example in a vault).
author:
  - hosting.whm contributors (!UNKNOWN)
extends_documentation_fragment:
  - hosting.whm.connection
  - hosting.whm.attributes
  - hosting.whm.attributes.actions
  - hosting.whm.attributes.actiongroup_whm
options:
  name:
    description:
      - Name of the token (WHM's C(token_name)), unique per WHM user.
      - 1 to 50 letters, digits, dashes (V(-)) and underscores (V(_)).
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the token, V(absent) revokes it.
    type: str
    choices: [present, absent]
    default: present
  acls:
    description:
      - Privileges (WHM ACL names, for example V(list-accts) or V(create-dns)) the token is limited to.
        WHM checks the names and refuses privileges the connecting user does not hold.
      - Leave it out, or give V(all), for a token with every privilege of its owner. An existing restricted
        token is then given full access again.
      - The listing of a full-access token is recognised by the V(all) privilege, which only C(root) holds;
        for a reseller's token give the privileges explicitly.
    type: list
    elements: str
  expires_at:
    description:
      - When the token stops working, as a Unix time (seconds since the epoch, UTC). V(0) means never.
      - WHM only accepts a time in the future. Expired tokens stay listed until they are revoked.
      - Left out, a new token never expires and an existing token keeps its expiry.
      - A value computed from the current time on every run changes the token on every run; compute it
        once and keep it in a variable.
    type: int
  whitelist_ips:
    description:
      - IP addresses and CIDR ranges the token may be used from (at most 100).
      - Compared the way WHM stores them (IPv6 fully expanded, V(/32) and V(/128) dropped, sorted, without
        duplicates), so any spelling of the same addresses is idempotent.
      - V([]) lifts the restriction. Left out, a new token works from anywhere and an existing token keeps
        its list.
    type: list
    elements: str
notes:
  - The token secret in RV(token) is not masked by Ansible, because it is the result you need. Set
    C(no_log=true) on the task (the registered variable still holds it), or the secret shows in the log
    at any verbosity that prints results.
  - The secret never appears in the diff, in warnings or in error messages.
  - Renaming a token is not supported; a changed O(name) creates a second token.
seealso:
  - module: hosting.whm.whmapi
"""

EXAMPLES = r"""
- name: A token for the monitoring system, limited to reading accounts, usable from one network
  hosting.whm.api_token:
    whm_host: whm.example.com
    whm_api_token: "{{ vault_whm_token }}"
    name: monitoring
    acls:
      - list-accts
    whitelist_ips:
      - 192.0.2.0/24
    expires_at: 1924992000  # 2031-01-01
  register: monitoring_token
  no_log: true

- name: Keep the new secret (only set on the run that created the token)
  ansible.builtin.copy:
    content: "{{ monitoring_token.token }}"
    dest: /etc/monitoring/whm-token
    mode: "0600"
  when: monitoring_token.token is defined
  no_log: true

- name: Revoke a token
  hosting.whm.api_token:
    name: old-ci
    state: absent
"""

RETURN = r"""
token:
  description:
    - The secret of the token created by this run. WHM never shows it again.
    - Not returned when the token already existed, in check mode, or when O(state=absent).
  returned: when the token was created
  type: str
  sample: 0123456789ABCDEFGHIJKLMNOPQRSTUV
api_token:
  description:
    - The token after the task (predicted in check mode), without its secret. Empty when O(state=absent).
  returned: success
  type: dict
  contains:
    name:
      description: Name of the token.
      type: str
      returned: when O(state=present)
      sample: monitoring
    acls:
      description: Privileges of the token, sorted; V([all]) for full access.
      type: list
      elements: str
      returned: when O(state=present)
      sample: [list-accts]
    expires_at:
      description: Unix time when the token expires; V(0) when it never does.
      type: int
      returned: when O(state=present)
      sample: 1924992000
    whitelist_ips:
      description: IPs and ranges the token may be used from, as WHM stores them; V([]) for anywhere.
      type: list
      elements: str
      returned: when O(state=present)
      sample: [192.0.2.0/24]
    create_time:
      description: Unix time the token was created.
      type: int
      returned: when known (not in check mode for a new token)
      sample: 1735689600
"""

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result
from ansible_collections.hosting.whm.plugins.module_utils._tokens import ensure_token, token_options


def api_token_argument_spec() -> ArgumentSpec:
    return ArgumentSpec(token_options())


def handle(ctx: Context) -> Result:
    params = ctx.params
    return ensure_token(
        ctx.api,
        params["name"],
        params["state"],
        ctx.check_mode,
        acls=params["acls"],
        expires_at=params["expires_at"],
        whitelist_ips=params["whitelist_ips"],
    )


def main() -> None:
    run_module(api_token_argument_spec(), handle)


if __name__ == "__main__":
    main()
