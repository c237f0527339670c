# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this file is internal to the hosting.whm collection. It may change without notice
# and is not part of the collection's public API.

"""The adapter between AnsibleModule and the resource files: the one place errors become fail_json."""

from __future__ import annotations

import traceback
import typing as t

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.hosting.whm.plugins.module_utils._api import WhmApi
from ansible_collections.hosting.whm.plugins.module_utils._argspec import ArgumentSpec, whm_connection_argument_spec
from ansible_collections.hosting.whm.plugins.module_utils._errors import WHMError
from ansible_collections.hosting.whm.plugins.module_utils._result import Result
from ansible_collections.hosting.whm.plugins.module_utils._transport import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    CliTransport,
    HttpTransport,
)


class Context:
    """What a handler gets: the parameters, check mode, a warning sink and the API."""

    def __init__(
        self,
        params: dict,
        check_mode: bool,
        api: WhmApi,
        warn: t.Callable[[str], None],
        no_log_values: t.Optional[t.Set[str]] = None,
    ) -> None:
        self.params = params
        self.check_mode = check_mode
        self.api = api
        self.warn = warn
        self._no_log_values = no_log_values

    def hide(self, value: t.Any) -> None:
        """Treat ``value`` like a ``no_log`` option: masked everywhere in the module's output
        (including the echoed arguments) and blanked from API messages.

        For secrets that arrive inside a free-form option such as a dict of parameters.
        """
        if value is None or value == "":
            return
        self.api.add_secret(str(value))
        if self._no_log_values is not None:
            self._no_log_values.add(str(value))


Handler = t.Callable[[Context], Result]


def build_api(params: dict, warn: t.Callable[[str], None]) -> WhmApi:
    """A WhmApi from the connection options (see ``whm_connection_argument_spec``)."""
    if params["transport"] == "cli":
        transport = CliTransport(secrets=[params.get("whm_api_token"), params.get("whm_password")])
    else:
        transport = HttpTransport(
            host=params["whm_host"],
            port=params["whm_port"],
            username=params["whm_username"],
            api_token=params.get("whm_api_token"),
            password=params.get("whm_password"),
            validate_certs=params["validate_certs"],
            ca_path=params.get("ca_path"),
            retries=params["retries"],
            warn=warn,
        )
    return WhmApi(transport, timeout=float(params["timeout"]))


def run_module(spec: ArgumentSpec, handler: Handler, *, connection: bool = True) -> None:
    """Build the module from ``spec`` (plus the connection options), run ``handler``, exit."""
    full_spec = whm_connection_argument_spec().merge(spec) if connection else spec
    module = AnsibleModule(supports_check_mode=True, **full_spec.to_kwargs())
    if connection and module.params["transport"] == "http" and not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))

    api: t.Optional[WhmApi] = None
    try:
        api = build_api(module.params, module.warn)
        result = handler(Context(module.params, module.check_mode, api, module.warn, module.no_log_values))
    except WHMError as exc:
        message = api.scrub(str(exc)) if api else str(exc)
        details = {key: value for key, value in exc.details.items() if value is not None}
        if api:
            details = {key: api.scrub(value) if isinstance(value, str) else value for key, value in details.items()}
        module.fail_json(msg=message, **details)
        return  # unreachable; keeps type checkers happy
    except Exception as exc:  # noqa: BLE001 - the one place any failure is reported
        message = f"Unexpected {exc.__class__.__name__}: {exc}"
        trace = traceback.format_exc()
        if api:
            message, trace = api.scrub(message), api.scrub(trace)
        module.fail_json(msg=message, exception=trace)
        return

    for warning in result.warnings:
        module.warn(api.scrub(warning))
    output: t.Dict[str, t.Any] = dict(result.values)
    output["changed"] = result.changed
    if module._diff and result.diff is not None:
        output["diff"] = result.diff
    module.exit_json(**output)
