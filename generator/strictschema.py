"""JSON Schema validators for input: patterns as ECMA-262 means them, no remote references.

Schema patterns are ECMA-262, where `$` (without the multiline flag) matches only at the very
end; Python's `$` also matches before a final newline, so `"todo-backend\\n"` would pass a name
pattern and become a folder name. And jsonschema still fetches unknown `$ref` URLs over the
network by default; a blueprint's `values.schema.json` must not make gitops-gen go online.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from referencing import Registry

from generator.errors import Location, UserError


@cache
def ecma_pattern(pattern: str) -> re.Pattern[str]:
    """`pattern` with every `$` outside a character class anchored at the very end."""
    out = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            out.append(r"\Z")
            continue
        out.append(char)
    return re.compile("".join(out))


def _pattern(
    validator: Validator, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not ecma_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Strict = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator, {"pattern": _pattern}
)


def validator(schema: dict[str, Any]) -> Validator:
    """A Draft 2020-12 validator with ECMA patterns that resolves only local references."""
    # An empty registry: `#/...` references still resolve within the schema itself.
    registry: Registry[Any] = Registry()
    return _Strict(schema, registry=registry)  # type: ignore[no-any-return]


def _remote_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            yield ref
        for value in node.values():
            yield from _remote_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _remote_refs(value)


@cache
def from_file(path: Path) -> Validator:
    """The validator for a schema file of a blueprint; its mistakes are the user's."""
    try:
        schema = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UserError.at(Location(str(path)), f"not a readable JSON schema: {exc}") from None
    if not isinstance(schema, dict):
        raise UserError.at(Location(str(path)), "a JSON schema must be an object")
    for ref in _remote_refs(schema):
        raise UserError.at(
            Location(str(path)),
            f"$ref {json.dumps(ref)} points outside the file; gitops-gen fetches nothing",
        )
    return validator(schema)
