"""Every implemented function's successful response validates against cPanel's 200 schema.

The schemas come from tests/fidelity/whm_api_contract.json (names and types only). Where
cPanel's implementation is documented to differ from its description, the emulator follows the
implementation and the difference is listed in KNOWN_DIFFERENCES with its source; any other
mismatch fails.
"""

from __future__ import annotations

import copy
import json
import time
import urllib.parse
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from conftest import Whm

jsonschema = pytest.importorskip("jsonschema")

CONTRACT = json.loads(
    (Path(__file__).resolve().parents[2] / "tests" / "fidelity" / "whm_api_contract.json").read_text()
)["functions"]

# (function, data path with list indices as "*") → where the real behaviour is documented.
KNOWN_DIFFERENCES: Dict[Tuple[str, str], str] = {
    # listaccts/accountsummary: limits are the raw cpuser strings, disklimit is "<n>M".
    **{
        (fn, f"data.acct.*.{field}"): "whm-api transfers_accounts.md §3.7 (Whostmgr/Accounts/List.pm)"
        for fn in ("listaccts", "accountsummary")
        for field in (
            "disklimit",
            "maxaddons",
            "maxftp",
            "maxlst",
            "maxparked",
            "maxpop",
            "maxsql",
            "maxsub",
            "max_emailacct_quota",
            "max_email_per_hour",
            "max_defer_fail_percentage",
            "min_defer_fail_to_trigger_protection",
        )
    },
    # suspendtime is 0 when not suspended in the code; docs say null (string when set).
    ("accountsummary", "data.acct.*.suspendtime"): "whm-api transfers_accounts.md §3.7 DISAGREE",
    # listpkgs: raw stored strings, not integers (§4.4).
    **{
        ("listpkgs", f"data.pkg.*.{key}"): "whm-api transfers_accounts.md §4.4 (Whostmgr/Packages.pm _listpkgs)"
        for key in (
            "BWLIMIT",
            "QUOTA",
            "MAXFTP",
            "MAXSQL",
            "MAXPOP",
            "MAXLST",
            "MAXSUB",
            "MAXPARK",
            "MAXADDON",
            "MAX_EMAIL_PER_HOUR",
            "MAX_DEFER_FAIL_PERCENTAGE",
            "MAX_EMAILACCT_QUOTA",
            "MAX_TEAM_USERS",
        )
    },
    # getpkginfo only normalises the listed keys; the others stay raw strings (§4.4).
    **{
        ("getpkginfo", f"data.pkg.{key}"): "whm-api transfers_accounts.md §4.4 (Whostmgr/API/1/Packages.pm)"
        for key in ("MAX_EMAIL_PER_HOUR", "MAX_DEFER_FAIL_PERCENTAGE", "MAX_EMAILACCT_QUOTA")
    },
}


def _openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI-isms → JSON Schema 2020-12.

    * ``nullable: true`` → a type union with null.
    * ``oneOf`` → ``anyOf``: cPanel's descriptions use oneOf for "one of these shapes" with
      overlapping alternatives (e.g. ``{}`` or ``string|null`` next to an enum), which strict
      JSON Schema would reject for every value matching two branches.
    """
    if isinstance(node, list):
        return [_openapi_to_jsonschema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {("anyOf" if k == "oneOf" else k): _openapi_to_jsonschema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            out["type"] = [*kind, "null"]
        elif "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


def _path(error: Any) -> str:
    return ".".join("*" if isinstance(p, int) else str(p) for p in error.absolute_path)


def _errors(function: str, envelope: Dict[str, Any]) -> List[str]:
    schema = _openapi_to_jsonschema(copy.deepcopy(CONTRACT[function]["response"]))
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in validator.iter_errors(envelope):
        # oneOf/anyOf errors point at the container; report the deepest path of their causes.
        path = _path(error)
        if (function, path) in KNOWN_DIFFERENCES:
            continue
        problems.append(f"{function} {path}: {error.message[:200]}")
    return problems


def _cmd(fn: str, **params: str) -> str:
    return fn + "?" + urllib.parse.urlencode(params)


SCENARIOS: List[Tuple[str, Any]] = [
    ("createacct", {"username": "carol", "domain": "carol.example.com", "plan": "gold"}),
    ("listaccts", {}),
    ("accountsummary", {"user": "alice"}),
    ("modifyacct", {"user": "alice", "MAXFTP": "7", "contactemail": "a@example.org"}),
    ("suspendacct", {"user": "bob", "reason": "billing"}),
    ("listsuspended", {}),
    ("unsuspendacct", {"user": "bob"}),
    ("passwd", {"user": "alice", "password": "An0ther-Secret"}),
    ("changepackage", {"user": "alice", "pkg": "gold"}),
    ("editquota", {"user": "alice", "quota": "500"}),
    ("limitbw", {"user": "alice", "bwlimit": "2048"}),
    ("showbw", {"searchtype": "user", "search": "^alice$"}),
    ("verify_new_username", {"user": "newname"}),
    ("domainuserdata", {"domain": "alice.example.com"}),
    ("getdomainowner", {"domain": "alice.example.com"}),
    ("get_domain_info", {}),
    ("addpkg", {"name": "silver", "quota": "100", "bwlimit": "1000", "maxftp": "5"}),
    ("editpkg", {"name": "silver", "quota": "200"}),
    ("listpkgs", {}),
    ("getpkginfo", {"pkg": "gold"}),
    ("api_token_create", [("token_name", "ci"), ("acl", "list-accts"), ("whitelist_ip", "192.0.2.0/24")]),
    ("api_token_list", {}),
    ("api_token_update", {"token_name": "ci", "new_name": "ci2", "expires_at": str(int(time.time()) + 3600)}),
    ("api_token_get_details", "TOKEN"),
    ("api_token_revoke", {"token_name": "ci2"}),
    ("version", {}),
    ("gethostname", {}),
    ("batch", [("command", _cmd("version")), ("command", _cmd("accountsummary", user="alice"))]),
    ("removeacct", {"username": "bob"}),
    ("killpkg", {"pkgname": "silver"}),
]


def test_scenarios_cover_every_implemented_documented_function() -> None:
    from whm_emulator.registry import REGISTRY, lookup

    lookup("version")  # load every area
    implemented = {name for name in REGISTRY if name in CONTRACT}
    covered = {fn for fn, _ in SCENARIOS}
    # Areas keep their scenarios in test_schemas_<area>.py (COVERED, else their SCENARIOS).
    import importlib

    for path in sorted(Path(__file__).parent.glob("test_schemas_*.py")):
        module = importlib.import_module(path.stem)
        covered |= set(getattr(module, "COVERED", {fn for fn, _ in getattr(module, "SCENARIOS", [])}))
    assert sorted(implemented - covered) == []
    assert sorted((covered & set(CONTRACT)) - implemented) == []


def test_responses_match_cpanel_schemas(whm: Whm) -> None:
    whm.ok("addpkg", {"name": "gold", "quota": "1024", "bwlimit": "unlimited", "maxftp": "10", "hasshell": "1"})
    whm.create("alice", contactemail="alice@example.net")
    whm.create("bob")
    secret = None
    problems: List[str] = []
    for function, params in SCENARIOS:
        if params == "TOKEN":
            params = {"token": secret}
        envelope = whm.ok(function, params)
        if function == "api_token_create":
            secret = envelope["data"]["token"]
        problems += _errors(function, envelope)
    assert problems == []


def test_known_differences_are_real(whm: Whm) -> None:
    """Each listed exception must still be needed (otherwise remove it from the table)."""
    whm.ok("addpkg", {"name": "gold", "quota": "1024", "maxftp": "10", "max_email_per_hour": "300"})
    whm.create("alice", plan="gold")
    whm.ok("suspendacct", {"user": "alice"})
    seen = set()
    for function, params in (
        ("listaccts", {}),
        ("accountsummary", {"user": "alice"}),
        ("listpkgs", {}),
        ("getpkginfo", {"pkg": "gold"}),
    ):
        envelope = whm.ok(function, params)
        schema = _openapi_to_jsonschema(copy.deepcopy(CONTRACT[function]["response"]))
        for error in jsonschema.Draft202012Validator(schema).iter_errors(envelope):
            seen.add((function, _path(error)))
    # Limits that are "unlimited" in this scenario satisfy the schema; the numeric ones (raw
    # strings such as "10" or "1024M") must show up as the documented differences.
    for key in (
        ("listaccts", "data.acct.*.disklimit"),
        ("listaccts", "data.acct.*.maxftp"),
        ("accountsummary", "data.acct.*.disklimit"),
        ("listpkgs", "data.pkg.*.QUOTA"),
        ("listpkgs", "data.pkg.*.MAXFTP"),
        ("getpkginfo", "data.pkg.MAX_EMAIL_PER_HOUR"),
    ):
        assert key in seen, key
