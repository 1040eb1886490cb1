from __future__ import annotations

from generator.rules import gg415_argo_sync_options
from tests.rules.helpers import assert_examples


def test_gg415_argo_sync_options_examples() -> None:
    assert_examples(gg415_argo_sync_options)
