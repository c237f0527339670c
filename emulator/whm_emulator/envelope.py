"""WHM API 1's response envelope and its output post-processing (columns/filter/sort/chunk).

Envelope: ``{"metadata": {command, version, result, reason, output?}, "data"?}`` with ``data``
present only when the function returned a hash (cPanel Whostmgr/API/1/Data/Wrapper.pm
``execute_internal``). Post-processing runs in the order columns → filter → sort → chunk on the
"records" array, each block only when its ``enable`` is truthy (Wrapper.pm ``apply``).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Dict, List, Optional, Tuple

from whm_emulator.registry import Result


def build(function: str, result: Result, api: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    metadata: Dict[str, Any] = {
        "command": function,
        "version": 1,
        # Some WHM functions assign result from strings; the docs show integers. Emit ints.
        "result": 1 if result.result else 0,
        "reason": result.reason,
    }
    output: Dict[str, Any] = {}
    if result.raw is not None:
        output["raw"] = result.raw
    if result.messages:
        output["messages"] = list(result.messages)
    if result.warnings:
        output["warnings"] = list(result.warnings)
    if output:
        metadata["output"] = output
    if result.payload_name:
        metadata["payload_name"] = result.payload_name
    envelope: Dict[str, Any] = {"metadata": metadata}
    if result.data is not None:
        envelope["data"] = result.data
        if api:
            postprocess(envelope, parse_api_tree(api))
    return envelope


# ---------------------------------------------------------------------------------------
# api.* arguments → tree (api.filter.a.field=x → {"filter": {"a": {"field": "x"}}})
# ---------------------------------------------------------------------------------------


def parse_api_tree(api: Dict[str, str]) -> Dict[str, Any]:
    tree: Dict[str, Any] = {}
    for key, value in api.items():
        parts = key.split(".")[1:]
        node = tree
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        if parts:
            node[parts[-1]] = value
    return tree


def _truthy(value: Any) -> bool:
    return value not in (None, "", "0", 0)


def _records(envelope: Dict[str, Any]) -> Tuple[Optional[str], Optional[List[Any]]]:
    """The array to post-process: data[payload_name], else the first value of data."""
    data = envelope.get("data")
    if not isinstance(data, dict) or not data:
        return None, None
    key = envelope["metadata"].get("payload_name") or next(iter(data))
    records = data.get(key)
    return (key, records) if isinstance(records, list) else (None, None)


def postprocess(envelope: Dict[str, Any], tree: Dict[str, Any]) -> None:
    key, records = _records(envelope)
    if key is None or records is None:
        return
    metadata = envelope["metadata"]
    for block, func in (("columns", _columns), ("filter", _filter), ("sort", _sort), ("chunk", _chunk)):
        spec = tree.get(block)
        if isinstance(spec, dict) and _truthy(spec.get("enable")):
            records = func(records, spec, metadata)
    envelope["data"][key] = records


# -- columns (Whostmgr/API/1/Data/Columns.pm) --------------------------------------------


def _columns(records: List[Any], spec: Dict[str, Any], metadata: Dict[str, Any]) -> List[Any]:
    wanted = [v for k, v in sorted(spec.items()) if k not in ("enable", "verbose") and isinstance(v, str)]
    first = records[0] if records and isinstance(records[0], dict) else {}
    invalid = [name for name in wanted if records and name not in first]
    metadata["columns"] = {
        "invalid_msg": " ".join(f"“{name}” is not a valid column." for name in invalid) if invalid else "None",
    }
    if invalid:
        metadata["columns"]["invalid"] = invalid
    out = []
    for record in records:
        if isinstance(record, dict):
            out.append({k: v for k, v in record.items() if k in wanted})
        else:
            out.append(record)
    return out


# -- filter (Whostmgr/API/1/Data/Filter.pm) ----------------------------------------------

_FILTER_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_RESERVED_IDS = {"enable", "verbose", "filter", "filtered"}


def _num(value: Any) -> Optional[float]:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _is_unlimited(value: Any) -> bool:
    return value is None or value in ("unlimited", "", 0, "0")


def _match_one(value: Any, ftype: str, arg: str) -> bool:
    if isinstance(value, list):  # an array matches when any element matches
        return any(_match_one(v, ftype, arg) for v in value)
    if isinstance(value, dict):
        return False
    text = "" if value is None else str(value)
    if ftype == "contains":
        return arg.lower() in text.lower()
    if ftype == "begins":
        return text.lower().startswith(arg.lower())
    if ftype == "eq":
        return text == arg
    if ftype in ("lt_handle_unlimited", "gt_handle_unlimited"):
        # 'unlimited', 0 and undef count as infinity.
        left = float("inf") if _is_unlimited(value) else _num(value)
        right = float("inf") if _is_unlimited(arg) else _num(arg)
        if left is None or right is None:
            return ftype.startswith("lt") and left is None
        return left < right if ftype.startswith("lt") else left > right
    left, right = _num(value), _num(arg)
    if ftype == "==":
        return left is not None and right is not None and left == right
    if left is None:
        # Non-numeric values count as "less than" for lt*, and never match gt*.
        return ftype in ("lt", "lt_equal")
    if right is None:
        return False
    return {
        "lt": left < right,
        "lt_equal": left <= right,
        "gt": left > right,
        "gt_equal": left >= right,
    }.get(ftype, False)


_FILTER_TYPES = {
    "contains",
    "begins",
    "eq",
    "==",
    "lt",
    "lt_equal",
    "gt",
    "gt_equal",
    "lt_handle_unlimited",
    "gt_handle_unlimited",
}


def _field_values(record: Any, field: str) -> List[Any]:
    if field == "*":
        return list(record.values()) if isinstance(record, dict) else [record]
    node: Any = record
    for part in field.split("."):
        if part.startswith("[") and part.endswith("]") and isinstance(node, list):
            try:
                node = node[int(part[1:-1])]
            except (ValueError, IndexError):
                return []
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return []
    return [node]


def _filter(records: List[Any], spec: Dict[str, Any], metadata: Dict[str, Any]) -> List[Any]:
    active = []
    report: Dict[str, Any] = {}
    for fid in sorted(spec):
        block = spec[fid]
        if not isinstance(block, dict) or not _FILTER_ID.match(fid) or fid in _RESERVED_IDS:
            continue
        field = str(block.get("field", ""))
        ftype = str(block.get("type") or "contains")
        arg = str(block.get("arg0", ""))
        valid = bool(field) and ftype in _FILTER_TYPES
        if field == "*" and ftype not in ("contains", "begins", "eq"):
            valid = False
        # An empty arg0 disables the filter for every type but eq.
        if arg == "" and ftype != "eq":
            valid = False
        report[fid] = {"field": field, "type": ftype, "arg0": arg, "valid": 1 if valid else 0}
        if valid:
            active.append((field, ftype, arg))
    out = [r for r in records if all(any(_match_one(v, t, a) for v in _field_values(r, f)) for f, t, a in active)]
    if _truthy(spec.get("verbose")):
        report["filtered"] = len(records)  # the record count before filtering
        metadata["filter"] = report
    return out


# -- sort (Whostmgr/API/1/Data/Sort.pm) --------------------------------------------------


def _sort_key(method: str, value: Any) -> Tuple[Any, ...]:
    if method == "numeric" or method == "numeric_zero_as_max":
        number = _num(value)
        if number is None:
            number = 0.0
        if method == "numeric_zero_as_max" and number == 0:
            number = float("inf")
        return (number,)
    if method == "ipv4":
        try:
            return (int(ipaddress.IPv4Address(str(value))),)
        except ValueError:
            return (-1,)
    text = "" if value is None else str(value)
    return (text.lower(),) if method == "lexicographic_caseless" else (text,)


def _sort(records: List[Any], spec: Dict[str, Any], metadata: Dict[str, Any]) -> List[Any]:
    keys = []
    for sid in sorted(spec):
        block = spec[sid]
        if isinstance(block, dict) and block.get("field"):
            keys.append(block)
    out = list(records)
    # Several keys behave like ORDER BY a, b: apply stable sorts from the last key to the first.
    for block in reversed(keys):
        method = str(block.get("method") or "lexicographic")
        if method not in ("lexicographic_caseless", "numeric", "numeric_zero_as_max", "ipv4"):
            method = "lexicographic"  # unknown names and "alphabet" mean lexicographic
        field = str(block["field"])

        def keyfunc(record: Any, field: str = field, method: str = method) -> Tuple[Any, ...]:
            values = _field_values(record, field)
            return _sort_key(method, values[0] if values else None)

        out.sort(key=keyfunc, reverse=_truthy(block.get("reverse")))
    return out


# -- chunk (Whostmgr/API/1/Data/Chunk.pm) ------------------------------------------------


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def _chunk(records: List[Any], spec: Dict[str, Any], metadata: Dict[str, Any]) -> List[Any]:
    size = _int(spec.get("size"), 0)
    if size < 1:
        size = 100  # default page size when missing or < 1
    total = len(records)
    if spec.get("start") not in (None, ""):
        start = _int(spec.get("start"), 1)
    elif spec.get("select") not in (None, ""):
        start = (max(_int(spec.get("select"), 1), 1) - 1) * size + 1
    else:
        start = 1
    if start < 1 or start > total:
        start = 1  # a start beyond the end returns the first page, not an empty one
    page = records[start - 1 : start - 1 + size]
    if _truthy(spec.get("verbose")):
        chunks = (total + size - 1) // size if total else 0
        metadata["chunk"] = {
            "start": start,
            "size": size,
            "records": total,
            "current": (start - 1) // size + 1,
            "chunks": chunks,
        }
    return page
