from __future__ import annotations

from generator.rules import gg201_cpu_request
from tests.rules.helpers import assert_examples


def test_gg201_cpu_request_examples() -> None:
    assert_examples(gg201_cpu_request)
