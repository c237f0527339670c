#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: service_ssl_certificate
short_description: Install the SSL certificate of a WHM service (cPanel, Exim, Dovecot, FTP)
version_added: 0.1.0
description:
  - Keeps the certificate of one of the server's own services in the declared state.
  - WHM's C(install_service_ssl_certificate) rewrites the files and restarts the service on every call, even for the
    same certificate. This module first reads the service's certificate with C(fetch_service_ssl_components) and
    installs only when the certificate (compared by its DER bytes), or the bundle when O(ca_bundle) is given,
    differs.
  - "Before any call that writes, the module refuses: a key that does not belong to the certificate, an encrypted key,
    an expired certificate (unless O(allow_expired=true)) and a bundle that is not in chain order."
  - O(state=self_signed) asks WHM for a new self-signed certificate (C(reset_service_ssl_certificate)) unless
    the service already uses a self-signed one.
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
  service:
    description:
      - The service. V(cpanel) covers cPanel, WHM and Webmail (cpsrvd), V(exim) SMTP, V(dovecot) IMAP and POP3,
        V(ftp) the FTP server.
    type: str
    required: true
    choices: [cpanel, dovecot, exim, ftp]
  state:
    description:
      - V(present) installs O(certificate) unless the service already uses it.
      - V(self_signed) replaces a certificate that is not self-signed with a new self-signed one that WHM
        generates.
    type: str
    choices: [present, self_signed]
    default: present
  certificate:
    description:
      - The certificate in PEM form (one certificate). Required with O(state=present).
      - It should cover the server's hostname, which clients connect to; the module does not check that.
    type: str
  private_key:
    description:
      - The certificate's private key in PEM form, not encrypted. Required with O(state=present).
      - Never shown in results, diffs or errors.
    type: str
  ca_bundle:
    description:
      - The intermediate certificates in PEM form, in chain order (first the issuer of O(certificate)).
      - When left out, the bundle is not compared and WHM looks one up itself when it can.
    type: str
  allow_expired:
    description:
      - Install a certificate that has already expired.
    type: bool
    default: false
seealso:
  - module: hosting.whm.ssl_certificate
"""

EXAMPLES = r"""
- name: The hostname certificate for cPanel, WHM and Webmail
  hosting.whm.service_ssl_certificate:
    service: cpanel
    certificate: "{{ lookup('ansible.builtin.file', 'certs/host.crt') }}"
    private_key: "{{ vault_host_key }}"
    ca_bundle: "{{ lookup('ansible.builtin.file', 'certs/intermediates.pem') }}"

- name: The same certificate for mail and FTP
  hosting.whm.service_ssl_certificate:
    service: "{{ item }}"
    certificate: "{{ lookup('ansible.builtin.file', 'certs/host.crt') }}"
    private_key: "{{ vault_host_key }}"
    ca_bundle: "{{ lookup('ansible.builtin.file', 'certs/intermediates.pem') }}"
  loop: [exim, dovecot, ftp]

- name: Back to a self-signed certificate
  hosting.whm.service_ssl_certificate:
    service: ftp
    state: self_signed
"""

RETURN = r"""
certificate:
  description: The service's certificate after the task (predicted in check mode). Dates are UTC, ISO 8601.
  returned: success
  type: dict
  contains:
    service:
      description: The service.
      type: str
    certificate:
      description: Subject, C(domains), issuer, C(not_before), C(not_after), C(days_to_expiry), C(serial),
        C(fingerprint_sha256), C(is_self_signed) and C(key_algorithm).
      type: dict
    ca_bundle:
      description: Subjects of the bundle certificates, in order.
      type: list
      elements: str
  sample:
    service: exim
    certificate:
      subject: CN=host.example.com
      domains: [host.example.com]
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
    SERVICES,
    Desired,
    WHMMissingLibraryError,
    ensure_service_certificate,
)


def argument_spec() -> ArgumentSpec:
    return ArgumentSpec(
        {
            "service": {"type": "str", "required": True, "choices": list(SERVICES)},
            "state": {"type": "str", "default": "present", "choices": ["present", "self_signed"]},
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
    desired = None
    if params["state"] == "present":
        ctx.hide(params["private_key"])
        desired = Desired(
            params["certificate"],
            params["private_key"],
            params.get("ca_bundle"),
            allow_expired=params["allow_expired"],
        )
    return ensure_service_certificate(ctx.api, params["service"], params["state"], ctx.check_mode, desired, ctx.hide)


def main() -> None:
    run_module(argument_spec(), handle)


if __name__ == "__main__":
    main()
