#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: accounts
short_description: Converge many cPanel accounts on WHM in one task
version_added: 0.1.0
description:
  - Keeps a list of cPanel accounts in the declared state. Each element takes the options of
    M(hosting.whm.account) and converges the same way; a loop over M(hosting.whm.account) gives the same
    result with one module start and at least one read per account.
  - "Reads: one C(listaccts) call for all accounts; one C(showbw) call for all of them when an existing
    account declares C(bwlimit) (the account listing does not carry the bandwidth limit); and WHM's own
    C(verify_new_username) check of each account to create, all in one WHM C(batch) request that holds only
    these reads (also in check mode; one plain read when a single account is new); one C(listpkgs) call
    when an account is created with a package or changes package, to refuse a missing one before any write."
  - Every element is validated before the first write, including the checks that need the listing (the
    username and domain rules of new accounts, the eight-character username prefix, a domain that belongs to
    another account, also between two new accounts of the list). When one element is refused, nothing is
    written.
  - "Writes: C(removeacct) and then C(createacct) one account at a time, each with a read-back when it times
    out instead of a second attempt (as M(hosting.whm.account) does). The other changes of all accounts
    (C(unsuspendacct), C(changepackage), C(modifyacct), C(editquota), C(limitbw), C(setsiteip), C(passwd),
    C(suspendacct))
    go in one WHM C(batch) request (50 commands a request), in order, stopping at the first failure; a single
    change is sent alone."
  - Accounts not listed are left alone. There is deliberately no C(prune) option that removes unlisted
    accounts; removing an account deletes its files, mail and databases, so each removal must be declared
    with C(state=absent).
author:
  - hosting.whm contributors (!UNKNOWN)
extends_documentation_fragment:
  - hosting.whm.connection
  - hosting.whm.attributes
  - hosting.whm.attributes.actions
  - hosting.whm.attributes.actiongroup_whm
attributes:
  idempotent:
    support: partial
    details:
      - An element with C(update_password=always) sets its password on every run and reports a change, as
        M(hosting.whm.account) does.
options:
  accounts:
    description:
      - The accounts, each with the options of M(hosting.whm.account) (without the connection options).
      - A username may appear only once.
    type: list
    elements: dict
    required: true
    suboptions:
      user:
        description:
          - The account's username (WHM's rules, see M(hosting.whm.account)).
        type: str
        required: true
        aliases: [username]
      state:
        description:
          - V(present) creates or updates the account and unsuspends it; V(suspended) creates or updates it and
            suspends it; V(absent) removes it (the other settings are ignored).
        type: str
        choices: [present, absent, suspended]
        default: present
      domain:
        description:
          - The main domain. Required to create the account; changing it renames the main domain.
        type: str
      password:
        description:
          - The password. Never returned, and blanked in every message.
        type: str
      update_password:
        description:
          - V(on_create) sets O(accounts[].password) only when the account is created; V(always) sets it on every
            run with C(passwd).
        type: str
        choices: [on_create, always]
        default: on_create
      plan:
        description:
          - The hosting package. Changing it runs C(changepackage); declared C(quota), C(bwlimit) and
            C(hasshell) are then set again.
        type: str
      contact_email:
        description:
          - The contact email address. V("") removes it.
        type: str
      quota:
        description:
          - Disk quota in megabytes, or V(unlimited) (V(0) means unlimited to WHM).
        type: str
      bwlimit:
        description:
          - Monthly bandwidth limit in megabytes, or V(unlimited) (V(0) means unlimited to WHM).
        type: str
      hasshell:
        description:
          - Whether the account has shell access.
        type: bool
      owner:
        description:
          - The owner, V(root) or a reseller.
        type: str
      theme:
        description:
          - The cPanel theme, for example V(jupiter).
        type: str
      ip:
        description:
          - The IPv4 address of the account; a new account gets it at creation, an existing one on another
            address is moved with C(setsiteip) (WHM also changes the A records of its zones that held the old
            address, and refuses an address not configured on the server or dedicated to another account).
        type: str
      dedicated_ip:
        description:
          - Whether a new account gets a dedicated IP address. Used only at creation.
        type: bool
      language:
        description:
          - The locale of a new account. Used only at creation, because no WHM API 1 read returns an account's
            locale.
        type: str
      suspend_reason:
        description:
          - Why the account is suspended, used when V(suspended) suspends it. An account that already is
            suspended keeps its reason (WHM's C(suspendacct) does not change it); see M(hosting.whm.account).
        type: str
      keep_dns:
        description:
          - With V(absent), keep the account's DNS zone.
        type: bool
        default: false
notes:
  - Use M(hosting.whm.account) to manage a single account; both share their code and rules.
seealso:
  - module: hosting.whm.account
  - module: hosting.whm.account_info
  - module: hosting.whm.packages
"""

EXAMPLES = r"""
- name: All accounts of the server in one task
  hosting.whm.accounts:
    accounts:
      - user: example
        domain: example.com
        password: "{{ vault_example_password }}"
        plan: gold
        contact_email: owner@example.com
      - user: shop
        domain: shop.example.net
        plan: bronze
        quota: 2048
      - user: unpaid
        state: suspended
        suspend_reason: Unpaid invoice 1234
      - user: gone
        state: absent
"""

RETURN = r"""
accounts:
  description: One entry per element, in order.
  returned: success
  type: list
  elements: dict
  contains:
    user:
      description: Username.
      type: str
      sample: example
    changed:
      description: Whether this account changed.
      type: bool
      sample: false
    created:
      description:
        - Whether the task created this account (in check mode, whether it would). Its DNS zone exists only after
          a real run.
      type: bool
      sample: false
    account:
      description:
        - The account after the task (predicted in check mode), as M(hosting.whm.account) returns it; empty when
          absent.
      type: dict
"""

from ansible_collections.hosting.whm.plugins.module_utils._accounts import account_options, converge_accounts
from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result


def accounts_argument_spec() -> ArgumentSpec:
    return ArgumentSpec(
        {"accounts": {"type": "list", "elements": "dict", "required": True, "options": account_options()}}
    )


def handle(ctx: Context) -> Result:
    for element in ctx.params["accounts"]:
        ctx.hide(element.get("password"))
    return converge_accounts(ctx.api, ctx.params["accounts"], ctx.check_mode)


def main() -> None:
    run_module(accounts_argument_spec(), handle)


if __name__ == "__main__":
    main()
