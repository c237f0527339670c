# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # Mirrors whm_connection_argument_spec() in plugins/module_utils/_argspec.py one to one.
    DOCUMENTATION = r"""
options:
  whm_host:
    description:
      - Name or address of the WHM server, optionally as a URL such as V(https://whm.example.com:2087).
      - Required when O(transport=http).
      - If not set, the value of the E(WHM_HOST) environment variable is used.
    type: str
  whm_port:
    description:
      - TCP port of WHM API 1 (TLS).
      - If not set, the value of the E(WHM_PORT) environment variable is used.
    type: int
    default: 2087
  whm_username:
    description:
      - WHM user the API token or password belongs to (V(root) or a reseller).
      - If not set, the value of the E(WHM_USERNAME) environment variable is used.
    type: str
    default: root
  whm_api_token:
    description:
      - "WHM API token, sent in the header C(Authorization: whm USER:TOKEN)."
      - Mutually exclusive with O(whm_password). One of them is required when O(transport=http).
      - If not set, the value of the E(WHM_API_TOKEN) environment variable is used.
    type: str
  whm_password:
    description:
      - Password of O(whm_username), sent with HTTP Basic authentication. Prefer an API token.
      - If not set, the value of the E(WHM_PASSWORD) environment variable is used.
    type: str
  validate_certs:
    description:
      - Verify the server's TLS certificate. Leave this on; give a self-signed server's CA with O(ca_path) instead.
      - If not set, the value of the E(WHM_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA (or the certificate itself) to verify the server's certificate with.
      - If not set, the value of the E(WHM_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for one API answer. Account creation and removal never get less than 300 seconds.
    type: int
    default: 60
  retries:
    description:
      - How many times a read, or a request that never reached the server, is retried on connection failures
        and HTTP 429, 502, 503 or 504, with exponential backoff (a C(Retry-After) header is honoured, up to 30 s).
      - A write that reached the server is never retried blindly; the state is read back instead.
    type: int
    default: 3
  transport:
    description:
      - V(http) calls WHM API 1 over HTTPS from where the task runs.
      - V(cli) runs C(whmapi1 --output=json) on the host the task runs on, which must be the WHM server itself
        (use C(delegate_to)); it needs root and no token. Values appear in that host's process list
        while the command runs.
    type: str
    default: http
    choices: [http, cli]
notes:
  - Any answer with C(metadata.result) 0 is a failure, although WHM sends it with HTTP status 200.
  - Secrets (API tokens, passwords) are never returned and are blanked from every message.
"""
