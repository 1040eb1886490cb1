from __future__ import annotations

from generator.rules import gg202_memory_limits
from tests.rules.helpers import assert_examples


def test_gg202_memory_limits_examples() -> None:
    assert_examples(gg202_memory_limits)
