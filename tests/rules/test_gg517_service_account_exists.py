from __future__ import annotations

from generator.rules import gg517_service_account_exists
from tests.rules.helpers import assert_examples


def test_gg517_service_account_exists_examples() -> None:
    assert_examples(gg517_service_account_exists)
