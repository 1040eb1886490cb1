from __future__ import annotations

from generator.rules import gg309_ingress_snippets
from tests.rules.helpers import assert_examples


def test_gg309_ingress_snippets_examples() -> None:
    assert_examples(gg309_ingress_snippets)
