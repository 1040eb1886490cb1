from __future__ import annotations

from generator.rules import gg507_host_namespaces
from tests.rules.helpers import assert_examples


def test_gg507_host_namespaces_examples() -> None:
    assert_examples(gg507_host_namespaces)
