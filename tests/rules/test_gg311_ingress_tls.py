from __future__ import annotations

from generator.rules import gg311_ingress_tls
from tests.rules.helpers import assert_examples


def test_gg311_ingress_tls_examples() -> None:
    assert_examples(gg311_ingress_tls)
