from __future__ import annotations

from generator.rules import gg902_suppression_reason
from tests.rules.helpers import assert_examples


def test_gg902_suppression_reason_examples() -> None:
    assert_examples(gg902_suppression_reason)
