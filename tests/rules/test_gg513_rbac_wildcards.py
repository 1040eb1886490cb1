from __future__ import annotations

from generator.rules import gg513_rbac_wildcards
from tests.rules.helpers import assert_examples


def test_gg513_rbac_wildcards_examples() -> None:
    assert_examples(gg513_rbac_wildcards)
