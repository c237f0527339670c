"""Account archives (cPanel's ``cpmove-USER.tar.gz``) and restoring them.

An emulated archive is a gzip tar holding ``cpmove-<user>/whm_emulator.json``: the account row
and cpuser data, its package, its domains and one entry per archive section registered by
the areas (``whm_emulator.api.common.archive_section``: DNS zone, SSL, ...). Restoring creates
the account the way WHM's restore does (createacct internals with ``is_restore``: the
ACCOUNT_CREATED hooks run, e.g. the zone from the destination's templates), then hands every
section to its importer. The caller runs :func:`restore_account` inside one write
transaction, so an account is either fully restored or not at all.
"""

from __future__ import annotations

import io
import json
import tarfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from whm_emulator.api.common import ACCOUNT_CREATED, ARCHIVE_SECTIONS, all_usernames, load_account, require_account
from whm_emulator.api.packages import load_package
from whm_emulator.registry import CallContext
from whm_emulator.store import rows
from whm_emulator.validate import LOOSE_USERNAME, is_reserved_username

FORMAT = 1
MEMBER = "whm_emulator.json"


# Restore modules (names as restore_modules_summary reports them) for the steps this emulator
# performs, and which archive section each area's importer stands for.
SECTION_MODULES = {"dns": "ZoneFile", "ssl": "SSL"}
RESTRICTED_UNAVAILABLE = ("Package", "Reseller")


class RestoreError(Exception):
    """The restore of one account failed; the text is what WHM logs as the item's failure."""


def archive_name(user: str) -> str:
    return f"cpmove-{user}.tar.gz"


def mount_dir(state_dir: Path, mountpoint: Optional[str] = None) -> Path:
    """Where a WHM path such as ``/home`` lives inside the emulator's state directory."""
    relative = (mountpoint or "/home").strip("/") or "home"
    parts = [p for p in relative.split("/") if p not in ("", ".", "..")]
    return state_dir.joinpath(*parts) if parts else state_dir / "home"


def transfer_archive_path(state_dir: Path, user: str) -> Path:
    return mount_dir(state_dir) / archive_name(user)


def legacy_backup_path(state_dir: Path, kind: str, user: str) -> Path:
    # WHM's legacy backups: /backup/cpbackup/<daily|weekly|monthly>/<user>.tar.gz
    return state_dir / "backup" / "cpbackup" / kind / f"{user}.tar.gz"


def backup_path(state_dir: Path, restore_point: str, user: str) -> Path:
    # WHM's backups: /backup/<YYYY-MM-DD>/accounts/<user>.tar.gz
    return state_dir / "backup" / restore_point / "accounts" / f"{user}.tar.gz"


# -- packaging ---------------------------------------------------------------------------------


def export_account(ctx: CallContext, user: str) -> Dict[str, Any]:
    """Everything the archive holds for ``user`` (pkgacct)."""
    account = require_account(ctx, user)
    domains = rows(
        ctx.db,
        "SELECT domain, domain_type, parent_domain FROM domains WHERE user = ? ORDER BY domain",
        (user,),
    )
    package = load_package(ctx, account["plan"])
    sections = {name: exporter(ctx, account) for name, (exporter, dummy) in sorted(ARCHIVE_SECTIONS.items())}
    return {
        "format": FORMAT,
        "created": int(time.time()),
        "source": {"hostname": ctx.emulator.config.hostname, "ip": ctx.emulator.config.ip},
        "account": {k: v for k, v in account.items() if k != "uid"},
        "package": {"name": account["plan"], "settings": package},
        "domains": domains,
        "sections": sections,
    }


def pack(data: Dict[str, Any]) -> bytes:
    user = data["account"]["user"]
    payload = json.dumps(data, sort_keys=True, indent=1).encode("utf-8")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo(f"cpmove-{user}/{MEMBER}")
        info.size = len(payload)
        info.mtime = int(data.get("created") or time.time())
        info.mode = 0o600
        tar.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


def unpack(blob: bytes) -> Dict[str, Any]:
    try:
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name.endswith("/" + MEMBER):
                    handle = tar.extractfile(member)
                    if handle is not None:
                        data = json.loads(handle.read().decode("utf-8"))
                        if isinstance(data, dict) and data.get("format") == FORMAT:
                            return data
    except (tarfile.TarError, OSError, ValueError, EOFError) as err:
        raise RestoreError(f"The archive could not be read: {err}") from err
    # Invented text: WHM's restore reports a missing cpmove layout in its own words.
    raise RestoreError("The archive does not contain an account created by pkgacct.")


def write_archive(path: Path, data: Dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(pack(data))
    tmp.replace(path)
    return path


def read_archive(path: Path) -> Dict[str, Any]:
    try:
        blob = path.read_bytes()
    except OSError as err:
        raise RestoreError(f"The system failed to read the archive “{path.name}”: {err.strerror}") from err
    return unpack(blob)


# -- restoring ---------------------------------------------------------------------------------


def _random_password_hash() -> str:
    # Module Password disabled: the account gets a password nobody knows (same scheme as createacct).
    import hashlib
    import secrets

    salt = secrets.token_hex(8)
    return salt + "$" + hashlib.sha256((salt + secrets.token_urlsafe(24)).encode("utf-8")).hexdigest()


def restore_username_problem(ctx: CallContext, name: str) -> Optional[str]:
    """verify_new_username_for_restore: the loose (transfer) regex, reserved names, conflicts."""
    if not LOOSE_USERNAME.match(name):
        return f"“{name}” is not a valid username on this system."
    if is_reserved_username(name):
        return f"“{name}” is a reserved username on this system."
    existing = all_usernames(ctx)
    if name in existing:
        return f"This system already has an account named “{name}”."
    from whm_emulator.validate import DB_PREFIX_LENGTH

    if len(name) >= DB_PREFIX_LENGTH:
        prefix = name[:DB_PREFIX_LENGTH]
        if any(other.startswith(prefix) for other in existing):
            n = DB_PREFIX_LENGTH
            return (
                f"The name of another account on this server has the same initial {n} characters as the "
                f"given username ({name}). Each username’s first {n} characters must be unique."
            )
    return None


def restore_account(
    ctx: CallContext,
    data: Dict[str, Any],
    localuser: str,
    options: Dict[str, str],
) -> Dict[str, Any]:
    """Create ``localuser`` from an archive. Runs in the caller's write transaction.

    ``options``: ``skipaccount`` (restore into the existing account), ``skipsubdomains``,
    ``replaceip`` (``all``/``basic``), ``ip`` (1 = dedicated IP asked), ``disabled`` (comma
    list of restore modules to skip), ``restricted`` (1 = restricted restore: modules that are
    not available in restricted mode, e.g. Package, are skipped), plus anything the section
    importers read. Returns ``{"warnings": [...], "skipped": [...]}``. Raises
    :class:`RestoreError` with the failure text; the caller rolls the transaction back.
    """
    from whm_emulator.api.accounts import _domain_problem

    source = data["account"]
    olduser = str(source["user"])
    warnings: List[str] = []
    skipped: List[str] = []
    existing = load_account(ctx, localuser)
    skipaccount = options.get("skipaccount") == "1"
    # Items/AccountRestoreBase.pm _validate_local_username_against_system_state (§2.5).
    if skipaccount:
        if existing is None:
            raise RestoreError(f"No user named “{localuser}” exists on this server.")
    elif existing is not None:
        raise RestoreError(f"A user named “{localuser}” already exists on this server.")
    else:
        problem = restore_username_problem(ctx, localuser)
        if problem:
            raise RestoreError(problem)

    disabled = {m.strip() for m in str(options.get("disabled") or "").split(",") if m.strip()}
    restricted = options.get("restricted") == "1"

    def wanted(module: str) -> bool:
        if module in disabled:
            skipped.append(f"{module} (disabled)")
            return False
        if restricted and module in RESTRICTED_UNAVAILABLE:
            skipped.append(f"{module} (not available in restricted mode)")
            return False
        return True

    package = data.get("package") or {}
    plan = str(package.get("name") or "default")
    if plan != "default" and load_package(ctx, plan) is None and package.get("settings"):
        # The account's package travels with it and is created when the destination lacks it
        # (restore module Package, not available in restricted mode).
        if wanted("Package"):
            ctx.db.execute(
                "INSERT INTO packages(name, settings) VALUES (?, ?)",
                (plan, json.dumps(package["settings"], sort_keys=True)),
            )
            warnings.append(f"The package “{plan}” did not exist on this server and was created from the archive.")
        else:
            warnings.append(f"The package “{plan}” does not exist on this server.")

    dest_ip = ctx.emulator.config.ip
    if options.get("ip") == "1":
        # No dedicated IPs are emulated: fall back to the shared IP, as WHM does when the pool is empty.
        warnings.append(f"No dedicated IP address is available; the account uses the shared IP address “{dest_ip}”.")

    domains = list(data.get("domains") or [])
    main_domain = str(source["domain"])
    if not skipaccount:
        problem = _domain_problem(ctx, main_domain, localuser)
        if problem:
            raise RestoreError(problem)
        restore_suspension = wanted("Suspend") if source.get("suspended") else True
        restore_password = wanted("Password")
        cpuser = dict(source.get("cpuser") or {})
        cpuser.update({"USER": localuser, "IP": dest_ip, "PLAN": plan})
        owner = str(source.get("owner") or "root")
        if owner != "root" and load_account(ctx, owner) is None:
            owner = "root"
            cpuser["OWNER"] = "root"
        row = ctx.db.execute("SELECT COALESCE(MAX(uid), 1000) + 1 FROM accounts").fetchone()
        ctx.db.execute(
            "INSERT INTO accounts(user, domain, owner, plan, uid, created, suspended, suspend_time, suspend_reason,"
            " locked, password_hash, shell, quota_mb, cpuser) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                localuser,
                main_domain,
                owner,
                plan,
                int(row[0]),
                int(source.get("created") or time.time()),
                int(source.get("suspended") or 0) if restore_suspension else 0,
                int(source.get("suspend_time") or 0) if restore_suspension else 0,
                str(source.get("suspend_reason") or "") if restore_suspension else "",
                int(source.get("locked") or 0) if restore_suspension else 0,
                str(source.get("password_hash") or "") if restore_password else _random_password_hash(),
                str(source.get("shell") or "/usr/local/cpanel/bin/noshell"),
                int(source.get("quota_mb") or 0),
                json.dumps(cpuser, sort_keys=True),
            ),
        )
        ctx.db.execute(
            "INSERT INTO domains(domain, user, domain_type, parent_domain) VALUES (?, ?, 'main', ?)",
            (main_domain, localuser, main_domain),
        )
        account = load_account(ctx, localuser) or {}
        hook_args = {"username": localuser, "domain": main_domain, "plan": plan, "is_restore": "1"}
        for hook in ACCOUNT_CREATED:
            hook(ctx, account, dict(hook_args))

    extra_domains = [e for e in domains if e.get("domain_type") != "main"]
    if extra_domains and not wanted("Domains"):
        extra_domains = []
    for entry in extra_domains:
        name = str(entry["domain"])
        if entry.get("domain_type") == "main":
            continue
        if entry.get("domain_type") == "sub" and options.get("skipsubdomains") == "1":
            skipped.append(f"Subdomain “{name}” (skipsubdomains)")
            continue
        owner = ctx.db.execute("SELECT user FROM domains WHERE domain = ?", (name,)).fetchone()
        if owner is not None:
            if owner[0] != localuser:
                warnings.append(f"The domain “{name}” already exists in the userdata for the user “{owner[0]}”.")
            continue
        ctx.db.execute(
            "INSERT INTO domains(domain, user, domain_type, parent_domain) VALUES (?, ?, ?, ?)",
            (name, localuser, entry.get("domain_type") or "addon", entry.get("parent_domain") or main_domain),
        )

    account = require_account(ctx, localuser)
    section_options = {
        "olduser": olduser,
        "newuser": localuser,
        "replaceip": options.get("replaceip") or "all",
        "source_ip": str((data.get("source") or {}).get("ip") or ""),
        "source_hostname": str((data.get("source") or {}).get("hostname") or ""),
        "ip": dest_ip,
    }
    section_options.update({k: v for k, v in options.items() if k not in section_options})
    sections = data.get("sections") or {}
    for name, (_exporter, importer) in sorted(ARCHIVE_SECTIONS.items()):
        if name in sections and wanted(SECTION_MODULES.get(name, name)):
            importer(ctx, account, sections[name], dict(section_options))
    for name in sorted(set(sections) - set(ARCHIVE_SECTIONS)):
        skipped.append(f"Archive section “{name}” (not supported by this server)")
    return {"warnings": warnings, "skipped": skipped, "user": localuser, "domain": main_domain}
