"""Schemas with their local references inlined give the errors the references give."""

from __future__ import annotations

from typing import Any

import jsonschema

from generator import strictschema

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"$ref": "#/$defs/name", "description": "annotations beside a $ref go"},
        "tree": {"$ref": "#/$defs/tree"},
        "fixed": {"const": {"$ref": "#/$defs/name"}},
        "missing": {"$ref": "#/$defs/nowhere"},
    },
    "additionalProperties": False,
    "$defs": {
        "name": {"type": "string", "pattern": "^[a-z]+$", "not": {"const": "x"}},
        "tree": {
            "type": "object",
            "properties": {"child": {"$ref": "#/$defs/tree"}, "label": {"$ref": "#/$defs/name"}},
        },
    },
}


def _errors(schema: dict[str, Any], instance: Any) -> list[tuple[list[Any], str, str]]:
    validator = jsonschema.Draft202012Validator(schema)
    return sorted(
        (list(e.absolute_path), e.validator, e.message) for e in validator.iter_errors(instance)
    )


def test_inlined_references_give_the_same_errors_and_keep_recursion() -> None:
    inlined = strictschema.inlined(SCHEMA)
    assert "$ref" not in str(inlined["properties"]["name"])
    # A recursive reference stays one, the data of `const` stays data.
    assert inlined["properties"]["tree"]["properties"]["child"] == {"$ref": "#/$defs/tree"}
    assert inlined["properties"]["fixed"] == {"const": {"$ref": "#/$defs/name"}}
    for instance in (
        {"name": "x"},
        {"name": "Bad1", "tree": {"label": 3, "child": {"child": {"label": "OK"}}}},
        {"fixed": {"$ref": "#/$defs/name"}, "other": 1},
        {"name": 5, "tree": []},
    ):
        assert _errors(inlined, instance) == _errors(SCHEMA, instance)


def test_a_schema_whose_references_depend_on_anchors_is_left_alone() -> None:
    schema = {"$defs": {"a": {"$anchor": "here", "type": "string"}}, "$ref": "#/$defs/a"}
    assert strictschema.inlined(schema) is schema
