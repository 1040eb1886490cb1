from __future__ import annotations

from generator.rules import gg514_plaintext_secret
from tests.rules.helpers import assert_examples


def test_gg514_plaintext_secret_examples() -> None:
    assert_examples(gg514_plaintext_secret)
