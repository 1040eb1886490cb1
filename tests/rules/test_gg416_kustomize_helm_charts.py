from __future__ import annotations

from generator.rules import gg416_kustomize_helm_charts
from tests.rules.helpers import assert_examples


def test_gg416_kustomize_helm_charts_examples() -> None:
    assert_examples(gg416_kustomize_helm_charts)
