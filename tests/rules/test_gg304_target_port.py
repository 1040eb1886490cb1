from __future__ import annotations

from generator.rules import gg304_target_port
from tests.rules.helpers import assert_examples


def test_gg304_target_port_examples() -> None:
    assert_examples(gg304_target_port)
