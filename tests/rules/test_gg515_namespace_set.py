from __future__ import annotations

from generator.rules import gg515_namespace_set
from tests.rules.helpers import assert_examples


def test_gg515_namespace_set_examples() -> None:
    assert_examples(gg515_namespace_set)
