from __future__ import annotations

from generator.rules import gg602_image_digest
from tests.rules.helpers import assert_examples


def test_gg602_image_digest_examples() -> None:
    assert_examples(gg602_image_digest)
