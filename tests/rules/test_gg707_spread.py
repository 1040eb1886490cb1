from __future__ import annotations

from generator.rules import gg707_spread
from tests.rules.helpers import assert_examples


def test_gg707_spread_examples() -> None:
    assert_examples(gg707_spread)
