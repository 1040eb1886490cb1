from __future__ import annotations

from generator.rules import gg205_job_hygiene
from tests.rules.helpers import assert_examples


def test_gg205_job_hygiene_examples() -> None:
    assert_examples(gg205_job_hygiene)
