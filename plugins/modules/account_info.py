#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: account_info
short_description: List cPanel accounts on WHM
version_added: 0.1.0
description:
  - Lists the cPanel accounts the WHM user can see, optionally filtered.
  - Uses one C(listaccts) request (more only past 1000 matches, page by page); the filters run on the server
    with WHM's C(api.filter).
  - Every account has the same fields as the RV(hosting.whm.account#module:account) return value of
    M(hosting.whm.account), plus read-only facts such as disk use and start date.
author:
  - hosting.whm contributors (!UNKNOWN)
extends_documentation_fragment:
  - hosting.whm.connection
  - hosting.whm.attributes
  - hosting.whm.attributes.info_module
  - hosting.whm.attributes.actiongroup_whm
options:
  user:
    description: Only the account with this exact username.
    type: str
    aliases: [username]
  domain:
    description: Only the account with this exact main domain.
    type: str
  owner:
    description: Only accounts owned by this user (V(root) or a reseller).
    type: str
  plan:
    description: Only accounts on this hosting package.
    type: str
  suspended:
    description: Only suspended accounts (V(true)) or only active ones (V(false)).
    type: bool
notes:
  - The bandwidth limit is not part of WHM's account listing, so it is not returned here.
seealso:
  - module: hosting.whm.account
"""

EXAMPLES = r"""
- name: All accounts
  hosting.whm.account_info:
    whm_host: whm.example.com
    whm_api_token: "{{ vault_whm_token }}"
  register: all_accounts

- name: Suspended accounts of one reseller
  hosting.whm.account_info:
    owner: reseller1
    suspended: true
  register: suspended

- name: Usernames of the accounts on the gold plan
  hosting.whm.account_info:
    plan: gold
  register: gold

- ansible.builtin.debug:
    msg: "{{ gold.accounts | map(attribute='user') | list }}"
"""

RETURN = r"""
accounts:
  description: The matching accounts, sorted by username. Empty when none match.
  returned: success
  type: list
  elements: dict
  contains:
    user:
      description: Username.
      type: str
      sample: example
    domain:
      description: Main domain.
      type: str
      sample: example.com
    plan:
      description: Hosting package, V(null) when the account has none.
      type: str
      sample: gold
    contact_email:
      description: Contact email addresses (comma-separated when several), V("") when none is set.
      type: str
      sample: owner@example.com
    quota:
      description: Disk quota in megabytes, or V(unlimited).
      type: raw
      sample: 10240
    hasshell:
      description: Whether the account has shell access.
      type: bool
      sample: false
    owner:
      description: Owner, V(root) or a reseller.
      type: str
      sample: root
    theme:
      description: cPanel theme.
      type: str
      sample: jupiter
    ip:
      description: IPv4 address.
      type: str
      sample: 192.0.2.10
    suspended:
      description: Whether the account is suspended.
      type: bool
      sample: false
    suspend_reason:
      description: Why the account is suspended, V(null) when it is not.
      type: str
      sample: Unpaid invoice 1234
    locked:
      description: Whether only root may unsuspend the account.
      type: bool
      sample: false
    diskused:
      description: Disk space used, in megabytes.
      type: int
      sample: 153
    startdate:
      description: When the account was created, as WHM formats it.
      type: str
      sample: 24 Jan 15 10:20
    unix_startdate:
      description: When the account was created, in seconds since the epoch.
      type: int
      sample: 1706091600
    uid:
      description: The account's system user ID.
      type: int
      sample: 1001
    partition:
      description: The partition that holds the home directory.
      type: str
      sample: home
    shell:
      description: The account's shell.
      type: str
      sample: /usr/local/cpanel/bin/noshell
    ipv6:
      description: IPv6 addresses of the account.
      type: list
      elements: str
      sample: []
    mailbox_format:
      description: Mailbox storage format.
      type: str
      sample: maildir
"""

from ansible_collections.hosting.whm.plugins.module_utils._accounts import list_accounts
from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result


def account_info_argument_spec() -> ArgumentSpec:
    return ArgumentSpec(
        {
            "user": {"type": "str", "aliases": ["username"]},
            "domain": {"type": "str"},
            "owner": {"type": "str"},
            "plan": {"type": "str"},
            "suspended": {"type": "bool"},
        }
    )


def handle(ctx: Context) -> Result:
    return Result(changed=False, values={"accounts": list_accounts(ctx.api, ctx.params)})


def main() -> None:
    run_module(account_info_argument_spec(), handle)


if __name__ == "__main__":
    main()
