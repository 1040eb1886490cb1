from __future__ import annotations

from generator.rules import gg709_hpa_replicas
from tests.rules.helpers import assert_examples


def test_gg709_hpa_replicas_examples() -> None:
    assert_examples(gg709_hpa_replicas)
