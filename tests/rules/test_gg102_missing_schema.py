from __future__ import annotations

from generator.rules import gg102_missing_schema
from tests.rules.helpers import assert_examples


def test_gg102_missing_schema_examples() -> None:
    assert_examples(gg102_missing_schema)
