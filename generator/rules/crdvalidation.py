"""A custom resource against the validation its CRD declares beyond JSON schema.

The API server evaluates `x-kubernetes-validations` (CEL) rules, checks list-map keys and set
uniqueness, and string formats; offline validators skip all of them. Each CEL rule is compiled
once per process. Transition rules (`oldSelf`) need the stored object and are skipped, as are
rules using Kubernetes' CEL library extensions that cel-python does not provide. cel-python
(a fifth of a second to import and set up) loads only when a schema has a rule to evaluate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from typing import Any

from generator.docpaths import DocPath

_FORMATS = {
    "date-time": lambda v: _datetime(v),
    "date": lambda v: re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) is not None,
    "byte": lambda v: re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", v) is not None and len(v) % 4 == 0,
    "duration": lambda v: re.fullmatch(r"([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+|0", v) is not None,
}


def _datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@cache
def _environment() -> Any:
    import celpy

    return celpy.Environment()


@cache
def _program(rule: str) -> Any:
    """The compiled rule, or None when cel-python cannot compile it."""
    env = _environment()
    try:
        return env.program(env.compile(rule))
    except Exception:  # cel-python raises its own and lark's exception types
        return None


def _holds(rule: str, value: Any) -> bool | None:
    """True or False, or None when the rule cannot be evaluated here."""
    if "oldSelf" in rule:
        return None
    program = _program(rule)
    if program is None:
        return None
    import celpy
    from celpy.adapter import json_to_cel

    try:
        result = program.evaluate({"self": json_to_cel(value)})
    except Exception:  # a missing field or an unsupported function: undecided, not a failure
        return None
    return bool(result) if isinstance(result, celpy.celtypes.BoolType) else None


_WALKED = ("properties", "additionalProperties", "items")


def checked_parts(schema: Any) -> dict[str, Any] | None:
    """`schema` cut down to what `violations` checks, or None if it checks nothing.

    Subtrees that declare no rule, list key or format become None, so objects are walked only
    where something applies (most of a large CRD declares nothing).
    """
    if not isinstance(schema, dict):
        return None
    out = {key: value for key, value in schema.items() if key not in _WALKED}
    fmt = schema.get("format")
    useful = (
        bool(schema.get("x-kubernetes-validations"))
        or (isinstance(fmt, str) and fmt in _FORMATS)
        or schema.get("x-kubernetes-list-type") in ("map", "set")
    )
    properties = schema.get("properties")
    if isinstance(properties, dict):
        # Every name stays, so that a name with nothing to check is not taken for one of the
        # additionalProperties.
        out["properties"] = {key: checked_parts(value) for key, value in properties.items()}
        useful = useful or any(part is not None for part in out["properties"].values())
    for key in ("additionalProperties", "items"):
        part = checked_parts(schema.get(key))
        if part is not None:
            out[key] = part
            useful = True
    return out if useful else None


def violations(schema: Any, value: Any, path: DocPath = ()) -> Iterator[tuple[DocPath, str]]:
    """(path, message) for every CEL rule, list key and format `value` breaks."""
    if not isinstance(schema, dict) or value is None:
        return
    for item in schema.get("x-kubernetes-validations") or []:
        rule = item.get("rule") if isinstance(item, dict) else None
        if isinstance(rule, str) and _holds(rule, value) is False:
            yield path, str(item.get("message") or f"failed rule: {rule}")
    fmt = schema.get("format")
    if isinstance(value, str) and fmt in _FORMATS and not _FORMATS[fmt](value):
        yield path, f"{value!r} is not a valid {fmt}"
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, child in value.items():
            sub = properties.get(key, extra if isinstance(extra, dict) else None)
            yield from violations(sub, child, (*path, key))
    elif isinstance(value, list):
        yield from _list_keys(schema, value, path)
        for index, child in enumerate(value):
            yield from violations(schema.get("items"), child, (*path, index))


def _list_keys(
    schema: dict[str, Any], value: list[Any], path: DocPath
) -> Iterator[tuple[DocPath, str]]:
    kind = schema.get("x-kubernetes-list-type")
    keys = schema.get("x-kubernetes-list-map-keys") or []
    seen: set[str] = set()
    for index, item in enumerate(value):
        if kind == "map" and isinstance(item, dict):
            marker = repr(tuple(item.get(k) for k in keys))
            what = ", ".join(f"{k}={item.get(k)}" for k in keys)
        elif kind == "set":
            marker, what = repr(item), repr(item)
        else:
            return
        if marker in seen:
            yield (
                (*path, index),
                f"duplicate entry {what} in a list keyed by {', '.join(keys) or 'value'}",
            )
        seen.add(marker)
