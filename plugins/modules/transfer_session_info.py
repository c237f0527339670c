#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: transfer_session_info
short_description: Read the state, items and logs of a WHM transfer session
version_added: 0.1.0
description:
  - With O(session_id), reads the session's state (C(get_transfer_session_state)) and, once the session has ended,
    every item's outcome from its C(master.log) (C(fetch_transfer_session_log)), with the last lines of the item
    log of items that failed or warned.
  - Without O(session_id), lists what the server can transfer (C(available_transfer_modules)) and restore
    (C(restore_modules_summary)). WHM API 1 has no function that lists sessions, so sessions are looked up by ID
    (as returned by M(hosting.whm.transfer_session) and M(hosting.whm.account_restore)).
  - The log of a session that is still running is not read, because WHM answers that call only once the log is
    finished.
author:
  - hosting.whm contributors (!UNKNOWN)
extends_documentation_fragment:
  - hosting.whm.connection
  - hosting.whm.attributes
  - hosting.whm.attributes.info_module
  - hosting.whm.attributes.actiongroup_whm
options:
  session_id:
    description: ID of the transfer session.
    type: str
  include_log:
    description: Also return the raw C(master.log) of an ended session in RV(master_log).
    type: bool
    default: false
seealso:
  - module: hosting.whm.transfer_session
"""

EXAMPLES = r"""
- name: Follow a session started earlier without waiting
  hosting.whm.transfer_session_info:
    session_id: "{{ long_transfer.session_id }}"
  register: session
  # "session is failed" stops at once on an unknown session and shows the module's message.
  until: session is failed or session.terminal
  retries: 120
  delay: 30

- name: What this server can transfer and restore
  hosting.whm.transfer_session_info:
  register: capabilities
"""

RETURN = r"""
session_id:
  description: The session read.
  returned: when O(session_id) is given
  type: str
state:
  description:
    - The session's state (V(PENDING), V(RUNNING), V(PAUSING), V(PAUSED), V(ABORTING), V(COMPLETED), V(ABORTED),
      V(FAILED)).
  returned: when O(session_id) is given
  type: str
  sample: COMPLETED
terminal:
  description: Whether the session has ended (V(COMPLETED), V(ABORTED) or V(FAILED)).
  returned: when O(session_id) is given
  type: bool
failure:
  description: The session-level failure message from C(master.log), if any.
  returned: when O(session_id) is given
  type: str
transfer_items:
  description:
    - Every item of the session's C(master.log); empty while the session has not ended.
    - Named so because C(items) is a method of every dictionary in Jinja.
  returned: when O(session_id) is given
  type: list
  elements: dict
  contains:
    item:
      description: The item's key on the source (username, package name...).
      type: str
    local_item:
      description: The item's name on this server (the new username of a renamed account).
      type: str
    item_type:
      description: WHM's transfer module of the item (V(AccountRemoteRoot), V(PackageRemoteRoot)...).
      type: str
    result:
      description: V(success), V(warning), V(failed), V(incomplete) (copied, not restored) or V(pending).
      type: str
    failure:
      description: Why the item failed.
      type: str
    warnings:
      description: Number of warnings.
      type: int
    skipped_items:
      description: Number of skipped items.
      type: int
    transfer_log:
      description: Name of the item's transfer log (for C(fetch_transfer_session_log)).
      type: str
    restore_log:
      description: Name of the item's restore log.
      type: str
    log_excerpt:
      description: Last lines of the item's log when it failed or warned.
      type: str
master_log:
  description: The raw C(master.log) (JSON lines).
  returned: when O(include_log=true) and the session has ended
  type: str
transfer_modules:
  description: Names of the transfer modules the server offers.
  returned: when O(session_id) is not given
  type: list
  elements: str
  sample: [AccountRemoteRoot, PackageRemoteRoot]
restore_modules:
  description: C(restore_modules_summary) - what each restore module restores, and whether restricted restores offer it.
  returned: when O(session_id) is not given
  type: list
  elements: dict
"""

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result
from ansible_collections.hosting.whm.plugins.module_utils._transfers import session_info


def handle(ctx: Context) -> Result:
    return session_info(ctx.api, ctx.params["session_id"], ctx.params["include_log"])


def main() -> None:
    run_module(ArgumentSpec({"session_id": {"type": "str"}, "include_log": {"type": "bool", "default": False}}), handle)


if __name__ == "__main__":
    main()
