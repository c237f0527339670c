#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: package
short_description: Create, update and remove WHM hosting packages
version_added: 0.1.0
description:
  - Keeps one hosting package (a named set of account limits) in the declared state.
  - Reads every package with one C(listpkgs) call, then creates it with C(addpkg), changes only the settings
    that differ with C(editpkg), or removes it with C(killpkg).
  - Settings you leave out are not managed; WHM gives a new package its defaults for them.
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
      - Package name. Letters, digits, spaces, periods, underscores and hyphens.
      - Packages of a reseller are named C(<reseller>_<name>) by WHM.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the package, V(absent) removes it.
      - WHM refuses to remove a package that accounts still use.
    type: str
    choices: [present, absent]
    default: present
  quota:
    description: Disk quota in MB, or V(unlimited). At least 1 (WHM rejects 0).
    type: str
  bwlimit:
    description: Monthly bandwidth in MB, or V(unlimited). At least 1 (WHM rejects 0).
    type: str
  max_emailacct_quota:
    description: Largest quota of one email account in MB, or V(unlimited).
    type: str
  maxftp:
    description: FTP accounts, or V(unlimited).
    type: str
  maxsql:
    description: Databases, or V(unlimited).
    type: str
  maxpop:
    description: Email accounts, or V(unlimited).
    type: str
  maxlst:
    description: Mailing lists, or V(unlimited).
    type: str
  maxsub:
    description: Subdomains, or V(unlimited).
    type: str
  maxpark:
    description: Parked domains (aliases), or V(unlimited).
    type: str
  maxaddon:
    description: Addon domains, or V(unlimited).
    type: str
  max_email_per_hour:
    description: Outgoing emails per hour per domain, or V(unlimited).
    type: str
  max_defer_fail_percentage:
    description: Percentage of failed or deferred messages (1-100) before outgoing mail is blocked, or V(unlimited).
    type: str
  max_team_users:
    description: Team users (0-7).
    type: int
  ip:
    description: Accounts get a dedicated IP address.
    type: bool
  cgi:
    description: Accounts may run CGI scripts.
    type: bool
  hasshell:
    description: Accounts get shell access.
    type: bool
  digestauth:
    description: Accounts get Digest Authentication for Web Disk.
    type: bool
  cpmod:
    description: cPanel theme, for example V(jupiter).
    type: str
  language:
    description: Locale of new accounts, for example V(en).
    type: str
  featurelist:
    description: Feature list of the accounts, for example V(default).
    type: str
seealso:
  - module: hosting.whm.package_info
  - module: hosting.whm.account
"""

EXAMPLES = r"""
- name: A package with limits
  hosting.whm.package:
    whm_host: whm.example.com
    whm_api_token: "{{ vault_whm_token }}"
    name: gold
    quota: 10240
    bwlimit: unlimited
    maxpop: 50
    maxsql: 10
    hasshell: false
    featurelist: default

- name: Remove a package nobody uses any more
  hosting.whm.package:
    name: bronze
    state: absent
"""

RETURN = r"""
package:
  description:
    - The package after the task (predicted in check mode), with the settings that were managed.
    - Limits are integers or V(unlimited); switches are booleans.
    - Empty when O(state=absent).
  returned: success
  type: dict
  sample:
    name: gold
    quota: 10240
    bwlimit: unlimited
    maxpop: 50
    hasshell: false
"""

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._packages import (
    FIELDS,
    desired_settings,
    ensure_package,
)
from ansible_collections.hosting.whm.plugins.module_utils._result import Result


def package_argument_spec() -> ArgumentSpec:
    spec = {
        "name": {"type": "str", "required": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    }
    for option, (_key, kind) in FIELDS.items():
        spec[option] = {"type": {"bool": "bool", "team": "int"}.get(kind, "str")}
    return ArgumentSpec(spec)


def handle(ctx: Context) -> Result:
    params = ctx.params
    settings = desired_settings(params) if params["state"] == "present" else {}
    return ensure_package(ctx.api, params["name"], params["state"], settings, ctx.check_mode)


def main() -> None:
    run_module(package_argument_spec(), handle)


if __name__ == "__main__":
    main()
