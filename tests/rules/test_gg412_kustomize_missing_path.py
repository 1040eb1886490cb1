from __future__ import annotations

from generator.rules import gg412_kustomize_missing_path
from tests.rules.helpers import assert_examples


def test_gg412_kustomize_missing_path_examples() -> None:
    assert_examples(gg412_kustomize_missing_path)
