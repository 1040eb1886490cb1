from __future__ import annotations

from generator.rules import gg601_image_tag
from tests.rules.helpers import assert_examples


def test_gg601_image_tag_examples() -> None:
    assert_examples(gg601_image_tag)
