from __future__ import annotations

from generator.rules import gg516_service_account_token
from tests.rules.helpers import assert_examples


def test_gg516_service_account_token_examples() -> None:
    assert_examples(gg516_service_account_token)
