from __future__ import annotations

from generator.rules import gg406_sync_wave_order
from tests.rules.helpers import assert_examples


def test_gg406_sync_wave_order_examples() -> None:
    assert_examples(gg406_sync_wave_order)
