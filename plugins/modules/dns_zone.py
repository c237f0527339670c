#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: dns_zone
short_description: Create, reset and remove WHM DNS zones
version_added: 0.1.0
description:
  - Keeps one DNS zone present or absent. Looks the zone up with C(listzones), creates it from a zone template with
    C(adddns), removes it with C(killdns), and with O(reset=true) rebuilds it from the template with C(resetzone).
  - C(adddns) run as root on an existing zone silently replaces it with a fresh template, so the module only calls it
    when the zone is missing.
  - The records of an existing zone are managed with M(hosting.whm.dns_record_set) and M(hosting.whm.dns_record_sets);
    O(ip), O(ipv6), O(owner) and O(template) are only used when the zone is created.
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
      - With O(reset=true) check mode reports a change but cannot predict the rebuilt records.
  diff_mode:
    support: full
  idempotent:
    description: When run twice in a row with the same arguments, the second run reports no change.
    support: full
    details:
      - With O(reset=true) every run calls C(resetzone); the task reports a change only when the records (the SOA
        serial aside) differ afterwards.
options:
  zone:
    description:
      - The zone's domain, for example V(example.com). Internationalised names are converted to punycode.
    type: str
    required: true
    aliases: [domain]
  state:
    description: V(present) creates the zone when it is missing, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  ip:
    description:
      - IPv4 address for the template's records. Required to create the zone.
    type: str
  ipv6:
    description: IPv6 address for the template's AAAA records, when creating the zone.
    type: str
  owner:
    description:
      - The cPanel user that owns the zone (C(adddns) C(trueowner)), when creating it. WHM defaults to the
        connecting user.
    type: str
  template:
    description:
      - Zone template used by C(adddns), for example V(standard), V(simple) or V(standardvirtualftp). WHM defaults to
        V(standard).
    type: str
  reset:
    description:
      - Rebuild an existing zone from its template with C(resetzone). WHM keeps single-line TXT records and
        recreates the rest, so custom records other than TXT are lost.
      - Ignored when the zone is created or removed.
    type: bool
    default: false
notes:
  - WHM refuses to remove a zone whose domain is still used by an account's web server; remove the domain from the
    account first.
seealso:
  - module: hosting.whm.dns_zone_info
  - module: hosting.whm.dns_record_set
  - module: hosting.whm.dns_record_sets
"""

EXAMPLES = r"""
- name: A zone for a domain that has no account
  hosting.whm.dns_zone:
    zone: example.com
    ip: 192.0.2.10
    owner: exampleuser

- name: Back to the template
  hosting.whm.dns_zone:
    zone: example.com
    reset: true

- name: Remove the zone
  hosting.whm.dns_zone:
    zone: example.com
    state: absent
"""

RETURN = r"""
zone:
  description:
    - The zone after the task (predicted in check mode); empty when absent.
    - C(ip), C(ipv6), C(owner) and C(template) are present when the task created the zone; C(serial) after a reset.
  returned: success
  type: dict
  sample:
    zone: example.com
    ip: 192.0.2.10
    owner: exampleuser
"""

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._dns import ensure_zone
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result


def handle(ctx: Context) -> Result:
    params = ctx.params
    return ensure_zone(
        ctx.api,
        params["zone"],
        params["state"],
        ctx.check_mode,
        ip=params["ip"],
        ipv6=params["ipv6"],
        owner=params["owner"],
        template=params["template"],
        reset=params["reset"],
    )


def main() -> None:
    run_module(
        ArgumentSpec(
            {
                "zone": {"type": "str", "required": True, "aliases": ["domain"]},
                "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
                "ip": {"type": "str"},
                "ipv6": {"type": "str"},
                "owner": {"type": "str"},
                "template": {"type": "str"},
                "reset": {"type": "bool", "default": False},
            }
        ),
        handle,
    )


if __name__ == "__main__":
    main()
