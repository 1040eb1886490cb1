from __future__ import annotations

from generator.rules import gg501_privileged
from tests.rules.helpers import assert_examples


def test_gg501_privileged_examples() -> None:
    assert_examples(gg501_privileged)
