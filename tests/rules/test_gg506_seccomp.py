from __future__ import annotations

from generator.rules import gg506_seccomp
from tests.rules.helpers import assert_examples


def test_gg506_seccomp_examples() -> None:
    assert_examples(gg506_seccomp)
