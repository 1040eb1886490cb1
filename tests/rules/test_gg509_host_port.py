from __future__ import annotations

from generator.rules import gg509_host_port
from tests.rules.helpers import assert_examples


def test_gg509_host_port_examples() -> None:
    assert_examples(gg509_host_port)
