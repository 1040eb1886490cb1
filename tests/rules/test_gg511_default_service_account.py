from __future__ import annotations

from generator.rules import gg511_default_service_account
from tests.rules.helpers import assert_examples


def test_gg511_default_service_account_examples() -> None:
    assert_examples(gg511_default_service_account)
