from __future__ import annotations

from generator.rules import gg503_run_as_non_root
from tests.rules.helpers import assert_examples


def test_gg503_run_as_non_root_examples() -> None:
    assert_examples(gg503_run_as_non_root)
