#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ssl_certificates
short_description: Install or remove the SSL certificates of many websites on WHM in one task
version_added: 0.1.0
description:
  - Keeps the certificate, private key and CA bundle of a list of websites (Apache vhosts) in the declared state,
    with the same rules as M(hosting.whm.ssl_certificate) and without starting the module once per website.
  - Reads every installed certificate, key and bundle with one C(fetch_vhost_ssl_components) call.
    C(fetch_ssl_vhosts) is read as well only when a listed name is not the name of an SSL website itself
    (an addon, parked or C(mail.) name is found through the websites' domain lists).
  - Compares by identity, not by text; the certificate (its DER bytes), the key (its public key) and, when
    C(ca_bundle) is given, each bundle certificate in order.
  - "Every element is checked before the first call that writes: a key that does not belong to the certificate,
    an encrypted key, an expired certificate (unless C(allow_expired=true)), a certificate that does not cover
    its C(domain), a bundle that is not in chain order and two elements for the same website are refused, and
    nothing is changed."
  - Then calls C(installssl) or C(delete_ssl_vhost) once per website that really differs; two or more such
    calls are sent through WHM C(batch), at most 10 (and about 256 KB) per request.
  - When some writes fail, the others still run; the task fails and names every failed domain with WHM's
    reason and every website that was changed.
  - The diff has one entry per changed domain with the subject, names, issuer, dates and fingerprint of the
    certificate and the subjects of the bundle, never a key.
requirements:
  - cryptography (on the host that runs the module; ansible-core depends on it)
author:
  - hosting.whm contributors (!UNKNOWN)
extends_documentation_fragment:
  - hosting.whm.connection
  - hosting.whm.attributes
  - hosting.whm.attributes.actions
  - hosting.whm.attributes.actiongroup_whm
options:
  certificates:
    description:
      - The websites' certificates. Websites not listed are left alone.
      - Each element takes the options of M(hosting.whm.ssl_certificate).
    type: list
    elements: dict
    required: true
    suboptions:
      domain:
        description:
          - The website's domain. WHM installs on the website that serves it, so an addon, parked or C(www.) name
            selects the website it belongs to. Each website may be listed once.
          - The certificate must cover this name. A wildcard covers exactly one label.
        type: str
        required: true
      state:
        description:
          - V(present) installs the certificate unless the same one is installed.
          - V(absent) removes the website's SSL host (C(delete_ssl_vhost)); nothing happens when none is installed.
        type: str
        choices: [present, absent]
        default: present
      certificate:
        description:
          - The certificate in PEM form (one certificate). Required with O(certificates[].state=present).
        type: str
      private_key:
        description:
          - The certificate's private key in PEM form, not encrypted. Required with O(certificates[].state=present).
          - Never shown in results, diffs or errors.
        type: str
      ca_bundle:
        description:
          - The intermediate certificates in PEM form, first the one that issued the certificate, then the one
            that issued that one, and so on.
          - When left out, the bundle is not compared and WHM looks one up itself when it can.
        type: str
      allow_expired:
        description:
          - Install a certificate that has already expired (WHM accepts it).
        type: bool
        default: false
notes:
  - WHM answers C(installssl) with action C(none) when the identical certificate is already installed; the module
    reports no change for that website in that case too.
seealso:
  - module: hosting.whm.ssl_certificate
  - module: hosting.whm.ssl_certificate_info
"""

EXAMPLES = r"""
- name: Certificates of every website of the fleet in one task
  hosting.whm.ssl_certificates:
    certificates:
      - domain: example.com
        certificate: "{{ lookup('ansible.builtin.file', 'certs/example.com.crt') }}"
        private_key: "{{ vault_keys['example.com'] }}"
        ca_bundle: "{{ lookup('ansible.builtin.file', 'certs/intermediates.pem') }}"
      - domain: shop.example.net
        certificate: "{{ lookup('ansible.builtin.file', 'certs/shop.example.net.crt') }}"
        private_key: "{{ vault_keys['shop.example.net'] }}"
      - domain: old.example.org
        state: absent

- name: Built from a list of sites
  hosting.whm.ssl_certificates:
    certificates: "{{ sites | map(attribute='tls') | list }}"
"""

RETURN = r"""
certificates:
  description: One entry per element, in order.
  returned: success
  type: list
  elements: dict
  contains:
    domain:
      description: The element's domain.
      type: str
    changed:
      description: Whether this website's certificate changed (would change in check mode).
      type: bool
    certificate:
      description:
        - The website's certificate after the task (predicted in check mode), with the keys of the
          C(certificate) result of M(hosting.whm.ssl_certificate). Empty with O(certificates[].state=absent).
      type: dict
  sample:
    - domain: example.com
      changed: true
      certificate:
        domain: example.com
        servername: example.com
        installed: true
        certificate:
          subject: CN=example.com
          domains: [example.com, www.example.com]
          issuer: CN=Example CA,O=Example
          not_before: "2026-01-01T00:00:00Z"
          not_after: "2026-04-01T00:00:00Z"
          days_to_expiry: 45
          serial: 1f2e
          fingerprint_sha256: 9c0d7f...
          is_self_signed: false
          key_algorithm: rsaEncryption
        ca_bundle: [CN=Example CA,O=Example]
        action: install
    - domain: old.example.org
      changed: false
      certificate: {}
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result
from ansible_collections.hosting.whm.plugins.module_utils._ssl import (
    CRYPTOGRAPHY_IMPORT_ERROR,
    HAS_CRYPTOGRAPHY,
    WHMMissingLibraryError,
    converge_vhost_certificates,
)


def argument_spec() -> ArgumentSpec:
    return ArgumentSpec(
        {
            "certificates": {
                "type": "list",
                "elements": "dict",
                "required": True,
                "options": {
                    "domain": {"type": "str", "required": True},
                    "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
                    "certificate": {"type": "str"},
                    "private_key": {"type": "str", "no_log": True},
                    "ca_bundle": {"type": "str"},
                    "allow_expired": {"type": "bool", "default": False},
                },
                "required_if": [("state", "present", ("certificate", "private_key"))],
            },
        }
    )


def handle(ctx: Context) -> Result:
    if not HAS_CRYPTOGRAPHY:
        raise WHMMissingLibraryError(missing_required_lib("cryptography"), exception=str(CRYPTOGRAPHY_IMPORT_ERROR))
    return converge_vhost_certificates(ctx.api, ctx.params["certificates"], ctx.check_mode, hide=ctx.hide)


def main() -> None:
    run_module(argument_spec(), handle)


if __name__ == "__main__":
    main()
