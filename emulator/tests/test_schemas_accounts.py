"""Account functions added after test_schemas.py: responses validate against cPanel's 200 schemas."""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Tuple

import pytest
from conftest import Whm
from test_schemas import CONTRACT, _openapi_to_jsonschema, _path

jsonschema = pytest.importorskip("jsonschema")

SCENARIOS: List[Tuple[str, Dict[str, str]]] = [
    ("setsiteip", {"user": "alice", "ip": "192.0.2.20"}),
    ("setsiteip", {"domain": "alice.example.com", "ip": "192.0.2.20"}),  # same address: success
]


def _errors(function: str, envelope: Dict[str, Any]) -> List[str]:
    schema = _openapi_to_jsonschema(copy.deepcopy(CONTRACT[function]["response"]))
    return [
        f"{function} {_path(error)}: {error.message[:200]}"
        for error in jsonschema.Draft202012Validator(schema).iter_errors(envelope)
    ]


def test_every_scenario_is_documented() -> None:
    assert [fn for fn, _ in SCENARIOS if fn not in CONTRACT] == []


def test_account_responses_match_cpanel_schemas(whm: Whm) -> None:
    whm.admin("POST", "settings", {"additional_ips": "192.0.2.20"})
    whm.create("alice")
    problems: List[str] = []
    reasons = []
    for function, params in SCENARIOS:
        envelope = whm.ok(function, params)
        reasons.append(envelope["metadata"]["reason"])
        problems += _errors(function, envelope)
    assert reasons == ["OK", "alice.example.com is already using ip 192.0.2.20"]
    assert problems == [], "\n".join(problems)
