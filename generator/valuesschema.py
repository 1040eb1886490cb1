"""A blueprint's values checked against its `values.schema.json`, each distinct part once.

Every cluster running a component has its values checked, and in a fleet they differ only here
and there (a load balancer named after the cluster). A schema of the usual shape, an object
whose `properties` hold the rules and whose other keywords are annotations and
`additionalProperties`, is checked one top-level value at a time, and each value's findings are
kept: the other clusters' identical values are not checked again. The findings are those of
checking the whole values at once, in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from generator import strictschema

# (sort key, dotted path, message) of one finding.
Finding = tuple[tuple[str, ...], str, str]

_ROOT_KEYWORDS = frozenset(
    {"$schema", "$defs", "$comment", "title", "description", "type", "properties"}
    | {"additionalProperties"}
)
_MAX_CACHED = 4096
# (schema, part: () the values, ("",) their keys, ("", key) a value, the part's repr)
_Key = tuple[Path, tuple[str, ...], str]
_found: dict[_Key, list[Finding]] = {}


def findings(schema_path: Path, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(dotted path, message) of every way `values` break the schema, by path."""
    # Errors are found lazily (iter_errors and descend are generators): not at all when kept.
    # repr, not JSON: it tells a tuple from a list and 1 from True, as the validator does.
    validator: Any = strictschema.from_file(schema_path)
    parts = _parts(schema_path)
    if parts is None or type(values) is not dict:
        found = _cached((schema_path, (), repr(values)), validator.iter_errors(values))
    else:
        keys, properties = parts
        # Unknown keys are the root's only findings for a mapping: they depend on the keys.
        found = list(_cached((schema_path, ("",), repr(list(values))), keys.iter_errors(values)))
        for key, value in values.items():
            if key in properties:
                errors = validator.descend(value, properties[key], path=key, schema_path=key)
                found += _cached((schema_path, ("", key), repr(value)), errors)
    return [(dotted, message) for _, dotted, message in sorted(found, key=lambda f: f[0])]


@cache
def _parts(schema_path: Path) -> tuple[Validator, Mapping[str, Any]] | None:
    """For a schema of the usual shape: a validator of its keys alone, and its properties."""
    schema = strictschema.from_file(schema_path).schema
    if not isinstance(schema, dict) or not set(schema) <= _ROOT_KEYWORDS:
        return None
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    if schema.get("type") != "object" or not isinstance(extra, bool):
        return None
    if not isinstance(properties, dict):
        return None
    keys = {"type": "object", "properties": dict.fromkeys(properties, True)}
    return strictschema.validator({**keys, "additionalProperties": extra}), properties


def _cached(key: _Key, errors: Iterable[ValidationError]) -> list[Finding]:
    found = _found.get(key)
    if found is None:
        if len(_found) > _MAX_CACHED:
            _found.clear()
        found = _found[key] = list(_described(errors))
    return found


def _described(errors: Iterable[ValidationError]) -> Iterator[Finding]:
    for error in sorted(errors, key=lambda e: list(map(str, e.path))):
        node = error.schema if isinstance(error.schema, dict) else {}
        # A `not` rule marks a key that must not be used; its description says why.
        message = (
            node.get("description", error.message) if error.validator == "not" else error.message
        )
        path = tuple(str(p) for p in error.absolute_path)
        yield path, ".".join(path), message
