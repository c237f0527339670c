"""Feature lists (which cPanel features an account's package allows).

Functions: get_featurelists, get_featurelist_data, read_featurelist, create_featurelist,
update_featurelist, delete_featurelist (cPanel Whostmgr/API/1/FeatureLists.pm, 11.120) and
verify_user_has_feature (Whostmgr/API/1/Accounts.pm).

Model: a feature list maps feature ids to 1/0. A feature a list does not mention takes the
value of the ``default`` list, and a feature ``default`` does not mention is enabled. The
``disabled`` list switches features off for every account (``is_disabled``). ``default``,
``disabled`` and ``Mail Only`` always exist and cannot be deleted.

An account's features come from the FEATURELIST of its cpuser file (set from the package),
then a per-account ``FEATURE-<ID>`` cpuser override wins (see :func:`feature_enabled`).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from whm_emulator.api.common import load_account, require_account, truthy
from whm_emulator.args import Args
from whm_emulator.errors import ApiError
from whm_emulator.registry import CallContext, Result, api_function
from whm_emulator.store import register_schema

register_schema(
    """
CREATE TABLE IF NOT EXISTS featurelists (name TEXT PRIMARY KEY, features TEXT NOT NULL);
""",
    ["featurelists"],
)

# A subset of cPanel's feature ids with their display names (Cpanel::Features metadata).
FEATURES: Dict[str, str] = {
    "addondomains": "Addon Domain Manager",
    "autoresponders": "Autoresponders",
    "autossl": "AutoSSL",
    "backup": "Backup Manager",
    "bandwidth": "Bandwidth Stats",
    "changemx": "Change MX",
    "cron": "Cron Jobs",
    "emailauth": "Email Deliverability",
    "filemanager": "File Manager",
    "forwarders": "Forwarder Manager",
    "ftpaccts": "FTP Account Manager",
    "lists": "Mailing List Manager",
    "mysql": "MySQL® Databases",
    "parkeddomains": "Parked Domain Manager",
    "phpmyadmin": "phpMyAdmin",
    "popaccts": "Email Account Manager",
    "simplezoneedit": "Simple Zone Editor",
    "spamassassin": "Apache SpamAssassin™",
    "sslinstall": "SSL Host Installer",
    "sslmanager": "SSL Manager",
    "subdomains": "Subdomain Manager",
    "webmail": "Webmail",
    "zoneedit": "Advanced Zone Editor",
}

MAIL_FEATURES = (
    "autoresponders",
    "autossl",
    "changemx",
    "emailauth",
    "forwarders",
    "lists",
    "popaccts",
    "spamassassin",
    "webmail",
)

BUILTIN: Dict[str, Dict[str, int]] = {
    "default": {feature: 1 for feature in FEATURES},
    "disabled": {},
    "Mail Only": {feature: (1 if feature in MAIL_FEATURES else 0) for feature in FEATURES},
}


# ---------------------------------------------------------------------------------------
# Python helpers (used by the AutoSSL area and by transfers)
# ---------------------------------------------------------------------------------------


def load_featurelist(ctx: CallContext, name: str) -> Optional[Dict[str, int]]:
    """The stored values of a feature list, or None when it does not exist."""
    row = ctx.db.execute("SELECT features FROM featurelists WHERE name = ?", (name,)).fetchone()
    if row is not None:
        return {k: int(v) for k, v in json.loads(row[0]).items()}
    if name in BUILTIN:
        return dict(BUILTIN[name])
    return None


def featurelist_names(ctx: CallContext) -> List[str]:
    names = set(BUILTIN) | {r[0] for r in ctx.db.execute("SELECT name FROM featurelists").fetchall()}
    return sorted(names, key=lambda n: (n.casefold(), n))


def _save(ctx: CallContext, name: str, features: Dict[str, int]) -> None:
    ctx.db.execute(
        "INSERT OR REPLACE INTO featurelists(name, features) VALUES (?, ?)",
        (name, json.dumps(features, sort_keys=True)),
    )


def list_value(ctx: CallContext, name: str, feature: str) -> int:
    """The value a list gives ``feature``: its own entry, else the default list's, else on."""
    values = load_featurelist(ctx, name) or {}
    if feature in values:
        return values[feature]
    default = load_featurelist(ctx, "default") or {}
    return default.get(feature, 1)


def globally_disabled(ctx: CallContext, feature: str) -> bool:
    return (load_featurelist(ctx, "disabled") or {}).get(feature, 1) == 0


def account_featurelist(ctx: CallContext, account: Dict[str, Any]) -> str:
    cpuser = account.get("cpuser") or {}
    name = cpuser.get("FEATURELIST")
    if not name:
        from whm_emulator.api.packages import load_package

        package = load_package(ctx, account.get("plan") or "default") or {}
        name = package.get("FEATURELIST") or "default"
    return str(name)


def feature_enabled(ctx: CallContext, user: str, feature: str) -> bool:
    """Cpanel::Features::Check::check_feature_for_user: does ``user`` have ``feature``?"""
    account = load_account(ctx, user)
    if account is None:
        return False
    if globally_disabled(ctx, feature):
        return False
    override = account["cpuser"].get(f"FEATURE-{feature.upper()}")
    if override is not None and override != "":
        return truthy(override)
    return list_value(ctx, account_featurelist(ctx, account), feature) == 1


def export_featurelist(ctx: CallContext, name: str) -> Optional[Dict[str, Any]]:
    """JSON-able copy of a feature list for a transfer (FeatureListRemoteRoot)."""
    values = load_featurelist(ctx, name)
    if values is None:
        return None
    return {"name": name, "features": dict(values)}


def import_featurelist(ctx: CallContext, data: Dict[str, Any], overwrite: bool = False) -> bool:
    """Recreate an exported feature list; returns False when it exists and overwrite is off."""
    name = str(data["name"])
    if not overwrite and load_featurelist(ctx, name) is not None:
        return False
    features = {str(k): 1 if truthy(str(v)) else 0 for k, v in dict(data.get("features") or {}).items()}
    _save(ctx, name, features)
    return True


def restore_featurelist(ctx: CallContext, name: str, data: Any) -> Dict[str, Any]:
    """A FeatureListRemoteRoot restore item: ``data`` is what :func:`export_featurelist` gave.

    Returns the transfer outcome shape {"warnings", "skipped", "log"}. An existing list is kept
    (WHM's restore of a feature list does not overwrite a local one).
    """
    if not isinstance(data, dict) or "features" not in data:
        return {"warnings": [f"The feature list “{name}” could not be read from the remote server."], "skipped": []}
    if not import_featurelist(ctx, {"name": name, "features": data["features"]}):
        return {"warnings": [], "skipped": [f"The feature list “{name}” already exists on this server."]}
    return {"warnings": [], "skipped": [], "log": [f"Created the feature list “{name}”."]}


# ---------------------------------------------------------------------------------------
# API functions
# ---------------------------------------------------------------------------------------


def _name(args: Args) -> str:
    name = args.get("featurelist") or ""
    if not name:
        raise ApiError("No featurelist name specified.")
    return name


def _feature_args(args: Args) -> Dict[str, str]:
    skip = {"featurelist", "overwrite"}
    return {k: v for k, v in args.as_dict().items() if k not in skip}


def _valid_name(name: str) -> None:
    # UNCONFIRMED text: Cpanel::Features refuses names that cannot be file names.
    if "/" in name or name.startswith(".") or "\0" in name:
        raise ApiError(f"Invalid featurelist name provided: “{name}”.")


@api_function("get_featurelists", write=False, acl="list-pkgs")
def get_featurelists(ctx: CallContext, args: Args) -> Result:
    return Result(data={"featurelists": featurelist_names(ctx)})


@api_function("get_featurelist_data", write=False, acl="list-pkgs")
def get_featurelist_data(ctx: CallContext, args: Args) -> Result:
    name = _name(args)
    if load_featurelist(ctx, name) is None:
        raise ApiError(f'Specified featurelist does not exist: "{name}"')
    features = []
    for feature in sorted(FEATURES):
        features.append(
            {
                "id": feature,
                "name": FEATURES[feature],
                "value": list_value(ctx, name, feature),
                "is_disabled": 1 if globally_disabled(ctx, feature) else 0,
                "dependencies": [],
            }
        )
    return Result(data={"featurelist": name, "features": features})


@api_function("read_featurelist", write=False, acl="list-pkgs")
def read_featurelist(ctx: CallContext, args: Args) -> Result:
    name = _name(args)
    values = load_featurelist(ctx, name)
    if values is None or (not values and name != "disabled"):
        raise ApiError(f'Specified featurelist does not exist: "{name}"')
    return Result(data={"featurelist": name, "features": {f: list_value(ctx, name, f) for f in sorted(FEATURES)}})


@api_function("create_featurelist", write=True, acl="add-pkg")
def create_featurelist(ctx: CallContext, args: Args) -> Result:
    name = _name(args)
    _valid_name(name)
    if not truthy(args.get("overwrite")) and load_featurelist(ctx, name) is not None:
        raise ApiError(f'Featurelist by that name already exists: "{name}"')
    # Features not given are saved disabled (FeatureLists.pm POD of create_featurelist).
    given = _feature_args(args)
    features = {feature: (1 if truthy(given.get(feature)) else 0) for feature in FEATURES}
    _save(ctx, name, features)
    return Result(data={"featurelist": name})


@api_function("update_featurelist", write=True, acl="add-pkg")
def update_featurelist(ctx: CallContext, args: Args) -> Result:
    name = _name(args)
    _valid_name(name)
    # A missing list is created with just the given features (POD of update_featurelist).
    current = load_featurelist(ctx, name) or {}
    updated: Dict[str, int] = {}
    invalid: List[str] = []
    for key, value in _feature_args(args).items():
        if key not in FEATURES:
            invalid.append(key)
            continue
        updated[key] = 1 if truthy(value) else 0
    current.update(updated)
    _save(ctx, name, current)
    return Result(data={"featurelist": name, "updated_features": updated, "invalid_features": sorted(invalid)})


@api_function("delete_featurelist", write=True, acl="add-pkg")
def delete_featurelist(ctx: CallContext, args: Args) -> Result:
    name = _name(args)
    if name in BUILTIN:
        # UNCONFIRMED text: WHM keeps its stock lists.
        raise ApiError(f"You cannot delete the “{name}” feature list.")
    if ctx.db.execute("SELECT 1 FROM featurelists WHERE name = ?", (name,)).fetchone() is None:
        raise ApiError(f'Specified featurelist does not exist: "{name}"')
    ctx.db.execute("DELETE FROM featurelists WHERE name = ?", (name,))
    return Result(data={"deleted_featurelist": name})


@api_function("verify_user_has_feature", write=False, acl="list-accts")
def verify_user_has_feature(ctx: CallContext, args: Args) -> Result:
    """Whostmgr/API/1/Accounts.pm verify_user_has_feature (documented in the WHM Packages API)."""
    # Both arguments are length-required, user first; then the account access check
    # (transfers_accounts.md 3.4: unknown user -> "You do not have a user named ...").
    user = args.required("user")
    feature = args.required("feature")
    require_account(ctx, user)
    # Cpanel::Features::Check::check_feature_for_user. A feature no list knows counts as
    # enabled (docs: has_feature is 1 for features outside the feature lists).
    has_feature = 1 if feature_enabled(ctx, user, feature) else 0
    return Result(data={"has_feature": has_feature, "query_feature": feature})
