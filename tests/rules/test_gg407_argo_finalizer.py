from __future__ import annotations

from generator.rules import gg407_argo_finalizer
from tests.rules.helpers import assert_examples


def test_gg407_argo_finalizer_examples() -> None:
    assert_examples(gg407_argo_finalizer)
