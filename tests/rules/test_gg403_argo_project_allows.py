from __future__ import annotations

from generator.rules import gg403_argo_project_allows
from generator.rules.argo import Destinations, destination_allowed
from tests.rules.helpers import assert_examples


def test_gg403_argo_project_allows_examples() -> None:
    assert_examples(gg403_argo_project_allows)


def test_literal_and_glob_destinations_are_judged_alike() -> None:
    allowed = [
        {"name": "hub", "namespace": "capi-a"},
        {"server": "https://b.example.com:6443", "name": "b", "namespace": "apps"},
        {"name": "spoke-*", "namespace": "team-?"},
        "not a destination",
    ]
    index = Destinations(allowed)
    cases = [
        ({"name": "hub", "namespace": "capi-a"}, True),
        ({"name": "hub", "namespace": "capi-b"}, False),
        ({"server": "https://b.example.com:6443", "namespace": "apps"}, True),
        ({"name": "b", "namespace": "apps"}, True),
        ({"name": "b", "namespace": "other"}, False),
        ({"name": "spoke-7", "namespace": "team-x"}, True),
        ({"name": "spoke-7", "namespace": "team-xy"}, False),
        ({"name": "elsewhere", "namespace": "capi-a"}, False),
    ]
    for dest, allowed_here in cases:
        assert index.allow(dest) is allowed_here, dest
        assert destination_allowed(dest, allowed) is allowed_here, dest
