# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this file is internal to the hosting.whm collection. It may change without notice
# and is not part of the collection's public API.

"""Typed errors raised by the WHM client and the resource files.

``run_module()`` is the one place that turns them into ``fail_json``; nothing else catches
them except to read back state after an ambiguous write.
"""

from __future__ import annotations

import typing as t


class WHMError(Exception):
    """Base class of every error this collection raises on purpose."""

    def __init__(self, message: str, **details: t.Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class WHMInputError(WHMError):
    """The user's input breaks a WHM rule; raised before any write is made."""


class WHMTransportError(WHMError):
    """The request could not be completed: connection, TLS, HTTP status or a non-JSON answer."""

    def __init__(self, message: str, status: int | None = None, **details: t.Any) -> None:
        super().__init__(message, status=status, **details)
        self.status = status


class WHMAuthenticationError(WHMTransportError):
    """WHM refused the credentials (a non-2xx answer without a WHM envelope)."""


class WHMWriteOutcomeUnknown(WHMTransportError):
    """A write reached the server but no answer came back (timeout or dropped connection).

    WHM may have applied it (createacct keeps running after the client gives up), so the
    caller must read the state back before deciding; the write is never blindly retried.
    """


class WHMAPIError(WHMError):
    """WHM answered, but ``metadata.result`` was 0: the function itself failed."""

    def __init__(self, message: str, function: str, reason: str, **details: t.Any) -> None:
        super().__init__(message, function=function, reason=reason, **details)
        self.function = function
        self.reason = reason


class WHMNotFoundError(WHMError):
    """The object the task needs does not exist (exact wording per resource, for tests)."""
