#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: autossl
short_description: Configure the AutoSSL provider of WHM and run AutoSSL for an account
version_added: 0.1.0
description:
  - Makes O(provider) the server's AutoSSL provider (C(get_autossl_providers), then C(set_autossl_provider) only
    when another provider is enabled or the current terms of service are not accepted).
  - With O(run_for), starts an AutoSSL check for that account (C(start_autossl_check_for_one_user)) and, with
    O(wait), polls C(fetch_ssl_vhosts) and C(get_autossl_problems_for_user) until every domain of the account
    (C(get_domain_info)) has a usable certificate or a new problem, then returns the outcome per domain.
  - "Before starting, it checks what WHM would refuse and says which is missing: a provider must be enabled,
    and the feature list of the account's package must enable the C(autossl) feature (C(accountsummary),
    C(getpkginfo), C(get_featurelist_data)); the error names the package and the feature list."
  - When the lists do not enable the feature, C(verify_user_has_feature) decides for the account itself, so a
    per-account feature override that enables AutoSSL is honoured (RV(readiness.feature_override)).
author:
  - hosting.whm contributors (!UNKNOWN)
extends_documentation_fragment:
  - hosting.whm.connection
  - hosting.whm.attributes
  - hosting.whm.attributes.actions
  - hosting.whm.attributes.actiongroup_whm
attributes:
  check_mode:
    support: partial
    details:
      - In check mode the provider is compared and the readiness checks for O(run_for) are made; no check is
        started, so its outcome is not predicted.
  idempotent:
    support: partial
    details:
      - The provider setting is idempotent. A run with O(run_for) and O(wait) reports a change only when a
        certificate of the account was installed or replaced; without O(wait) it always reports a change.
options:
  provider:
    description:
      - The AutoSSL provider module name, for example V(LetsEncrypt). Left out, the provider is not changed.
    type: str
  accept_terms:
    description:
      - Accept the provider's current terms of service. Required when the provider publishes terms and they are
        not accepted yet; the module sends the exact URL of the terms WHM shows.
    type: bool
    default: false
  run_for:
    description:
      - A cPanel account to run AutoSSL for now.
    type: str
  wait:
    description:
      - Wait until every domain of the account has a usable (not self-signed, not expired) certificate or an
        AutoSSL problem newer than the start of the check.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait. The task fails when some domain has neither a certificate nor a new problem by then.
    type: int
    default: 600
  poll_interval:
    description:
      - Seconds between two reads while waiting.
    type: int
    default: 10
seealso:
  - module: hosting.whm.ssl_certificate_info
  - name: WHM API 1 SSL functions
    description: cPanel's documentation of the AutoSSL functions.
    link: https://api.docs.cpanel.net/openapi/whm/operation/set_autossl_provider/
"""

EXAMPLES = r"""
- name: Let's Encrypt as the AutoSSL provider
  hosting.whm.autossl:
    provider: LetsEncrypt
    accept_terms: true

- name: Secure a new account now and wait for the certificates
  hosting.whm.autossl:
    run_for: example
    wait_timeout: 900
  register: autossl_run

- name: Domains AutoSSL could not secure
  ansible.builtin.debug:
    msg: "{{ autossl_run.check.problems }}"
"""

RETURN = r"""
provider:
  description: The enabled provider after the task (predicted in check mode); empty when AutoSSL is disabled.
  returned: success
  type: dict
  contains:
    name:
      description: Provider module name.
      type: str
    display_name:
      description: Display name.
      type: str
    enabled:
      description: Whether it is the enabled provider.
      type: bool
    terms_of_service:
      description: URL of the provider's current terms, if it publishes any.
      type: str
    terms_of_service_accepted:
      description: Whether the current terms are accepted.
      type: bool
  sample:
    name: LetsEncrypt
    display_name: Let's Encrypt
    enabled: true
    terms_of_service: https://letsencrypt.org/documents/LE-SA-v1.4-April-3-2024.pdf
    terms_of_service_accepted: true
providers:
  description: Every provider the server offers, in the shape of RV(provider).
  returned: success
  type: list
  elements: dict
readiness:
  description: What the readiness checks read for O(run_for).
  returned: when O(run_for) is given
  type: dict
  contains:
    user:
      description: The account.
      type: str
    package:
      description: The account's package.
      type: str
    featurelist:
      description: The package's feature list, which enables C(autossl).
      type: str
    feature_override:
      description:
        - V(true) when the feature list does not enable C(autossl) but the account has it anyway
          (C(verify_user_has_feature), a per-account override).
      type: bool
      returned: when the account has the feature through an override
  sample:
    user: example
    package: gold
    featurelist: default
check:
  description: The AutoSSL check started for O(run_for).
  returned: when O(run_for) is given
  type: dict
  contains:
    user:
      description: The account.
      type: str
    pid:
      description: Process ID of the background check, from C(start_autossl_check_for_one_user).
      type: int
    started:
      description: Whether a check was started (false in check mode).
      type: bool
    finished:
      description: Whether every domain got an answer (only with O(wait)).
      type: bool
    domains:
      description:
        - One entry per domain of the account, with C(status) V(installed) (and C(not_after), C(days_to_expiry),
          C(issuer), C(renewed)) or V(problem) (and C(problem), AutoSSL's explanation).
      type: list
      elements: dict
    problems:
      description: The entries of RV(check.domains) with status V(problem).
      type: list
      elements: dict
      returned: when O(wait) is true
  sample:
    user: example
    pid: 4242
    started: true
    finished: true
    domains:
      - domain: example.com
        status: installed
        renewed: true
        not_after: "2026-04-01T00:00:00Z"
        days_to_expiry: 89
        issuer: Let's Encrypt
      - domain: shop.example.com
        status: problem
        problem: shop.example.com does not resolve to any IPv4 addresses on the internet.
    problems:
      - domain: shop.example.com
        status: problem
        problem: shop.example.com does not resolve to any IPv4 addresses on the internet.
"""

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._autossl import ensure_autossl
from ansible_collections.hosting.whm.plugins.module_utils._errors import WHMInputError
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result


def argument_spec() -> ArgumentSpec:
    return ArgumentSpec(
        {
            "provider": {"type": "str"},
            "accept_terms": {"type": "bool", "default": False},
            "run_for": {"type": "str"},
            "wait": {"type": "bool", "default": True},
            "wait_timeout": {"type": "int", "default": 600},
            "poll_interval": {"type": "int", "default": 10},
        },
        required_one_of=[("provider", "run_for")],
    )


def handle(ctx: Context) -> Result:
    params = ctx.params
    if params["wait_timeout"] < 0 or params["poll_interval"] < 1:
        raise WHMInputError("wait_timeout must be 0 or more and poll_interval at least 1 (seconds).")
    return ensure_autossl(
        ctx.api,
        provider=params.get("provider"),
        accept_terms=params["accept_terms"],
        run_for=params.get("run_for"),
        wait=params["wait"],
        wait_timeout=float(params["wait_timeout"]),
        poll_interval=float(params["poll_interval"]),
        check_mode=ctx.check_mode,
        sleep=ctx.api.transport.sleep,
    )


def main() -> None:
    run_module(argument_spec(), handle)


if __name__ == "__main__":
    main()
