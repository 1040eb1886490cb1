from __future__ import annotations

from generator.rules import gg504_read_only_root_filesystem
from tests.rules.helpers import assert_examples


def test_gg504_read_only_root_filesystem_examples() -> None:
    assert_examples(gg504_read_only_root_filesystem)
