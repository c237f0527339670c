#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: dns_record_set
short_description: Manage one DNS record set (all records of a name and type) in a WHM zone
version_added: 0.1.0
description:
  - Keeps the records of one name and type in a WHM DNS zone in the declared state.
  - Reads the zone once with C(parse_dns_zone), matches records by name, type and value (never by line number),
    and makes every change in one C(mass_edit_dns_zone) call carrying the zone serial it just read.
  - When another writer changed the zone in between, WHM refuses the edit (C(Stale)); the module reads the zone again,
    plans again and retries after a short random pause, up to five attempts, then fails without having written
    anything. When the answer to the write is lost, the zone is read again to see whether it was applied.
  - Names and values are compared the way DNS compares them, so C(WWW), C(www.example.com) and C(www.example.com.)
    are the same name, and C(10 Mail.Example.com.) is the same MX value as C(10 mail.example.com).
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
      - The zone (domain) that holds the record set, for example V(example.com). Internationalised names are
        converted to punycode.
      - Left out, O(name) must be fully qualified and the module picks the zone on the server that holds it with one
        C(listzones) read (the longest match, so a subdomain's records go into its parent zone, and multi-label
        suffixes such as C(co.uk) need no special handling).
    type: str
  name:
    description:
      - The owner name. Relative to the zone (V(www)), fully qualified with or without trailing dot
        (V(www.example.com), V(www.example.com.)), or the zone apex as V(@), an empty string or the zone name.
      - A relative name that happens to end with the zone name is read as fully qualified.
      - A name with a trailing dot outside the zone is refused.
    type: str
    required: true
  type:
    description: The record type.
    type: str
    required: true
    choices: [A, AAAA, CAA, CNAME, MX, NS, PTR, SRV, TXT]
  ttl:
    description:
      - Time to live in seconds.
      - Left out, existing records keep their TTL and new ones get the lowest TTL of the set, or the zone's
        C($TTL) (14400 when the zone has none).
    type: int
  values:
    description:
      - The values of the record set.
      - "Formats: A V(192.0.2.1); AAAA V(2001:db8::1); CNAME, NS, PTR a host name; MX V(10 mail.example.com);
        SRV V(0 5 5060 sip.example.com) (priority, weight, port, target); CAA V(0 issue \"letsencrypt.org\")
        (flag, tag, value; the quotes are optional); TXT the literal text without surrounding quotes."
      - Host names in values are always absolute, with or without trailing dot.
      - TXT values longer than 255 characters are split into several strings in the zone, and compared joined.
        C(+), C(%) and other printable ASCII characters are kept byte for byte; WHM accepts nothing else in TXT data.
      - Required when O(state=present), and when O(state=absent) with O(on_existing) other than V(replace).
    type: list
    elements: str
    aliases: [value]
  state:
    description:
      - V(present) makes the record set hold exactly O(values).
      - V(absent) removes the record set. With O(on_existing=replace) every record of the name and type is removed
        whatever its value; otherwise only when its values (and O(ttl), when given) are exactly O(values).
    type: str
    choices: [present, absent]
    default: present
  on_existing:
    description:
      - What to do when the record set exists with other values (or another TTL, when O(ttl) is given).
      - V(replace) replaces (O(state=present)) or removes (O(state=absent)) it.
      - V(keep_and_fail) fails without changing anything.
      - V(keep_and_warn) keeps it and warns.
      - V(keep) keeps it silently.
    type: str
    choices: [replace, keep_and_fail, keep_and_warn, keep]
    default: replace
notes:
  - WHM refuses a change that leaves a zone without any of its original NS records, and a name that holds a CNAME
    and other records; the module refuses both before writing.
  - Record types other than the listed ones (DS, TLSA, ...) are never touched.
seealso:
  - module: hosting.whm.dns_record_sets
  - module: hosting.whm.dns_zone_info
  - module: hosting.whm.dns_zone
"""

EXAMPLES = r"""
- name: WHM's zone templates make www a CNAME, which may not hold other records; remove it first
  hosting.whm.dns_record_set:
    zone: example.com
    name: www
    type: CNAME
    state: absent

- name: The web server's addresses
  hosting.whm.dns_record_set:
    zone: example.com
    name: www
    type: A
    ttl: 300
    values:
      - 192.0.2.10
      - 192.0.2.11

- name: Mail exchangers of the apex
  hosting.whm.dns_record_set:
    zone: example.com
    name: "@"
    type: MX
    values:
      - 10 mx1.example.net
      - 20 mx2.example.net

- name: DKIM key (long TXT, kept byte for byte)
  hosting.whm.dns_record_set:
    zone: example.com
    name: default._domainkey
    type: TXT
    values:
      - "v=DKIM1; k=rsa; p={{ dkim_public_key }}"

- name: Only add the SPF record if there is none
  hosting.whm.dns_record_set:
    zone: example.com
    name: example.com.
    type: TXT
    values:
      - v=spf1 +a +mx -all
    on_existing: keep_and_warn

- name: A record of a subdomain, in whichever zone holds it (here example.co.uk)
  hosting.whm.dns_record_set:
    name: _acme-challenge.shop.example.co.uk
    type: TXT
    values: ["{{ challenge_token }}"]

- name: Remove a record set whatever it holds
  hosting.whm.dns_record_set:
    zone: example.com
    name: old
    type: CNAME
    state: absent
"""

RETURN = r"""
record_set:
  description:
    - The record set after the task (predicted in check mode), empty when it does not exist.
    - The name is fully qualified without trailing dot; values are in the canonical form described under O(values),
      sorted.
  returned: success
  type: dict
  sample:
    zone: example.com
    name: www.example.com
    type: A
    ttl: 300
    values: [192.0.2.10, 192.0.2.11]
zone_serial:
  description:
    - The zone's SOA serial after the task (the one read when nothing changed or in check mode).
  returned: success
  type: str
  sample: "2026112801"
"""

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._dns import (
    ON_EXISTING,
    RECORD_TYPES,
    absolute_name,
    desired_record_set,
    ensure_record_set,
    list_zones,
    normalise_zone,
    zone_for_name,
)
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result


def record_set_argument_spec() -> ArgumentSpec:
    return ArgumentSpec(
        {
            "zone": {"type": "str"},
            "name": {"type": "str", "required": True},
            "type": {"type": "str", "required": True, "choices": list(RECORD_TYPES)},
            "ttl": {"type": "int"},
            "values": {"type": "list", "elements": "str", "aliases": ["value"]},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
            "on_existing": {"type": "str", "default": "replace", "choices": list(ON_EXISTING)},
        },
    )


def handle(ctx: Context) -> Result:
    params = ctx.params
    if params["zone"]:
        zone = normalise_zone(params["zone"])
        name = params["name"]
    else:
        # Check everything before the read that finds the zone.
        name = absolute_name(params["name"])
        desired_record_set(
            name, "placeholder", params["type"], params["values"], params["ttl"], params["state"], params["on_existing"]
        )
        zone = zone_for_name(name, list_zones(ctx.api))
    desired = desired_record_set(
        zone,
        name,
        params["type"],
        params["values"],
        params["ttl"],
        state=params["state"],
        on_existing=params["on_existing"],
    )
    return ensure_record_set(ctx.api, desired, ctx.check_mode)


def main() -> None:
    run_module(record_set_argument_spec(), handle)


if __name__ == "__main__":
    main()
