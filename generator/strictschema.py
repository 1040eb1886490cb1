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
    return _Strict(inlined(schema), registry=registry)  # type: ignore[no-any-return]


# Keywords whose values are data, not schemas: a `$ref` in them is not a reference.
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})
# Keys beside which a `$ref` may be replaced by its target: annotations, never checked.
_ANNOTATIONS = frozenset({"$ref", "description", "title", "$comment"})
# Nodes an inlined schema may have: references of references can multiply the copies.
_MAX_INLINED = 200_000
# Keywords that change how references resolve inside the schema; they keep every `$ref`.
_SCOPED = frozenset({"$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef"})


def inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with each `{"$ref": "#/..."}` replaced by what it points to, recursive
    references excepted: the same errors, found without a reference lookup and a validator
    per use (a 1,000-cluster catalogue looks names up tens of thousands of times). A schema
    whose references are not plain pointers into the document is left as it is."""
    if _scoped(schema, root=True):
        return schema

    def target(ref: str) -> Any:
        node: Any = schema
        for part in ref[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise LookupError(ref)
        return node

    made = 0

    def walk(node: Any, expanding: frozenset[str]) -> Any:
        nonlocal made
        made += 1
        if made > _MAX_INLINED:
            raise OverflowError
        if isinstance(node, list):
            return [walk(item, expanding) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if (
            isinstance(ref, str)
            and ref.startswith("#/")
            and "%" not in ref
            and ref not in expanding
            and set(node) <= _ANNOTATIONS
        ):
            try:
                return walk(target(ref), expanding | {ref})
            except LookupError:
                return node  # jsonschema reports it, as without inlining
        return {
            key: value if key in _DATA_KEYWORDS else walk(value, expanding)
            for key, value in node.items()
        }

    try:
        inlined_schema: dict[str, Any] = walk(schema, frozenset())
    except OverflowError:  # references nested so deep that copies would not fit
        return schema
    return inlined_schema


def _scoped(node: Any, root: bool = False) -> bool:
    if isinstance(node, dict):
        keys = _SCOPED - {"$id"} if root else _SCOPED
        return any(k in node for k in keys) or any(
            _scoped(v) for k, v in node.items() if k not in _DATA_KEYWORDS
        )
    if isinstance(node, list):
        return any(_scoped(v) for v in node)
    return False


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
