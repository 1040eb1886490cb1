from __future__ import annotations

from generator.rules import gg710_statefulset_service
from tests.rules.helpers import assert_examples


def test_gg710_statefulset_service_examples() -> None:
    assert_examples(gg710_statefulset_service)
