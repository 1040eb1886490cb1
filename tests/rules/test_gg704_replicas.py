from __future__ import annotations

from generator.rules import gg704_replicas
from tests.rules.helpers import assert_examples


def test_gg704_replicas_examples() -> None:
    assert_examples(gg704_replicas)
