from __future__ import annotations

from generator.rules import gg308_egress_to_api_server
from tests.rules.helpers import assert_examples


def test_gg308_egress_to_api_server_examples() -> None:
    assert_examples(gg308_egress_to_api_server)
