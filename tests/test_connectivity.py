"""The connectivity analyzer, one networking.k8s.io/v1 (and Cilium) semantic point at a time.

Every expected answer was worked out by hand from the objects in the test."""

from __future__ import annotations

from typing import Any

from generator.connectivity import (
    ALL_PORTS,
    APISERVER,
    NODES,
    Matrix,
    Network,
    analyze,
    subtract_ports,
)

FLANNEL = Network("10.0.0.0/16", "10.244.0.0/16", "10.96.0.0/12", "flannel")
CILIUM = Network("10.0.0.0/16", "10.244.0.0/16", "10.96.0.0/12", "cilium")


def deployment(
    namespace: str,
    name: str,
    labels: dict[str, str] | None = None,
    *,
    ports: dict[str, int] | None = None,
    host_network: bool = False,
) -> dict[str, Any]:
    pod: dict[str, Any] = {
        "containers": [
            {
                "name": "main",
                "image": "x",
                "ports": [{"name": n, "containerPort": p} for n, p in (ports or {}).items()],
            }
        ]
    }
    if host_network:
        pod["hostNetwork"] = True
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"template": {"metadata": {"labels": labels or {"app": name}}, "spec": pod}},
    }


def policy(namespace: str, name: str, **spec: Any) -> dict[str, Any]:
    spec.setdefault("podSelector", {})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def namespace(name: str, **labels: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


DENY_ALL = {"policyTypes": ["Ingress", "Egress"]}


def tcp(matrix: Matrix, source: str, destination: str) -> tuple[tuple[int, int], ...]:
    return matrix.get((source, destination, "TCP"), ())


def test_without_policies_everything_is_open() -> None:
    m = analyze([deployment("a", "web"), deployment("b", "db")], FLANNEL)
    assert tcp(m, "a/web", "b/db") == ALL_PORTS
    assert tcp(m, "a/web", NODES) == ALL_PORTS
    assert tcp(m, "a/web", "0.0.0.0/5") == ALL_PORTS  # outside every cluster range
    assert m[("b/db", "a/web", "UDP")] == ALL_PORTS


def test_default_deny_closes_both_directions_of_its_namespace_only() -> None:
    objects = [deployment("a", "web"), deployment("b", "db"), policy("a", "deny", **DENY_ALL)]
    m = analyze(objects, FLANNEL)
    assert tcp(m, "a/web", "b/db") == ()
    assert tcp(m, "b/db", "a/web") == ()
    assert tcp(m, "b/db", NODES) == ALL_PORTS


def test_policy_types_default_to_ingress_plus_egress_only_when_egress_rules_exist() -> None:
    only_ingress_rules = policy("a", "p", ingress=[{"from": [{"podSelector": {}}]}])
    m = analyze([deployment("a", "web"), deployment("b", "db"), only_ingress_rules], FLANNEL)
    assert tcp(m, "b/db", "a/web") == ()  # ingress isolated: only pods of `a` come in
    assert tcp(m, "a/web", "b/db") == ALL_PORTS  # egress untouched
    empty_egress = policy("a", "p", egress=[])
    m = analyze([deployment("a", "web"), deployment("b", "db"), empty_egress], FLANNEL)
    assert tcp(m, "a/web", "b/db") == ALL_PORTS  # `egress: []` is no egress section
    assert tcp(m, "b/db", "a/web") == ()
    with_egress = policy("a", "p", egress=[{"ports": [{"port": 53, "protocol": "UDP"}]}])
    m = analyze([deployment("a", "web"), deployment("b", "db"), with_egress], FLANNEL)
    assert tcp(m, "a/web", "b/db") == ()
    assert m[("a/web", "b/db", "UDP")] == ((53, 53),)
    assert tcp(m, "b/db", "a/web") == ()  # Ingress is implied too


def test_egress_and_ingress_are_both_needed_between_pods() -> None:
    objects = [
        deployment("a", "web"),
        deployment("b", "db"),
        policy("a", "deny", **DENY_ALL),
        policy("b", "deny", **DENY_ALL),
        policy("a", "out", policyTypes=["Egress"], egress=[{"ports": [{"port": 5432}]}]),
    ]
    assert tcp(analyze(objects, FLANNEL), "a/web", "b/db") == ()
    objects.append(
        policy(
            "b",
            "in",
            policyTypes=["Ingress"],
            ingress=[{"ports": [{"port": 5432}, {"port": 6432}]}],
        )
    )
    assert tcp(analyze(objects, FLANNEL), "a/web", "b/db") == ((5432, 5432),)


def test_peers_in_one_rule_are_ored_and_selectors_in_one_peer_are_anded() -> None:
    base = [
        namespace("a"),
        namespace("b", team="x"),
        namespace("c", team="x"),
        deployment("b", "api", {"role": "api"}),
        deployment("b", "job", {"role": "job"}),
        deployment("c", "api", {"role": "api"}),
        deployment("t", "target"),
    ]
    anded = policy(
        "t",
        "p",
        ingress=[
            {
                "from": [
                    {
                        "namespaceSelector": {"matchLabels": {"team": "x"}},
                        "podSelector": {"matchLabels": {"role": "api"}},
                    }
                ]
            }
        ],
    )
    m = analyze([*base, anded], FLANNEL)
    assert tcp(m, "b/api", "t/target") == ALL_PORTS
    assert tcp(m, "c/api", "t/target") == ALL_PORTS
    assert tcp(m, "b/job", "t/target") == ()
    ored = policy(
        "t",
        "p",
        ingress=[
            {
                "from": [
                    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "c"}}},
                    {"podSelector": {"matchLabels": {"app": "target"}}},
                ]
            }
        ],
    )
    m = analyze([*base, ored], FLANNEL)
    assert tcp(m, "c/api", "t/target") == ALL_PORTS
    assert tcp(m, "b/api", "t/target") == ()
    assert tcp(m, "t/target", "t/target") == ALL_PORTS  # a podSelector alone: own namespace


def _admitted_by(expressions: list[dict[str, Any]]) -> set[str]:
    """Who reaches `a/target` when its ingress admits pods matching `expressions`."""
    pods = [
        deployment("a", "one", {"tier": "web", "env": "prod"}),
        deployment("a", "two", {"tier": "db"}),
        deployment("a", "three", {"tier": "cache", "env": "dev"}),
        deployment("a", "target"),
    ]
    target_policy = policy(
        "a",
        "p",
        podSelector={"matchLabels": {"app": "target"}},
        ingress=[{"from": [{"podSelector": {"matchExpressions": expressions}}]}],
    )
    m = analyze([*pods, target_policy], FLANNEL)
    return {s for (s, d, p), v in m.items() if d == "a/target" and p == "TCP" and v == ALL_PORTS}


def test_match_expressions() -> None:
    in_not_in = [
        {"key": "tier", "operator": "In", "values": ["web", "db"]},
        {"key": "env", "operator": "NotIn", "values": ["dev"]},
    ]
    # NotIn holds when the key is missing (a/two)
    assert _admitted_by(in_not_in) == {"a/one", "a/two"}
    assert _admitted_by([{"key": "env", "operator": "Exists"}]) == {"a/one", "a/three"}
    assert _admitted_by([{"key": "env", "operator": "DoesNotExist"}]) == {"a/two", "a/target"}


def test_named_ports_resolve_on_the_destination_pod() -> None:
    objects = [
        deployment("a", "web", ports={"http": 8080}),
        deployment("a", "other", ports={"http": 9090}),
        deployment("a", "client"),
        policy("a", "deny", **DENY_ALL),
        policy(
            "a",
            "out",
            podSelector={"matchLabels": {"app": "client"}},
            policyTypes=["Egress"],
            egress=[{"ports": [{"port": "http"}]}],
        ),
        policy(
            "a",
            "in",
            podSelector={
                "matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "other"]}]
            },
            ingress=[{"ports": [{"port": "http"}]}],
        ),
    ]
    m = analyze(objects, FLANNEL)
    assert tcp(m, "a/client", "a/web") == ((8080, 8080),)
    assert tcp(m, "a/client", "a/other") == ((9090, 9090),)
    assert tcp(m, "a/client", "0.0.0.0/5") == ()  # a name means nothing off a pod


def web_with_egress(*rules: dict[str, Any]) -> list[dict[str, Any]]:
    """Workload a/web and one policy isolating its egress to `rules`."""
    return [deployment("a", "web"), policy("a", "p", policyTypes=["Egress"], egress=list(rules))]


def test_end_port_and_protocol_defaults() -> None:
    m = analyze(
        web_with_egress({"ports": [{"port": 30000, "endPort": 30010}, {"port": 53}]}), FLANNEL
    )
    assert tcp(m, "a/web", NODES) == ((53, 53), (30000, 30010))
    assert ("a/web", NODES, "UDP") not in m  # no protocol means TCP only
    m = analyze(web_with_egress({"ports": [{"protocol": "UDP"}]}), FLANNEL)
    assert m[("a/web", NODES, "UDP")] == ALL_PORTS
    assert tcp(m, "a/web", NODES) == ()


def test_ip_block_with_except() -> None:
    block = {"ipBlock": {"cidr": "192.168.0.0/16", "except": ["192.168.1.0/24"]}}
    m = analyze(web_with_egress({"to": [block], "ports": [{"port": 443}]}), FLANNEL)
    reached = {d for (s, d, p) in m if s == "a/web" and p == "TCP"}
    assert "192.168.0.0/24" in reached and "192.168.2.0/23" in reached
    assert "192.168.1.0/24" not in reached
    assert NODES not in reached  # 192.168/16 does not hold the node range


def test_node_range_blocks_reach_nodes_and_api_server_except_on_cilium() -> None:
    nodes = {"ipBlock": {"cidr": "10.0.0.0/16"}}
    objects = web_with_egress({"to": [nodes], "ports": [{"port": 6443}]})
    m = analyze(objects, FLANNEL)
    assert tcp(m, "a/web", APISERVER) == ((6443, 6443),)
    assert tcp(m, "a/web", NODES) == ((6443, 6443),)
    assert tcp(analyze(objects, CILIUM), "a/web", APISERVER) == ()


def test_host_network_pods_are_node_addresses() -> None:
    objects = [
        deployment("edge", "traefik", host_network=True),
        deployment("a", "web"),
        policy("a", "deny", **DENY_ALL),
        policy(
            "a",
            "from-nodes",
            ingress=[{"from": [{"ipBlock": {"cidr": "10.0.0.0/16"}}], "ports": [{"port": 80}]}],
        ),
        policy("edge", "deny", **DENY_ALL),  # selects nothing: host-network pods are not selected
    ]
    m = analyze(objects, FLANNEL)
    assert tcp(m, NODES, "a/web") == ((80, 80),)
    assert not any("edge/traefik" in key for key in m)


def _cnp(namespace: str, name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumNetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"endpointSelector": {}, **spec},
    }


def test_cilium_entities() -> None:
    objects = [
        deployment("a", "op"),
        policy("a", "deny", **DENY_ALL),
        _cnp(
            "a",
            "api",
            egress=[
                {
                    "toEntities": ["kube-apiserver"],
                    "toPorts": [{"ports": [{"port": "6443", "protocol": "TCP"}]}],
                }
            ],
            ingress=[
                {
                    "fromEntities": ["kube-apiserver", "host", "remote-node"],
                    "toPorts": [{"ports": [{"port": "9443"}]}],
                }
            ],
        ),
    ]
    m = analyze(objects, CILIUM)
    assert tcp(m, "a/op", APISERVER) == ((6443, 6443),)
    assert tcp(m, "a/op", NODES) == ()
    assert tcp(m, APISERVER, "a/op") == ((9443, 9443),)
    assert tcp(m, NODES, "a/op") == ((9443, 9443),)
    assert m[(NODES, "a/op", "UDP")] == ((9443, 9443),)  # no protocol in Cilium: any
    # Not enforced where Cilium does not run: only the default-deny counts there.
    assert tcp(analyze(objects, FLANNEL), "a/op", APISERVER) == ()


def test_cilium_policy_isolates_what_it_selects_and_endpoints_stay_in_namespace() -> None:
    objects = [
        deployment("a", "web"),
        deployment("a", "db"),
        deployment("b", "db"),
        _cnp(
            "a",
            "p",
            endpointSelector={"matchLabels": {"app": "web"}},
            egress=[{"toEndpoints": [{"matchLabels": {"k8s:app": "db"}}]}],
        ),
    ]
    m = analyze(objects, CILIUM)
    assert tcp(m, "a/web", "a/db") == ALL_PORTS
    assert tcp(m, "a/web", "b/db") == ()
    assert tcp(m, "a/db", "b/db") == ALL_PORTS


def test_port_arithmetic() -> None:
    assert subtract_ports(((1, 100),), ((10, 20), (50, 50))) == ((1, 9), (21, 49), (51, 100))
