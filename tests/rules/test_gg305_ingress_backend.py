from __future__ import annotations

from generator.rules import gg305_ingress_backend
from tests.rules.helpers import assert_examples


def test_gg305_ingress_backend_examples() -> None:
    assert_examples(gg305_ingress_backend)
