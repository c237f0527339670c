"""Failure types a WHM API 1 function can raise.

WHM has two failure flavours (cPanel Whostmgr/API/1/Data/Wrapper.pm): a function sets
``result 0`` with its own sentence as ``reason`` (:class:`ApiError`), or it dies and the wrapper
reports ``API failure: <text>`` where ``<text>`` is ``(XID <id>) <message>`` for
Cpanel::Exception objects (:class:`ApiFailure`).
"""

from __future__ import annotations

import secrets
import string
from typing import Any, Dict, Optional

_XID_ALPHABET = string.ascii_lowercase + string.digits


def new_xid() -> str:
    """A random exception id like cPanel's (Cpanel/Exception/CORE.pm uses 6 lowercase chars + digits)."""
    return "".join(secrets.choice(_XID_ALPHABET) for _ in range(6))


class ApiError(Exception):
    """A handled failure: HTTP 200, ``metadata.result`` 0, ``reason`` = the exact WHM sentence."""

    def __init__(
        self,
        reason: str,
        data: Optional[Dict[str, Any]] = None,
        raw: Optional[str] = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.data = data
        self.raw = raw


class ApiFailure(ApiError):
    """An uncaught die inside the function.

    ``xid=True`` models a Cpanel::Exception (``API failure: (XID abc123) text``); ``xid=False``
    a plain Perl ``die "text\\n"`` (``API failure: text``).
    """

    def __init__(self, message: str, xid: bool = True) -> None:
        text = f"(XID {new_xid()}) {message}" if xid else message
        super().__init__(f"API failure: {text}")
        self.message = message


def missing_parameter(name: str) -> ApiFailure:
    # Cpanel/Exception/MissingParameter.pm
    return ApiFailure(f"Provide the “{name}” parameter.")


def empty_parameter(name: str) -> ApiFailure:
    # Cpanel/Exception/Empty.pm
    return ApiFailure(f"The value of “{name}” may not be empty.")


def user_not_found(user: str) -> ApiFailure:
    # Whostmgr/Authz.pm verify_account_access as root -> Cpanel/Exception/UserNotFound.pm
    return ApiFailure(f"You do not have a user named “{user}”.")


class UnknownFunction(Exception):
    """The requested function is not implemented by this (emulated) server."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name
