"""Findings lint reports about NetworkPolicies, on small hand-written repositories."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.connectivity import Network
from generator.netfindings import (
    all_findings,
    broad_apiserver_egress,
    empty_policies,
    open_workloads,
    unprotected_namespaces,
)
from generator.yamlio import load_all_plain
from tests.conftest import ROOT
from tests.test_connectivity import DENY_ALL, deployment, policy

NETWORK = Network("10.0.0.0/16", "10.244.0.0/16", "10.96.0.0/12", "cilium")


def test_namespace_without_default_deny() -> None:
    objects = [
        deployment("a", "web"),
        deployment("b", "db"),
        policy("a", "deny", **DENY_ALL),
        policy("b", "in", podSelector={}, ingress=[]),
    ]
    (finding,) = unprotected_namespaces(objects)
    assert finding.ref == "Namespace/b"
    assert "for egress" in finding.message


def test_workloads_open_to_everything() -> None:
    objects = [
        deployment("a", "web"),
        deployment("a", "db", {"app": "db"}),
        policy("a", "deny", **DENY_ALL),
        policy("a", "all-in", podSelector={"matchLabels": {"app": "db"}}, ingress=[{}]),
        deployment("b", "free"),
    ]
    found = {(f.ref, f.message) for f in open_workloads(objects)}
    assert found == {
        (
            "Workload/a/db",
            "open to all ingress: NetworkPolicy/a/all-in allows every peer on every port",
        ),
        ("Workload/b/free", "open to all ingress: no NetworkPolicy selects it"),
        ("Workload/b/free", "open to all egress: no NetworkPolicy selects it"),
    }


def test_policy_selecting_nothing() -> None:
    objects = [
        deployment("a", "web"),
        policy("a", "typo", podSelector={"matchLabels": {"app": "wbe"}}, ingress=[]),
        policy("a", "fine", podSelector={"matchLabels": {"app": "web"}}, ingress=[]),
    ]
    assert [f.ref for f in empty_policies(objects)] == ["NetworkPolicy/a/typo"]


def _egress(cidr: str, ports: list[dict[str, Any]], **block: Any) -> dict[str, Any]:
    return policy(
        "a",
        "out",
        policyTypes=["Egress"],
        egress=[{"to": [{"ipBlock": {"cidr": cidr, **block}}], "ports": ports}],
    )


def test_egress_anywhere_on_api_server_ports() -> None:
    assert broad_apiserver_egress([_egress("0.0.0.0/0", [{"port": 6443}])])
    assert broad_apiserver_egress([_egress("0.0.0.0/0", [{"port": 400, "endPort": 500}])])
    assert not broad_apiserver_egress([_egress("0.0.0.0/0", [{"port": 5432}])])
    assert not broad_apiserver_egress([_egress("10.0.0.0/16", [{"port": 6443}])])
    outside = _egress("0.0.0.0/0", [{"port": 443}], **{"except": ["10.0.0.0/8"]})
    assert broad_apiserver_egress([outside])
    assert not broad_apiserver_egress([outside], NETWORK)


def test_the_example_output_is_clean() -> None:
    objects = [
        doc
        for path in sorted((ROOT / "output-example").rglob("*.yaml"))
        if "patches" not in path.parts
        for doc in load_all_plain(Path(path).read_text())
        if doc
    ]
    assert list(all_findings(objects, NETWORK)) == []
