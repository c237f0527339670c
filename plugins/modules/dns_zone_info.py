#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: dns_zone_info
short_description: Read the records of WHM DNS zones
version_added: 0.1.0
description:
  - Returns the records of one or more DNS zones in one normalised shape, read with C(listzones) and one
    C(parse_dns_zone) per zone.
  - Values are in the form M(hosting.whm.dns_record_set) accepts, so a result can be fed back to it.
author:
  - hosting.whm contributors (!UNKNOWN)
extends_documentation_fragment:
  - hosting.whm.connection
  - hosting.whm.attributes
  - hosting.whm.attributes.info_module
  - hosting.whm.attributes.actiongroup_whm
options:
  zones:
    description:
      - The zones to read. Left out, every zone the connecting user can see is read.
      - Several zones are read with one WHM C(batch) request of C(parse_dns_zone) reads (50 zones a request).
    type: list
    elements: str
    aliases: [zone]
  names:
    description:
      - How owner names are returned. V(relative) to the zone (V(@) for the apex) or V(fqdn) (fully qualified, no
        trailing dot).
    type: str
    choices: [relative, fqdn]
    default: relative
seealso:
  - module: hosting.whm.dns_zone
  - module: hosting.whm.dns_record_set
"""

EXAMPLES = r"""
- name: Records of one zone
  hosting.whm.dns_zone_info:
    zones: example.com
  register: example_zone

- name: Its MX records
  ansible.builtin.debug:
    msg: "{{ example_zone.zones[0].records | selectattr('type', 'eq', 'MX') | map(attribute='value') }}"

- name: Does the zone exist?
  ansible.builtin.debug:
    msg: "{{ example_zone.zones[0].exists }}"
"""

RETURN = r"""
zones:
  description: One entry per requested zone (or per zone on the server), in order.
  returned: success
  type: list
  elements: dict
  contains:
    zone:
      description: The zone name (punycode for internationalised names).
      type: str
    exists:
      description: Whether the zone exists. The other keys are empty when it does not.
      type: bool
    serial:
      description: The SOA serial.
      type: str
    records:
      description:
        - Every record in zone order, SOA included, as C(name), C(type), C(ttl) and C(value).
        - "Values: A, AAAA addresses; CNAME, NS, PTR host names without trailing dot; MX C(10 mail.example.com);
          SRV C(0 5 5060 sip.example.com); CAA C(0 issue \"letsencrypt.org\"); TXT the text, its strings joined;
          SOA and other types their fields joined by spaces."
      type: list
      elements: dict
      sample:
        - {name: "@", type: A, ttl: 14400, value: 192.0.2.10}
    record_sets:
      description:
        - The records grouped by name and type, in zone order, as C(name), C(type), C(ttl) (the lowest of the set) and
          C(values).
      type: list
      elements: dict
      sample:
        - {name: "@", type: NS, ttl: 86400, values: [ns1.example.net, ns2.example.net]}
"""

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._dns import zone_info
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result


def handle(ctx: Context) -> Result:
    return Result(changed=False, values={"zones": zone_info(ctx.api, ctx.params["zones"], ctx.params["names"])})


def main() -> None:
    run_module(
        ArgumentSpec(
            {
                "zones": {"type": "list", "elements": "str", "aliases": ["zone"]},
                "names": {"type": "str", "default": "relative", "choices": ["relative", "fqdn"]},
            }
        ),
        handle,
    )


if __name__ == "__main__":
    main()
