from __future__ import annotations

from generator.rules import gg100_yaml_syntax
from tests.rules.helpers import assert_examples


def test_gg100_yaml_syntax_examples() -> None:
    assert_examples(gg100_yaml_syntax)
