#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ssl_certificate_info
short_description: List the SSL certificates installed on WHM websites, with days to expiry
version_added: 0.1.0
description:
  - Reads every website's installed certificate with one C(fetch_ssl_vhosts) call, however many domains are asked
    for, and returns one entry per requested domain, per website of an account, or per website.
  - Each entry says whether the certificate covers the domain, when it expires and in how many days.
author:
  - hosting.whm contributors (!UNKNOWN)
extends_documentation_fragment:
  - hosting.whm.connection
  - hosting.whm.attributes
  - hosting.whm.attributes.info_module
  - hosting.whm.attributes.actiongroup_whm
options:
  domains:
    description:
      - Domains to look up. Each is found among the names of the websites (servername, aliases, addon and
        parked names). A domain without an installed certificate gets an entry with RV(certificates[].installed=false).
    type: list
    elements: str
  user:
    description:
      - Only the websites of this cPanel account.
    type: str
notes:
  - With neither O(domains) nor O(user), every website with an installed certificate is listed.
  - C(fetch_ssl_vhosts) lists only websites that have a certificate installed.
seealso:
  - module: hosting.whm.ssl_certificate
"""

EXAMPLES = r"""
- name: Certificates that expire within 30 days
  hosting.whm.ssl_certificate_info:
  register: certs

- name: Show them
  ansible.builtin.debug:
    msg: "{{ certs.certificates | selectattr('certificate.days_to_expiry', 'lt', 30) | map(attribute='domain') }}"

- name: The certificates of two domains
  hosting.whm.ssl_certificate_info:
    domains:
      - example.com
      - shop.example.net
"""

RETURN = r"""
certificates:
  description: One entry per requested domain, or per website (sorted by servername).
  returned: success
  type: list
  elements: dict
  contains:
    domain:
      description: The requested domain, or the website's servername.
      type: str
    installed:
      description: Whether a certificate is installed on the website that serves the domain.
      type: bool
    servername:
      description: The website (vhost).
      type: str
      returned: when installed
    user:
      description: The account that owns the website.
      type: str
      returned: when installed
    ip:
      description: The website's IPv4 address.
      type: str
      returned: when installed
    vhost_domains:
      description: Every name the website answers to.
      type: list
      elements: str
      returned: when installed
    covers_domain:
      description: Whether the certificate's names cover RV(certificates[].domain) (wildcards cover one label).
      type: bool
      returned: when installed
    certificate:
      description:
        - C(id), C(subject_common_name), C(domains), C(issuer_common_name), C(issuer_organization), C(not_before),
          C(not_after) (UTC, ISO 8601), C(days_to_expiry) (negative once expired), C(expired), C(is_self_signed)
          and C(key_algorithm).
      type: dict
      returned: when installed
  sample:
    - domain: example.com
      installed: true
      servername: example.com
      user: example
      ip: 192.0.2.10
      vhost_domains: [example.com, www.example.com]
      covers_domain: true
      certificate:
        id: example_com_c1d2e_3f4a5_1767225600_0123456789abcdef0123456789abcdef
        subject_common_name: example.com
        domains: [example.com, www.example.com]
        issuer_common_name: Example CA
        issuer_organization: Example
        not_before: "2026-01-01T00:00:00Z"
        not_after: "2026-04-01T00:00:00Z"
        days_to_expiry: 45
        expired: false
        is_self_signed: false
        key_algorithm: rsaEncryption
    - domain: shop.example.net
      installed: false
"""

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result
from ansible_collections.hosting.whm.plugins.module_utils._ssl import list_vhost_certificates


def argument_spec() -> ArgumentSpec:
    return ArgumentSpec(
        {
            "domains": {"type": "list", "elements": "str"},
            "user": {"type": "str"},
        },
        mutually_exclusive=[("domains", "user")],
    )


def handle(ctx: Context) -> Result:
    entries = list_vhost_certificates(ctx.api, domains=ctx.params.get("domains"), user=ctx.params.get("user"))
    return Result(changed=False, values={"certificates": entries})


def main() -> None:
    run_module(argument_spec(), handle)


if __name__ == "__main__":
    main()
