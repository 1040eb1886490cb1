from __future__ import annotations

from generator.rules import gg706_pdb_sane
from tests.rules.helpers import assert_examples


def test_gg706_pdb_sane_examples() -> None:
    assert_examples(gg706_pdb_sane)
