from __future__ import annotations

from generator.rules import gg505_capabilities
from tests.rules.helpers import assert_examples


def test_gg505_capabilities_examples() -> None:
    assert_examples(gg505_capabilities)
