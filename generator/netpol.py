"""NetworkPolicies from flows: default-deny for every namespace we own, DNS, and one policy per
declared flow, with node-level peers written the way the cluster's CNI matches them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

METRICS_SCRAPER_LABEL = "gitops-gen.dev/metrics-scraper"
APISERVER_PORT = 6443
DNS_SELECTOR = {"k8s-app": "kube-dns"}
ANYWHERE = "0.0.0.0/0"


@dataclass(frozen=True)
class Peer:
    """The other end of a flow.

    kind: pods (of `namespace`, matching `selector`; None: every pod), namespaces (every pod of
    the namespaces carrying `labels`), cluster (every pod), nodes, apiserver (the cluster's own),
    addresses (`cidr` minus `excepts`).
    """

    kind: str
    namespace: str | None = None
    selector: Mapping[str, str] | None = None
    labels: Mapping[str, str] | None = None
    cidr: str | None = None
    excepts: tuple[str, ...] = ()

    def __hash__(self) -> int:
        return hash((self.kind, self.namespace, self.cidr, self.excepts))


@dataclass(frozen=True)
class Flow:
    """One end of a connection: what the subject's pods may send (egress) or accept (ingress)."""

    name: str
    direction: str  # ingress | egress
    peers: tuple[Peer, ...]
    ports: tuple[int, ...] = ()  # empty: every port
    protocols: tuple[str, ...] = ("TCP",)


@dataclass(frozen=True)
class Subject:
    """The pods flows are written for: every pod of a namespace one component has to itself,
    or one component's pods in a namespace it shares with others or with Kubernetes (never the
    whole of kube-system). `owned`: its policies include the namespace's default-deny."""

    namespace: str
    selector: Mapping[str, str] | None = None
    owned: bool = True
    flows: tuple[Flow, ...] = ()

    def __hash__(self) -> int:
        return hash((self.namespace, tuple(sorted((self.selector or {}).items())), self.owned))


@dataclass(frozen=True)
class Fabric:
    """The clusters that apply one folder of policies: whether Cilium runs on them (all, or
    only some: `mixed`, where node-level peers are written both ways and the Cilium kinds go
    to a folder only Cilium clusters apply), and their node ranges."""

    cilium: bool
    mixed: bool = False
    node_cidrs: tuple[str, ...] = field(default_factory=tuple)
    # The `kubernetes` Service's addresses (first of each service range).
    apiserver_service_ips: tuple[str, ...] = field(default_factory=tuple)


def namespace_selector(namespace: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}


def namespace_object(name: str, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A Namespace carrying the label NetworkPolicies select namespaces by."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "labels": {"kubernetes.io/metadata.name": name, **(labels or {})},
        },
    }


def dns_flow() -> Flow:
    dns = Peer("pods", namespace="kube-system", selector=DNS_SELECTOR)
    return Flow("allow-dns", "egress", (dns,), (53,), ("UDP", "TCP"))


def _policy(name: str, namespace: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def baseline(namespace: str) -> list[dict[str, Any]]:
    """Deny everything in and out, then let pods resolve names."""
    deny = _policy(
        "default-deny", namespace, {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    )
    return [deny, *flow_policies(Subject(namespace), dns_flow(), Fabric(cilium=False))]


def _selector(labels: Mapping[str, str] | None) -> dict[str, Any]:
    return {"matchLabels": dict(labels)} if labels else {}


def _np_peers(peer: Peer, subject: Subject, fabric: Fabric) -> list[dict[str, Any]]:
    """The NetworkPolicyPeers of one peer; none when only a Cilium policy can name it."""
    if peer.kind == "pods":
        pods = {"podSelector": _selector(peer.selector)}
        if peer.namespace == subject.namespace:
            return [pods]
        return [{**namespace_selector(str(peer.namespace)), **pods}]
    if peer.kind == "namespaces":
        return [{"namespaceSelector": _selector(peer.labels)}]
    if peer.kind == "cluster":
        return [{"namespaceSelector": {}}]
    if peer.kind in ("nodes", "apiserver"):
        # Cilium's CIDR rules never match nodes or the API server: entities do, below.
        if fabric.cilium and not fabric.mixed:
            return []
        return [{"ipBlock": {"cidr": c}} for c in fabric.node_cidrs]
    if peer.kind == "addresses":
        block: dict[str, Any] = {"cidr": peer.cidr}
        if peer.excepts:
            block["except"] = list(peer.excepts)
        return [{"ipBlock": block}]
    raise ValueError(f"unknown peer kind {peer.kind!r}")


def cilium_entities(peer: Peer, direction: str) -> list[str]:
    """Cilium entities for node-level peers. Calls from the API server may leave a control-plane
    host from an address Cilium knows only as a node, so webhooks admit nodes too."""
    if peer.kind == "nodes":
        return ["host", "remote-node"]
    if peer.kind == "apiserver":
        return (
            ["kube-apiserver"]
            if direction == "egress"
            else ["kube-apiserver", "host", "remote-node"]
        )
    return []


def flow_policies(subject: Subject, flow: Flow, fabric: Fabric) -> list[dict[str, Any]]:
    """One NetworkPolicy for the flow, plus a CiliumNetworkPolicy for its node-level peers."""
    word = "from" if flow.direction == "ingress" else "to"
    ports = flow.ports or ((APISERVER_PORT,) if _only_apiserver(flow) else ())
    out = []
    np_peers = [p for peer in flow.peers for p in _np_peers(peer, subject, fabric)]
    if np_peers:
        # Without ports a rule would open every protocol: name the declared ones.
        entry: dict[str, Any] = {
            word: np_peers,
            "ports": [
                {"protocol": pr, "port": p} if p else {"protocol": pr}
                for pr in flow.protocols
                for p in ports or (0,)
            ],
        }
        entries = [entry]
        if not flow.ports and _only_apiserver(flow) and (fabric.mixed or not fabric.cilium):
            # Policies apply after the Service address is translated to the API server's
            # 6443; naming the Service's own address and port too keeps the rule right for
            # readers and policy engines that look before translation.
            entries.append(
                {
                    "to": [
                        {"ipBlock": {"cidr": f"{ip}/32"}} for ip in fabric.apiserver_service_ips
                    ],
                    "ports": [{"protocol": "TCP", "port": 443}],
                }
            )
        out.append(
            _policy(
                flow.name,
                subject.namespace,
                {
                    "podSelector": _selector(subject.selector),
                    "policyTypes": [flow.direction.capitalize()],
                    flow.direction: entries,
                },
            )
        )
    if fabric.cilium:
        entities = sorted({e for peer in flow.peers for e in cilium_entities(peer, flow.direction)})
        if entities:
            # Port "0" is Cilium's every port.
            rule: dict[str, Any] = {
                f"{word}Entities": entities,
                "toPorts": [
                    {
                        "ports": [
                            {"port": str(p), "protocol": pr}
                            for pr in flow.protocols
                            for p in ports or (0,)
                        ]
                    }
                ],
            }
            out.append(
                {
                    "apiVersion": "cilium.io/v2",
                    "kind": "CiliumNetworkPolicy",
                    "metadata": {"name": flow.name, "namespace": subject.namespace},
                    "spec": {
                        "endpointSelector": _selector(subject.selector),
                        flow.direction: [rule],
                    },
                }
            )
    return out


def _only_apiserver(flow: Flow) -> bool:
    return flow.direction == "egress" and all(p.kind == "apiserver" for p in flow.peers)


def subject_policies(subject: Subject, fabric: Fabric) -> list[dict[str, Any]]:
    """Everything one subject needs: the baseline where we own the namespace, then its flows."""
    out = baseline(subject.namespace) if subject.owned else []
    for flow in subject.flows:
        out.extend(flow_policies(subject, flow, fabric))
    return out
