from __future__ import annotations

from generator.rules import gg414_argo_revision_pinning
from tests.rules.helpers import assert_examples


def test_gg414_argo_revision_pinning_examples() -> None:
    assert_examples(gg414_argo_revision_pinning)
