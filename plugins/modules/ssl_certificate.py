#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ssl_certificate
short_description: Install or remove the SSL certificate of a website on WHM
version_added: 0.1.0
description:
  - Keeps the certificate, private key and CA bundle of one website (Apache vhost) in the declared state.
  - Reads what is installed with C(fetch_vhost_ssl_components) (and C(fetch_ssl_vhosts) when the domain is an
    alias of another website), then installs with C(installssl) or removes with C(delete_ssl_vhost) only when
    needed.
  - Compares by identity, not by text; the certificate (its DER bytes), the key (its public key) and, when
    O(ca_bundle) is given, each bundle certificate in order. A certificate given with other line breaks
    or PEM headers is the same certificate.
  - "Before any call that writes, the module refuses: a key that does not belong to the certificate, an encrypted key,
    an expired certificate (unless O(allow_expired=true)), a certificate that does not cover O(domain), and a
    bundle that is not in chain order."
  - A bundle in the wrong order is refused, not reordered; the error lists the order that works.
  - The diff shows the subject, names, issuer, dates and fingerprint of the certificate and the subjects of the
    bundle, never the key.
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
  domain:
    description:
      - The website's domain. WHM installs on the website that serves it, so an addon, parked or C(www.) name
        selects the website it belongs to.
      - The certificate must cover this name. A wildcard covers exactly one label; C(*.example.com) covers
        C(www.example.com) but not C(example.com) or C(a.b.example.com).
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
      - The certificate in PEM form (one certificate). Required with O(state=present).
    type: str
  private_key:
    description:
      - The certificate's private key in PEM form, not encrypted. Required with O(state=present).
      - Never shown in results, diffs or errors.
    type: str
  ca_bundle:
    description:
      - The intermediate certificates in PEM form, first the one that issued O(certificate), then the one that
        issued that one, and so on.
      - When left out, the bundle is not compared and WHM looks one up itself when it can.
    type: str
  allow_expired:
    description:
      - Install a certificate that has already expired (WHM accepts it).
    type: bool
    default: false
notes:
  - WHM answers C(installssl) with action C(none) when the identical certificate is already installed; the module
    reports no change in that case too.
seealso:
  - module: hosting.whm.ssl_certificate_info
  - module: hosting.whm.service_ssl_certificate
  - module: hosting.whm.autossl
"""

EXAMPLES = r"""
- name: Install a certificate bought elsewhere
  hosting.whm.ssl_certificate:
    domain: example.com
    certificate: "{{ lookup('ansible.builtin.file', 'certs/example.com.crt') }}"
    private_key: "{{ vault_example_com_key }}"
    ca_bundle: "{{ lookup('ansible.builtin.file', 'certs/intermediates.pem') }}"

- name: Remove the SSL website of an old domain
  hosting.whm.ssl_certificate:
    domain: old.example.net
    state: absent
"""

RETURN = r"""
certificate:
  description:
    - The installed certificate after the task (predicted in check mode). Empty when O(state=absent).
    - Dates are UTC in ISO 8601 form.
  returned: success
  type: dict
  contains:
    domain:
      description: The domain of the task.
      type: str
    servername:
      description: The website (vhost) that holds the certificate; V(null) in check mode for a new one.
      type: str
    installed:
      description: Whether a certificate is installed.
      type: bool
    certificate:
      description: Subject, C(domains), issuer, C(not_before), C(not_after), C(days_to_expiry), C(serial),
        C(fingerprint_sha256), C(is_self_signed) and C(key_algorithm) of the certificate.
      type: dict
    ca_bundle:
      description: Subjects of the bundle certificates, in order.
      type: list
      elements: str
    action:
      description: WHM's C(installssl) action (C(install), C(update), C(update_cabundle) or C(none)) when it was called.
      type: str
      returned: when installssl was called
    working_domains:
      description: Names of the website the certificate secures, from C(installssl).
      type: list
      elements: str
      returned: when installssl was called
    warning_domains:
      description: Names of the website the certificate does not secure, from C(installssl).
      type: list
      elements: str
      returned: when installssl was called
  sample:
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
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result
from ansible_collections.hosting.whm.plugins.module_utils._ssl import (
    CRYPTOGRAPHY_IMPORT_ERROR,
    HAS_CRYPTOGRAPHY,
    Desired,
    WHMMissingLibraryError,
    ensure_vhost_certificate,
    validate_domain,
)


def argument_spec() -> ArgumentSpec:
    return ArgumentSpec(
        {
            "domain": {"type": "str", "required": True},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
            "certificate": {"type": "str"},
            "private_key": {"type": "str", "no_log": True},
            "ca_bundle": {"type": "str"},
            "allow_expired": {"type": "bool", "default": False},
        },
        required_if=[("state", "present", ("certificate", "private_key"))],
    )


def handle(ctx: Context) -> Result:
    if not HAS_CRYPTOGRAPHY:
        raise WHMMissingLibraryError(missing_required_lib("cryptography"), exception=str(CRYPTOGRAPHY_IMPORT_ERROR))
    params = ctx.params
    domain = validate_domain(params["domain"])
    desired = None
    if params["state"] == "present":
        ctx.hide(params["private_key"])
        desired = Desired(
            params["certificate"],
            params["private_key"],
            params.get("ca_bundle"),
            allow_expired=params["allow_expired"],
            domain=domain,
        )
    return ensure_vhost_certificate(ctx.api, domain, params["state"], ctx.check_mode, desired, hide=ctx.hide)


def main() -> None:
    run_module(argument_spec(), handle)


if __name__ == "__main__":
    main()
