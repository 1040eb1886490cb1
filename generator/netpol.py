"""NetworkPolicies: default-deny for every namespace we create, DNS, and one policy per flow."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from generator.blueprints import NetworkRule

_ANYWHERE = {"ipBlock": {"cidr": "0.0.0.0/0"}}
# The API server runs on the host network, often behind a load balancer: pods cannot select it.
_APISERVER_PORTS = (443, 6443)
METRICS_SCRAPER_LABEL = "gitops-gen.dev/metrics-scraper"
# Why `gitops-gen lint` rule GG308 (egress to 0.0.0.0/0 reaches the API server) does not apply.
_GG308_REASONS = {
    "apiserver": "the component calls the Kubernetes API server, whose address pods cannot select",
    "world": "the component needs HTTPS to the internet; the API server's address is not known "
    "to exclude",
    "spokes": "Argo CD deploys to the spoke clusters through their API servers",
}


def _policy(name: str, namespace: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def _ports(ports: Iterable[int], protocol: str = "TCP") -> list[dict[str, Any]]:
    return [{"protocol": protocol, "port": port} for port in ports]


def namespace_selector(namespace: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}


def namespace_object(name: str) -> dict[str, Any]:
    """A Namespace carrying the label NetworkPolicies select namespaces by."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
    }


def baseline(namespace: str) -> list[dict[str, Any]]:
    """Deny everything in and out, then let pods resolve names."""
    return [
        _policy(
            "default-deny", namespace, {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        ),
        _policy(
            "allow-dns",
            namespace,
            {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                **namespace_selector("kube-system"),
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                            }
                        ],
                        "ports": [*_ports([53], "UDP"), *_ports([53])],
                    }
                ],
            },
        ),
    ]


def _peer(kind: str, namespace: str, ingress_namespace: str | None) -> list[dict[str, Any]] | None:
    if kind == "namespace":
        return [{"podSelector": {}}]
    if kind == "cluster":
        return [{"namespaceSelector": {}}]
    # Spoke API servers' addresses are unknown when rendering (DESIGN section 5).
    if kind in ("apiserver", "world", "nodes", "spokes"):
        return [_ANYWHERE]
    if kind == "scraper":
        return [{"namespaceSelector": {"matchLabels": {METRICS_SCRAPER_LABEL: "true"}}}]
    if kind == "ingress":
        return [namespace_selector(ingress_namespace)] if ingress_namespace else None
    raise ValueError(f"unknown peer kind {kind!r}")


def component_policies(
    namespace: str, rules: Iterable[NetworkRule], ingress_namespace: str | None
) -> list[dict[str, Any]]:
    """The baseline plus one policy per blueprint rule whose peer exists on the cluster."""
    out = baseline(namespace)
    for rule in rules:
        peers = _peer(rule.peer, namespace, ingress_namespace)
        if peers is None:
            continue
        ports = rule.ports or (_APISERVER_PORTS if rule.peer == "apiserver" else ())
        entry: dict[str, Any] = {"from" if rule.direction == "ingress" else "to": peers}
        if ports:
            entry["ports"] = _ports(ports)
        kind = "Ingress" if rule.direction == "ingress" else "Egress"
        word = "from" if rule.direction == "ingress" else "to"
        policy = _policy(
            f"allow-{rule.direction}-{word}-{rule.peer}",
            namespace,
            {"podSelector": {}, "policyTypes": [kind], rule.direction: [entry]},
        )
        reaches_api = not ports or bool(set(ports) & set(_APISERVER_PORTS))
        if rule.direction == "egress" and rule.peer in _GG308_REASONS and reaches_api:
            policy["metadata"]["annotations"] = {
                "ignore.gitops-gen.dev/GG308": _GG308_REASONS[rule.peer]
            }
        out.append(policy)
    return out


def app_policies(
    namespace: str,
    selector: dict[str, str],
    *,
    ingress_namespace: str | None,
    port: int | None,
    metrics_port: int | None,
    callers: Iterable[tuple[str, int]],
    app_targets: Iterable[tuple[str, int]],
    external_targets: Iterable[tuple[str, str, int]],
) -> list[dict[str, Any]]:
    """Exactly the application's declared flows, on top of the baseline."""
    pods = {"matchLabels": selector}
    out = baseline(namespace)
    if ingress_namespace and port:
        out.append(
            _policy(
                "allow-from-ingress-controller",
                namespace,
                {
                    "podSelector": pods,
                    "policyTypes": ["Ingress"],
                    "ingress": [
                        {"from": [namespace_selector(ingress_namespace)], "ports": _ports([port])}
                    ],
                },
            )
        )
    if metrics_port:
        scraper = {"namespaceSelector": {"matchLabels": {METRICS_SCRAPER_LABEL: "true"}}}
        out.append(
            _policy(
                "allow-from-metrics-scrapers",
                namespace,
                {
                    "podSelector": pods,
                    "policyTypes": ["Ingress"],
                    "ingress": [{"from": [scraper], "ports": _ports([metrics_port])}],
                },
            )
        )
    for caller, caller_port in sorted(set(callers)):
        out.append(
            _policy(
                f"allow-from-{caller}",
                namespace,
                {
                    "podSelector": pods,
                    "policyTypes": ["Ingress"],
                    "ingress": [
                        {
                            "from": [
                                {
                                    **namespace_selector(caller),
                                    "podSelector": {
                                        "matchLabels": {"app.kubernetes.io/name": caller}
                                    },
                                }
                            ],
                            "ports": _ports([caller_port]),
                        }
                    ],
                },
            )
        )
    for target, target_port in sorted(set(app_targets)):
        out.append(
            _policy(
                f"allow-to-{target}",
                namespace,
                {
                    "podSelector": pods,
                    "policyTypes": ["Egress"],
                    "egress": [
                        {
                            "to": [
                                {
                                    **namespace_selector(target),
                                    "podSelector": {
                                        "matchLabels": {"app.kubernetes.io/name": target}
                                    },
                                }
                            ],
                            "ports": _ports([target_port]),
                        }
                    ],
                },
            )
        )
    for name, cidr, target_port in sorted(set(external_targets)):
        out.append(
            _policy(
                f"allow-to-{name}",
                namespace,
                {
                    "podSelector": pods,
                    "policyTypes": ["Egress"],
                    "egress": [
                        {"to": [{"ipBlock": {"cidr": cidr}}], "ports": _ports([target_port])}
                    ],
                },
            )
        )
    return out


def app_peer_policy(
    namespace: str,
    selector: dict[str, str],
    direction: str,
    peer: str,
    peer_namespace: str,
    port: int,
) -> dict[str, Any]:
    """One flow between two applications, each in its own namespace or sharing one."""
    peers = [
        {
            **namespace_selector(peer_namespace),
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": peer}},
        }
    ]
    ingress = direction == "ingress"
    return _policy(
        f"allow-{'from' if ingress else 'to'}-{peer}",
        namespace,
        {
            "podSelector": {"matchLabels": selector},
            "policyTypes": ["Ingress" if ingress else "Egress"],
            direction: [{"from" if ingress else "to": peers, "ports": _ports([port])}],
        },
    )
