from __future__ import annotations

from generator.rules import gg703_probe_port
from tests.rules.helpers import assert_examples


def test_gg703_probe_port_examples() -> None:
    assert_examples(gg703_probe_port)
