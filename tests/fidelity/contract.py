"""WHM API 1 contract lookups for tests (no Ansible imports, standard library only).

``load_contract()`` returns ``{function: {"params": {...}, "response": {...}, ...}}`` from
``whm_api_contract.json`` (names and types extracted from cPanel's OpenAPI descriptions) merged
with ``extra_functions.yml`` (implementation-documented additions).
``undocumented(function, param_names)`` lists the names a recorded request used that neither
source knows. Protocol parameters are not function parameters: every ``api.*`` key, and
``command``/``command-N`` of ``batch``. ``key-N`` is the multi-value form of ``key``.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
from pathlib import Path
from typing import Any, Dict, Iterable, List

HERE = Path(__file__).resolve().parent
_SUFFIX = re.compile(r"^(?P<base>.+)-\d+$")
# Functions whose parameter names WHM lower-cases before use (Whostmgr/Packages/Mod.pm).
_CASE_INSENSITIVE = {"addpkg", "editpkg"}


def _load_extras(path: Path) -> Dict[str, List[str]]:
    extras: Dict[str, List[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].rstrip()
        if not text.strip():
            continue
        if not text.startswith(" ") and text.endswith(":"):
            current = text[:-1].strip()
            extras.setdefault(current, [])
        elif text.strip().startswith("- ") and current:
            extras[current].append(text.strip()[2:].strip())
    return extras


@functools.lru_cache(maxsize=1)
def load_contract() -> Dict[str, Dict[str, Any]]:
    data = json.loads((HERE / "whm_api_contract.json").read_text(encoding="utf-8"))
    functions: Dict[str, Dict[str, Any]] = {name: dict(entry) for name, entry in data["functions"].items()}
    for name, params in _load_extras(HERE / "extra_functions.yml").items():
        entry = functions.setdefault(name, {"params": {}, "response": {}, "source": "extra_functions.yml"})
        entry["params"] = dict(entry.get("params") or {})
        for param in params:
            entry["params"].setdefault(param, {"required": False, "schema": {}, "extra": True})
    return functions


def is_known_function(function: str) -> bool:
    return function in load_contract()


def undocumented(function: str, param_names: Iterable[str]) -> List[str]:
    """Parameter names used with ``function`` that the contract does not document.

    An unknown function makes every (non-protocol) parameter undocumented; check
    :func:`is_known_function` to report the function itself.
    """
    entry = load_contract().get(function) or {"params": {}}
    known = list(entry.get("params") or {})
    fold = function in _CASE_INSENSITIVE
    if fold:
        known = [k.lower() for k in known]

    def documented(name: str) -> bool:
        candidate = name.lower() if fold else name
        return candidate in known or any("*" in k and fnmatch.fnmatchcase(candidate, k) for k in known)

    missing = []
    for name in param_names:
        if name.startswith("api.") or name == "api":
            continue
        if function == "batch" and (name == "command" or _SUFFIX.sub(r"\g<base>", name) == "command"):
            continue
        if documented(name):
            continue
        match = _SUFFIX.match(name)
        if match and documented(match.group("base")):
            continue
        missing.append(name)
    return sorted(set(missing))
