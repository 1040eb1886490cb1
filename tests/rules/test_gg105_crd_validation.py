from __future__ import annotations

from generator.rules import gg105_crd_validation
from tests.rules.helpers import assert_examples


def test_gg105_crd_validation_examples() -> None:
    assert_examples(gg105_crd_validation)
