from __future__ import annotations

from generator.rules import gg705_pdb_exists
from tests.rules.helpers import assert_examples


def test_gg705_pdb_exists_examples() -> None:
    assert_examples(gg705_pdb_exists)
