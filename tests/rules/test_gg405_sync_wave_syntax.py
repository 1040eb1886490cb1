from __future__ import annotations

from generator.rules import gg405_sync_wave_syntax
from tests.rules.helpers import assert_examples


def test_gg405_sync_wave_syntax_examples() -> None:
    assert_examples(gg405_sync_wave_syntax)
