from __future__ import annotations

from generator.rules import gg604_enum_values
from tests.rules.helpers import assert_examples


def test_gg604_enum_values_examples() -> None:
    assert_examples(gg604_enum_values)
