from __future__ import annotations

from generator.rules import gg302_network_policy_selects_nothing
from tests.rules.helpers import assert_examples


def test_gg302_network_policy_selects_nothing_examples() -> None:
    assert_examples(gg302_network_policy_selects_nothing)
