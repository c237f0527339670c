#!/usr/bin/env python3
"""Build the WHM API 1 contract (names and types only) from cPanel's OpenAPI descriptions.

Usage: extract_contract.py OPENAPI_DIR OUT.json

For every operation marked as WHM API 1 in the YAML files, record its parameter names (with
their schema types) and the schema of its HTTP 200 JSON response, with ``$ref`` resolved.
Human prose is dropped on purpose: ``description``, ``summary``, ``example``/``examples``,
``title`` and vendor extensions never reach the output, so the committed JSON holds only the
machine-checkable part of the contract. The extractor is run by hand; tests only read the
JSON it writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict

import yaml

# Keys that carry prose or sample data rather than structure.
_DROP = {"description", "summary", "example", "examples", "title", "externalDocs", "deprecated"}


def _strip(node: Any, components: Dict[str, Any], depth: int = 0) -> Any:
    """Return ``node`` with $ref inlined and prose keys removed."""
    if depth > 40:  # guard against recursive schemas; none are expected
        return {}
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return _strip(components.get(name, {}), components, depth + 1)
        out = {}
        for key, value in node.items():
            if key in _DROP or key.startswith("x-"):
                continue
            if key == "properties" and isinstance(value, dict):
                # Property names are data here, never prose keys: keep every one of them.
                out[key] = {k: _strip(v, components, depth + 1) for k, v in value.items()}
                continue
            out[key] = _strip(value, components, depth + 1)
        return out
    if isinstance(node, list):
        return [_strip(v, components, depth + 1) for v in node]
    return node


def extract(openapi_dir: Path) -> Dict[str, Any]:
    functions: Dict[str, Any] = {}
    for path in sorted(openapi_dir.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        components = (doc.get("components") or {}).get("schemas") or {}
        for route, item in (doc.get("paths") or {}).items():
            for method, op in item.items():
                if not isinstance(op, dict) or op.get("x-cpanel-api-version") != "WHM API 1":
                    continue
                fn = route.strip("/").rsplit("/", 1)[-1]
                params: Dict[str, Any] = {}
                for param in op.get("parameters") or []:
                    param = _strip(param, components)
                    params[param["name"]] = {
                        "required": bool(param.get("required", False)),
                        "schema": param.get("schema", {}),
                    }
                body = ((op.get("requestBody") or {}).get("content") or {}).values()
                for media in body:
                    schema = _strip(media.get("schema") or {}, components)
                    for name, sub in (schema.get("properties") or {}).items():
                        params.setdefault(name, {"required": name in (schema.get("required") or []), "schema": sub})
                response = ((op.get("responses") or {}).get("200") or {}).get("content") or {}
                schema = _strip((response.get("application/json") or {}).get("schema") or {}, components)
                entry = functions.setdefault(fn, {"source": path.name, "methods": [], "params": {}, "response": {}})
                entry["methods"] = sorted(set(entry["methods"]) | {method.upper()})
                entry["params"].update(params)
                if schema and not entry["response"]:
                    entry["response"] = schema
    return {"format": 1, "functions": dict(sorted(functions.items()))}


def main(argv: list) -> int:
    if len(argv) != 3:
        sys.stderr.write("usage: extract_contract.py OPENAPI_DIR OUT.json\n")
        return 2
    contract = extract(Path(argv[1]))
    Path(argv[2]).write_text(json.dumps(contract, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(contract['functions'])} functions written to {argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
