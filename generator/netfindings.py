"""What is wrong with a set of NetworkPolicies, for `lint`: pure functions of objects.

Each returns findings naming the object (`Kind/namespace/name`) and what was found; the lint
rules decide codes and severities."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.connectivity import (
    Network,
    Workload,
    cilium_policies,
    network_policies,
    policy_types,
    selects,
    workloads,
)
from generator.manifests import object_ref

APISERVER_PORTS = (443, 6443)


@dataclass(frozen=True, order=True)
class NetFinding:
    check: str  # unprotected-namespace | open-workload | empty-policy | broad-apiserver-egress
    ref: str
    message: str


def _namespace(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("namespace", "default"))


def _selecting(
    policies: Sequence[Mapping[str, Any]], workload: Workload, kind: str
) -> list[Mapping[str, Any]]:
    return [
        p
        for p in policies
        if _namespace(p) == workload.namespace
        and kind in policy_types(p.get("spec") or {})
        and selects((p.get("spec") or {}).get("podSelector", {}), workload.labels)
    ]


def unprotected_namespaces(objects: Sequence[Mapping[str, Any]]) -> list[NetFinding]:
    """Namespaces running pods without a policy that isolates every pod in each direction."""
    policies = network_policies(objects)
    cilium = cilium_policies(objects)
    out = []
    for namespace in sorted({w.namespace for w in workloads(objects) if not w.host_network}):
        missing = []
        for kind in ("Ingress", "Egress"):
            whole = any(
                _namespace(p) == namespace
                and kind in policy_types(p.get("spec") or {})
                and not (p.get("spec") or {}).get("podSelector")
                for p in policies
            ) or any(
                _namespace(p) == namespace
                and kind.lower() in (p.get("spec") or {})
                and not (p.get("spec") or {}).get("endpointSelector")
                for p in cilium
            )
            if not whole:
                missing.append(kind.lower())
        if missing:
            out.append(
                NetFinding(
                    "unprotected-namespace",
                    f"Namespace/{namespace}",
                    f"pods run here but no policy isolates all of them for {' and '.join(missing)}"
                    " (add a default-deny NetworkPolicy)",
                )
            )
    return out


def _wide_open(rule: Mapping[str, Any], peers_key: str) -> bool:
    return not rule.get(peers_key) and not rule.get("ports")


def open_workloads(objects: Sequence[Mapping[str, Any]]) -> list[NetFinding]:
    """Workloads no policy isolates, or that a rule opens to every peer on every port."""
    policies = network_policies(objects)
    out = []
    for workload in workloads(objects):
        if workload.host_network:
            continue
        for kind, key, peers_key in (("Ingress", "ingress", "from"), ("Egress", "egress", "to")):
            selecting = _selecting(policies, workload, kind)
            opener = next(
                (
                    p
                    for p in selecting
                    if any(_wide_open(r, peers_key) for r in (p.get("spec") or {}).get(key) or [])
                ),
                None,
            )
            if selecting and opener is None:
                continue
            why = (
                f"{object_ref(opener)} allows every peer on every port"
                if opener
                else "no NetworkPolicy selects it"
            )
            out.append(
                NetFinding(
                    "open-workload",
                    f"Workload/{workload.id}",
                    f"open to all {key}: {why}",
                )
            )
    return out


def empty_policies(objects: Sequence[Mapping[str, Any]]) -> list[NetFinding]:
    """Policies whose podSelector matches no pod among the objects (a typo in a label)."""
    found = workloads(objects)
    out = []
    for policy in network_policies(objects):
        selector = (policy.get("spec") or {}).get("podSelector") or {}
        if not selector:
            continue
        if not any(
            w.namespace == _namespace(policy) and selects(selector, w.labels) for w in found
        ):
            out.append(
                NetFinding("empty-policy", object_ref(policy), "its podSelector selects no pod")
            )
    return out


def _excluded(block: Mapping[str, Any], network: Network | None) -> bool:
    """Whether the block leaves out the cluster's node range (where the API server is)."""
    if network is None:
        return False
    nodes = ipaddress.ip_network(network.node_cidr)
    for cidr in block.get("except") or []:
        net = ipaddress.ip_network(cidr, strict=False)
        if net.version == nodes.version and nodes.subnet_of(net):  # type: ignore[arg-type]
            return True
    return False


def _ports_hit(ports: Sequence[Mapping[str, Any]] | None) -> bool:
    if not ports:
        return True
    for entry in ports:
        if entry.get("protocol", "TCP") != "TCP":
            continue
        port = entry.get("port")
        if port is None:
            return True
        if isinstance(port, int) and any(
            port <= p <= int(entry.get("endPort", port)) for p in APISERVER_PORTS
        ):
            return True
    return False


def broad_apiserver_egress(
    objects: Sequence[Mapping[str, Any]], network: Network | None = None
) -> list[NetFinding]:
    """Egress to 0.0.0.0/0 (or ::/0) on an API-server port: the API server is a node address,
    so such a rule opens the whole internet to reach it. Given the cluster's network, blocks
    that except its node range are fine."""
    out = []
    for policy in network_policies(objects):
        for rule in (policy.get("spec") or {}).get("egress") or []:
            if not _ports_hit(rule.get("ports")):
                continue
            for peer in rule.get("to") or []:
                block = peer.get("ipBlock")
                if not block or not block["cidr"].endswith("/0") or _excluded(block, network):
                    continue
                out.append(
                    NetFinding(
                        "broad-apiserver-egress",
                        object_ref(policy),
                        f"egress to {block['cidr']} on an API-server port "
                        f"({'/'.join(map(str, APISERVER_PORTS))}); name the API server by the "
                        "node range, or Cilium's kube-apiserver entity",
                    )
                )
    return out


def all_findings(
    objects: Sequence[Mapping[str, Any]], network: Network | None = None
) -> Iterator[NetFinding]:
    yield from unprotected_namespaces(objects)
    yield from open_workloads(objects)
    yield from empty_policies(objects)
    yield from broad_apiserver_egress(objects, network)
