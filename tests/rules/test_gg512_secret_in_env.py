from __future__ import annotations

from generator.rules import gg512_secret_in_env
from tests.rules.helpers import assert_examples


def test_gg512_secret_in_env_examples() -> None:
    assert_examples(gg512_secret_in_env)
