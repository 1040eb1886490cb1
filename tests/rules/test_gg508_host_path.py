from __future__ import annotations

from generator.rules import gg508_host_path
from tests.rules.helpers import assert_examples


def test_gg508_host_path_examples() -> None:
    assert_examples(gg508_host_path)
