from __future__ import annotations

from generator.rules import gg901_unused_suppression
from tests.rules.helpers import assert_examples


def test_gg901_unused_suppression_examples() -> None:
    assert_examples(gg901_unused_suppression)
