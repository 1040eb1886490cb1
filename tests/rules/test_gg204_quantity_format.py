from __future__ import annotations

from generator.rules import gg204_quantity_format
from tests.rules.helpers import assert_examples


def test_gg204_quantity_format_examples() -> None:
    assert_examples(gg204_quantity_format)
