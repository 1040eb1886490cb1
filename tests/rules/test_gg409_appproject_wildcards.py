from __future__ import annotations

from generator.rules import gg409_appproject_wildcards
from tests.rules.helpers import assert_examples


def test_gg409_appproject_wildcards_examples() -> None:
    assert_examples(gg409_appproject_wildcards)
