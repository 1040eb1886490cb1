from __future__ import annotations

from generator.rules import gg404_argo_chart_pinned
from tests.rules.helpers import assert_examples


def test_gg404_argo_chart_pinned_examples() -> None:
    assert_examples(gg404_argo_chart_pinned)
