"""Packages: addpkg, editpkg, killpkg, listpkgs, getpkginfo (cPanel module Whostmgr/API/1/Packages.pm).

Stored form = what WHM keeps in /var/cpanel/packages/<name>: UPPERCASE keys, raw string values.
listpkgs shows that raw form; getpkginfo normalises it (Whostmgr/API/1/Packages.pm).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple

from whm_emulator.args import Args
from whm_emulator.errors import ApiError
from whm_emulator.registry import CallContext, Result, api_function
from whm_emulator.validate import package_name_ok

THEMES = ("jupiter", "paper_lantern")
LOCALES = ("en", "ar", "de", "es", "es_419", "fr", "it", "ja", "nl", "pt", "pt_br", "ru", "tr", "zh")
FEATURELISTS = ("default", "disabled", "Mail Only")

# parameter (lower-case) → (stored key, kind, default). Kinds:
#   mb      positive integer or "unlimited"; 0 rejected (Whostmgr/Packages/Info.pm min => 1)
#   count   non-negative integer or "unlimited"
#   yn      y/n (Whostmgr/Func.pm yesno)
SETTINGS: Dict[str, Tuple[str, str, str]] = {
    "quota": ("QUOTA", "mb", "unlimited"),
    "bwlimit": ("BWLIMIT", "mb", "unlimited"),
    "max_emailacct_quota": ("MAX_EMAILACCT_QUOTA", "mb", "unlimited"),
    "maxftp": ("MAXFTP", "count", "unlimited"),
    "maxsql": ("MAXSQL", "count", "unlimited"),
    "maxpop": ("MAXPOP", "count", "unlimited"),
    "maxlst": ("MAXLST", "count", "unlimited"),
    "maxsub": ("MAXSUB", "count", "unlimited"),
    "maxpark": ("MAXPARK", "count", "0"),
    "maxaddon": ("MAXADDON", "count", "0"),
    "maxpassengerapps": ("MAXPASSENGERAPPS", "count", "4"),
    "max_email_per_hour": ("MAX_EMAIL_PER_HOUR", "count", "unlimited"),
    "max_defer_fail_percentage": ("MAX_DEFER_FAIL_PERCENTAGE", "percent", "unlimited"),
    "max_team_users": ("MAX_TEAM_USERS", "team", "7"),
    "ip": ("IP", "yn", "n"),
    "cgi": ("CGI", "yn", "y"),
    "hasshell": ("HASSHELL", "yn", "n"),
    "digestauth": ("DIGESTAUTH", "yn", "n"),
    "frontpage": ("FRONTPAGE", "yn", "n"),
    "cpmod": ("CPMOD", "theme", "jupiter"),
    "language": ("LANG", "locale", "en"),
    "featurelist": ("FEATURELIST", "featurelist", "default"),
}


def default_settings() -> Dict[str, str]:
    settings = {key: default for key, _, default in SETTINGS.values()}
    settings["_PACKAGE_EXTENSIONS"] = ""
    return settings


def _invalid(value: str, name: str) -> ApiError:
    # Whostmgr/Packages/Mod.pm _determine_actual_value
    return ApiError(f"Invalid value “{value}” for the “{name}” setting.")


def _normalise_value(name: str, kind: str, value: str, featurelists: Sequence[str] = FEATURELISTS) -> str:
    text = value.strip()
    if kind == "yn":
        return "n" if text.lower() in ("n", "0") else "y"
    if kind in ("mb", "count", "percent", "team"):
        if text.lower() == "unlimited" and kind != "team":
            return "unlimited"
        if not text.isdigit():
            raise _invalid(value, name)
        number = int(text)
        # DISAGREE (docs vs code): the docs say 0 means unlimited for bwlimit/quota/
        # max_emailacct_quota; cPanel's code rejects 0 (minimum 1). Follow the code.
        if kind == "mb" and number < 1:
            raise _invalid(value, name)
        if kind == "percent" and not 1 <= number <= 100:
            raise _invalid(value, name)
        if kind == "team" and number > 7:
            raise _invalid(value, name)
        return str(number)
    if kind == "theme" and text not in THEMES:
        raise _invalid(value, name)
    if kind == "locale" and text not in LOCALES:
        raise _invalid(value, name)
    if kind == "featurelist" and text not in featurelists:
        raise _invalid(value, name)
    return text


def featurelist_names(ctx: CallContext) -> List[str]:
    """Feature lists a package may name: those of the features area (create_featurelist …)."""
    from whm_emulator.api.features import featurelist_names as names

    return names(ctx)


def settings_from_args(args: Args, base: Dict[str, str], featurelists: Sequence[str] = FEATURELISTS) -> Dict[str, str]:
    """Apply addpkg/editpkg parameters to ``base``. Keys are case-insensitive.

    ``featurelists``: the existing feature lists (addpkg/editpkg pass the features area's).
    """
    settings = dict(base)
    for key, value in args.items():
        if key.startswith("_PACKAGE_EXTENSIONS"):
            settings["_PACKAGE_EXTENSIONS"] = " ".join(filter(None, [value]))
            continue
        name = key.lower()
        if name not in SETTINGS:
            continue
        stored, kind, default = SETTINGS[name]
        if value == "":
            # A blank bwlimit (and other MB limits) means unlimited for root; other blanks
            # fall back to the default.
            settings[stored] = "unlimited" if kind == "mb" else default
            continue
        settings[stored] = _normalise_value(name, kind, value, featurelists)
    return settings


def package_name(args: Args) -> Optional[str]:
    # pkgname is preferred over name (Cpanel/LinkedNode/Worker/WHM/Packages.pm).
    return args.get("pkgname") or args.get("name")


def load_package(ctx: CallContext, name: str) -> Optional[Dict[str, str]]:
    row = ctx.db.execute("SELECT settings FROM packages WHERE name = ?", (name,)).fetchone()
    if row is not None:
        return dict(json.loads(row[0]))
    if name == "default":  # the pseudo-package exists even without a file
        return default_settings()
    return None


def _save(ctx: CallContext, name: str, settings: Dict[str, str]) -> None:
    ctx.db.execute(
        "INSERT OR REPLACE INTO packages(name, settings) VALUES (?, ?)", (name, json.dumps(settings, sort_keys=True))
    )


def _require_name(args: Args) -> str:
    name = package_name(args)
    if not name:
        raise ApiError("You must specify a package name.")  # UNCONFIRMED exact text
    if not package_name_ok(name):
        raise ApiError(f"The package name “{name}” is not valid.")  # UNCONFIRMED exact text
    return name


@api_function("addpkg", write=True, acl="add-pkg")
def addpkg(ctx: CallContext, args: Args) -> Result:
    name = _require_name(args)
    exists = ctx.db.execute("SELECT 1 FROM packages WHERE name = ?", (name,)).fetchone() is not None
    if exists or name == "default":
        raise ApiError(f"The package “{name}” already exists. If you wish to make changes, please edit the package.")
    _save(ctx, name, settings_from_args(args, default_settings(), featurelist_names(ctx)))
    # The backend's "You have successfully created…" sentence is replaced by OK.
    return Result(data={"pkg": name})


@api_function("editpkg", write=True, acl="edit-pkg")
def editpkg(ctx: CallContext, args: Args) -> Result:
    name = _require_name(args)
    # UNCONFIRMED (code reading of Whostmgr/Packages/Mod.pm): editpkg does not check that the
    # package exists, so editing a missing package creates it from the defaults.
    current = load_package(ctx, name) or default_settings()
    updated = settings_from_args(args, current, featurelist_names(ctx))
    _save(ctx, name, updated)
    if updated != current:
        # WHM re-applies a changed package to its accounts in a background task; the emulator
        # does it at once so tests see a deterministic end state.
        from whm_emulator.api.accounts import apply_package

        for (user,) in ctx.db.execute("SELECT user FROM accounts WHERE plan = ?", (name,)).fetchall():
            apply_package(ctx, user, name, updated)
    return Result(data={"pkg": name})


@api_function("killpkg", write=True, acl="edit-pkg")
def killpkg(ctx: CallContext, args: Args) -> Result:
    name = args.get("pkgname") or ""
    if ctx.db.execute("SELECT 1 FROM packages WHERE name = ?", (name,)).fetchone() is None:
        raise ApiError(f"The package “{name}” does not exist.")
    if ctx.db.execute("SELECT 1 FROM accounts WHERE plan = ? AND owner = ?", (name, ctx.user)).fetchone():
        raise ApiError(f"You must move all accounts using the package “{name}” to another package before removing it.")
    ctx.db.execute("DELETE FROM packages WHERE name = ?", (name,))
    return Result()


def _all_packages(ctx: CallContext) -> List[Tuple[str, Dict[str, str]]]:
    stored = {r[0]: json.loads(r[1]) for r in ctx.db.execute("SELECT name, settings FROM packages").fetchall()}
    stored.setdefault("default", default_settings())
    return sorted(stored.items())


@api_function("listpkgs", write=False, acl="list-pkgs")
def listpkgs(ctx: CallContext, args: Args) -> Result:
    # want = creatable|editable|viewable|all|exists: root can use every package, so each
    # selection is the full list here.
    records: List[Dict[str, Any]] = []
    for name, settings in _all_packages(ctx):
        record: Dict[str, Any] = {"name": name}
        record.update(settings)  # raw strings as stored, e.g. "QUOTA": "unlimited", "CGI": "y"
        records.append(record)
    return Result(data={"pkg": records})


# Limits that getpkginfo turns into null when unlimited (Whostmgr/API/1/Packages.pm).
_NULL_WHEN_UNLIMITED = ("BWLIMIT", "MAXFTP", "MAXADDON", "MAXLST", "MAXPARK", "MAXPOP", "MAXSQL", "MAXSUB", "QUOTA")


@api_function("getpkginfo", write=False, acl="list-pkgs")
def getpkginfo(ctx: CallContext, args: Args) -> Result:
    name = args.get("pkg") or ""
    if not package_name_ok(name):
        raise ApiError(f"Invalid package {name}")
    settings = load_package(ctx, name)
    if settings is None:
        raise ApiError(f"Failed to load package “{name}”: No such file or directory")
    pkg: Dict[str, Any] = dict(settings)
    for key in _NULL_WHEN_UNLIMITED:
        value = pkg.get(key)
        pkg[key] = None if value in (None, "", "unlimited") else int(value)
    team = pkg.get("MAX_TEAM_USERS")
    pkg["MAX_TEAM_USERS"] = None if team in (None, "", "unlimited") else int(team)
    for key in ("CGI", "HASSHELL", "IP"):
        pkg[key] = 1 if pkg.get(key) == "y" else 0
    pkg["FRONTPAGE"] = 0  # FrontPage is gone; WHM always reports 0
    return Result(data={"pkg": pkg})
