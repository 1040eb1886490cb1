from __future__ import annotations

from generator.rules import gg306_hpa_target
from tests.rules.helpers import assert_examples


def test_gg306_hpa_target_examples() -> None:
    assert_examples(gg306_hpa_target)
