from __future__ import annotations

from generator.rules import gg712_label_syntax
from tests.rules.helpers import assert_examples


def test_gg712_label_syntax_examples() -> None:
    assert_examples(gg712_label_syntax)
