#!/usr/bin/python
# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: transfer_session
short_description: Transfer cPanel accounts and packages from another server with WHM's Transfer Tool
version_added: 0.1.0
description:
  - Runs on the B(destination) WHM server (the connection options) and pulls accounts and hosting packages from a
    source server with a remote root transfer session, the engine of WHM's Transfer Tool.
  - "Without O(session_id) the task is declarative about the accounts: the destination is read first (C(listaccts),
    C(listpkgs)); accounts whose local name already exists there with the same domain, and packages that exist, are
    reported as RV(accounts[].result=present) and not transferred again. When nothing is left, no session is
    created and the task reports no change."
  - Otherwise it creates a session (C(create_remote_root_transfer_session)), reads the source's account list from
    the remote analysis (C(retrieve_transfer_session_remote_analysis), running C(analyze_transfer_session_remote)
    when the analysis is missing), enqueues the packages and accounts (C(enqueue_transfer_item), one C(batch)
    request), starts the session (C(start_transfer_session)) and, with O(wait), polls
    C(get_transfer_session_state) until it ends.
  - The session's state says only that processing ended; each account's outcome comes from the session's
    C(master.log) (C(fetch_transfer_session_log)), with the item log's last lines for accounts that failed or
    warned.
  - "With O(session_type=user) the session is user-authenticated (C(create_remote_user_transfer_session)): the
    destination logs in to the source as the cPanel user O(remote_user) with that user's password
    (O(remote_password)) and transfers that one account (item C(AccountRemoteUser)), for example a customer moving
    in from another provider whose root password you do not have. Packages and feature lists need a root session."
  - With O(session_id) the task manages an existing session instead - O(state=started) starts or resumes it,
    O(state=paused) pauses it, O(state=aborted) aborts it - and reports its accounts.
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
      - Check mode creates no session. It reads the destination, checks the local usernames
        (C(validate_system_user)) and the source login (C(remote_basic_credential_check)), and predicts which
        accounts would be transferred (RV(accounts[].result=planned)).
      - With O(session_type=user) check mode does not log in to the source (no read checks a cPanel user's
        password; C(remote_basic_credential_check) is an SSH login meant for root logins) and says so in a warning;
        a wrong password shows as a failed account when the session runs.
      - Whether an account really transfers is only known once the source has been analysed and the transfer ran.
  diff_mode:
    support: full
    details:
      - The diff lists the destination's account and package names before and after (predicted), or the session
        state when O(session_id) is given.
  idempotent:
    support: full
    details:
      - Accounts present on the destination are not transferred again. The C(skipaccount) key of
        O(accounts[].options) (restore into an existing account) bypasses that check and transfers on every run.
options:
  session_id:
    description:
      - An existing transfer session to manage, as returned in RV(session_id).
      - Without it, the task creates a session when some of O(accounts) or O(packages) are missing on the
        destination.
    type: str
  state:
    description:
      - V(started) (without O(session_id)) creates, fills and starts a session for what is missing; with
        O(session_id) it starts a PENDING session or resumes a PAUSED one. A running or finished session is left
        as it is.
      - V(present) creates and fills the session but does not start it (review it in WHM, then start it with
        O(session_id) and O(state=started)); with O(session_id) it only reports the session.
      - V(paused) pauses a running session (O(session_id) required). Items that already started finish first.
      - V(aborted) aborts a session (O(session_id) required). A session that was never started ends as FAILED,
        which is how WHM aborts those.
    type: str
    choices: [present, started, paused, aborted]
    default: started
  session_type:
    description:
      - V(root) creates a root session (C(create_remote_root_transfer_session)) that logs in as root, or as
        O(remote_user) escalating to root with O(root_escalation_method); it can transfer any accounts, packages and
        feature lists.
      - V(user) creates a user session (C(create_remote_user_transfer_session)) that logs in as the cPanel user
        O(remote_user) (not root) with O(remote_password) and transfers only that account. O(accounts) may be left
        out or hold one entry whose O(accounts[].user) is O(remote_user) (to set O(accounts[].localuser),
        O(accounts[].domain) and the other item keys). O(packages), O(feature_lists), SSH keys, O(remote_port),
        the root escalation options, O(comm_transport), the thread counts and the other root session options are
        refused.
      - The type is explicit rather than guessed from O(remote_user), because a non-root O(remote_user) also
        means a root session reached through O(root_escalation_method).
    type: str
    choices: [root, user]
    default: root
  remote_host:
    description: Name or address of the source server. Required to create a session.
    type: str
  remote_user:
    description:
      - User to log in as on the source.
      - With O(session_type=user), the cPanel user whose account is transferred.
    type: str
    default: root
  remote_password:
    description:
      - Password of O(remote_user) on the source. Give it or O(remote_ssh_key_name).
      - With O(session_type=user), the cPanel password of O(remote_user) (required).
    type: str
  remote_ssh_key_name:
    description: Name of an SSH private key stored for root on the destination (WHM's C(sshkey_name)).
    type: str
  remote_ssh_key_passphrase:
    description: Passphrase of O(remote_ssh_key_name).
    type: str
  remote_port:
    description: SSH port of the source (WHM's default is 22).
    type: int
  root_escalation_method:
    description: How a O(remote_user) other than root becomes root on the source.
    type: str
    choices: [su, sudo]
  remote_root_password:
    description: Root password of the source, for O(root_escalation_method=su).
    type: str
  comm_transport:
    description:
      - How the destination talks to the source. V(ssh), or V(whostmgr) (the source's WHM port, TLS verified) and
        V(whostmgr_insecure) (TLS not verified), each falling back to the other as WHM does.
    type: str
    choices: [ssh, whostmgr, whostmgr_insecure]
    default: ssh
  transfer_threads:
    description: Accounts packaged on the source at the same time (WHM allows 1 to 9).
    type: int
    default: 1
  restore_threads:
    description: Accounts restored on the destination at the same time (WHM allows 1 to 9).
    type: int
    default: 1
  unrestricted_restore:
    description:
      - Restore in unrestricted mode (trusts the archive's contents; needed for the C(force) key of
        O(accounts[].options)).
    type: bool
    default: false
  copy_reseller_privs:
    description: Copy reseller privileges of transferred resellers.
    type: bool
    default: false
  compressed:
    description: Compress archives in transit.
    type: bool
    default: false
  unencrypted:
    description: Send archives without encryption (faster on a trusted network).
    type: bool
    default: false
  use_backups:
    description: Use the source's latest backups instead of packaging the accounts anew.
    type: bool
    default: false
  low_priority:
    description: Run the packaging on the source at low priority.
    type: bool
    default: false
  accounts:
    description: Accounts to bring from the source.
    type: list
    elements: dict
    default: []
    suboptions:
      user:
        description: Username on the source.
        type: str
        required: true
      localuser:
        description: Username on the destination, to rename the account. Defaults to O(accounts[].user).
        type: str
      domain:
        description:
          - The account's main domain. When given, an existing destination account of the same name counts as
            already transferred only if it has this domain; otherwise it is a conflict.
          - When left out, the name alone decides; the domain is read from the source's analysis.
        type: str
      ip:
        description: Give the account a dedicated IP address on the destination.
        type: bool
      customip:
        description: The dedicated IP to use, if it is free on the destination.
        type: str
      replaceip:
        description: Which A records of the zone get the destination's IP; V(all) or only V(basic) ones.
        type: str
        choices: [all, basic]
      skiphomedir:
        description: Do not copy the home directory.
        type: bool
      skipacctdb:
        description: Do not copy MySQL and PostgreSQL databases.
        type: bool
      skipbwdata:
        description: Do not copy bandwidth data.
        type: bool
      skipsubdomains:
        description: Do not restore subdomains.
        type: bool
      skipemail:
        description: Do not copy email.
        type: bool
      skipres:
        description: Do not restore reseller privileges.
        type: bool
      priority:
        description: Order among the accounts (1 to 255, lower first).
        type: int
      options:
        description:
          - Other keys of WHM's C(AccountRemoteRoot) (or, with O(session_type=user), C(AccountRemoteUser)) transfer
            item (see C(transfer_module_schema)), for example
            C(skipaccount), C(force), C(mail_location), C(overwrite_all_dbs).
          - Checked against the server's schema before any session is created.
        type: dict
  packages:
    description: Hosting packages to bring from the source (packages already on the destination are skipped).
    type: list
    elements: str
    default: []
  feature_lists:
    description:
      - Feature lists to bring from the source (C(FeatureListRemoteRoot)); those already on the destination
        (C(get_featurelists)) are skipped. They are transferred before packages and accounts.
    type: list
    elements: str
    default: []
  on_conflict:
    description:
      - What to do with an account whose local name exists on the destination with another domain, or whose domain
        belongs to another destination account (WHM would fail it).
      - V(fail) stops before any session is created (or aborts the new session when only the source's analysis
        shows the conflict). V(skip) transfers the others and reports it as RV(accounts[].result=conflict).
    type: str
    choices: [fail, skip]
    default: fail
  wait:
    description:
      - Wait until the session ends (or, with O(state=paused) and O(state=aborted), until it is paused or
        aborted), then report every account.
      - Without waiting, accounts of a running session are reported as V(queued).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait. When they pass, the task fails with the session's state and RV(session_id); the session
        goes on in the background, so run the task again with O(session_id) to wait more.
    type: int
    default: 3600
  poll_interval:
    description: Seconds between two C(get_transfer_session_state) calls (cPanel's own client uses 5).
    type: int
    default: 5
  allow_failed_items:
    description:
      - By default the task fails when the session ends other than COMPLETED or any account or package did not
        transfer, with the per-account results in the failure. V(true) reports them and succeeds.
    type: bool
    default: false
notes:
  - The remote password, SSH key passphrase and root password are never shown in results or messages.
  - WHM lists no transfer sessions through its API; keep RV(session_id) to come back to a session.
  - Each run that transfers creates a new session; WHM keeps a session's logs for 30 days.
seealso:
  - module: hosting.whm.transfer_session_info
  - module: hosting.whm.account_restore
  - name: Transfer API functions
    description: cPanel's description of the Transfers functions this module calls.
    link: https://api.docs.cpanel.net/openapi/whm/operation/create_remote_root_transfer_session/
"""

EXAMPLES = r"""
- name: Bring two accounts and their package from the old server, renaming one
  hosting.whm.transfer_session:
    whm_host: new.example.com
    whm_api_token: "{{ vault_new_token }}"
    remote_host: old.example.com
    remote_password: "{{ vault_old_root_password }}"
    packages:
      - gold
    accounts:
      - user: alice
        domain: alice-bakery.example
      - user: bob
        localuser: bob2
        skipbwdata: true
    wait_timeout: 7200
  register: moved

- name: Show what happened to each account
  ansible.builtin.debug:
    msg: "{{ item.user }}: {{ item.result }} {{ item.failure or '' }}"
  loop: "{{ moved.accounts }}"

- name: Move a customer's account from another provider with the customer's cPanel login, renaming it
  hosting.whm.transfer_session:
    whm_host: new.example.com
    whm_api_token: "{{ vault_new_token }}"
    session_type: user
    remote_host: cpanel.other-provider.example
    remote_user: carol
    remote_password: "{{ vault_carol_cpanel_password }}"
    accounts:
      - user: carol
        localuser: carolshop
        domain: carols-shop.example

- name: Start a long transfer without waiting for it
  hosting.whm.transfer_session:
    remote_host: old.example.com
    remote_password: "{{ vault_old_root_password }}"
    accounts:
      - user: dave
    wait: false
  register: long_transfer

# session_id is null when no session was needed (every account was already here).
- name: Pause it
  hosting.whm.transfer_session:
    session_id: "{{ long_transfer.session_id }}"
    state: paused
  when: long_transfer.session_id is not none

- name: Resume it later and wait for the end
  hosting.whm.transfer_session:
    session_id: "{{ long_transfer.session_id }}"
    state: started
  when: long_transfer.session_id is not none
"""

RETURN = r"""
session_id:
  description: ID of the session created or managed; V(null) when no session was needed (or in check mode).
  returned: always
  type: str
  sample: sourceexamplecopya20260101120000aBcD
state:
  description:
    - The session's state at the end of the task (V(PENDING), V(RUNNING), V(PAUSING), V(PAUSED), V(ABORTING),
      V(COMPLETED), V(ABORTED), V(FAILED)); in check mode the predicted state.
  returned: always
  type: str
  sample: COMPLETED
failure:
  description: The session-level failure message of C(master.log), if any.
  returned: when the session ended
  type: str
accounts:
  description: One entry per account, sorted by source username.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: Username on the source.
      type: str
    localuser:
      description: Username on the destination.
      type: str
    domain:
      description:
        - The account's main domain, when known (declared, read on the destination, or from the source's analysis in
          a root session; a user session has no analysis).
      type: str
    result:
      description:
        - V(success), V(warning) (transferred with warnings or skipped items), V(failed); V(present) (already on
          the destination, not transferred), V(conflict) (not transferred, see RV(accounts[].failure)),
          V(planned) (check mode), V(queued) (session still running), V(incomplete) (copied but not restored),
          V(not_run) (the session ended before the account was processed).
      type: str
      sample: success
    failure:
      description: Why the account failed or conflicts.
      type: str
    warnings:
      description: Number of warnings of the transfer and restore.
      type: int
    skipped_items:
      description: Number of skipped items.
      type: int
    warning_messages:
      description: Warning texts reported in C(master.log).
      type: list
      elements: str
    skipped_messages:
      description: Skipped-item texts reported in C(master.log).
      type: list
      elements: str
    log_excerpt:
      description: Last lines of the restore (or transfer) log, for accounts that failed or warned.
      type: str
packages:
  description: One entry per package, with C(package), C(result) (as for accounts) and C(failure).
  returned: always
  type: list
  elements: dict
feature_lists:
  description: One entry per feature list, with C(feature_list), C(result) (as for accounts) and C(failure).
  returned: always
  type: list
  elements: dict
transfer_items:
  description:
    - With O(session_id), every item of the session's C(master.log), in the shape of
      RV(hosting.whm.transfer_session_info#module:transfer_items);
      accounts are also in RV(accounts).
  returned: when O(session_id) is given
  type: list
  elements: dict
"""

from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.hosting.whm.plugins.module_utils._module import Context, run_module
from ansible_collections.hosting.whm.plugins.module_utils._result import Result
from ansible_collections.hosting.whm.plugins.module_utils._transfers import ensure_session

ACCOUNT_OPTIONS = {
    "user": {"type": "str", "required": True},
    "localuser": {"type": "str"},
    "domain": {"type": "str"},
    "ip": {"type": "bool"},
    "customip": {"type": "str"},
    "replaceip": {"type": "str", "choices": ["all", "basic"]},
    "skiphomedir": {"type": "bool"},
    "skipacctdb": {"type": "bool"},
    "skipbwdata": {"type": "bool"},
    "skipsubdomains": {"type": "bool"},
    "skipemail": {"type": "bool"},
    "skipres": {"type": "bool"},
    "priority": {"type": "int"},
    "options": {"type": "dict"},
}


def transfer_session_argument_spec() -> ArgumentSpec:
    return ArgumentSpec(
        {
            "session_id": {"type": "str"},
            "session_type": {"type": "str", "default": "root", "choices": ["root", "user"]},
            "state": {"type": "str", "default": "started", "choices": ["present", "started", "paused", "aborted"]},
            "remote_host": {"type": "str"},
            "remote_user": {"type": "str", "default": "root"},
            "remote_password": {"type": "str", "no_log": True},
            "remote_ssh_key_name": {"type": "str", "no_log": False},
            "remote_ssh_key_passphrase": {"type": "str", "no_log": True},
            "remote_port": {"type": "int"},
            "root_escalation_method": {"type": "str", "choices": ["su", "sudo"]},
            "remote_root_password": {"type": "str", "no_log": True},
            "comm_transport": {"type": "str", "default": "ssh", "choices": ["ssh", "whostmgr", "whostmgr_insecure"]},
            "transfer_threads": {"type": "int", "default": 1},
            "restore_threads": {"type": "int", "default": 1},
            "unrestricted_restore": {"type": "bool", "default": False},
            "copy_reseller_privs": {"type": "bool", "default": False},
            "compressed": {"type": "bool", "default": False},
            "unencrypted": {"type": "bool", "default": False},
            "use_backups": {"type": "bool", "default": False},
            "low_priority": {"type": "bool", "default": False},
            "accounts": {"type": "list", "elements": "dict", "default": [], "options": ACCOUNT_OPTIONS},
            "packages": {"type": "list", "elements": "str", "default": []},
            "feature_lists": {"type": "list", "elements": "str", "default": []},
            "on_conflict": {"type": "str", "default": "fail", "choices": ["fail", "skip"]},
            "wait": {"type": "bool", "default": True},
            "wait_timeout": {"type": "int", "default": 3600},
            "poll_interval": {"type": "int", "default": 5},
            "allow_failed_items": {"type": "bool", "default": False},
        },
        mutually_exclusive=[
            ("session_id", "remote_host"),
            ("session_id", "accounts"),
            ("session_id", "packages"),
            ("session_id", "feature_lists"),
            ("remote_password", "remote_ssh_key_name"),
        ],
        required_by={"remote_ssh_key_passphrase": ("remote_ssh_key_name",)},
    )


def handle(ctx: Context) -> Result:
    return ensure_session(ctx.api, ctx.params, ctx.check_mode)


def main() -> None:
    run_module(transfer_session_argument_spec(), handle)


if __name__ == "__main__":
    main()
