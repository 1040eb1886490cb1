from __future__ import annotations

from generator.rules import gg413_kustomize_remote_unpinned
from tests.rules.helpers import assert_examples


def test_gg413_kustomize_remote_unpinned_examples() -> None:
    assert_examples(gg413_kustomize_remote_unpinned)
