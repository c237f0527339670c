"""Request arguments as WHM sees them.

WHM merges the query string and a form-encoded body into one argument set. A parameter can be
repeated either as the same key several times or as ``key``, ``key-0``, ``key-1`` …; values are
ordered with the un-suffixed key first, then by numeric suffix (cPanel Cpanel/Form/Param.pm,
used by Whostmgr/API/1/Utils.pm ``get_arguments``). Keys starting with ``api.`` are protocol
options, removed before the function runs (Whostmgr/API/1/Data/Args.pm ``extract_api_args``).
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Tuple

from whm_emulator.errors import empty_parameter, missing_parameter

_SUFFIX = re.compile(r"^(?P<base>.+)-(?P<n>\d+)$")


class Args:
    """An ordered multi-map of the function's arguments (``api.*`` kept apart)."""

    def __init__(self, pairs: Iterable[Tuple[str, str]]) -> None:
        self._pairs: List[Tuple[str, str]] = []
        self.api: Dict[str, str] = {}
        for key, value in pairs:
            if key.startswith("api."):
                self.api[key] = value
            else:
                self._pairs.append((key, value))

    # -- single values -------------------------------------------------------------------
    def has(self, name: str) -> bool:
        return any(k == name for k, _ in self._pairs)

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """First value given for exactly ``name`` (WHM reads the first of repeated scalars)."""
        for key, value in self._pairs:
            if key == name:
                return value
        return default

    def required(self, name: str) -> str:
        """Like Whostmgr::API::1::Utils::get_length_required_argument: absent or empty dies."""
        value = self.get(name)
        if value is None:
            raise missing_parameter(name)
        if value == "":
            raise empty_parameter(name)
        return value

    # -- multi values --------------------------------------------------------------------
    def getlist(self, name: str) -> List[str]:
        """All values of ``name``, ``name-0``, ``name-1``…: un-suffixed first, then by suffix."""
        plain: List[str] = []
        numbered: List[Tuple[int, int, str]] = []
        for index, (key, value) in enumerate(self._pairs):
            if key == name:
                plain.append(value)
                continue
            match = _SUFFIX.match(key)
            if match and match.group("base") == name:
                numbered.append((int(match.group("n")), index, value))
        return plain + [value for _, _, value in sorted(numbered)]

    def has_any(self, name: str) -> bool:
        return bool(self.getlist(name)) or self.has(name)

    # -- introspection -------------------------------------------------------------------
    def names(self) -> List[str]:
        seen: List[str] = []
        for key, _ in self._pairs:
            if key not in seen:
                seen.append(key)
        return seen

    def items(self) -> List[Tuple[str, str]]:
        return list(self._pairs)

    def as_dict(self) -> Dict[str, str]:
        """First value per key."""
        out: Dict[str, str] = {}
        for key, value in self._pairs:
            out.setdefault(key, value)
        return out

    def all_names(self) -> List[str]:
        """Every parameter name including ``api.*`` ones (for the request log)."""
        return sorted(set(self.names()) | set(self.api))
