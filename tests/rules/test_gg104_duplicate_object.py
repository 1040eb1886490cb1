from __future__ import annotations

from generator.rules import gg104_duplicate_object
from tests.rules.helpers import assert_examples


def test_gg104_duplicate_object_examples() -> None:
    assert_examples(gg104_duplicate_object)
