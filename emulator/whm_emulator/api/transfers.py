"""Transfer sessions between servers, account archives and the restore queue.

Follows cPanel 11.120 (Whostmgr/API/1/Transfers.pm, Whostmgr/Transfers/Session*.pm,
Whostmgr/API/1/Backup.pm, Whostmgr/API/1/Sys.pm, Whostmgr/API/1/NameConflict.pm);
whm-api transfers_accounts.md §2. The engine lives in whm_emulator.transfer_engine (sessions,
workers, logs), whm_emulator.transfer_queue (restore queue), whm_emulator.transfer_remote (how
the destination reaches the source) and whm_emulator.archive (cpmove archives).
"""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from whm_emulator import archive
from whm_emulator import transfer_engine as engine
from whm_emulator import transfer_queue as queue
from whm_emulator.api.common import EMULATOR_STARTED, STATE_RESET, all_usernames, load_account
from whm_emulator.args import Args
from whm_emulator.errors import ApiError, ApiFailure, missing_parameter, new_xid
from whm_emulator.httpd import INTERNAL_ROUTES, INTERNAL_USER_ROUTES
from whm_emulator.registry import CallContext, Result, api_function
from whm_emulator.store import dumps
from whm_emulator.transfer_remote import Remote, RemoteError, locate, resolve
from whm_emulator.transfer_remote import call as remote_call
from whm_emulator.validate import LOOSE_USERNAME, STRICT_USERNAME, is_reserved_username

COMM_TRANSPORTS = ("ssh", "whostmgr", "whostmgr_insecure")
# System users that exist on every cPanel server besides the accounts (validate_system_user).
SYSTEM_USERS = ("root", "bin", "daemon", "adm", "nobody", "mail", "named", "mysql", "cpanel", "dovecot", "mailman")


def _xid(text: str) -> ApiError:
    # Session lookups catch the exception and put "(XID …) text" in reason (no "API failure:").
    return ApiError(f"(XID {new_xid()}) {text}")


def _session(ctx: CallContext, args: Args) -> Dict[str, Any]:
    try:
        return engine.load_session(ctx.db, args.get("transfer_session_id"))
    except engine.SessionError as err:
        raise _xid(str(err)) from err


# ---------------------------------------------------------------------------------------------
# Connecting to the source
# ---------------------------------------------------------------------------------------------


def _connect(ctx: CallContext, args: Args, transport: str) -> Tuple[Remote, List[str], str]:
    """Check the credentials on the source; (remote, warnings, raw output) or ApiError."""
    host = (args.get("host") or "").strip()
    if not host:
        raise ApiError("You must specify a source host.")
    emulator = ctx.emulator
    address, port, listed = locate(emulator, host)
    # The server's own hostname and IP resolve to itself.
    own = host.lower() in (emulator.config.hostname.lower(), emulator.config.ip)
    ip = emulator.config.ip if own else resolve(address, listed)
    if ip is None:
        raise ApiError(f"The system was unable to resolve the host, “{host}”, to an IP address.")
    if ip == emulator.config.ip:
        raise ApiError(f"“{host}” resolves to the local server. Provide a remote hostname or IP address instead.")
    user = args.get("user") or "root"
    password = args.get("password") or ""
    escalation = args.get("root_escalation_method") or ("" if user == "root" else "sudo")
    if user == "root":
        login_password = password
    elif escalation == "su":
        login_password = args.get("root_password") or ""
    else:
        login_password = ""
    ca = emulator.setting("remote_ca", "")

    def attempt(kind: str) -> Remote:
        remote = Remote(
            host=host,
            address=address,
            port=port,
            verify=kind != "whostmgr_insecure",
            ca=ca,
            user="root",
            password=login_password,
        )
        if args.get("sshkey_name") and not password:
            # Emulator limit: SSH keys cannot be checked (there is no SSH server).
            raise RemoteError("SSH key authentication is not emulated; use a password.")
        if user != "root" and escalation != "su":
            raise RemoteError(
                f"The root escalation method “{escalation}” is not emulated; use “su” with “root_password”."
            )
        envelope = remote_call(remote, "version")
        if not envelope["metadata"].get("result"):
            raise RemoteError(str(envelope["metadata"].get("reason")))
        return remote

    # Create.pm: whostmgr* try the cpsrvd transport first, then SSH; ssh tries SSH, then
    # whostmgr when both user and password were given. SSH goes over the same HTTPS channel.
    order = (
        [transport, "ssh"] if transport != "ssh" else ["ssh"] + (["whostmgr"] if args.get("user") and password else [])
    )
    warnings: List[str] = []
    first: Optional[str] = None
    for index, kind in enumerate(order):
        try:
            remote = attempt(kind)
            return remote, warnings, kind
        except RemoteError as err:
            text = str(err)
            if kind == "ssh":
                text = f"The remote basic credential check failed due to an error ({err}) and response: "
            first = first or text
            tail = "no more transports to try." if index == len(order) - 1 else f"trying {order[index + 1]} …"
            warnings.append(f"{kind} transport failed ({text.rstrip()}); {tail}")
    raise _ConnectFailed(first or "The remote basic credential check failed.", warnings)


class _ConnectFailed(ApiError):
    """Every transport failed; WHM reports the first error and warns about each attempt."""

    def __init__(self, reason: str, warnings: List[str]) -> None:
        super().__init__(reason)
        self.warnings = warnings


def _analysis(ctx: CallContext, remote: Remote, sid: str, options: Dict[str, Any]) -> Dict[str, Any]:
    """Analyze.pm: what the source has, what the destination has, and the conflicts."""
    version = remote_call(remote, "version")
    accounts = remote_call(remote, "listaccts").get("data", {}).get("acct", []) or []
    packages = remote_call(remote, "listpkgs").get("data", {}).get("pkg", []) or []
    remote_version = str((version.get("data") or {}).get("version") or "")
    local_users = all_usernames(ctx)
    local_domains = {r[0]: r[1] for r in ctx.db.execute("SELECT domain, user FROM domains").fetchall()}
    conflicts: Dict[str, Any] = {
        "users": {a["user"]: 1 for a in accounts if a.get("user") in local_users},
        "domains": {a["domain"]: 1 for a in accounts if a.get("domain") in local_domains},
    }
    major = ".".join(remote_version.split(".")[:2])
    from whm_emulator import WHM_VERSION

    return {
        "transfer_session_id": sid,
        "items": {
            "packages": [{"name": p.get("name"), "featurelist": p.get("FEATURELIST", "default")} for p in packages],
            "accounts": [
                {
                    "user": a.get("user"),
                    "domain": a.get("domain"),
                    "owner": a.get("owner"),
                    "bytesused": 0,
                    "filesused": 0,
                    "has_dedicated_ip": 0,
                    "worker_nodes": {},
                }
                for a in accounts
            ],
        },
        "local": {
            "dedicated_ips": {},
            "groups": {},
            "users": {u: 1 for u in local_users},
            "domains": local_domains,
            "dbs": {"dbs": {"MYSQL": {}, "PGSQL": {}}, "users": {"MYSQL": {}, "PGSQL": {}}},
            "version": WHM_VERSION,
            "major_version": ".".join(WHM_VERSION.split(".")[:2]),
            "available_ips": [],
            "host": ctx.emulator.config.hostname,
            "roundcube_dbtype": "sqlite",
        },
        "remote": {
            "dbs": {"dbs": {"MYSQL": {}, "PGSQL": {}}, "users": {"MYSQL": {}, "PGSQL": {}}},
            "resellers": {},
            "has_owners": 1,
            "has_disk_used": 1,
            "has_files_used": 1,
            "has_xfertool": 1,
            "server_type": "WHM" + major.replace(".", "")[-3:] if major else "WHM",
            "hostname": remote.host,
            "cpversion": remote_version,
            "version": remote_version,
            "host": remote.host,
            "has_package_extensions": 1,
            "conflicts": conflicts,
            "major_version": major,
            "roundcube_dbtype": "sqlite",
            "linked_nodes": [],
            "supports_live_transfers": 0,
        },
        "config": {"shared_mysql_server": 0},
        "options": {
            "unrestricted": 1 if options.get("unrestricted") else 0,
            "skip_reseller_privs": 1 if options.get("skipres") else 0,
        },
        "modules": {},
    }


# ---------------------------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------------------------


def _flag(args: Args, name: str) -> int:
    return 1 if (args.get(name) or "0") not in ("", "0") else 0


@api_function("create_remote_root_transfer_session", write=True, acl="all")
def create_remote_root_transfer_session(ctx: CallContext, args: Args) -> Result:
    transport = args.get("comm_transport") or ""
    if transport and transport not in COMM_TRANSPORTS:
        raise ApiError(f"Invalid “comm_transport” ({transport}).")
    transport = transport or "ssh"
    try:
        remote, warnings, used = _connect(ctx, args, transport)
    except _ConnectFailed as err:
        return Result(result=0, reason=err.reason, warnings=err.warnings)
    try:
        return _create_root_session(ctx, args, remote, warnings, used)
    except RemoteError as err:
        raise ApiError(str(err), data=None) from err


def _create_root_session(ctx: CallContext, args: Args, remote: Remote, warnings: List[str], used: str) -> Result:
    host = remote.host
    raw = [
        "Basic credential check … …",
        "Done",
        f"Fetching information from remote host: “{host}” … …",
        "Done",
        "Fetching WHM Version …",
        "Done",
    ]
    token_name = f"transfer-{int(time.time())}"
    created = remote_call(remote, "api_token_create", [("token_name", token_name)])
    token = ""
    if created["metadata"].get("result"):
        token = str((created.get("data") or {}).get("token") or "")
        raw.append(f"Creating API Token “{token_name}” on “{host}”.")
    else:
        raw.append(f"The system failed to generate an API token on “{host}”.")
    raw.append(f"Testing “{host}” for transfer streaming support with password authentication …")
    raw.append("Streaming Supported")
    options = {
        "transfer_threads": int(args.get("transfer_threads") or 1)
        if (args.get("transfer_threads") or "1").isdigit()
        else 1,
        "restore_threads": int(args.get("restore_threads") or 1)
        if (args.get("restore_threads") or "1").isdigit()
        else 1,
        "session_timeout": args.get("session_timeout") or "",
        "unrestricted": _flag(args, "unrestricted_restore"),
        # Create.pm stores copy_reseller_privs=1 as skipres=1 (sic).
        "skipres": _flag(args, "copy_reseller_privs"),
        "uncompressed": 0 if _flag(args, "compressed") else 1,
        "ssl": 0 if _flag(args, "unencrypted") else 1,
        "backups": _flag(args, "use_backups"),
        "low_priority": _flag(args, "low_priority"),
        "enable_custom_pkgacct": _flag(args, "enable_custom_pkgacct"),
        "comm_transport": used,
    }
    stored = remote.as_dict()
    stored.update({"token": token, "token_name": token_name if token else ""})
    sid = engine.create_session(
        ctx.db,
        ctx.emulator,
        template=host,
        initiator="copyacct",
        session_type="RemoteRoot",
        source_host=host,
        options=options,
        remote=stored,
    )
    version = remote_call(remote if not token else _with_token(remote, token), "version")
    cpversion = str((version.get("data") or {}).get("version") or "")
    raw.append(f"Remote Server Type: “WHM{cpversion.split('.')[1] if '.' in cpversion else ''}”")
    analysis = _analysis(ctx, _with_token(remote, token) if token else remote, sid, options)
    ctx.db.execute("UPDATE transfer_sessions SET analysis = ? WHERE id = ?", (dumps(analysis), sid))
    analyze_raw = f"Fetching information from remote host: “{host}” … …\nDone\n"
    data = {"transfer_session_id": sid, "create_rawout": "\n".join(raw) + "\n", "analyze_rawout": analyze_raw}
    return Result(data=data, warnings=warnings)


def _with_token(remote: Remote, token: str) -> Remote:
    data = remote.as_dict()
    data["token"] = token
    return Remote.from_dict(data)


@api_function("create_remote_user_transfer_session", write=True, acl="all")
def create_remote_user_transfer_session(ctx: CallContext, args: Args) -> Result:
    host = (args.get("host") or "").strip()
    if not host:
        raise ApiError("You must specify a “host” argument.")
    password = args.get("password") or ""
    if not password:
        raise ApiError("You must specify a “password” argument.")
    address, port, listed = locate(ctx.emulator, host)
    if resolve(address, listed) is None:
        raise ApiError(f"The system was unable to resolve the host, “{host}”, to an IP address.")
    # RemoteUser/Create.pm: no remote login at creation; the cPanel user is the item's "user".
    remote = {
        "host": host,
        "address": address,
        "port": port,
        "verify": True,
        "ca": ctx.emulator.setting("remote_ca", ""),
        "user": "",
        "password": password,
        "token": "",
    }
    options = {"transfer_threads": 1, "restore_threads": 1, "unrestricted": _flag(args, "unrestricted_restore")}
    sid = engine.create_session(
        ctx.db,
        ctx.emulator,
        template=host,
        initiator="norootcopy",
        session_type="RemoteUser",
        source_host=host,
        options=options,
        remote=remote,
    )
    return Result(data={"transfer_session_id": sid})


def _root_session(ctx: CallContext, args: Args) -> Dict[str, Any]:
    args_id = args.required("transfer_session_id")
    session = _session(ctx, Args([("transfer_session_id", args_id)]))
    if session["session_type"] != "RemoteRoot":
        raise ApiError("The supplied session ID has an invalid session type for this operation.")  # invented tail
    return session


@api_function("analyze_transfer_session_remote", write=True, acl="all")
def analyze_transfer_session_remote(ctx: CallContext, args: Args) -> Result:
    session = _root_session(ctx, args)
    remote = Remote.from_dict({k: v for k, v in session["remote"].items() if k != "token_name"})
    try:
        analysis = _analysis(ctx, remote, session["id"], session["options"])
    except RemoteError as err:
        raise ApiError(str(err)) from err
    ctx.db.execute("UPDATE transfer_sessions SET analysis = ? WHERE id = ?", (dumps(analysis), session["id"]))
    return Result()


@api_function("retrieve_transfer_session_remote_analysis", write=False, acl="all")
def retrieve_transfer_session_remote_analysis(ctx: CallContext, args: Args) -> Result:
    session = _root_session(ctx, args)
    return Result(data=session["analysis"] or {})


@api_function("available_transfer_modules", write=False, acl="all")
def available_transfer_modules(ctx: CallContext, args: Args) -> Result:
    return Result(data={"modules": {name: str(type_id) for name, (type_id, dummy) in engine.MODULES.items()}})


def _module(name: str) -> Tuple[int, Dict[str, Any]]:
    if name not in engine.MODULES:
        raise ApiError(f"The transfer session module “{name}” does not exist.")
    return engine.MODULES[name]


@api_function("transfer_module_schema", write=False, acl="all")
def transfer_module_schema(ctx: CallContext, args: Args) -> Result:
    dummy, schema = _module(args.required("module"))
    return Result(data={"schema": schema})


@api_function("enqueue_transfer_item", write=True, acl="all")
def enqueue_transfer_item(ctx: CallContext, args: Args) -> Result:
    for name in ("transfer_session_id", "module"):
        if args.get(name) is None:
            raise missing_parameter(name)
    module = str(args.get("module"))
    dummy, schema = _module(module)
    session = _session(ctx, args)
    # Session/Item.pm _check_authn_forbiddance (uncaught → API failure).
    if module == "AccountRemoteUser" and session["session_type"] == "RemoteRoot":
        raise ApiFailure("Root-authenticated transfer sessions cannot enqueue items of this type.")
    if module == "AccountRemoteRoot" and session["session_type"] == "RemoteUser":
        raise ApiFailure("User-authenticated transfer sessions cannot enqueue items of this type.")
    params = {k: v for k, v in args.as_dict().items() if k not in ("transfer_session_id", "module")}
    # Session.pm _validate_enqueued_data_against_schema: unknown keys, then required keys.
    for key in params:
        if key not in schema["keys"]:
            raise _xid(f"The “{key}” parameter is not valid for the “{module}” module.")
    for key in schema["required"]:
        if not params.get(key):
            raise _xid(f"The “{key}” parameter is required for the “{module}” module.")
    primary = schema["primary"][0]
    value = str(params[primary])
    if ctx.db.execute(
        "SELECT 1 FROM transfer_items WHERE session = ? AND module = ? AND key = ?", (session["id"], module, value)
    ).fetchone():
        raise _xid(
            f"An item with a “{primary}” key value of “{value}” and a type of “{module}” already exists in the queue."
        )
    if module in engine.ACCOUNT_MODULES:
        # Items/AccountBase.pm _restore_init: force only in unrestricted sessions, skipres
        # forced on in restricted ones.
        if not session["options"].get("unrestricted"):
            params["force"] = "0"
            params["skipres"] = "1"
        if params.get("priority") and not (params["priority"].isdigit() and 1 <= int(params["priority"]) <= 255):
            params["priority"] = "255"
    queue.enqueue(ctx.db, session["id"], module, value, params, engine.TRANSFER_PENDING)
    return Result()


@api_function("start_transfer_session", write=True, acl="all")
def start_transfer_session(ctx: CallContext, args: Args) -> Result:
    sid_arg = args.get("transfer_session_id") or ""
    try:
        session = engine.load_session(ctx.db, sid_arg)
    except engine.SessionError as err:
        raise ApiError(
            f"The system failed to start the transfer session “{sid_arg}” because of an error: {err}"
        ) from err
    sid = session["id"]
    live_pid = engine.runner_pid(ctx.emulator, sid)
    if live_pid is not None:
        return Result(data={"pid": live_pid})

    def failed(text: str) -> ApiError:
        return ApiError(f"The system failed to start the transfer session “{sid}” because of an error: {text}")

    if session["abort_requested"]:
        raise failed(f"The transfer session “{sid}” has been aborted.")  # invented wording
    if session["state"] == engine.PAUSING:
        raise failed(f"The transfer session “{sid}” is pausing.")  # invented wording
    resumed = session["state"] == engine.PAUSED
    engine.requeue_in_flight(ctx.db, sid)  # a previous process may have died mid item
    pid = engine.new_pid()
    ctx.db.execute(
        "UPDATE transfer_sessions SET pid = ?, pause_requested = 0, starttime = ? WHERE id = ?",
        (pid, int(time.time()), sid),
    )
    engine.set_state(ctx.db, sid, engine.RUNNING)
    engine.start_runner(ctx.emulator, sid, pid, resumed=resumed)
    return Result(data={"pid": pid})


@api_function("get_transfer_session_state", write=False, acl="all")
def get_transfer_session_state(ctx: CallContext, args: Args) -> Result:
    session = _session(ctx, args)
    return Result(data={"state_name": session["state"]})


@api_function("pause_transfer_session", write=True, acl="all")
def pause_transfer_session(ctx: CallContext, args: Args) -> Result:
    session = _session(ctx, args)
    sid = session["id"]
    if session["state"] != engine.RUNNING:
        raise ApiError("The system failed to “pause” the transfer session.")
    if not engine.is_live(ctx.emulator, sid):
        # Session.pm start_pause: RUNNING without a live process → FAILED, and success.
        engine.set_state(ctx.db, sid, engine.FAILED)
        engine.master(ctx.emulator, sid, session["pid"], "fail")
        engine.finish_log(ctx.emulator, sid, "master.log")
        return Result()
    ctx.db.execute("UPDATE transfer_sessions SET pause_requested = 1 WHERE id = ?", (sid,))
    engine.set_state(ctx.db, sid, engine.PAUSING)
    engine.master(ctx.emulator, sid, session["pid"], "pausing")
    return Result()


@api_function("abort_transfer_session", write=True, acl="all")
def abort_transfer_session(ctx: CallContext, args: Args) -> Result:
    session = _session(ctx, args)
    sid, state = session["id"], session["state"]
    if state in engine.TERMINAL:
        raise ApiError("The system failed to “abort” the transfer session.")
    if engine.is_live(ctx.emulator, sid):
        ctx.db.execute("UPDATE transfer_sessions SET abort_requested = 1 WHERE id = ?", (sid,))
        engine.set_state(ctx.db, sid, engine.ABORTING)
        engine.master(ctx.emulator, sid, session["pid"], "aborting")
        return Result()
    if state == engine.PAUSED:
        ctx.db.execute("UPDATE transfer_sessions SET abort_requested = 1 WHERE id = ?", (sid,))
        engine.set_state(ctx.db, sid, engine.ABORTED)
        engine.master(ctx.emulator, sid, session["pid"], "abort")
        engine.finish_log(ctx.emulator, sid, "master.log")
        return Result()
    # Session.pm start_abort: not live and not paused (e.g. never started) → FAILED.
    engine.set_state(ctx.db, sid, engine.FAILED)
    if engine.log_paths(ctx.emulator, sid, "master.log")[0].exists():
        engine.master(ctx.emulator, sid, session["pid"], "fail")
        engine.finish_log(ctx.emulator, sid, "master.log")
    return Result()


@api_function("fetch_transfer_session_log", write=False, acl="all")
def fetch_transfer_session_log(ctx: CallContext, args: Args) -> Result:
    sid = args.required("transfer_session_id")
    logfile = args.required("logfile")
    session = _session(ctx, args)
    if "/" in logfile or logfile.startswith("."):
        raise ApiFailure(f"The log file name “{logfile}” is not valid.")  # invented wording
    final, active = engine.log_paths(ctx.emulator, session["id"], logfile)
    # LogTailer.pm: a log still being written (".<name>") is followed until it is finished.
    while active.exists() and not final.exists() and engine.is_live(ctx.emulator, sid):
        time.sleep(0.25)
    for path in (final, active):
        try:
            return Result(data={"log": path.read_text(encoding="utf-8")})
        except OSError:
            continue
    whm_dir = f"/var/cpanel/transfer_sessions/{sid}"
    raise ApiFailure(f"The system failed to locate either the file “{whm_dir}/{logfile}” or “{whm_dir}/.{logfile}”.")


# ---------------------------------------------------------------------------------------------
# Names and archives
# ---------------------------------------------------------------------------------------------


@api_function("validate_system_user", write=False, acl="all")
def validate_system_user(ctx: CallContext, args: Args) -> Result:
    user = args.get("user")
    if not user:
        raise ApiError("No user name supplied: “user” is a required argument.")
    exists = load_account(ctx, user) is not None or user in SYSTEM_USERS
    return Result(
        data={
            "exists": 1 if exists else 0,
            "valid_for_transfer": 1 if LOOSE_USERNAME.match(user) else 0,
            "valid_for_new": 1 if STRICT_USERNAME.match(user) else 0,
            "reserved": 1 if is_reserved_username(user) else 0,
        }
    )


@api_function("verify_new_username_for_restore", write=False, acl="all")
def verify_new_username_for_restore(ctx: CallContext, args: Args) -> Result:
    user = args.required("user")
    problem = archive.restore_username_problem(ctx, user)
    if problem:
        raise ApiFailure(problem)
    return Result()


@api_function("delete_account_archives", write=True, acl="all")
def delete_account_archives(ctx: CallContext, args: Args) -> Result:
    user = args.required("user")
    mountpoint = args.get("mountpoint") or "/home"
    directory = archive.mount_dir(Path(ctx.emulator.config.state_dir), mountpoint)
    messages: List[str] = []
    if "/" not in user and user not in ("", ".", ".."):
        for path in sorted(directory.glob(f"cpmove-{user}*")) if directory.is_dir() else []:
            if path.name not in (f"cpmove-{user}", f"cpmove-{user}.tar", f"cpmove-{user}.tar.gz"):
                continue
            shown = f"{mountpoint.rstrip('/')}/{path.name}"
            if path.is_dir():
                import shutil

                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink()
            messages.append(f"Removed “{shown}”.")  # scripts/unpkgacct output (invented wording)
    return Result(messages=messages)


# restore_modules_summary: the restore modules whose work the emulator does, with the names
# and summaries cPanel documents for them (its full list covers files, mail, databases...).
RESTORE_MODULES: List[Dict[str, Any]] = [
    {
        "module": "Account",
        "restricted_available": 1,
        "summary": ["This creates the cPanel account and system user."],
        "restricted_summary": ["Force mode is not available in restricted mode."],
    },
    {
        "module": "Domains",
        "restricted_available": 1,
        "summary": ["This restores subdomains, parked domains, and addon domains."],
    },
    {"module": "Package", "restricted_available": 0, "summary": ["This recreates account packages."]},
    {"module": "Password", "restricted_available": 1, "summary": ["This restores the encrypted system password."]},
    {
        "module": "SSL",
        "restricted_available": 1,
        "summary": ["This restores SSL (Secure Sockets Layer) keys, certificates, and virtual host entries."],
    },
    {
        "module": "Suspend",
        "restricted_available": 1,
        "summary": ["This module will suspend the restored user if they were suspended at the source."],
    },
    {
        "module": "ZoneFile",
        "restricted_available": 1,
        "summary": ["This restores custom DNS (Domain Name System) Zone entries."],
    },
]


@api_function("restore_modules_summary", write=False, acl="all")
def restore_modules_summary(ctx: CallContext, args: Args) -> Result:
    return Result(data={"modules": [dict(m) for m in RESTORE_MODULES]})


# ---------------------------------------------------------------------------------------------
# restoreaccount (legacy backups) and the restore queue
# ---------------------------------------------------------------------------------------------


@api_function("restoreaccount", write=True, acl="all")
def restoreaccount(ctx: CallContext, args: Args) -> Result:
    user = args.get("user")
    if not user:
        raise missing_parameter("user")
    kind = args.get("type")
    if not kind:
        raise missing_parameter("type")
    if kind not in ("daily", "weekly", "monthly"):
        raise ApiFailure(f"Invalid restore type “{kind}”.")  # invented wording
    path = archive.legacy_backup_path(Path(ctx.emulator.config.state_dir), kind, user)
    sid = engine.create_session(
        ctx.db,
        ctx.emulator,
        template=ctx.emulator.config.hostname,
        initiator="restoreaccount",
        session_type="Legacy",
        source_host="",
        options={"transfer_threads": 1, "restore_threads": 1, "unrestricted": 1},
    )
    # Whostmgr/Backup/Restore/Legacy.pm: restoreall is 1 when the user does not exist; the
    # documented "all" parameter is ignored.
    params = {
        "user": user,
        "restoretype": kind,
        "restoreall": "0" if load_account(ctx, user) else "1",
        "restoreip": "1" if _flag(args, "ip") else "0",
        "restoremail": "1" if args.get("mail", "1") != "0" else "0",
        "restoremysql": "1" if args.get("mysql", "1") != "0" else "0",
        "restoresubs": "1" if args.get("subs", "1") != "0" else "0",
        "cpmovefile": str(path),
    }
    queue.enqueue(ctx.db, sid, "LegacyAccountBackup", user, params, engine.RESTORE_PENDING)
    pid = engine.new_pid()
    ctx.db.execute("UPDATE transfer_sessions SET pid = ?, starttime = ? WHERE id = ?", (pid, int(time.time()), sid))
    engine.set_state(ctx.db, sid, engine.RUNNING)
    engine.start_runner(ctx.emulator, sid, pid, resumed=False)
    raw = f"The account “{user}” is being restored in the background by the transfer session “{sid}”.\n"
    return Result(reason="Account Restoring in background", raw=raw, data={"transfer_session_id": sid, "pid": pid})


def _yn(args: Args, name: str) -> int:
    return 1 if (args.get(name) or "0") not in ("", "0") else 0


@api_function("restore_queue_add_task", write=True, acl="all")
def restore_queue_add_task(ctx: CallContext, args: Args) -> Result:
    user = args.required("user")
    restore_point = args.required("restore_point")
    if not LOOSE_USERNAME.match(user):
        raise ApiError(f"“{user}” is not a valid username on this system.")
    if ctx.db.execute("SELECT 1 FROM restore_jobs WHERE user = ? AND state = 'pending'", (user,)).fetchone():
        raise ApiError(f"The user “{user}” already has a restore in the queue.")  # invented wording
    options = {
        "destid": args.get("destid") or "local",
        "give_ip": _yn(args, "give_ip"),
        "mail_config": _yn(args, "mail_config"),
        "mysql": _yn(args, "mysql"),
        "subdomains": _yn(args, "subdomains"),
    }
    queue_id = queue.new_queue_id()
    ctx.db.execute(
        "INSERT INTO restore_jobs(queue_id, user, restore_point, options, state, queued)"
        " VALUES (?, ?, ?, ?, 'pending', ?)",
        (queue_id, user, restore_point, dumps(options), int(time.time())),
    )
    return Result(data={"queue_id": queue_id})


def _jobs(ctx: CallContext, state: str) -> List[Dict[str, Any]]:
    rows = ctx.db.execute("SELECT * FROM restore_jobs WHERE state = ? ORDER BY id", (state,)).fetchall()
    if state == "completed":
        return [queue.completed_record(dict(r)) for r in rows]
    return [queue.job_record(dict(r)) for r in rows]


@api_function("restore_queue_activate", write=True, acl="all")
def restore_queue_activate(ctx: CallContext, args: Args) -> Result:
    from whm_emulator.store import Store

    Store.set_meta(ctx.db, queue.ACTIVE_KEY, "1")
    queue.start_queue(ctx.emulator)
    return Result()


@api_function("restore_queue_is_active", write=False, acl="all")
def restore_queue_is_active(ctx: CallContext, args: Args) -> Result:
    return Result(data={"is_active": 1 if queue.is_active(ctx.db) else 0})


@api_function("restore_queue_state", write=False, acl="all")
def restore_queue_state(ctx: CallContext, args: Args) -> Result:
    completed = [c["restore_job"] for c in _jobs(ctx, "completed")]
    return Result(
        data={
            "is_active": 1 if queue.is_active(ctx.db) else 0,
            "pending": _jobs(ctx, "pending"),
            "active": _jobs(ctx, "active"),
            "completed": completed,
        }
    )


@api_function("restore_queue_list_pending", write=False, acl="all")
def restore_queue_list_pending(ctx: CallContext, args: Args) -> Result:
    return Result(data={"restore_job": _jobs(ctx, "pending")}, payload_name="restore_job")


@api_function("restore_queue_list_active", write=False, acl="all")
def restore_queue_list_active(ctx: CallContext, args: Args) -> Result:
    return Result(data={"restore_job": _jobs(ctx, "active")}, payload_name="restore_job")


@api_function("restore_queue_list_completed", write=False, acl="all")
def restore_queue_list_completed(ctx: CallContext, args: Args) -> Result:
    return Result(data={"restore_job": _jobs(ctx, "completed")}, payload_name="restore_job")


@api_function("restore_queue_clear_pending_task", write=True, acl="all")
def restore_queue_clear_pending_task(ctx: CallContext, args: Args) -> Result:
    user = args.required("user")
    ctx.db.execute("DELETE FROM restore_jobs WHERE state = 'pending' AND user = ?", (user,))
    return Result()


@api_function("restore_queue_clear_completed_task", write=True, acl="all")
def restore_queue_clear_completed_task(ctx: CallContext, args: Args) -> Result:
    user = args.required("user")
    start_time = args.required("start_time")
    for row in ctx.db.execute("SELECT id, status FROM restore_jobs WHERE state = 'completed' AND user = ?", (user,)):
        status = queue.loads(row["status"]) or {}
        if str(status.get("started")) == start_time:
            ctx.db.execute("DELETE FROM restore_jobs WHERE id = ?", (row["id"],))
    return Result()


@api_function("restore_queue_clear_all_tasks", write=True, acl="all")
def restore_queue_clear_all_tasks(ctx: CallContext, args: Args) -> Result:
    # Jobs being restored right now stay (their restore is already running).
    ctx.db.execute("DELETE FROM restore_jobs WHERE state IN ('pending', 'completed')")
    return Result()


@api_function("restore_queue_clear_all_pending_tasks", write=True, acl="all")
def restore_queue_clear_all_pending_tasks(ctx: CallContext, args: Args) -> Result:
    ctx.db.execute("DELETE FROM restore_jobs WHERE state = 'pending'")
    return Result()


@api_function("restore_queue_clear_all_completed_tasks", write=True, acl="all")
def restore_queue_clear_all_completed_tasks(ctx: CallContext, args: Args) -> Result:
    ctx.db.execute("DELETE FROM restore_jobs WHERE state = 'completed'")
    return Result()


@api_function("restore_queue_clear_all_failed_tasks", write=True, acl="all")
def restore_queue_clear_all_failed_tasks(ctx: CallContext, args: Args) -> Result:
    for row in ctx.db.execute("SELECT id, status FROM restore_jobs WHERE state = 'completed'").fetchall():
        status = queue.loads(row["status"]) or {}
        if int(status.get("result", 1)) == 0:
            ctx.db.execute("DELETE FROM restore_jobs WHERE id = ?", (row["id"],))
    return Result()


# ---------------------------------------------------------------------------------------------
# remote_basic_credential_check (module SSH)
# ---------------------------------------------------------------------------------------------


@api_function("remote_basic_credential_check", write=False, acl="all")
def remote_basic_credential_check(ctx: CallContext, args: Args) -> Result:
    if not args.get("host"):
        raise ApiError("You must specify a source host.")
    if not args.get("user"):
        raise ApiError("You must provide the “user” argument.")  # invented wording
    user = args.get("user") or ""
    if user != "root" and not args.get("root_escalation_method"):
        raise ApiError("You must provide the “root_escalation_method” argument to connect as an unprivileged user.")
    try:
        remote, dummy, dummy2 = _connect(ctx, args, "ssh")
    except ApiError as err:
        return Result(result=0, reason=err.reason, data={"output": "", "response": "", "escalation_method_used": ""})
    escalation = "" if user == "root" else (args.get("root_escalation_method") or "")
    del remote
    return Result(
        reason="Success",
        data={
            "output": "basic credential check\n",
            "response": "Basic credential check…\nDone\n",
            "escalation_method_used": escalation,
        },
    )


# ---------------------------------------------------------------------------------------------
# Emulator-internal routes used by a transfer destination (never in the request log)
# ---------------------------------------------------------------------------------------------


def _internal_pkgacct(emulator: Any, payload: Dict[str, Any]) -> Tuple[int, Any]:
    from whm_emulator.registry import CallContext as Ctx

    user = str(payload.get("user") or "")
    with emulator.store.transaction(write=False) as db:
        ctx = Ctx(db=db, emulator=emulator, user="root")
        if load_account(ctx, user) is None:
            return 404, {"error": f"pkgacct failed: the account “{user}” does not exist."}
        data = archive.export_account(ctx, user)
    return 200, {"archive": base64.b64encode(archive.pack(data)).decode("ascii")}


def _password_ok(stored: str, password: str) -> bool:
    # The scheme of whm_emulator.api.accounts._password_hash: "<salt>$sha256(salt + password)".
    import hashlib
    import hmac

    salt, sep, digest = stored.partition("$")
    if not sep:
        return False
    computed = hashlib.sha256((salt + password).encode("utf-8")).hexdigest()
    return hmac.compare_digest(computed, digest)


def _internal_user_pkgacct(emulator: Any, credentials: Tuple[str, str], payload: Dict[str, Any]) -> Tuple[int, Any]:
    """A cPanel user packages their own account (user-authenticated transfers)."""
    from whm_emulator.registry import CallContext as Ctx

    login, password = credentials
    user = str(payload.get("user") or "")
    with emulator.store.transaction(write=False) as db:
        ctx = Ctx(db=db, emulator=emulator, user=login)
        account = load_account(ctx, user)
        if account is None or login != user or not _password_ok(str(account["password_hash"]), password):
            # Invented wording: cpsrvd's login failure for the cPanel user.
            return 403, {"error": f"The login for the cPanel user “{user}” on the remote server failed."}
        data = archive.export_account(ctx, user)
    return 200, {"archive": base64.b64encode(archive.pack(data)).decode("ascii")}


def _internal_package(emulator: Any, payload: Dict[str, Any]) -> Tuple[int, Any]:
    from whm_emulator.api.packages import load_package
    from whm_emulator.registry import CallContext as Ctx

    name = str(payload.get("name") or "")
    with emulator.store.transaction(write=False) as db:
        settings = load_package(Ctx(db=db, emulator=emulator, user="root"), name)
    if settings is None:
        return 404, {"error": f"The package “{name}” does not exist on the remote server."}
    return 200, {"settings": settings}


def _internal_featurelist(emulator: Any, payload: Dict[str, Any]) -> Tuple[int, Any]:
    from whm_emulator.api.features import export_featurelist
    from whm_emulator.registry import CallContext as Ctx

    name = str(payload.get("name") or "")
    with emulator.store.transaction(write=False) as db:
        data = export_featurelist(Ctx(db=db, emulator=emulator, user="root"), name)
    if data is None:
        return 404, {"error": f"The feature list “{name}” does not exist on the remote server."}
    return 200, data


def _internal_backup(emulator: Any, payload: Dict[str, Any]) -> Tuple[int, Any]:
    from whm_emulator.registry import CallContext as Ctx

    user = str(payload.get("user") or "")
    state = Path(emulator.config.state_dir)
    if payload.get("type"):
        kind = str(payload["type"])
        if kind not in ("daily", "weekly", "monthly"):
            return 400, {"error": "type must be daily, weekly or monthly"}
        path = archive.legacy_backup_path(state, kind, user)
    else:
        point = str(payload.get("restore_point") or time.strftime("%Y-%m-%d"))[:10]
        path = archive.backup_path(state, point, user)
    with emulator.store.transaction(write=False) as db:
        ctx = Ctx(db=db, emulator=emulator, user="root")
        if load_account(ctx, user) is None:
            return 404, {"error": f"The account “{user}” does not exist."}
        data = archive.export_account(ctx, user)
    archive.write_archive(path, data)
    return 200, {"path": str(path)}


INTERNAL_USER_ROUTES["user_pkgacct"] = _internal_user_pkgacct
INTERNAL_ROUTES.update(
    {
        "pkgacct": _internal_pkgacct,
        "package": _internal_package,
        "featurelist": _internal_featurelist,
        "backup": _internal_backup,
    }
)


def _on_start(emulator: Any) -> None:
    engine.resume_sessions(emulator)
    queue.resume_queue(emulator)


EMULATOR_STARTED.append(_on_start)


def _on_reset(emulator: Any) -> None:
    """A state reset: stop the sessions and the restore queue, then remove their files.

    Session logs (``transfer_sessions/<id>``), the account archives transfers and
    delete_account_archives work with (``home/``, WHM's /home) and the backups restores read
    (``backup/``) belong to the state being wiped.
    """
    import shutil

    engine.halt(emulator)
    state = Path(emulator.config.state_dir)
    for directory in (state / engine.SESSION_ROOT, archive.mount_dir(state), state / "backup"):
        shutil.rmtree(directory, ignore_errors=True)


STATE_RESET.append(_on_reset)
