#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: account_restore
short_description: Restore cPanel accounts from backups on a WHM server
version_added: 0.1.0
description:
  - Restores accounts that the server does not have, from its backups.
  - "Declarative: the account list is read first (C(listaccts)); accounts that exist are reported as
    RV(accounts[].result=present) and not restored again, unless O(force=true). Names of accounts to create are
    checked with C(verify_new_username_for_restore) before anything is queued."
  - With O(method=queue) (the default), each account is added to WHM's restore queue (C(restore_queue_add_task))
    from the backup of O(accounts[].restore_point), the queue is started (C(restore_queue_activate)), and with
    O(wait) C(restore_queue_state) is polled until no account is pending or active. Each account's result,
    warnings and skipped items come from the queue's completed entries (C(restore_queue_list_completed)), and
    the end of the restore log
    (C(fetch_transfer_session_log)) is returned for failures and warnings. An account an earlier run queued and
    that is still in the queue is waited for instead of queued twice.
  - With O(method=legacy), C(restoreaccount) restores from a legacy daily, weekly or monthly backup; WHM 11.120
    runs it as a transfer session, which is polled like M(hosting.whm.transfer_session) does.
author:
  - hosting.whm contributors (!UNKNOWN)
extends_documentation_fragment:
  - hosting.whm.connection
  - hosting.whm.attributes
  - hosting.whm.attributes.actions
  - hosting.whm.attributes.actiongroup_whm
attributes:
  check_mode:
    support: full
    details:
      - Check mode reads the accounts, the restore queue and checks the new usernames, and predicts which
        accounts would be restored (RV(accounts[].result=planned)); whether the backup restores cleanly is only
        known by running it.
  diff_mode:
    support: full
    details:
      - The diff lists the server's account names before and after.
options:
  accounts:
    description: Accounts to restore.
    type: list
    elements: dict
    required: true
    suboptions:
      user:
        description: Username of the account in the backup.
        type: str
        required: true
      restore_point:
        description:
          - Date of the backup to restore, as WHM's backup listings give it (for example V(2026-11-27)). Required with
            O(method=queue).
        type: str
      destid:
        description: Backup destination holding the backup (WHM's default is V(local)).
        type: str
      backup_type:
        description: Legacy backup to restore; required with O(method=legacy).
        type: str
        choices: [daily, weekly, monthly]
      give_ip:
        description: Give the account a dedicated IP address.
        type: bool
      mail_config:
        description: Restore the mail configuration.
        type: bool
      mysql:
        description: Restore the MySQL databases.
        type: bool
      subdomains:
        description: Restore the subdomains.
        type: bool
  method:
    description: V(queue) uses WHM's restore queue, V(legacy) uses C(restoreaccount).
    type: str
    choices: [queue, legacy]
    default: queue
  force:
    description: Restore accounts that already exist too (the backup overwrites them; the task always changes).
    type: bool
    default: false
  wait:
    description: Wait for the restores to finish and report each account's result. Without it, accounts are V(queued).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait; then the task fails and the restores go on in the background.
    type: int
    default: 3600
  poll_interval:
    description: Seconds between two reads of the queue or session state.
    type: int
    default: 5
  allow_failed_items:
    description: Report failed restores and succeed, instead of failing the task.
    type: bool
    default: false
notes:
  - Completed entries stay in WHM's restore queue listing until they are cleared (for example with
    M(hosting.whm.whmapi) and C(restore_queue_clear_all_completed_tasks)).
seealso:
  - module: hosting.whm.transfer_session
  - module: hosting.whm.transfer_session_info
"""

EXAMPLES = r"""
- name: Restore two accounts from last night's backups
  hosting.whm.account_restore:
    accounts:
      - user: alice
        restore_point: "2026-11-27"
        mysql: true
        mail_config: true
      - user: bob
        restore_point: "2026-11-27"
  register: restored

- name: Restore from the legacy weekly backup
  hosting.whm.account_restore:
    method: legacy
    accounts:
      - user: carol
        backup_type: weekly
"""

RETURN = r"""
accounts:
  description: One entry per account, sorted by username.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The account.
      type: str
    result:
      description:
        - V(success), V(warning), V(failed), V(present) (exists, not restored), V(planned) (check mode), V(queued)
          (not waited for), V(not_run) (dropped from the queue).
      type: str
      sample: success
    message:
      description: WHM's status message of the restore.
      type: str
    warnings:
      description: Warnings of the restore.
      type: list
      elements: str
    skipped_items:
      description: Number of items the restore skipped.
      type: int
    transfer_session_id:
      description: The transfer session WHM ran the restore in (for M(hosting.whm.transfer_session_info)).
      type: str
    log_excerpt:
      description: Last lines of the restore log of a failed or warned restore.
      type: str
"""

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result
from ansible_collections.hosting.whm.plugins.module_utils._transfers import ensure_restored

ACCOUNT_OPTIONS = {
    "user": {"type": "str", "required": True},
    "restore_point": {"type": "str"},
    "destid": {"type": "str"},
    "backup_type": {"type": "str", "choices": ["daily", "weekly", "monthly"]},
    "give_ip": {"type": "bool"},
    "mail_config": {"type": "bool"},
    "mysql": {"type": "bool"},
    "subdomains": {"type": "bool"},
}


def account_restore_argument_spec() -> ArgumentSpec:
    return ArgumentSpec(
        {
            "accounts": {"type": "list", "elements": "dict", "required": True, "options": ACCOUNT_OPTIONS},
            "method": {"type": "str", "default": "queue", "choices": ["queue", "legacy"]},
            "force": {"type": "bool", "default": False},
            "wait": {"type": "bool", "default": True},
            "wait_timeout": {"type": "int", "default": 3600},
            "poll_interval": {"type": "int", "default": 5},
            "allow_failed_items": {"type": "bool", "default": False},
        }
    )


def handle(ctx: Context) -> Result:
    return ensure_restored(ctx.api, ctx.params, ctx.check_mode)


def main() -> None:
    run_module(account_restore_argument_spec(), handle)


if __name__ == "__main__":
    main()
