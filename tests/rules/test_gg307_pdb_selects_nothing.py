from __future__ import annotations

from generator.rules import gg307_pdb_selects_nothing
from tests.rules.helpers import assert_examples


def test_gg307_pdb_selects_nothing_examples() -> None:
    assert_examples(gg307_pdb_selects_nothing)
