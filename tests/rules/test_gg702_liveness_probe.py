from __future__ import annotations

from generator.rules import gg702_liveness_probe
from tests.rules.helpers import assert_examples


def test_gg702_liveness_probe_examples() -> None:
    assert_examples(gg702_liveness_probe)
