from __future__ import annotations

from generator.rules import gg203_cpu_limit
from tests.rules.helpers import assert_examples


def test_gg203_cpu_limit_examples() -> None:
    assert_examples(gg203_cpu_limit)
