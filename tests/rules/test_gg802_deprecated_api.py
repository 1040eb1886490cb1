from __future__ import annotations

from generator.rules import gg802_deprecated_api
from tests.rules.helpers import assert_examples


def test_gg802_deprecated_api_examples() -> None:
    assert_examples(gg802_deprecated_api)
