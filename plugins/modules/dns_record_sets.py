#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: dns_record_sets
short_description: Converge many DNS record sets of one or more WHM zones in one task
version_added: 0.1.0
description:
  - Keeps a list of record sets (all records of a name and type) in the declared state, across one or more zones.
  - Per zone, one C(parse_dns_zone) read and at most one C(mass_edit_dns_zone) write carrying the serial just read.
    Several zones are read with one WHM C(batch) request of reads (in check mode too).
  - On a C(Stale) answer (another writer changed the zone) the zone is read again, planned again and the write
    retried, up to five attempts.
  - Each element behaves like M(hosting.whm.dns_record_set) with its options; records are matched by name, type and
    value, never by line number.
  - Every element is validated before the first request.
author:
  - hosting.whm contributors (!UNKNOWN)
extends_documentation_fragment:
  - hosting.whm.connection
  - hosting.whm.attributes
  - hosting.whm.attributes.actions
  - hosting.whm.attributes.actiongroup_whm
options:
  zone:
    description:
      - The zone of every element that does not name its own C(zone).
      - Elements without a zone when this is left out must give their fully qualified name; they go into the zone on
        the server that holds that name (the longest match, so V(shop.example.co.uk) goes into V(example.co.uk) or a
        V(shop.example.co.uk) zone if one exists), found with one C(listzones) read.
    type: str
  record_sets:
    description:
      - The record sets. Each is a dict with C(name) (required; V(@) or an empty string for the apex), C(type)
        (required), C(values) (or C(value)), C(ttl), C(state) (V(present) or V(absent), default V(present)),
        C(on_existing) (default V(replace)) and C(zone), with the meaning they have in M(hosting.whm.dns_record_set).
      - A name and type may be declared once per zone.
    type: list
    elements: dict
    required: true
  prune:
    description:
      - Also remove, from every zone named in O(record_sets) or O(zone), the record sets of the types
        A, AAAA, CAA, CNAME, MX, NS, PTR, SRV and TXT that are not declared.
      - The SOA record and records of other types are never removed. When pruning would remove every NS record of a
        zone (WHM refuses that), the first one is kept and a warning says so.
    type: bool
    default: false
seealso:
  - module: hosting.whm.dns_record_set
  - module: hosting.whm.dns_zone_info
"""

EXAMPLES = r"""
- name: The records of a zone, and nothing else of the managed types
  hosting.whm.dns_record_sets:
    zone: example.com
    prune: true
    record_sets:
      - {name: "@", type: NS, values: [ns1.example.net, ns2.example.net]}
      - {name: "@", type: A, values: [192.0.2.10]}
      - {name: www, type: CNAME, values: [example.com]}
      - {name: "@", type: MX, values: ["10 mx1.example.net", "20 mx2.example.net"]}
      - {name: "@", type: TXT, values: ["v=spf1 +a +mx -all"]}
      - {name: _sip._tcp, type: SRV, ttl: 300, values: ["0 5 5060 sip.example.com"]}
      - {name: "@", type: CAA, values: ['0 issue "letsencrypt.org"']}

- name: Two zones in one task
  hosting.whm.dns_record_sets:
    record_sets:
      - {zone: example.net, name: api, type: A, values: [192.0.2.10]}
      - {zone: example.org, name: api, type: A, values: [192.0.2.20]}
      - {zone: example.org, name: legacy, type: A, state: absent}
"""

RETURN = r"""
zones:
  description: One entry per zone, in the order the zones first appear.
  returned: success
  type: list
  elements: dict
  contains:
    zone:
      description: The zone.
      type: str
    changed:
      description: Whether the zone was changed.
      type: bool
    serial:
      description: The zone's SOA serial after the task (the one read when nothing changed or in check mode).
      type: str
record_sets:
  description: One entry per declared record set, in order, then one per pruned record set.
  returned: success
  type: list
  elements: dict
  contains:
    zone:
      description: The zone.
      type: str
    name:
      description: The owner name, fully qualified without trailing dot.
      type: str
    type:
      description: The record type.
      type: str
    changed:
      description: Whether the record set was changed.
      type: bool
    pruned:
      description: Whether the record set was removed by O(prune).
      type: bool
"""

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._dns import (
    converge_record_sets,
    desired_from_elements,
    list_zones,
    normalise_zone,
)
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result


def handle(ctx: Context) -> Result:
    params = ctx.params
    declared = desired_from_elements(params["record_sets"], params["zone"], lambda: list_zones(ctx.api))
    prune_zones = [normalise_zone(params["zone"])] if params["zone"] and params["prune"] else []
    return converge_record_sets(ctx.api, declared, ctx.check_mode, prune=params["prune"], prune_zones=prune_zones)


def main() -> None:
    run_module(
        ArgumentSpec(
            {
                "zone": {"type": "str"},
                "record_sets": {"type": "list", "elements": "dict", "required": True},
                "prune": {"type": "bool", "default": False},
            }
        ),
        handle,
    )


if __name__ == "__main__":
    main()
