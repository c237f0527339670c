#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: packages
short_description: Converge many WHM hosting packages in one task
version_added: 0.1.0
description:
  - Keeps a list of hosting packages in the declared state with one C(listpkgs) read for all of them,
    then one C(addpkg), C(editpkg) or C(killpkg) call per package that really differs.
  - Each element takes the options of M(hosting.whm.package) and behaves the same way; a loop over
    M(hosting.whm.package) gives the same result with one read and one module start per package.
  - Every element is validated before the first write.
author:
  - hosting.whm contributors (!UNKNOWN)
extends_documentation_fragment:
  - hosting.whm.connection
  - hosting.whm.attributes
  - hosting.whm.attributes.actions
  - hosting.whm.attributes.actiongroup_whm
options:
  packages:
    description:
      - The packages. Each is a dict with the options of M(hosting.whm.package) (C(name) and C(state) plus settings
        such as C(quota), C(bwlimit), C(maxpop), C(hasshell)).
      - Packages not listed are left alone.
    type: list
    elements: dict
    required: true
seealso:
  - module: hosting.whm.package
"""

EXAMPLES = r"""
- name: All packages of the server in one task
  hosting.whm.packages:
    packages:
      - name: bronze
        quota: 1024
        bwlimit: 10240
      - name: gold
        quota: 10240
        bwlimit: unlimited
      - name: legacy
        state: absent
"""

RETURN = r"""
packages:
  description: One entry per element, in order.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Package name.
      type: str
    changed:
      description: Whether this package changed.
      type: bool
    package:
      description: The package after the task (predicted in check mode); empty when absent.
      type: dict
"""

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._packages import converge_packages
from ansible_collections.hosting.whm.plugins.module_utils._result import Result


def handle(ctx: Context) -> Result:
    return converge_packages(ctx.api, ctx.params["packages"], ctx.check_mode)


def main() -> None:
    run_module(ArgumentSpec({"packages": {"type": "list", "elements": "dict", "required": True}}), handle)


if __name__ == "__main__":
    main()
