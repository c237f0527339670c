# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this file is internal to the hosting.whm collection. It may change without notice
# and is not part of the collection's public API.

"""Transfer sessions and account restores: plan, create, enqueue, start, poll, read the logs.

WHM runs transfers and restores in the background. A session's state only says whether the
processing ended; whether an account made it is learnt from the ``success-item`` /
``warning-item`` / ``failed-item`` lines of the session's ``master.log``
(transfers_accounts.md 2.4, 5).
"""

from __future__ import annotations

import json
import re
import time
import typing as t

from ansible_collections.hosting.whm.plugins.module_utils._accounts import check_username
from ansible_collections.hosting.whm.plugins.module_utils._api import WhmApi
from ansible_collections.hosting.whm.plugins.module_utils._errors import (
    WHMError,
    WHMInputError,
    WHMNotFoundError,
)
from ansible_collections.hosting.whm.plugins.module_utils._result import Result

# Session states of 11.120 (transfers_accounts.md 2.2). The docs also list the item queue
# states TRANSFER_PENDING... which the session lookup never returns.
TERMINAL_STATES = ("COMPLETED", "ABORTED", "FAILED")
RUNNING_STATES = ("RUNNING", "PAUSING", "ABORTING")
SESSION_ID = re.compile(r"^[0-9A-Za-z_]+$")
MASTER_LOG = "master.log"
EXCERPT_LINES = 20

ACCOUNT_MODULE = "AccountRemoteRoot"
# User-authenticated sessions (create_remote_user_transfer_session) take only this item type, and
# root sessions never take it (transfers_accounts.md 2.5, enqueue_transfer_item).
USER_ACCOUNT_MODULE = "AccountRemoteUser"
ACCOUNT_MODULES = (ACCOUNT_MODULE, USER_ACCOUNT_MODULE)
PACKAGE_MODULE = "PackageRemoteRoot"
FEATURE_LIST_MODULE = "FeatureListRemoteRoot"
# Per-account options the module offers by name; other keys of the AccountRemoteRoot schema go
# through ``options`` and are checked against transfer_module_schema (transfers_accounts.md 2.5).
ACCOUNT_FLAGS = ("skiphomedir", "skipacctdb", "skipbwdata", "skipsubdomains", "skipemail", "skipres")
ACCOUNT_VALUES = ("customip", "replaceip", "priority")
# Keys the module fills in itself; not allowed in ``options``.
MANAGED_KEYS = ("user", "localuser", "domain", "ip") + ACCOUNT_FLAGS + ACCOUNT_VALUES


class WHMTransferError(WHMError):
    """A transfer or restore ended badly or did not end in time; carries what is known so far."""


# -- input -----------------------------------------------------------------------------------


def check_session_id(session_id: str) -> None:
    if not session_id or not SESSION_ID.match(session_id):
        raise WHMInputError(
            f'The transfer session ID "{session_id}" is not valid: WHM session IDs hold only letters, digits '
            "and underscores."
        )


def _flag(value: t.Any) -> t.Optional[bool]:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "y", "yes", "true", "on"):
        return True
    if text in ("0", "n", "no", "false", "off", ""):
        return False
    raise WHMInputError(f"{value!r} is not a boolean.")


def normalise_accounts(accounts: t.Sequence[t.Mapping[str, t.Any]]) -> t.List[t.Dict[str, t.Any]]:
    """The declared accounts with ``localuser`` filled in, checked for WHM's username rules and duplicates."""
    seen_users: t.Set[str] = set()
    seen_local: t.Set[str] = set()
    normalised = []
    for index, entry in enumerate(accounts):
        where = f"accounts[{index}]"
        user = str(entry.get("user") or "").strip()
        if not user:
            raise WHMInputError(f"{where}: user is required.")
        local = str(entry.get("localuser") or user).strip()
        for name in (user, local):
            try:
                # Transfers use the loose username rules (valid_for_transfer, transfers_accounts.md 3.1).
                check_username(name)
            except WHMInputError as exc:
                raise WHMInputError(f"{where}: {exc}") from None
        if user in seen_users:
            raise WHMInputError(f'{where}: the source account "{user}" is listed twice.')
        if local in seen_local:
            raise WHMInputError(f'{where}: two accounts would be restored as "{local}".')
        seen_users.add(user)
        seen_local.add(local)
        options = dict(entry.get("options") or {})
        clash = sorted(set(options) & set(MANAGED_KEYS))
        if clash:
            raise WHMInputError(f"{where}: set {', '.join(clash)} as account options, not inside options.")
        domain = entry.get("domain")
        item: t.Dict[str, t.Any] = {
            "user": user,
            "localuser": local,
            "domain": str(domain).strip().lower() if domain else None,
            "ip": _flag(entry.get("ip")),
            "options": options,
        }
        for key in ACCOUNT_FLAGS:
            item[key] = _flag(entry.get(key))
        for key in ACCOUNT_VALUES:
            item[key] = entry.get(key)
        if item["replaceip"] not in (None, "all", "basic"):
            raise WHMInputError(f'{where}: replaceip must be "all" or "basic".')
        normalised.append(item)
    return normalised


def item_params(account: t.Mapping[str, t.Any]) -> t.Dict[str, t.Any]:
    """enqueue_transfer_item's AccountRemoteRoot keys for one account (unset options left out)."""
    params: t.Dict[str, t.Any] = {"user": account["user"], "localuser": account["localuser"]}
    if account.get("domain"):
        params["domain"] = account["domain"]
    if account.get("ip") is not None:
        params["ip"] = account["ip"]
    for key in ACCOUNT_FLAGS + ACCOUNT_VALUES:
        if account.get(key) is not None:
            params[key] = account[key]
    for key, value in sorted((account.get("options") or {}).items()):
        params[key] = value
    return params


def check_item_options(api: WhmApi, accounts: t.Sequence[t.Mapping[str, t.Any]], module: str = ACCOUNT_MODULE) -> None:
    """Refuse ``options`` keys the account module's schema does not have, before any write.

    WHM itself only refuses them at enqueue time, once the session exists.
    """
    extra = sorted({key for account in accounts for key in (account.get("options") or {})})
    if not extra:
        return
    schema = api.read("transfer_module_schema", {"module": module}).data or {}
    keys = (schema.get("schema") or {}).get("keys") or {}
    unknown = [key for key in extra if key not in keys]
    if unknown:
        raise WHMInputError(
            f"Account options not known to the {module} transfer module (transfer_module_schema): {', '.join(unknown)}."
        )


def check_local_usernames(api: WhmApi, names: t.Sequence[str]) -> None:
    """validate_system_user for every new local username.

    One plain read for one name; for more, one WHM ``batch`` request holding only these reads
    (a batch of reads is a read, so this also runs in check mode).
    """
    if not names:
        return
    if len(names) == 1:
        responses = [api.read("validate_system_user", {"user": names[0]})]
    else:
        responses = api.batch([("validate_system_user", {"user": name}) for name in names], write=False)
    problems = []
    for name, response in zip(names, responses):
        api.check(response)
        data = response.data if isinstance(response.data, dict) else {}
        if str(data.get("reserved", 0)) == "1":
            problems.append(f'"{name}" is a reserved username')
        elif str(data.get("valid_for_transfer", 1)) != "1":
            problems.append(f'"{name}" is not a valid username for a transferred account')
    if problems:
        raise WHMInputError(f"validate_system_user refused the local usernames: {'; '.join(problems)}.")


# -- destination state -------------------------------------------------------------------------


def read_destination_accounts(api: WhmApi) -> t.Dict[str, str]:
    """user -> main domain of every account on the server, with one listaccts request."""
    records = api.list_records("listaccts", "acct", {"want": "user,domain"})
    return {str(record.get("user")): str(record.get("domain") or "").lower() for record in records}


def read_destination_packages(api: WhmApi) -> t.Set[str]:
    return {str(record.get("name")) for record in api.read("listpkgs", {"want": "all"}).records("pkg")}


def read_destination_feature_lists(api: WhmApi) -> t.Set[str]:
    data = api.read("get_featurelists").data
    names = data.get("featurelists") if isinstance(data, dict) else None
    return {str(name) for name in names or []}


# -- logs ----------------------------------------------------------------------------------------


def parse_log_lines(text: str) -> t.List[t.Dict[str, t.Any]]:
    """The JSON-lines log format of Cpanel::Output (one object per line); other lines are ignored."""
    entries = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def _count(value: t.Any) -> int:
    if isinstance(value, (list, tuple)):
        return len(value)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _texts(value: t.Any) -> t.List[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) if not isinstance(item, dict) else json.dumps(item, sort_keys=True) for item in value]
    if isinstance(value, dict):
        return [f"{key}: {item}" for key, item in sorted(value.items())]
    return [str(value)]


def parse_master_log(text: str) -> t.Dict[str, t.Any]:
    """Per-item outcomes and session events from ``master.log`` (transfers_accounts.md 2.4).

    Items are keyed by ``(item_type, item)``; each has ``result`` ``success``, ``warning`` or
    ``failed`` once its restore phase ended (a transfer-phase failure is final), ``incomplete``
    when only the transfer phase ended and ``pending`` when it never finished a phase.
    """
    items: t.Dict[t.Tuple[str, str], t.Dict[str, t.Any]] = {}
    events: t.List[str] = []
    failure = None
    for entry in parse_log_lines(text):
        if entry.get("type") != "control" or not isinstance(entry.get("contents"), dict):
            continue
        contents = entry["contents"]
        action = str(contents.get("action") or "")
        if action in ("pause", "resume", "abort", "aborting", "pausing", "complete", "fail"):
            if action == "complete" and contents.get("queue"):
                continue  # a queue finished, not the session
            events.append(action)
            if action == "fail":
                failure = _message_text(contents.get("msg"))
            continue
        if "item" not in contents or action not in ("start-item", "success-item", "warning-item", "failed-item"):
            continue
        key = (str(contents.get("item_type") or ""), str(contents.get("item")))
        item = items.setdefault(
            key,
            {
                "item": str(contents.get("item")),
                "local_item": str(contents.get("local_item") or contents.get("item")),
                "item_type": key[0],
                "phases": {},
                "logs": {},
                "failure": None,
                "warnings": 0,
                "skipped_items": 0,
                "dangerous_items": 0,
                "altered_items": 0,
                "warning_messages": [],
                "skipped_messages": [],
            },
        )
        queue = str(contents.get("queue") or "")
        if contents.get("logfile"):
            item["logs"][queue] = str(contents["logfile"])
        if action == "start-item":
            item["phases"].setdefault(queue, "started")
            continue
        outcome = action.split("-", 1)[0]
        item["phases"][queue] = outcome
        msg = contents.get("msg") if isinstance(contents.get("msg"), dict) else {}
        for counter in ("warnings", "skipped_items", "dangerous_items", "altered_items"):
            item[counter] += _count(msg.get(counter))
        details = msg.get("contents") if isinstance(msg.get("contents"), dict) else {}
        item["warning_messages"] += _texts(details.get("warnings"))
        item["skipped_messages"] += _texts(details.get("skipped_items"))
        if outcome == "failed" and item["failure"] is None:
            item["failure"] = _message_text(msg.get("failure")) or _message_text(contents.get("msg"))
    for item in items.values():
        item["result"] = _item_result(item["phases"])
    return {"items": items, "events": events, "failure": failure}


def _message_text(value: t.Any) -> t.Optional[str]:
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        for key in ("failure", "message", "msg"):
            if value.get(key):
                return str(value[key])
        return json.dumps(value, sort_keys=True)
    return str(value)


def _item_result(phases: t.Mapping[str, str]) -> str:
    if "failed" in phases.values():
        return "failed"
    restore = phases.get("RESTORE")
    if restore in ("success", "warning"):
        if phases.get("TRANSFER") == "warning":
            return "warning"
        return restore
    if phases.get("TRANSFER") in ("success", "warning"):
        return "incomplete"
    return "pending"


def log_excerpt(text: str, lines: int = EXCERPT_LINES) -> str:
    """The last ``lines`` lines of an item log's messages, as plain text."""
    out: t.List[str] = []
    for entry in parse_log_lines(text):
        if entry.get("type") == "control":
            continue
        contents = entry.get("contents")
        if isinstance(contents, str):
            out.extend(part for part in contents.splitlines() if part.strip())
        elif isinstance(contents, dict) and contents.get("msg"):
            out.append(str(contents["msg"]))
    if not out and text and not parse_log_lines(text):
        out = [line for line in text.splitlines() if line.strip()]
    return "\n".join(out[-lines:])


def fetch_log(api: WhmApi, session_id: str, logfile: str) -> t.Optional[str]:
    """A session log's text, or None when WHM has none (a session that never started)."""
    response = api.call(
        "fetch_transfer_session_log", {"transfer_session_id": session_id, "logfile": logfile}, write=False
    )
    if not response.ok:
        # Never-started sessions have no master.log; the tailer reports it cannot locate the file
        # (transfers_accounts.md 2.4).
        if "locate" in response.reason or "does not exist" in response.reason.lower():
            return None
        raise api.error(response, f"log {logfile} of session {session_id}")
    data = response.data if isinstance(response.data, dict) else {}
    log = data.get("log")
    return log if isinstance(log, str) else ""


# -- sessions ------------------------------------------------------------------------------------


def get_state(api: WhmApi, session_id: str) -> str:
    response = api.call("get_transfer_session_state", {"transfer_session_id": session_id}, write=False)
    if not response.ok:
        if "does not exist" in response.reason:
            raise WHMNotFoundError(
                f"Transfer session not found: {session_id} (get_transfer_session_state: {api.scrub(response.reason)})",
                session_id=session_id,
            )
        raise api.error(response)
    data = response.data if isinstance(response.data, dict) else {}
    return str(data.get("state_name") or "")


class Clock:
    """Time and sleep, replaceable in tests."""

    def __init__(self, api: WhmApi) -> None:
        self.api = api

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        self.api.transport.sleep(seconds)


def wait_for_state(
    api: WhmApi,
    session_id: str,
    targets: t.Sequence[str],
    timeout: float,
    interval: float,
    clock: t.Optional[Clock] = None,
) -> str:
    """Poll get_transfer_session_state until it is one of ``targets`` or a terminal state.

    Raises :class:`WHMTransferError` with the last state when ``timeout`` seconds pass first.
    cPanel's own client polls every 5 seconds for COMPLETED/ABORTED/FAILED (transfers_accounts.md 2.2).
    """
    clock = clock or Clock(api)
    deadline = clock.now() + timeout
    while True:
        state = get_state(api, session_id)
        if state in targets or state in TERMINAL_STATES:
            return state
        if clock.now() >= deadline:
            raise WHMTransferError(
                f"Transfer session {session_id} is still {state} after {timeout:g} s "
                f"(waiting for {' or '.join(targets)}). It goes on in the background on the server; "
                "wait for it again with the session_id option.",
                session_id=session_id,
                state=state,
            )
        clock.sleep(max(0.0, min(interval, deadline - clock.now())))


def session_report(api: WhmApi, session_id: str, state: str, excerpts: bool = True) -> t.Dict[str, t.Any]:
    """Items of a session from its master.log (read only in a terminal state, where it cannot block).

    fetch_transfer_session_log keeps polling a log that is still being written
    (transfers_accounts.md 2.5), so a running session is reported without items.
    """
    report: t.Dict[str, t.Any] = {"session_id": session_id, "state": state, "items": [], "failure": None}
    if state not in TERMINAL_STATES:
        return report
    text = fetch_log(api, session_id, MASTER_LOG)
    if text is None:
        return report
    # WHM's failure texts may quote what the source said about the login; the secrets of this run
    # (remote_password...) are masked in every text taken from the logs, once decoded from JSON.
    parsed = parse_master_log(text)
    report["failure"] = _scrubbed(api, parsed["failure"])
    report["events"] = parsed["events"]
    for item in parsed["items"].values():
        entry = {
            "item": item["item"],
            "local_item": item["local_item"],
            "item_type": item["item_type"],
            "result": item["result"],
            "failure": _scrubbed(api, item["failure"]),
            "warnings": item["warnings"],
            "skipped_items": item["skipped_items"],
            "dangerous_items": item["dangerous_items"],
            "altered_items": item["altered_items"],
            "warning_messages": [api.scrub(text) for text in item["warning_messages"]],
            "skipped_messages": [api.scrub(text) for text in item["skipped_messages"]],
            "transfer_log": item["logs"].get("TRANSFER"),
            "restore_log": item["logs"].get("RESTORE"),
            "log_excerpt": "",
        }
        if excerpts and item["result"] in ("failed", "warning"):
            # The phase that failed (or warned) holds the reason; the restore log is read first.
            for logfile in (entry["restore_log"], entry["transfer_log"]):
                if not logfile:
                    continue
                log = fetch_log(api, session_id, logfile)
                if log:
                    entry["log_excerpt"] = api.scrub(log_excerpt(log))
                    break
        report["items"].append(entry)
    report["items"].sort(key=lambda entry: (entry["item_type"], entry["item"]))
    return report


def _scrubbed(api: WhmApi, text: t.Optional[str]) -> t.Optional[str]:
    return None if text is None else api.scrub(text)


def _abort_quietly(api: WhmApi, session_id: str) -> None:
    """Abort a session this run created but cannot use (a never-started session ends FAILED)."""
    try:
        api.call("abort_transfer_session", {"transfer_session_id": session_id}, write=True)
    except WHMError:
        pass


# -- transfer_session ----------------------------------------------------------------------------


def credential_params(params: t.Mapping[str, t.Any]) -> t.Dict[str, t.Any]:
    """Remote login parameters shared by remote_basic_credential_check and session creation."""
    creds: t.Dict[str, t.Any] = {"host": params["remote_host"], "user": params["remote_user"]}
    if params.get("remote_password") is not None:
        creds["password"] = params["remote_password"]
    if params.get("remote_ssh_key_name") is not None:
        creds["sshkey_name"] = params["remote_ssh_key_name"]
        if params.get("remote_ssh_key_passphrase") is not None:
            creds["sshkey_passphrase"] = params["remote_ssh_key_passphrase"]
    if params.get("remote_port") is not None:
        creds["port"] = params["remote_port"]
    if params.get("root_escalation_method") is not None:
        creds["root_escalation_method"] = params["root_escalation_method"]
    if params.get("remote_root_password") is not None:
        creds["root_password"] = params["remote_root_password"]
    return creds


def session_params(params: t.Mapping[str, t.Any]) -> t.Dict[str, t.Any]:
    """create_remote_root_transfer_session's parameters.

    The docs mark the session options as required while 11.120 defaults them
    (transfers_accounts.md 2.5, 6.3); sending every one satisfies both.
    """
    session = credential_params(params)
    session.update(
        {
            "comm_transport": params["comm_transport"],
            "transfer_threads": params["transfer_threads"],
            "restore_threads": params["restore_threads"],
            "unrestricted_restore": params["unrestricted_restore"],
            "copy_reseller_privs": params["copy_reseller_privs"],
            "compressed": params["compressed"],
            "unencrypted": params["unencrypted"],
            "use_backups": params["use_backups"],
            "low_priority": params["low_priority"],
            "enable_custom_pkgacct": False,
        }
    )
    return session


# Options of root sessions that create_remote_user_transfer_session has no parameter for, with
# the value that means "not set" (transfers_accounts.md 2.5: host, password, unrestricted_restore).
ROOT_ONLY_OPTIONS = {
    "remote_ssh_key_name": None,
    "remote_ssh_key_passphrase": None,
    "remote_port": None,
    "root_escalation_method": None,
    "remote_root_password": None,
    "comm_transport": "ssh",
    "transfer_threads": 1,
    "restore_threads": 1,
    "copy_reseller_privs": False,
    "compressed": False,
    "unencrypted": False,
    "use_backups": False,
    "low_priority": False,
}


def user_session_accounts(params: t.Mapping[str, t.Any]) -> t.List[t.Dict[str, t.Any]]:
    """The one account of a user session (the remote user's own), after checking the options.

    A user session logs in to the source as the cPanel user ``remote_user`` with that user's
    password and can only enqueue that account (AccountRemoteUser); packages and feature lists
    need root on the source.
    """
    remote_user = str(params.get("remote_user") or "").strip()
    if not remote_user or remote_user == "root":
        raise WHMInputError(
            "session_type=user logs in to the source as a cPanel user: set remote_user to the name of the "
            "account to transfer (root logins use session_type=root)."
        )
    if params.get("remote_password") is None:
        raise WHMInputError(f'session_type=user needs remote_password, the cPanel password of "{remote_user}".')
    if params.get("packages") or params.get("feature_lists"):
        raise WHMInputError(
            "packages and feature_lists need root on the source: a user session (session_type=user) transfers "
            "only the account of remote_user. Use session_type=root with the source's root login for them."
        )
    root_only = [name for name, unset in ROOT_ONLY_OPTIONS.items() if params.get(name, unset) != unset]
    if root_only:
        raise WHMInputError(
            f"{', '.join(root_only)}: only for root sessions; create_remote_user_transfer_session takes the "
            "host, the cPanel password and unrestricted_restore only."
        )
    accounts = [dict(entry) for entry in params.get("accounts") or []]
    if not accounts:
        return [{"user": remote_user}]
    if len(accounts) > 1 or str(accounts[0].get("user") or "").strip() != remote_user:
        raise WHMInputError(
            f'A user session transfers exactly one account, the one of remote_user "{remote_user}": give at most '
            f"one entry in accounts, with user {remote_user}."
        )
    return accounts


def user_session_params(params: t.Mapping[str, t.Any]) -> t.Dict[str, t.Any]:
    """create_remote_user_transfer_session's parameters.

    The docs mark unrestricted_restore as required (and "must be 1"); 11.120 stores whatever is
    given as the session's restricted/unrestricted mode (transfers_accounts.md 2.5), so the
    module sends the declared value every time.
    """
    return {
        "host": params["remote_host"],
        "password": params["remote_password"],
        "unrestricted_restore": params["unrestricted_restore"],
    }


def plan_transfer(
    accounts: t.Sequence[t.Dict[str, t.Any]],
    packages: t.Sequence[str],
    dest_accounts: t.Mapping[str, str],
    dest_packages: t.Set[str],
    source_name_checked: bool = False,
) -> t.Dict[str, t.Any]:
    """Split the declared accounts into present, conflicting and to-transfer (pure).

    ``source_name_checked``: the item type also refuses a destination account named like the
    source account (AccountRemoteUser, transfers_accounts.md 2.5).
    """
    owner_of = {domain: user for user, domain in dest_accounts.items() if domain}
    present, conflicts, to_transfer = [], [], []
    for account in accounts:
        local = account["localuser"]
        if _flag((account.get("options") or {}).get("skipaccount")):
            # Restore into the existing account on purpose: WHM requires it to exist.
            to_transfer.append(account)
        elif local in dest_accounts:
            domain = dest_accounts[local]
            if account["domain"] and account["domain"] != domain:
                conflicts.append(
                    dict(account, reason=f'the destination already has an account "{local}", with domain {domain}')
                )
            else:
                present.append(dict(account, domain=account["domain"] or domain))
        elif source_name_checked and account["user"] in dest_accounts:
            # transfers_accounts.md 2.5: AccountRemoteUser checks the source name (not localuser)
            # against the destination's accounts and fails the item when it exists, renamed or not.
            conflicts.append(
                dict(
                    account,
                    reason=f'the destination already has an account "{account["user"]}", and a user session '
                    "refuses to transfer an account whose source name exists on the destination, even renamed",
                )
            )
        elif account["domain"] and account["domain"] in owner_of:
            owner = owner_of[account["domain"]]
            conflicts.append(
                dict(account, reason=f'the domain {account["domain"]} belongs to the destination account "{owner}"')
            )
        else:
            to_transfer.append(account)
    packages_missing = [name for name in dict.fromkeys(packages) if name not in dest_packages]
    packages_present = [name for name in dict.fromkeys(packages) if name in dest_packages]
    return {
        "present": present,
        "conflicts": conflicts,
        "to_transfer": to_transfer,
        "packages_missing": packages_missing,
        "packages_present": packages_present,
    }


def _account_entry(account: t.Mapping[str, t.Any], result: str, **extra: t.Any) -> t.Dict[str, t.Any]:
    entry = {
        "user": account["user"],
        "localuser": account["localuser"],
        "domain": account.get("domain"),
        "result": result,
        "failure": None,
        "warnings": 0,
        "skipped_items": 0,
        "warning_messages": [],
        "skipped_messages": [],
        "log_excerpt": "",
    }
    entry.update(extra)
    return entry


def _conflict_message(conflicts: t.Sequence[t.Mapping[str, t.Any]]) -> str:
    return "; ".join(f'"{c["user"]}" (restored as "{c["localuser"]}"): {c["reason"]}' for c in conflicts)


def ensure_transfer(api: WhmApi, params: t.Mapping[str, t.Any], check_mode: bool) -> Result:
    """transfer_session with no session_id: bring the declared accounts and packages over."""
    for secret in ("remote_password", "remote_ssh_key_passphrase", "remote_root_password"):
        api.add_secret(params.get(secret))
    user_session = params.get("session_type") == "user"
    module = USER_ACCOUNT_MODULE if user_session else ACCOUNT_MODULE
    accounts = normalise_accounts(user_session_accounts(params) if user_session else params.get("accounts") or [])
    packages = [str(name) for name in params.get("packages") or []]
    feature_lists = list(dict.fromkeys(str(name) for name in params.get("feature_lists") or []))
    if not accounts and not packages and not feature_lists:
        raise WHMInputError(
            "Give accounts, packages or feature_lists to transfer, or a session_id to manage a session."
        )
    check_item_options(api, accounts, module)

    dest_accounts = read_destination_accounts(api)
    dest_packages = read_destination_packages(api) if packages else set()
    plan = plan_transfer(accounts, packages, dest_accounts, dest_packages, source_name_checked=user_session)
    dest_feature_lists = read_destination_feature_lists(api) if feature_lists else set()
    lists_missing = [name for name in feature_lists if name not in dest_feature_lists]
    if plan["conflicts"] and params["on_conflict"] == "fail":
        raise WHMInputError(
            f"Accounts conflict with the destination, nothing was transferred: {_conflict_message(plan['conflicts'])}.",
            conflicts=[c["user"] for c in plan["conflicts"]],
        )
    check_local_usernames(api, [account["localuser"] for account in plan["to_transfer"]])

    results = [_account_entry(a, "present") for a in plan["present"]]
    results += [_account_entry(a, "conflict", failure=a["reason"]) for a in plan["conflicts"]]
    warnings = [f'Account "{c["user"]}" not transferred: {c["reason"]}.' for c in plan["conflicts"]]
    package_results = [{"package": name, "result": "present"} for name in plan["packages_present"]]
    list_results = [{"feature_list": name, "result": "present"} for name in feature_lists if name in dest_feature_lists]
    values: t.Dict[str, t.Any] = {
        "session_id": None,
        "state": None,
        "accounts": results,
        "packages": package_results,
        "feature_lists": list_results,
    }
    diff = {
        "before": {"accounts": sorted(dest_accounts), "packages": sorted(dest_packages)},
        "after": {
            "accounts": sorted(set(dest_accounts) | {a["localuser"] for a in plan["to_transfer"]}),
            "packages": sorted(dest_packages | set(plan["packages_missing"])),
        },
    }
    if feature_lists:
        diff["before"]["feature_lists"] = sorted(dest_feature_lists)
        diff["after"]["feature_lists"] = sorted(dest_feature_lists | set(lists_missing))
    if not plan["to_transfer"] and not plan["packages_missing"] and not lists_missing:
        values["accounts"] = _sorted(results)
        return Result(changed=False, diff=diff, values=values, warnings=warnings)

    if check_mode:
        if user_session:
            # remote_basic_credential_check is an SSH login that needs a root escalation method for
            # any user but root (transfers_accounts.md 2.5), and WHM's user sessions log in to the
            # source's cPanel service, not SSH: no read checks a cPanel password.
            warnings.append(
                f"Check mode did not log in to {params['remote_host']}: WHM checks the cPanel password of "
                f'"{params["remote_user"]}" only when the session runs.'
            )
        else:
            # No session in check mode: only the credential check, which logs in and runs nothing.
            check = api.call("remote_basic_credential_check", credential_params(params), write=False)
            if not check.ok:
                raise api.error(check, f"logging in to {params['remote_host']} as {params['remote_user']}")
        results += [_account_entry(a, "planned") for a in plan["to_transfer"]]
        package_results += [{"package": name, "result": "planned"} for name in plan["packages_missing"]]
        list_results += [{"feature_list": name, "result": "planned"} for name in lists_missing]
        values.update(accounts=_sorted(results), packages=package_results, feature_lists=list_results)
        return Result(changed=True, diff=diff, values=values, warnings=warnings)

    if user_session:
        created = api.write("create_remote_user_transfer_session", user_session_params(params))
    else:
        created = api.write("create_remote_root_transfer_session", session_params(params))
    warnings += created.warnings
    session_id = str((created.data or {}).get("transfer_session_id") or "")
    if not session_id:
        raise api.error(created, "no transfer_session_id in the answer")
    values["session_id"] = session_id
    if user_session:
        # A user session logs in to nothing at creation and has no remote analysis
        # (transfers_accounts.md 2.5): the source's domain is not known before the transfer.
        to_transfer, analysis_conflicts = list(plan["to_transfer"]), []
    else:
        try:
            to_transfer, analysis_conflicts = _check_against_analysis(api, session_id, plan, dest_accounts)
        except WHMError:
            _abort_quietly(api, session_id)
            raise
    if analysis_conflicts:
        message = _conflict_message(analysis_conflicts)
        if params["on_conflict"] == "fail":
            _abort_quietly(api, session_id)
            raise WHMTransferError(
                f"Accounts conflict with the destination (found by the remote analysis of session {session_id}, "
                f"which was aborted; nothing was transferred): {message}.",
                session_id=session_id,
            )
        results += [_account_entry(a, "conflict", failure=a["reason"]) for a in analysis_conflicts]
        warnings += [f'Account "{c["user"]}" not transferred: {c["reason"]}.' for c in analysis_conflicts]
    if not to_transfer and not plan["packages_missing"] and not lists_missing:
        _abort_quietly(api, session_id)
        values.update(session_id=None, accounts=_sorted(results))
        return Result(changed=False, diff=diff, values=values, warnings=warnings)

    # Feature lists, then packages, then accounts: WHM processes module types in that order anyway
    # (transfers_accounts.md 2.3), so a restored package finds its feature list.
    commands = [
        (
            "enqueue_transfer_item",
            {"transfer_session_id": session_id, "module": FEATURE_LIST_MODULE, "featurelist": name},
        )
        for name in lists_missing
    ]
    commands += [
        ("enqueue_transfer_item", {"transfer_session_id": session_id, "module": PACKAGE_MODULE, "package": name})
        for name in plan["packages_missing"]
    ]
    commands += [
        ("enqueue_transfer_item", dict(item_params(account), transfer_session_id=session_id, module=module))
        for account in to_transfer
    ]
    for response in api.batch(commands, write=True, abort_on_error=True):
        if not response.ok:
            _abort_quietly(api, session_id)
            raise WHMTransferError(
                f"{api.error(response, f'session {session_id}, which was aborted')}", session_id=session_id
            )

    state = "PENDING"
    if params["state"] == "started":
        api.write("start_transfer_session", {"transfer_session_id": session_id})
        state = "RUNNING"
        if params["wait"]:
            state = wait_for_state(api, session_id, TERMINAL_STATES, params["wait_timeout"], params["poll_interval"])
    values["state"] = state
    report = session_report(api, session_id, state)
    results += _results_from_report(to_transfer, report, module)
    package_results += _item_results(plan["packages_missing"], report, PACKAGE_MODULE, "package")
    list_results += _item_results(lists_missing, report, FEATURE_LIST_MODULE, "feature_list")
    values.update(
        accounts=_sorted(results), packages=package_results, feature_lists=list_results, failure=report["failure"]
    )
    _fail_on_items(params, values)
    return Result(changed=True, diff=diff, values=values, warnings=warnings)


def _sorted(results: t.List[t.Dict[str, t.Any]]) -> t.List[t.Dict[str, t.Any]]:
    return sorted(results, key=lambda entry: entry["user"])


def _check_against_analysis(
    api: WhmApi,
    session_id: str,
    plan: t.Mapping[str, t.Any],
    dest_accounts: t.Mapping[str, str],
) -> t.Tuple[t.List[t.Dict[str, t.Any]], t.List[t.Dict[str, t.Any]]]:
    """The accounts to enqueue once the source's own list is known; raises when one is not there."""
    analysis = retrieve_analysis(api, session_id)
    items = analysis.get("items") or {}
    source_accounts = {str(a.get("user")): a for a in items.get("accounts") or [] if isinstance(a, dict)}
    source_packages = {str(p.get("name")) for p in items.get("packages") or [] if isinstance(p, dict)}
    missing = [a["user"] for a in plan["to_transfer"] if a["user"] not in source_accounts]
    missing_packages = [name for name in plan["packages_missing"] if source_packages and name not in source_packages]
    if missing or missing_packages:
        parts = []
        if missing:
            parts.append(f"accounts {', '.join(missing)}")
        if missing_packages:
            parts.append(f"packages {', '.join(missing_packages)}")
        raise WHMNotFoundError(
            f"Not found on the source server (retrieve_transfer_session_remote_analysis of session {session_id}, "
            f"which was aborted): {'; '.join(parts)}.",
            session_id=session_id,
        )
    owner_of = {domain: user for user, domain in dest_accounts.items() if domain}
    to_transfer, conflicts = [], []
    for account in plan["to_transfer"]:
        domain = str(source_accounts[account["user"]].get("domain") or "").lower()
        account = dict(account, domain=account["domain"] or domain or None)
        if domain and owner_of.get(domain, account["localuser"]) != account["localuser"]:
            conflicts.append(
                dict(account, reason=f'the domain {domain} belongs to the destination account "{owner_of[domain]}"')
            )
        else:
            to_transfer.append(account)
    return to_transfer, conflicts


def retrieve_analysis(api: WhmApi, session_id: str) -> t.Dict[str, t.Any]:
    """The session's remote analysis; run again with analyze_transfer_session_remote when missing.

    create_remote_root_transfer_session analyses the source itself (transfers_accounts.md 2.5).
    """
    response = api.call("retrieve_transfer_session_remote_analysis", {"transfer_session_id": session_id}, write=False)
    data = response.data if response.ok and isinstance(response.data, dict) else {}
    if not data.get("items"):
        api.write("analyze_transfer_session_remote", {"transfer_session_id": session_id})
        data = api.read("retrieve_transfer_session_remote_analysis", {"transfer_session_id": session_id}).data
        data = data if isinstance(data, dict) else {}
    return data


def _results_from_report(
    accounts: t.Sequence[t.Mapping[str, t.Any]], report: t.Mapping[str, t.Any], module: str = ACCOUNT_MODULE
) -> t.List[t.Dict[str, t.Any]]:
    by_user = {item["item"]: item for item in report["items"] if item["item_type"] == module}
    running = report["state"] not in TERMINAL_STATES
    results = []
    for account in accounts:
        item = by_user.get(account["user"])
        if item is None:
            results.append(_account_entry(account, "queued" if running else "not_run"))
            continue
        results.append(
            _account_entry(
                account,
                item["result"],
                failure=item["failure"],
                warnings=item["warnings"],
                skipped_items=item["skipped_items"],
                warning_messages=item["warning_messages"],
                skipped_messages=item["skipped_messages"],
                log_excerpt=item["log_excerpt"],
            )
        )
    return results


def _item_results(
    names: t.Sequence[str], report: t.Mapping[str, t.Any], module: str, key: str
) -> t.List[t.Dict[str, t.Any]]:
    """Results of the package or feature list items of a session."""
    by_name = {item["item"]: item for item in report["items"] if item["item_type"] == module}
    running = report["state"] not in TERMINAL_STATES
    results = []
    for name in names:
        item = by_name.get(name)
        if item is None:
            results.append({key: name, "result": "queued" if running else "not_run"})
        else:
            results.append({key: name, "result": item["result"], "failure": item["failure"]})
    return results


def _fail_on_items(params: t.Mapping[str, t.Any], values: t.Dict[str, t.Any]) -> None:
    if values.get("state") not in TERMINAL_STATES or params.get("allow_failed_items"):
        return
    failed = [e["user"] for e in values["accounts"] if e["result"] in ("failed", "not_run", "incomplete")]
    failed += [p["package"] for p in values["packages"] if p["result"] in ("failed", "not_run", "incomplete")]
    failed += [
        f["feature_list"]
        for f in values.get("feature_lists") or []
        if f["result"] in ("failed", "not_run", "incomplete")
    ]
    if values["state"] != "COMPLETED" or failed:
        detail = f": {', '.join(failed)}" if failed else ""
        reason = f" ({values['failure']})" if values.get("failure") else ""
        raise WHMTransferError(
            f"Transfer session {values['session_id']} ended {values['state']}{reason}; "
            f"items not transferred{detail}. See accounts for each account's failure and log excerpt.",
            **values,
        )


STATE_VERBS = {"paused": "pause", "aborted": "abort"}


def manage_session(api: WhmApi, params: t.Mapping[str, t.Any], check_mode: bool) -> Result:
    """transfer_session with session_id: start (or resume), pause or abort an existing session."""
    session_id = params["session_id"]
    check_session_id(session_id)
    wanted = params["state"]
    before = get_state(api, session_id)
    state = before
    call = None
    if wanted == "started" and before in ("PENDING", "PAUSED"):
        call = "start_transfer_session"
        predicted = "RUNNING"
    elif wanted == "paused" and before == "RUNNING":
        call = "pause_transfer_session"
        predicted = "PAUSING"
    elif wanted == "aborted" and before in ("PENDING", "RUNNING", "PAUSING", "PAUSED"):
        call = "abort_transfer_session"
        predicted = "ABORTING"
    warnings = []
    if wanted == "started" and before == "PAUSING":
        warnings.append(f"Session {session_id} is still pausing; run again once it is PAUSED to resume it.")
    if wanted in ("paused", "aborted") and before in TERMINAL_STATES and before != "ABORTED":
        warnings.append(f"Session {session_id} already ended ({before}); there is nothing to {STATE_VERBS[wanted]}.")
    if call is not None:
        if check_mode:
            state = predicted
        else:
            api.write(call, {"transfer_session_id": session_id})
            state = get_state(api, session_id)
    if not check_mode and params["wait"]:
        targets = {"paused": ("PAUSED",), "aborted": ("ABORTED",)}.get(wanted, TERMINAL_STATES)
        settled = state in TERMINAL_STATES or (wanted == "paused" and state == "PAUSED")
        # present only follows a session that is moving; a PENDING or PAUSED one would never end.
        if not settled and (wanted != "present" or state in RUNNING_STATES):
            state = wait_for_state(api, session_id, targets, params["wait_timeout"], params["poll_interval"])
    report = session_report(api, session_id, state)
    values = {
        "session_id": session_id,
        "state": state,
        "transfer_items": report["items"],
        "accounts": [_item_as_account(item) for item in report["items"] if item["item_type"] in ACCOUNT_MODULES],
        "packages": [
            {"package": item["item"], "result": item["result"], "failure": item["failure"]}
            for item in report["items"]
            if item["item_type"] == PACKAGE_MODULE
        ],
        "feature_lists": [
            {"feature_list": item["item"], "result": item["result"], "failure": item["failure"]}
            for item in report["items"]
            if item["item_type"] == FEATURE_LIST_MODULE
        ],
        "failure": report["failure"],
    }
    if wanted == "started":
        _fail_on_items(params, values)
    return Result(
        changed=call is not None,
        diff={"before": {"state": before}, "after": {"state": state}},
        values=values,
        warnings=warnings,
    )


def _item_as_account(item: t.Mapping[str, t.Any]) -> t.Dict[str, t.Any]:
    return _account_entry(
        {"user": item["item"], "localuser": item["local_item"], "domain": None},
        item["result"],
        failure=item["failure"],
        warnings=item["warnings"],
        skipped_items=item["skipped_items"],
        warning_messages=item["warning_messages"],
        skipped_messages=item["skipped_messages"],
        log_excerpt=item["log_excerpt"],
    )


def ensure_session(api: WhmApi, params: t.Mapping[str, t.Any], check_mode: bool) -> Result:
    if params.get("session_id"):
        return manage_session(api, params, check_mode)
    if params["state"] in ("paused", "aborted"):
        raise WHMInputError(f"state={params['state']} needs the session_id of the session to change.")
    if not params.get("remote_host"):
        raise WHMInputError("remote_host is required to create a transfer session.")
    if params.get("session_type") == "user":
        user_session_accounts(params)
    elif params.get("remote_password") is None and params.get("remote_ssh_key_name") is None:
        raise WHMInputError("Give remote_password or remote_ssh_key_name to log in to the source server.")
    return ensure_transfer(api, params, check_mode)


# -- transfer_session_info -----------------------------------------------------------------------


def session_info(api: WhmApi, session_id: t.Optional[str], include_log: bool) -> Result:
    if not session_id:
        modules = api.read("available_transfer_modules").data or {}
        summary = api.read("restore_modules_summary").data or {}
        return Result(
            values={
                "transfer_modules": sorted((modules.get("modules") or {}).keys()),
                "restore_modules": summary.get("modules") or [],
            }
        )
    check_session_id(session_id)
    state = get_state(api, session_id)
    report = session_report(api, session_id, state)
    values: t.Dict[str, t.Any] = {
        "session_id": session_id,
        "state": state,
        "terminal": state in TERMINAL_STATES,
        "transfer_items": report["items"],
        "failure": report["failure"],
    }
    if include_log and state in TERMINAL_STATES:
        values["master_log"] = fetch_log(api, session_id, MASTER_LOG) or ""
    return Result(values=values)


# -- account_restore ------------------------------------------------------------------------------


RESTORE_RESULTS = {"1": "success", "0": "failed", "2": "warning"}


def _queue_entries(data: t.Any, key: str) -> t.List[t.Dict[str, t.Any]]:
    value = data.get(key) if isinstance(data, dict) else None
    return [entry for entry in value or [] if isinstance(entry, dict)]


def _job_user(entry: t.Mapping[str, t.Any]) -> str:
    job = entry.get("restore_job") if isinstance(entry.get("restore_job"), dict) else entry
    return str(job.get("user") or "")


def normalise_restores(accounts: t.Sequence[t.Mapping[str, t.Any]], method: str) -> t.List[t.Dict[str, t.Any]]:
    seen: t.Set[str] = set()
    restores = []
    for index, entry in enumerate(accounts):
        where = f"accounts[{index}]"
        user = str(entry.get("user") or "").strip()
        try:
            check_username(user)
        except WHMInputError as exc:
            raise WHMInputError(f"{where}: {exc}") from None
        if user in seen:
            raise WHMInputError(f'{where}: the account "{user}" is listed twice.')
        seen.add(user)
        if method == "queue" and not entry.get("restore_point"):
            raise WHMInputError(f"{where}: restore_point is required with method=queue.")
        if method == "legacy" and entry.get("backup_type") not in ("daily", "weekly", "monthly"):
            raise WHMInputError(f"{where}: backup_type (daily, weekly or monthly) is required with method=legacy.")
        restores.append(dict(entry, user=user))
    return restores


def ensure_restored(api: WhmApi, params: t.Mapping[str, t.Any], check_mode: bool) -> Result:
    """account_restore: restore the declared accounts that the server does not have."""
    method = params["method"]
    restores = normalise_restores(params["accounts"], method)
    existing = read_destination_accounts(api)
    queue = api.read("restore_queue_state").data if method == "queue" else {}
    in_flight = {_job_user(e) for key in ("pending", "active") for e in _queue_entries(queue, key)}

    results: t.List[t.Dict[str, t.Any]] = []
    to_restore: t.List[t.Dict[str, t.Any]] = []
    waiting_on: t.List[str] = []
    for entry in restores:
        user = entry["user"]
        if user in existing and not params["force"]:
            results.append(_restore_entry(user, "present"))
        elif user in in_flight:
            # Queued by an earlier run that did not wait: wait for it instead of queuing it twice.
            waiting_on.append(user)
        else:
            to_restore.append(entry)
    # verify_new_username_for_restore: WHM's rules for a restored account's name, before any write.
    for entry in to_restore:
        if entry["user"] in existing:
            continue
        response = api.call("verify_new_username_for_restore", {"user": entry["user"]}, write=False)
        if not response.ok:
            raise WHMInputError(
                f'verify_new_username_for_restore refused "{entry["user"]}": {api.scrub(response.reason)}',
                function="verify_new_username_for_restore",
                reason=api.scrub(response.reason),
            )
    diff = {
        "before": {"accounts": sorted(existing)},
        "after": {"accounts": sorted(set(existing) | {e["user"] for e in to_restore})},
    }
    changed = bool(to_restore)
    if check_mode or (not to_restore and not waiting_on):
        results += [_restore_entry(e["user"], "planned") for e in to_restore]
        results += [_restore_entry(user, "queued") for user in waiting_on]
        return Result(changed=changed, diff=diff, values={"accounts": sorted(results, key=lambda e: e["user"])})

    if method == "queue":
        results += _restore_with_queue(api, params, to_restore, waiting_on)
    else:
        results += _restore_legacy(api, params, to_restore)
    results.sort(key=lambda e: e["user"])
    values = {"accounts": results}
    bad = [e for e in results if e["result"] in ("failed", "not_run")]
    if bad and not params["allow_failed_items"]:
        # Each account's own reason, so the task's message says why without reading the result.
        reasons = "; ".join(f"{e['user']} ({e['message'].rstrip('.')})" if e.get("message") else e["user"] for e in bad)
        raise WHMTransferError(
            f"Restores failed: {reasons}. See accounts for each account's status and log excerpt.", **values
        )
    return Result(changed=changed, diff=diff, values=values)


def _restore_entry(user: str, result: str, **extra: t.Any) -> t.Dict[str, t.Any]:
    entry = {
        "user": user,
        "result": result,
        "message": None,
        "warnings": [],
        "skipped_items": 0,
        "transfer_session_id": None,
        "log_excerpt": "",
    }
    entry.update(extra)
    return entry


def _completed_restores(api: WhmApi) -> t.List[t.Tuple[str, str, t.Dict[str, t.Any]]]:
    """(user, started, status_info) of every completed queue entry.

    Only restore_queue_list_completed carries status_info; restore_queue_state lists completed
    jobs without it (cPanel's restore_queue_state and restore_queue_list_completed doc pages).
    """
    entries = []
    for entry in api.read("restore_queue_list_completed").records("restore_job"):
        info = entry.get("status_info") if isinstance(entry.get("status_info"), dict) else {}
        entries.append((_job_user(entry), str(info.get("started")), info))
    return entries


def _restore_with_queue(
    api: WhmApi,
    params: t.Mapping[str, t.Any],
    to_restore: t.Sequence[t.Mapping[str, t.Any]],
    waiting_on: t.Sequence[str],
) -> t.List[t.Dict[str, t.Any]]:
    # Completed entries stay listed until cleared: remember the old ones to find this run's.
    completed_before = {(user, started) for user, started, dummy in _completed_restores(api)}
    for entry in to_restore:
        task: t.Dict[str, t.Any] = {"user": entry["user"], "restore_point": entry["restore_point"]}
        for key in ("destid", "give_ip", "mail_config", "mysql", "subdomains"):
            if entry.get(key) is not None:
                task[key] = entry[key]
        api.write("restore_queue_add_task", task)
    api.write("restore_queue_activate")
    users = [e["user"] for e in to_restore] + list(waiting_on)
    if not params["wait"]:
        return [_restore_entry(user, "queued") for user in users]

    clock = Clock(api)
    deadline = clock.now() + params["wait_timeout"]
    while True:
        state = api.read("restore_queue_state").data or {}
        busy = {_job_user(e) for key in ("pending", "active") for e in _queue_entries(state, key)}
        if not any(user in busy for user in users):
            break
        if clock.now() >= deadline:
            raise WHMTransferError(
                f"The restore queue still holds {', '.join(sorted(u for u in users if u in busy))} after "
                f"{params['wait_timeout']:g} s; the restores go on in the background.",
                accounts=[_restore_entry(user, "queued") for user in users],
            )
        clock.sleep(params["poll_interval"])
    finished = {}
    for user, started, info in _completed_restores(api):
        if user in users and (user, started) not in completed_before:
            finished[user] = info

    results = []
    for user in users:
        info = finished.get(user)
        if info is None:
            results.append(_restore_entry(user, "not_run", message="The restore queue dropped the task."))
            continue
        result = RESTORE_RESULTS.get(str(info.get("result")), "failed")
        session_id = info.get("transfer_session_id")
        excerpt = ""
        if result != "success" and session_id and info.get("restore_logfile"):
            log = fetch_log(api, str(session_id), str(info["restore_logfile"]))
            excerpt = log_excerpt(log or "")
        results.append(
            _restore_entry(
                user,
                result,
                message=info.get("statusmsg") or info.get("status"),
                warnings=_texts(info.get("warnings")),
                skipped_items=_count(info.get("skipped_items")),
                transfer_session_id=session_id,
                log_excerpt=excerpt or _tail(info.get("log")),
            )
        )
    return results


def _tail(text: t.Any) -> str:
    if not isinstance(text, str):
        return ""
    return "\n".join([line for line in text.splitlines() if line.strip()][-EXCERPT_LINES:])


def _restore_legacy(
    api: WhmApi, params: t.Mapping[str, t.Any], to_restore: t.Sequence[t.Mapping[str, t.Any]]
) -> t.List[t.Dict[str, t.Any]]:
    """restoreaccount: asynchronous in 11.120 (a session id), synchronous per the docs (a raw log)."""
    results = []
    for entry in to_restore:
        request: t.Dict[str, t.Any] = {"user": entry["user"], "type": entry["backup_type"]}
        for option, key in (("give_ip", "ip"), ("mail_config", "mail"), ("mysql", "mysql"), ("subdomains", "subs")):
            if entry.get(option) is not None:
                request[key] = entry[option]
        response = api.write("restoreaccount", request)
        session_id = (response.data or {}).get("transfer_session_id") if isinstance(response.data, dict) else None
        if not session_id:
            results.append(
                _restore_entry(entry["user"], "success", message=response.reason, log_excerpt=_tail(response.raw))
            )
            continue
        session_id = str(session_id)
        if not params["wait"]:
            results.append(_restore_entry(entry["user"], "queued", transfer_session_id=session_id))
            continue
        state = wait_for_state(api, session_id, TERMINAL_STATES, params["wait_timeout"], params["poll_interval"])
        report = session_report(api, session_id, state)
        items = [item for item in report["items"] if item["item"] == entry["user"]]
        if not items:
            results.append(
                _restore_entry(
                    entry["user"], "not_run", message=report["failure"] or state, transfer_session_id=session_id
                )
            )
            continue
        item = items[0]
        results.append(
            _restore_entry(
                entry["user"],
                item["result"],
                message=item["failure"],
                warnings=item["warning_messages"],
                skipped_items=item["skipped_items"],
                transfer_session_id=session_id,
                log_excerpt=item["log_excerpt"],
            )
        )
    return results
