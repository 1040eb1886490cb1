from __future__ import annotations

from generator.rules import gg403_argo_project_allows
from tests.rules.helpers import assert_examples


def test_gg403_argo_project_allows_examples() -> None:
    assert_examples(gg403_argo_project_allows)
