from __future__ import annotations

from generator.rules import gg801_removed_api
from tests.rules.helpers import assert_examples


def test_gg801_removed_api_examples() -> None:
    assert_examples(gg801_removed_api)
