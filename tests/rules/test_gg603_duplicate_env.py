from __future__ import annotations

from generator.rules import gg603_duplicate_env
from tests.rules.helpers import assert_examples


def test_gg603_duplicate_env_examples() -> None:
    assert_examples(gg603_duplicate_env)
