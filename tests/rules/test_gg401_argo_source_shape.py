from __future__ import annotations

from generator.rules import gg401_argo_source_shape
from tests.rules.helpers import assert_examples


def test_gg401_argo_source_shape_examples() -> None:
    assert_examples(gg401_argo_source_shape)
