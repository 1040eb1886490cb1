from __future__ import annotations

from generator.rules import gg402_argo_default_project
from tests.rules.helpers import assert_examples


def test_gg402_argo_default_project_examples() -> None:
    assert_examples(gg402_argo_default_project)
