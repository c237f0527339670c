# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this file is internal to the hosting.whm collection. It may change without notice
# and is not part of the collection's public API.

"""Hosting packages: read (listpkgs), normalise, diff, apply (addpkg / editpkg / killpkg)."""

from __future__ import annotations

import re
import typing as t

from ansible_collections.hosting.whm.plugins.module_utils._api import WhmApi
from ansible_collections.hosting.whm.plugins.module_utils._errors import WHMInputError
from ansible_collections.hosting.whm.plugins.module_utils._result import Result

UNLIMITED = "unlimited"

# option -> (listpkgs key, kind). Kinds: "limit" (int or unlimited, 0 allowed), "limit1" (int >= 1
# or unlimited: WHM's code rejects 0 for these although the docs call 0 unlimited,
# transfers_accounts.md §4.2 DISAGREE), "percent", "team", "bool", "str".
FIELDS: t.Dict[str, t.Tuple[str, str]] = {
    "quota": ("QUOTA", "limit1"),
    "bwlimit": ("BWLIMIT", "limit1"),
    "max_emailacct_quota": ("MAX_EMAILACCT_QUOTA", "limit1"),
    "maxftp": ("MAXFTP", "limit"),
    "maxsql": ("MAXSQL", "limit"),
    "maxpop": ("MAXPOP", "limit"),
    "maxlst": ("MAXLST", "limit"),
    "maxsub": ("MAXSUB", "limit"),
    "maxpark": ("MAXPARK", "limit"),
    "maxaddon": ("MAXADDON", "limit"),
    "max_email_per_hour": ("MAX_EMAIL_PER_HOUR", "limit"),
    "max_defer_fail_percentage": ("MAX_DEFER_FAIL_PERCENTAGE", "percent"),
    "max_team_users": ("MAX_TEAM_USERS", "team"),
    "ip": ("IP", "bool"),
    "cgi": ("CGI", "bool"),
    "hasshell": ("HASSHELL", "bool"),
    "digestauth": ("DIGESTAUTH", "bool"),
    "cpmod": ("CPMOD", "str"),
    "language": ("LANG", "str"),
    "featurelist": ("FEATURELIST", "str"),
}

# addpkg documents these two in upper case, editpkg in lower case; WHM lower-cases every key
# (transfers_accounts.md §4.2), we send each function's documented spelling.
ADDPKG_NAMES = {"max_defer_fail_percentage": "MAX_DEFER_FAIL_PERCENTAGE", "max_email_per_hour": "MAX_EMAIL_PER_HOUR"}

NAME_PATTERN = re.compile(r"^[A-Za-z0-9 ._\-\u0080-\U0010ffff]+$")
RESERVED_NAMES = ("undefined", "extensions")


def validate_package_name(name: str) -> None:
    """WHM's package-name rules (Cpanel/Validate/PackageName.pm, transfers_accounts.md §4.1)."""
    if not name or not name.strip():
        raise WHMInputError("The package name must not be empty or only white space.")
    if name in RESERVED_NAMES:
        raise WHMInputError(f'The package name "{name}" is reserved by WHM.')
    if name in (".", "..") or not NAME_PATTERN.match(name):
        raise WHMInputError(
            f'The package name "{name}" is not valid: use letters, digits, spaces, periods, underscores and hyphens.'
        )


def normalise_value(option: str, value: t.Any) -> t.Any:
    """One option's value in the shape the module returns (ints, bools, "unlimited")."""
    kind = FIELDS[option][1]
    if value is None:
        return None
    if kind == "bool":
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("y", "1", "yes", "on", "true")
    if kind == "str":
        return str(value)
    text = str(value).strip().lower()
    if kind == "team":
        return int(text) if text.isdigit() else None
    if text in (UNLIMITED, "", "null", "none"):
        return UNLIMITED
    if text.isdigit():
        return int(text)
    return text


def check_desired_value(option: str, value: t.Any) -> t.Any:
    """Validate a user's value before any write; return it normalised."""
    kind = FIELDS[option][1]
    if kind in ("bool", "str"):
        return normalise_value(option, value)
    text = str(value).strip().lower()
    if kind == "team":
        if not text.isdigit() or not 0 <= int(text) <= 7:
            raise WHMInputError(f"{option} must be a whole number from 0 to 7, not {value!r}.")
        return int(text)
    if text == UNLIMITED:
        return UNLIMITED
    if not text.isdigit():
        raise WHMInputError(f"{option} must be a whole number or 'unlimited', not {value!r}.")
    number = int(text)
    if kind == "limit1" and number < 1:
        raise WHMInputError(f"{option} must be at least 1; use 'unlimited' for no limit (WHM rejects 0).")
    if kind == "percent" and not 1 <= number <= 100:
        raise WHMInputError(f"{option} must be from 1 to 100, or 'unlimited'.")
    return number


def format_package(record: t.Mapping[str, t.Any]) -> t.Dict[str, t.Any]:
    """A listpkgs record (raw strings, transfers_accounts.md §4.4) in the module's shape."""
    package: t.Dict[str, t.Any] = {"name": record.get("name")}
    for option, (key, _kind) in FIELDS.items():
        package[option] = normalise_value(option, record.get(key))
    return package


def to_whm_value(option: str, value: t.Any) -> str:
    kind = FIELDS[option][1]
    if kind == "bool":
        return "1" if value else "0"
    return str(value)


def list_packages(api: WhmApi) -> t.Dict[str, t.Dict[str, t.Any]]:
    """Every package the caller can see, by name, in one request."""
    records = api.read("listpkgs", {"want": "all"}).records("pkg")
    return {str(record.get("name")): format_package(record) for record in records}


def desired_settings(params: t.Mapping[str, t.Any]) -> t.Dict[str, t.Any]:
    return {option: check_desired_value(option, params[option]) for option in FIELDS if params.get(option) is not None}


def ensure_package(
    api: WhmApi,
    name: str,
    state: str,
    settings: t.Mapping[str, t.Any],
    check_mode: bool,
    current: t.Optional[t.Dict[str, t.Any]] = None,
    known: bool = False,
) -> Result:
    """Converge one package. ``current``/``known`` let the plural path pass a pre-read listing."""
    validate_package_name(name)
    if not known:
        current = list_packages(api).get(name)
    before: t.Dict[str, t.Any] = dict(current) if current else {}

    if state == "absent":
        if not current:
            return Result(changed=False, diff={"before": {}, "after": {}}, values={"package": {}})
        if not check_mode:
            api.write("killpkg", {"pkgname": name})
        return Result(changed=True, diff={"before": before, "after": {}}, values={"package": {}})

    if not current:
        after = {"name": name, **settings}
        if not check_mode:
            params = {"name": name}
            params.update({ADDPKG_NAMES.get(k, k): to_whm_value(k, v) for k, v in settings.items()})
            api.write("addpkg", params)
        return Result(changed=True, diff={"before": {}, "after": after}, values={"package": after})

    to_change = {option: value for option, value in settings.items() if current.get(option) != value}
    after = dict(current)
    after.update(to_change)
    if to_change and not check_mode:
        params = {"name": name}
        params.update({option: to_whm_value(option, value) for option, value in to_change.items()})
        api.write("editpkg", params)
    return Result(changed=bool(to_change), diff={"before": before, "after": after}, values={"package": after})


PACKAGE_KEYS = frozenset(FIELDS) | {"name", "state"}


def converge_packages(api: WhmApi, packages: t.Sequence[t.Mapping[str, t.Any]], check_mode: bool) -> Result:
    """Converge a list of packages with one listing read; validate every element before any write."""
    plans: t.List[t.Tuple[str, str, t.Dict[str, t.Any]]] = []
    seen: t.Set[str] = set()
    for index, element in enumerate(packages):
        unknown = sorted(set(element) - PACKAGE_KEYS)
        if unknown:
            raise WHMInputError(f"packages[{index}]: unsupported option(s) {', '.join(unknown)}.")
        name = element.get("name")
        if not isinstance(name, str):
            raise WHMInputError(f"packages[{index}]: name is required.")
        validate_package_name(name)
        if name in seen:
            raise WHMInputError(f'packages[{index}]: package "{name}" is listed twice.')
        seen.add(name)
        state = element.get("state") or "present"
        if state not in ("present", "absent"):
            raise WHMInputError(f"packages[{index}]: state must be present or absent, not {state!r}.")
        settings = desired_settings(element) if state == "present" else {}
        plans.append((name, state, settings))

    current = list_packages(api)
    results: t.List[t.Dict[str, t.Any]] = []
    before: t.Dict[str, t.Any] = {}
    after: t.Dict[str, t.Any] = {}
    for name, state, settings in plans:
        one = ensure_package(api, name, state, settings, check_mode, current=current.get(name), known=True)
        results.append({"name": name, "changed": one.changed, "package": one.values["package"]})
        if one.changed and one.diff is not None:
            before[name] = one.diff["before"]
            after[name] = one.diff["after"]
    changed = any(item["changed"] for item in results)
    return Result(changed=changed, diff={"before": before, "after": after}, values={"packages": results})
