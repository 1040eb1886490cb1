from __future__ import annotations

from generator.rules import gg701_readiness_probe
from tests.rules.helpers import assert_examples


def test_gg701_readiness_probe_examples() -> None:
    assert_examples(gg701_readiness_probe)
