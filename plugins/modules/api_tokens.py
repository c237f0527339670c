#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: api_tokens
short_description: Converge many WHM API tokens in one task
version_added: 0.1.0
description:
  - Keeps a list of WHM API tokens of the connecting user (O(whm_username)) in the declared state. Each element
    takes the options of M(hosting.whm.api_token) and converges the same way; a loop over
    M(hosting.whm.api_token) gives the same result with one module start and one read per token.
  - "Reads: one C(api_token_list) call for all tokens."
  - Every element is validated before the first write, including the checks that need the listing (an expiry
    that is not in the future is refused only when it would be sent). When one element is refused, nothing is
    written.
  - "Writes, only for the tokens that differ: C(api_token_update) for each token to change and one
    C(api_token_revoke) call for all tokens to revoke, in one WHM C(batch) request when there are several
    (every command runs, each failure is reported); then one C(api_token_create) call per new token."
  - New tokens are not created through C(batch) on purpose. WHM shows a secret only in the answer of
    C(api_token_create) and never lists it again, so a lost batch answer would lose the secrets of every token
    in it; one call per token risks at most one.
  - Each new token's secret is returned once, in the C(token) of its entry in RV(api_tokens).
  - Tokens not listed are left alone.
author:
  - hosting.whm contributors (!UNKNOWN)
extends_documentation_fragment:
  - hosting.whm.connection
  - hosting.whm.attributes
  - hosting.whm.attributes.actions
  - hosting.whm.attributes.actiongroup_whm
options:
  api_tokens:
    description:
      - The tokens, each with the options of M(hosting.whm.api_token) (without the connection options).
      - A token name may appear only once.
    type: list
    elements: dict
    required: true
    suboptions:
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
          - Privileges (WHM ACL names, for example V(list-accts)) the token is limited to.
          - Leave it out, or give V(all), for a token with every privilege of its owner. An existing restricted
            token is then given full access again.
        type: list
        elements: str
      expires_at:
        description:
          - When the token stops working, as a Unix time. V(0) means never. WHM only accepts a time in the future.
          - Left out, a new token never expires and an existing token keeps its expiry.
        type: int
      whitelist_ips:
        description:
          - IP addresses and CIDR ranges the token may be used from (at most 100), compared the way WHM stores
            them.
          - V([]) lifts the restriction. Left out, a new token works from anywhere and an existing token keeps
            its list.
        type: list
        elements: str
notes:
  - The new secrets in RV(api_tokens) are not masked by Ansible, because they are the result you need. Set
    C(no_log=true) on the task (the registered variable still holds them), or they show in the log at any
    verbosity that prints results.
  - The secrets never appear in the diff, in warnings or in error messages.
  - When a C(api_token_create) call fails, the failed result still holds RV(api_tokens) for the tokens that were
    changed or created before it, with their secrets.
seealso:
  - module: hosting.whm.api_token
"""

EXAMPLES = r"""
- name: Every API token of the server in one task
  hosting.whm.api_tokens:
    api_tokens:
      - name: monitoring
        acls: [list-accts]
        whitelist_ips: [192.0.2.0/24]
      - name: backup
        acls: [list-accts, acct-summary]
        expires_at: 1924992000  # 2031-01-01
      - name: old-ci
        state: absent
  register: whm_tokens
  no_log: true

- name: Keep the secrets of the tokens created by this run (name -> secret)
  ansible.builtin.set_fact:
    new_whm_tokens: >-
      {{ whm_tokens.api_tokens | selectattr('token', 'defined') | items2dict(key_name='name', value_name='token') }}
  no_log: true
"""

RETURN = r"""
api_tokens:
  description:
    - One entry per element, in order.
    - Also returned when the task fails on a C(api_token_create) call, for the tokens handled before it.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Name of the token.
      type: str
      sample: monitoring
    changed:
      description: Whether this token changed.
      type: bool
      sample: false
    created:
      description: Whether the task created this token (in check mode, whether it would).
      type: bool
      sample: false
    token:
      description:
        - The secret of the token created by this run. WHM never shows it again.
        - Not returned when the token already existed, in check mode, or when C(state=absent).
      type: str
      returned: when the token was created
      sample: 0123456789ABCDEFGHIJKLMNOPQRSTUV
    api_token:
      description:
        - The token after the task (predicted in check mode), without its secret, as M(hosting.whm.api_token)
          returns it (C(name), C(acls), C(expires_at), C(whitelist_ips), C(create_time)); empty when absent.
      type: dict
"""

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result
from ansible_collections.hosting.whm.plugins.module_utils._tokens import converge_tokens, token_options


def api_tokens_argument_spec() -> ArgumentSpec:
    # The list holds token names and settings, never a secret (the secrets only come back in the result).
    option = {"type": "list", "elements": "dict", "required": True, "no_log": False, "options": token_options()}
    return ArgumentSpec({"api_tokens": option})


def handle(ctx: Context) -> Result:
    return converge_tokens(ctx.api, ctx.params["api_tokens"], ctx.check_mode)


def main() -> None:
    run_module(api_tokens_argument_spec(), handle)


if __name__ == "__main__":
    main()
