from __future__ import annotations

from generator.rules import gg411_kustomize_deprecated
from tests.rules.helpers import assert_examples


def test_gg411_kustomize_deprecated_examples() -> None:
    assert_examples(gg411_kustomize_deprecated)
