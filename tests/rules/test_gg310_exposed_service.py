from __future__ import annotations

from generator.rules import gg310_exposed_service
from tests.rules.helpers import assert_examples


def test_gg310_exposed_service_examples() -> None:
    assert_examples(gg310_exposed_service)
