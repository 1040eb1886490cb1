from __future__ import annotations

from generator.rules import gg312_open_workload
from tests.rules.helpers import assert_examples


def test_gg312_open_workload_examples() -> None:
    assert_examples(gg312_open_workload)
