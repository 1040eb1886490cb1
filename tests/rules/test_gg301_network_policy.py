from __future__ import annotations

from generator.rules import gg301_network_policy
from tests.rules.helpers import assert_examples


def test_gg301_network_policy_examples() -> None:
    assert_examples(gg301_network_policy)
