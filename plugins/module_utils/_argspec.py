# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this file is internal to the hosting.whm collection. It may change without notice
# and is not part of the collection's public API.

"""Argument specs as values that carry their constraints, merged per module.

The connection options here are mirrored one to one by the ``hosting.whm.connection`` doc
fragment; ``tests/unit`` checks that they agree.
"""

from __future__ import annotations

import typing as t
from copy import deepcopy

from ansible.module_utils.basic import env_fallback


class ArgumentSpec:
    """An argument spec plus the constraints that travel with its options."""

    CONSTRAINTS = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")

    def __init__(self, argument_spec: dict | None = None, **constraints: t.Any) -> None:
        unknown = set(constraints) - set(self.CONSTRAINTS)
        if unknown:
            raise ValueError(f"unknown constraints: {sorted(unknown)}")
        self.argument_spec = deepcopy(argument_spec or {})
        self.constraints: t.Dict[str, t.Any] = {name: list(constraints.get(name) or []) for name in self.CONSTRAINTS}
        if not isinstance(constraints.get("required_by"), (dict, type(None))):
            raise ValueError("required_by must be a dict")
        self.constraints["required_by"] = dict(constraints.get("required_by") or {})

    def merge(self, other: ArgumentSpec) -> ArgumentSpec:
        merged = ArgumentSpec(self.argument_spec)
        merged.argument_spec.update(deepcopy(other.argument_spec))
        for name in self.CONSTRAINTS:
            if name == "required_by":
                merged.constraints[name] = {**self.constraints[name], **other.constraints[name]}
            else:
                merged.constraints[name] = self.constraints[name] + other.constraints[name]
        return merged

    def to_kwargs(self) -> dict:
        kwargs: t.Dict[str, t.Any] = {"argument_spec": deepcopy(self.argument_spec)}
        for name, value in self.constraints.items():
            if value:
                kwargs[name] = deepcopy(value)
        return kwargs


def whm_connection_argument_spec() -> ArgumentSpec:
    """The options every module and plugin of the collection takes to reach WHM."""
    return ArgumentSpec(
        {
            "whm_host": {"type": "str", "fallback": (env_fallback, ["WHM_HOST"])},
            "whm_port": {"type": "int", "default": 2087, "fallback": (env_fallback, ["WHM_PORT"])},
            "whm_username": {"type": "str", "default": "root", "fallback": (env_fallback, ["WHM_USERNAME"])},
            "whm_api_token": {"type": "str", "no_log": True, "fallback": (env_fallback, ["WHM_API_TOKEN"])},
            "whm_password": {"type": "str", "no_log": True, "fallback": (env_fallback, ["WHM_PASSWORD"])},
            "validate_certs": {"type": "bool", "default": True, "fallback": (env_fallback, ["WHM_VALIDATE_CERTS"])},
            "ca_path": {"type": "path", "fallback": (env_fallback, ["WHM_CA_PATH"])},
            "timeout": {"type": "int", "default": 60},
            "retries": {"type": "int", "default": 3},
            "transport": {"type": "str", "default": "http", "choices": ["http", "cli"]},
        },
        mutually_exclusive=[("whm_api_token", "whm_password")],
        required_if=[
            ("transport", "http", ("whm_host",)),
            ("transport", "http", ("whm_api_token", "whm_password"), True),
        ],
    )
