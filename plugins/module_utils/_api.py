# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this file is internal to the hosting.whm collection. It may change without notice
# and is not part of the collection's public API.

"""The WHM API 1 client: parameters, the envelope check, batch, chunked listing, read-back.

Resource files talk to WHM only through :class:`WhmApi`.
"""

from __future__ import annotations

import time
import typing as t
from dataclasses import dataclass, field
from urllib.parse import urlencode

from ansible_collections.hosting.whm.plugins.module_utils._errors import (
    WHMAPIError,
    WHMTransportError,
    WHMWriteOutcomeUnknown,
)
from ansible_collections.hosting.whm.plugins.module_utils._transport import Params, Transport, scrub

ParamValue = t.Union[str, int, float, bool, None, t.Sequence[t.Union[str, int]]]
ParamsIn = t.Union[t.Mapping[str, ParamValue], t.Sequence[t.Tuple[str, ParamValue]], None]

DEFAULT_TIMEOUT = 60.0
# Account creation and removal run scripts that take minutes on a busy server
# (transfers_accounts.md §5); never give them less than this.
SLOW_FUNCTIONS = {
    "createacct": 300.0,
    "removeacct": 300.0,
    "restoreaccount": 300.0,
    "create_remote_root_transfer_session": 300.0,
    "create_remote_user_transfer_session": 300.0,
}
# Functions that only read. Used to refuse anything else in check mode (whmapi module) and
# to decide which calls may be retried.
READ_ONLY_PREFIXES = (
    "list",
    "get",
    "fetch",
    "retrieve_",
    "verify_",
    "validate_",
    "dump",
    "parse_",
    "show",
    "restore_queue_list_",
)
READ_ONLY_FUNCTIONS = frozenset(
    (
        "accountsummary",
        "api_token_get_details",
        "api_token_list",
        "available_transfer_modules",
        "domainuserdata",
        "getdomainowner",
        "getpkginfo",
        "gethostname",
        "get_domain_info",
        "listaccts",
        "listcrts",
        "listpkgs",
        "listsuspended",
        "listzones",
        "myprivs",
        "remote_basic_credential_check",
        "restore_modules_summary",
        "restore_queue_is_active",
        "restore_queue_state",
        "transfer_module_schema",
        "version",
    )
)


def is_read_only(function: str) -> bool:
    """Whether ``function`` only reads (conservative: anything unknown counts as a write)."""
    if function in READ_ONLY_FUNCTIONS:
        return True
    return function.startswith(READ_ONLY_PREFIXES)


def encode_params(params: ParamsIn) -> Params:
    """Turn Python values into WHM's form pairs.

    Booleans are ``1``/``0`` (WHM does not accept ``true``/``false``, transfers_accounts.md §1.1);
    ``None`` is left out; a list becomes ``key-0``, ``key-1``... which every function reads,
    including those that scan for their own ``acl-N``/``token_name-N`` keys (dns_ssl_tokens.md §1.3).
    """
    items = params.items() if isinstance(params, t.Mapping) else (params or ())
    pairs: Params = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend((f"{key}-{index}", _scalar(item)) for index, item in enumerate(value))
        else:
            pairs.append((key, _scalar(value)))
    return pairs


def _scalar(value: t.Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _as_list(value: t.Any) -> t.List[str]:
    # messages/warnings come as a list or as one newline-joined string (transfers_accounts.md §1.4).
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [line for line in value.splitlines() if line.strip()]
    if isinstance(value, list):
        return [str(item) for item in value if item not in (None, "")]
    return [str(value)]


@dataclass
class Response:
    """One function's answer, envelope already checked."""

    function: str
    result: int
    reason: str
    data: t.Any = None
    metadata: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result == 1

    @property
    def messages(self) -> t.List[str]:
        return _as_list((self.metadata.get("output") or {}).get("messages"))

    @property
    def warnings(self) -> t.List[str]:
        output = self.metadata.get("output") or {}
        return _as_list(output.get("warnings")) + _as_list(self.metadata.get("warnings"))

    @property
    def raw(self) -> str:
        raw = (self.metadata.get("output") or {}).get("raw")
        return raw if isinstance(raw, str) else ""

    def records(self, key: str) -> t.List[dict]:
        """The list under ``data[key]`` ([] when WHM sends no data, e.g. an empty listaccts search)."""
        if not isinstance(self.data, dict):
            return []
        value = self.data.get(key)
        return list(value) if isinstance(value, list) else []

    @classmethod
    def from_envelope(cls, function: str, envelope: dict) -> Response:
        metadata = envelope.get("metadata") or {}
        try:
            # result may be an int or a string ("1"/"0") depending on the function
            # (transfers_accounts.md §1.4 "Type caveat").
            result = int(metadata.get("result", 0))
        except (TypeError, ValueError):
            result = 0
        reason = metadata.get("reason")
        return cls(
            function=function,
            result=result,
            reason=str(reason) if reason is not None else "",
            data=envelope.get("data"),
            metadata=metadata,
        )


class WhmApi:
    """A WHM server reached through one transport.

    ``read()`` and ``write()`` raise :class:`WHMAPIError` when ``metadata.result`` is 0, even
    though WHM answered HTTP 200 (transfers_accounts.md §1.5).
    """

    def __init__(self, transport: Transport, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.transport = transport
        self.timeout = timeout
        self.secrets: t.Set[str] = set(transport.secrets)
        self.request_count = 0

    # -- secrets -------------------------------------------------------------------------
    def add_secret(self, value: str | None) -> None:
        """Register a value (an account password, a token secret) to blank in every message."""
        if value:
            self.secrets.add(str(value))

    def scrub(self, text: str) -> str:
        return scrub(text, self.secrets)

    # -- single calls --------------------------------------------------------------------
    def call(self, function: str, params: ParamsIn = None, *, write: bool, timeout: float | None = None) -> Response:
        """Run one function; return the response whatever ``metadata.result`` says."""
        pairs = [("api.version", "1")] + encode_params(params)
        budget = max(timeout or self.timeout, SLOW_FUNCTIONS.get(function, 0.0))
        self.request_count += 1
        envelope = self.transport.call(function, pairs, write, budget)
        return Response.from_envelope(function, envelope)

    def read(self, function: str, params: ParamsIn = None, **kwargs: t.Any) -> Response:
        return self.check(self.call(function, params, write=False, **kwargs))

    def write(self, function: str, params: ParamsIn = None, **kwargs: t.Any) -> Response:
        return self.check(self.call(function, params, write=True, **kwargs))

    def check(self, response: Response) -> Response:
        if not response.ok:
            raise self.error(response)
        return response

    def error(self, response: Response, context: str = "") -> WHMAPIError:
        reason = self.scrub(response.reason.strip() or "no reason given")
        where = f" ({context})" if context else ""
        return WHMAPIError(
            f"WHM API function {response.function} failed on {self.transport.label}{where}: {reason}",
            function=response.function,
            reason=reason,
        )

    # -- writes whose outcome can be unknown ------------------------------------------------
    def write_with_readback(
        self,
        function: str,
        params: ParamsIn,
        applied: t.Callable[[], bool],
        *,
        settle_time: float = 60.0,
        poll_interval: float = 3.0,
        warn: t.Callable[[str], None] | None = None,
    ) -> Response | None:
        """Run a non-idempotent write; if its outcome is unknown, read back instead of retrying.

        ``applied()`` reads the server (e.g. accountsummary) and says whether the write took
        effect. WHM keeps running createacct after the client gave up, so the read-back polls
        for ``settle_time`` seconds. Returns the response, or ``None`` when the write was
        confirmed by reading back.
        """
        try:
            return self.write(function, params)
        except WHMWriteOutcomeUnknown as exc:
            deadline = time.monotonic() + settle_time
            while True:
                try:
                    if applied():
                        if warn:
                            warn(f"{exc} - reading back shows it was applied, so it was not sent again")
                        return None
                except WHMTransportError:
                    pass
                if time.monotonic() >= deadline:
                    raise WHMTransportError(
                        f"{exc}, and after {settle_time:g} s of reading back it is still not visible. "
                        "It was not retried, to avoid applying it twice; check the server and run again"
                    ) from None
                self.transport.sleep(poll_interval)

    # -- batch ---------------------------------------------------------------------------
    def batch(
        self,
        commands: t.Sequence[t.Tuple[str, ParamsIn]],
        *,
        write: bool,
        abort_on_error: bool = False,
        max_per_request: int = 50,
    ) -> t.List[Response]:
        """Run several functions in one request per ``max_per_request`` with WHM's ``batch``.

        Returns one response per command in order; a failed sub-command does not raise (the
        outer result is 0 but ``data.result`` still holds every answer, transfers_accounts.md
        §1.7); use :meth:`check` on each.
        """
        responses: t.List[Response] = []
        for start in range(0, len(commands), max_per_request):
            group = commands[start : start + max_per_request]
            pairs = [
                # Each command is "function?query" with its own api.version=1, as cPanel's own
                # batch callers send it (transfers_accounts.md §1.7).
                (f"command-{index}", f"{function}?{urlencode([('api.version', '1')] + encode_params(params))}")
                for index, (function, params) in enumerate(group)
            ]
            if abort_on_error:
                pairs.append(("abort_on_error", "1"))
            outer = self.call("batch", pairs, write=write)
            results = outer.data.get("result") if isinstance(outer.data, dict) else None
            if not isinstance(results, list):
                raise self.error(outer, "no per-command results")
            for (function, _params), envelope in zip(group, results):
                responses.append(Response.from_envelope(function, envelope if isinstance(envelope, dict) else {}))
            if len(results) < len(group):
                # abort_on_error: the commands after the failure did not run.
                for function, _params in group[len(results) :]:
                    responses.append(Response(function, 0, "Not run: an earlier command in the batch failed."))
                break
        return responses

    # -- listing -------------------------------------------------------------------------
    def list_records(self, function: str, key: str, params: ParamsIn = None, *, page_size: int = 1000) -> t.List[dict]:
        """Every record of a list function, page by page with ``api.chunk``.

        One request for up to ``page_size`` records. WHM's chunk restarts at record 1 when
        ``start`` is past the end (transfers_accounts.md §1.6), so the loop stops on the
        reported total rather than on an empty page.
        """
        base = encode_params(params)
        records: t.List[dict] = []
        start = 1
        while True:
            paged = base + [
                ("api.chunk.enable", "1"),
                ("api.chunk.verbose", "1"),
                ("api.chunk.size", str(page_size)),
                ("api.chunk.start", str(start)),
            ]
            response = self.read(function, paged)
            page = response.records(key)
            records.extend(page)
            chunk = response.metadata.get("chunk") or {}
            try:
                total = int(chunk.get("records", len(records)))
            except (TypeError, ValueError):
                total = len(records)
            if not page or len(records) >= total or len(page) < page_size:
                return records
            start += len(page)
