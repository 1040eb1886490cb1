from __future__ import annotations

from generator.rules import gg101_schema
from tests.rules.helpers import assert_examples


def test_gg101_schema_examples() -> None:
    assert_examples(gg101_schema)
