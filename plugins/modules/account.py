#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: account
short_description: Create, update, suspend and remove cPanel accounts on WHM
version_added: 0.1.0
description:
  - Keeps one cPanel account in the declared state.
  - Reads the account with one C(accountsummary) call (plus C(showbw) when O(bwlimit) is set, because the
    account listing does not carry the bandwidth limit), then changes only what differs, each setting with
    the WHM API 1 function WHM uses for it.
  - Creates the account with C(createacct). Account creation is slow and cannot be repeated safely, so when
    C(createacct) times out the module reads the server back instead of sending it again, and reports success
    with a warning when the account turns out to exist. C(removeacct) is handled the same way.
  - Changes the plan with C(changepackage), the contact email, shell access, owner, main domain and theme with
    one C(modifyacct) call, the disk quota with C(editquota), the bandwidth limit with C(limitbw), the password
    with C(passwd), the IP address with C(setsiteip), and suspension with C(suspendacct) and C(unsuspendacct).
  - Settings you leave out are not managed.
  - Usernames, domains and passwords are checked against WHM's rules before any change is made.
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
      - With O(update_password=always) every run sets the password and reports a change, because WHM cannot
        tell whether the new password equals the current one.
options:
  user:
    description:
      - The account's username.
      - "WHM's rules: lowercase, at most 16 characters, not beginning with a digit. A new account takes only
        letters and digits, must not begin with V(test) or another prefix cPanel reserves, and the first eight
        characters must differ from those of every other account."
    type: str
    required: true
    aliases: [username]
  state:
    description:
      - V(present) creates or updates the account and unsuspends it if it is suspended.
      - V(suspended) creates or updates the account and suspends it.
      - V(absent) removes the account (with C(removeacct)); the other settings are ignored.
    type: str
    choices: [present, absent, suspended]
    default: present
  domain:
    description:
      - The account's main domain. Required to create the account.
      - Changing it on an existing account renames the main domain (C(modifyacct)).
    type: str
  password:
    description:
      - The account's password. At least 5 characters and must not contain the username; WHM may also require a
        minimum strength.
      - When creating an account without a password, WHM generates one.
      - Never returned, and blanked in any error message.
    type: str
  update_password:
    description:
      - V(on_create) sets O(password) only when the account is created.
      - V(always) sets it on every run with C(passwd) and so always reports a change; WHM cannot tell whether
        the password differs from the current one.
      - WHM does not change the password of a suspended account, so with O(state=suspended) and V(always) the
        password is set before the account is suspended, and an account that already is suspended fails.
    type: str
    choices: [on_create, always]
    default: on_create
  plan:
    description:
      - The hosting package (plan) the account uses. Changing it runs C(changepackage), which re-applies the
        package's limits; O(quota), O(bwlimit) and O(hasshell), when given, are then set again.
    type: str
  contact_email:
    description:
      - The account's contact email address. V("") removes it.
    type: str
  quota:
    description:
      - Disk quota in megabytes, or V(unlimited). V(0) means unlimited to WHM.
    type: str
  bwlimit:
    description:
      - Monthly bandwidth limit in megabytes, or V(unlimited). V(0) means unlimited to WHM.
    type: str
  hasshell:
    description:
      - Whether the account has shell (SSH) access.
    type: bool
  owner:
    description:
      - The account's owner, V(root) or a reseller.
    type: str
  theme:
    description:
      - The cPanel theme, for example V(jupiter).
    type: str
  ip:
    description:
      - The IPv4 address of the account. A new account gets it with C(createacct) C(customip); WHM picks one
        when it is not given.
      - An existing account on another address is moved with C(setsiteip). WHM moves its sites and changes the
        A records of its DNS zones that held the old address. WHM refuses an address that is not configured on
        the server or that is dedicated to another account, and the task fails with its reason.
      - Give the address as C(listaccts) shows it (the public one behind NAT).
    type: str
  dedicated_ip:
    description:
      - Whether a new account gets a dedicated IP address (C(createacct) C(ip)).
      - Used only when the account is created.
    type: bool
  language:
    description:
      - The locale of a new account, for example V(en).
      - Used only when the account is created. C(listaccts) and C(accountsummary) do not return the locale and no
        other WHM API 1 read does; C(modifyacct) would set it (C(LOCALE)) but the module could not tell whether it
        differs, so it would report a change on every run.
    type: str
  suspend_reason:
    description:
      - Why the account is suspended, used when O(state=suspended) suspends it.
      - An account that already is suspended keeps its reason and the module reports no change. WHM's
        C(suspendacct) on a suspended account succeeds without changing anything, and WHM API 1 has no other
        call that sets the reason. Unsuspending and suspending again would set it, but would bring the
        account's sites, mail and logins back for a moment and drop a root-only (locked) suspension, so the
        module does not do it. To change the reason, unsuspend the account with O(state=present) first.
    type: str
  keep_dns:
    description:
      - With O(state=absent), keep the account's DNS zone (C(removeacct) C(keepdns)).
    type: bool
    default: false
notes:
  - The account's database prefix is the first eight characters of its username; that is why WHM requires them
    to be unique. WHM's C(verify_new_username) is also asked before an account is created.
  - When the account gets a package (at creation or a O(plan) change), one C(listpkgs) read confirms that it
    exists before any write (C(default) needs no read); in check mode a missing package is a warning.
seealso:
  - module: hosting.whm.account_info
  - module: hosting.whm.package
"""

EXAMPLES = r"""
- name: An account on the gold plan
  hosting.whm.account:
    whm_host: whm.example.com
    whm_api_token: "{{ vault_whm_token }}"
    user: example
    domain: example.com
    password: "{{ vault_example_password }}"
    plan: gold
    contact_email: owner@example.com

- name: More disk space and no shell
  hosting.whm.account:
    user: example
    quota: 20480
    hasshell: false

- name: Suspend an account that has not paid
  hosting.whm.account:
    user: example
    state: suspended
    suspend_reason: Unpaid invoice 1234

- name: Remove an account but keep its DNS zone
  hosting.whm.account:
    user: example
    state: absent
    keep_dns: true
"""

RETURN = r"""
account:
  description:
    - The account after the task (predicted in check mode). Empty when O(state=absent).
    - For an existing account every field below is returned; a new account shows the settings that were given.
  returned: success
  type: dict
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
      description: Hosting package.
      type: str
      sample: gold
    contact_email:
      description: Contact email address, V("") when none is set.
      type: str
      sample: owner@example.com
    quota:
      description: Disk quota in megabytes, or V(unlimited).
      type: raw
      sample: 10240
    bwlimit:
      description:
        - Monthly bandwidth limit in megabytes, or V(unlimited).
        - Only when O(bwlimit) is set.
      type: raw
      sample: unlimited
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
"""

from ansible_collections.hosting.whm.plugins.module_utils._accounts import account_options, ensure_account
from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result


def account_argument_spec() -> ArgumentSpec:
    # The same options are the element options of hosting.whm.accounts.
    return ArgumentSpec(account_options())


def handle(ctx: Context) -> Result:
    return ensure_account(ctx.api, ctx.params, ctx.check_mode)


def main() -> None:
    run_module(account_argument_spec(), handle)


if __name__ == "__main__":
    main()
