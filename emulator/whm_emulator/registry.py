"""The table of emulated WHM API 1 functions.

Each API area module (``whm_emulator.api.accounts`` …) registers its functions with
:func:`api_function`. The HTTP layer only talks to this registry, so adding an area (DNS, SSL,
Transfers) means adding one module to ``whm_emulator.api`` and nothing else.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

from whm_emulator.args import Args

if TYPE_CHECKING:  # pragma: no cover
    from whm_emulator.server import Emulator


@dataclass
class Result:
    """What a function produced. Turned into WHM's envelope by :mod:`whm_emulator.envelope`."""

    data: Optional[Dict[str, Any]] = None
    result: int = 1
    reason: str = "OK"
    raw: Optional[str] = None
    messages: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    # metadata.payload_name: which key of ``data`` holds the records for api.filter & co.
    payload_name: Optional[str] = None


@dataclass
class CallContext:
    """Everything a function may use: the open database transaction and the server."""

    db: sqlite3.Connection
    emulator: Emulator
    user: str = "root"
    # ACLs of the authenticating token; None = full access (password or unrestricted token).
    acls: Optional[List[str]] = None


Handler = Callable[[CallContext, Args], Result]


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    handler: Handler
    write: bool
    # The WHM ACL a restricted token needs for this function. WHM's real API-1 ACL table is
    # compiled into whostmgr/bin/xml-api and unreadable; these mappings come from the ACL
    # names of Whostmgr/ACLS/Data.pm and the legacy API-0 gates (Whostmgr/XMLUI/Meta.pm).
    acl: Optional[str]


REGISTRY: Dict[str, FunctionSpec] = {}


def api_function(name: str, *, write: bool, acl: Optional[str] = None) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the WHM API 1 function ``name``."""

    def decorate(handler: Handler) -> Handler:
        if name in REGISTRY:
            raise RuntimeError(f"WHM function {name} registered twice")
        REGISTRY[name] = FunctionSpec(name=name, handler=handler, write=write, acl=acl)
        return handler

    return decorate


def lookup(name: str) -> Optional[FunctionSpec]:
    _load_areas()
    return REGISTRY.get(name)


def _load_areas() -> None:
    # Importing the package imports every area module, which fills REGISTRY.
    import whm_emulator.api  # noqa: F401
