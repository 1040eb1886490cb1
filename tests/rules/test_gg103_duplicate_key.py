from __future__ import annotations

from generator.rules import gg103_duplicate_key
from tests.rules.helpers import assert_examples


def test_gg103_duplicate_key_examples() -> None:
    assert_examples(gg103_duplicate_key)
