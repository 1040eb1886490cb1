from __future__ import annotations

from generator.rules import gg303_service_selects_nothing
from tests.rules.helpers import assert_examples


def test_gg303_service_selects_nothing_examples() -> None:
    assert_examples(gg303_service_selects_nothing)
