from __future__ import annotations

from generator.rules import gg711_rolling_update
from tests.rules.helpers import assert_examples


def test_gg711_rolling_update_examples() -> None:
    assert_examples(gg711_rolling_update)
