from __future__ import annotations

from generator.rules import gg410_kustomize_build
from tests.rules.helpers import assert_examples


def test_gg410_kustomize_build_examples() -> None:
    assert_examples(gg410_kustomize_build)
