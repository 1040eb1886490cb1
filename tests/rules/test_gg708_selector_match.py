from __future__ import annotations

from generator.rules import gg708_selector_match
from tests.rules.helpers import assert_examples


def test_gg708_selector_match_examples() -> None:
    assert_examples(gg708_selector_match)
