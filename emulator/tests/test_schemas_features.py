"""Feature access responses validate against cPanel's 200 schemas (approach of test_schemas.py).

The feature list functions themselves are covered by test_schemas_ssl.py.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Tuple

import pytest
from conftest import Whm
from test_schemas import CONTRACT, _openapi_to_jsonschema, _path

jsonschema = pytest.importorskip("jsonschema")

SCENARIOS: List[Tuple[str, Dict[str, str]]] = [
    ("verify_user_has_feature", {"user": "alice", "feature": "autossl"}),
    ("verify_user_has_feature", {"user": "alice", "feature": "webmail"}),
    ("verify_user_has_feature", {"user": "alice", "feature": "not_in_any_list"}),
]


def _errors(function: str, envelope: Dict[str, Any]) -> List[str]:
    schema = _openapi_to_jsonschema(copy.deepcopy(CONTRACT[function]["response"]))
    return [
        f"{function} {_path(error)}: {error.message[:200]}"
        for error in jsonschema.Draft202012Validator(schema).iter_errors(envelope)
    ]


def test_every_scenario_is_documented() -> None:
    assert [fn for fn, _ in SCENARIOS if fn not in CONTRACT] == []


def test_feature_responses_match_cpanel_schemas(whm: Whm) -> None:
    whm.ok("create_featurelist", {"featurelist": "gold", "webmail": "1"})
    whm.create("alice", featurelist="gold")
    problems: List[str] = []
    values = []
    for function, params in SCENARIOS:
        envelope = whm.ok(function, params)
        values.append(envelope["data"]["has_feature"])
        problems += _errors(function, envelope)
    assert values == [0, 1, 1], "the scenarios should show both answers"
    assert problems == [], "\n".join(problems)
