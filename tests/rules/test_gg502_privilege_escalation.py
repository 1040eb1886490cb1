from __future__ import annotations

from generator.rules import gg502_privilege_escalation
from tests.rules.helpers import assert_examples


def test_gg502_privilege_escalation_examples() -> None:
    assert_examples(gg502_privilege_escalation)
