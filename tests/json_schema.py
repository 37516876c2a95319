"""The subset of JSON Schema (2020-12) that `docs/findings.schema.json` uses, validated without a
dependency. A keyword outside the subset is an error, so the schema cannot say more than is checked."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

FINDINGS_SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "findings.schema.json"

_ANNOTATIONS = {"$schema", "title", "description"}
_TYPES = {"object": dict, "array": list, "string": str, "null": type(None), "boolean": bool}


def load_findings_schema() -> dict[str, Any]:
    return json.loads(FINDINGS_SCHEMA.read_text(encoding="utf-8"))


def _is(value: Any, type_name: str) -> bool:
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[type_name])


def errors(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Every way `value` breaks `schema`, as `path: problem` lines (empty when it conforms)."""
    found: list[str] = []
    for keyword, rule in schema.items():
        if keyword in _ANNOTATIONS or keyword == "properties":
            continue
        if keyword == "type":
            names = rule if isinstance(rule, list) else [rule]
            if not any(_is(value, n) for n in names):
                found.append(f"{path}: expected {' or '.join(names)}, got {type(value).__name__}")
        elif keyword == "enum":
            if value not in rule:
                found.append(f"{path}: {value!r} is not one of {rule}")
        elif keyword == "pattern":
            if isinstance(value, str) and not re.search(rule, value):
                found.append(f"{path}: {value!r} does not match {rule}")
        elif keyword == "minLength":
            if isinstance(value, str) and len(value) < rule:
                found.append(f"{path}: shorter than {rule}")
        elif keyword == "minProperties":
            if isinstance(value, dict) and len(value) < rule:
                found.append(f"{path}: fewer than {rule} keys")
        elif keyword == "required":
            if isinstance(value, dict):
                found += [f"{path}: missing {key!r}" for key in rule if key not in value]
        elif keyword == "additionalProperties":
            if rule is not False:
                raise ValueError(f"{path}: only additionalProperties: false is supported")
            if isinstance(value, dict):
                known = schema.get("properties", {})
                found += [f"{path}: unexpected key {key!r}" for key in value if key not in known]
        elif keyword == "items":
            if isinstance(value, list):
                for i, item in enumerate(value):
                    found += errors(item, rule, f"{path}[{i}]")
        else:
            raise ValueError(f"{path}: schema keyword {keyword!r} is not supported by tests/json_schema.py")
    if isinstance(value, dict):
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                found += errors(value[key], sub, f"{path}.{key}")
    return found
