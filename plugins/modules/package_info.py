#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: package_info
short_description: List WHM hosting packages
version_added: 0.1.0
description:
  - Returns the hosting packages the connecting user can see, or one of them, with one C(listpkgs) call.
  - Each package has the shape the M(hosting.whm.package) module uses, so a result can be fed back to it.
author:
  - hosting.whm contributors (!UNKNOWN)
extends_documentation_fragment:
  - hosting.whm.connection
  - hosting.whm.attributes
  - hosting.whm.attributes.info_module
  - hosting.whm.attributes.actiongroup_whm
options:
  name:
    description:
      - Return only the package with this name. RV(packages) is empty when it does not exist.
      - Left out, every package is returned.
    type: str
seealso:
  - module: hosting.whm.package
"""

EXAMPLES = r"""
- name: All packages
  hosting.whm.package_info:
    whm_host: whm.example.com
    whm_api_token: "{{ vault_whm_token }}"
  register: whm_packages

- name: Names of the packages with shell access
  ansible.builtin.debug:
    msg: "{{ whm_packages.packages | selectattr('hasshell') | map(attribute='name') }}"

- name: Does the gold package exist?
  hosting.whm.package_info:
    name: gold
  register: gold

- name: Report it
  ansible.builtin.debug:
    msg: "gold {{ 'exists' if gold.packages else 'does not exist' }}"
"""

RETURN = r"""
packages:
  description:
    - The packages, sorted by name. Limits are integers or V(unlimited); switches are booleans.
    - WHM lists a package named C(default) even when no such file exists.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Package name.
      type: str
      sample: gold
    quota:
      description: Disk quota in MB, or V(unlimited).
      type: raw
      sample: 10240
    bwlimit:
      description: Monthly bandwidth in MB, or V(unlimited).
      type: raw
      sample: unlimited
    max_emailacct_quota:
      description: Largest quota of one email account in MB, or V(unlimited).
      type: raw
    maxftp:
      description: FTP accounts, or V(unlimited).
      type: raw
    maxsql:
      description: Databases, or V(unlimited).
      type: raw
    maxpop:
      description: Email accounts, or V(unlimited).
      type: raw
      sample: 50
    maxlst:
      description: Mailing lists, or V(unlimited).
      type: raw
    maxsub:
      description: Subdomains, or V(unlimited).
      type: raw
    maxpark:
      description: Parked domains (aliases), or V(unlimited).
      type: raw
    maxaddon:
      description: Addon domains, or V(unlimited).
      type: raw
    max_email_per_hour:
      description: Outgoing emails per hour per domain, or V(unlimited).
      type: raw
    max_defer_fail_percentage:
      description: Percentage of failed or deferred messages before outgoing mail is blocked, or V(unlimited).
      type: raw
    max_team_users:
      description: Team users (0-7); V(null) when WHM does not report it.
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
      description: cPanel theme.
      type: str
      sample: jupiter
    language:
      description: Locale of new accounts.
      type: str
      sample: en
    featurelist:
      description: Feature list of the accounts.
      type: str
      sample: default
"""

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._packages import list_packages
from ansible_collections.hosting.whm.plugins.module_utils._result import Result


def package_info_argument_spec() -> ArgumentSpec:
    return ArgumentSpec({"name": {"type": "str"}})


def handle(ctx: Context) -> Result:
    name = ctx.params["name"]
    packages = list_packages(ctx.api)
    selected = [packages[key] for key in sorted(packages) if name is None or key == name]
    return Result(changed=False, values={"packages": selected})


def main() -> None:
    run_module(package_info_argument_spec(), handle)


if __name__ == "__main__":
    main()
