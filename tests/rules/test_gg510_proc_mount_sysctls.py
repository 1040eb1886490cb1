from __future__ import annotations

from generator.rules import gg510_proc_mount_sysctls
from tests.rules.helpers import assert_examples


def test_gg510_proc_mount_sysctls_examples() -> None:
    assert_examples(gg510_proc_mount_sysctls)
