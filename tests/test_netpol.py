"""Synthesis: the objects one flow becomes, per CNI."""

from __future__ import annotations

from generator.netpol import Fabric, Flow, Peer, Subject, flow_policies, subject_policies

CILIUM = Fabric(cilium=True, node_cidrs=("10.0.0.0/16",))
K3S = Fabric(cilium=False, node_cidrs=("10.0.0.0/16",), apiserver_service_ips=("10.43.0.1",))
OPERATOR = Subject("ops")


def test_api_server_egress_on_cilium_is_the_kube_apiserver_entity() -> None:
    (cnp,) = flow_policies(OPERATOR, Flow("to-api", "egress", (Peer("apiserver"),)), CILIUM)
    assert cnp["kind"] == "CiliumNetworkPolicy"
    assert cnp["spec"] == {
        "endpointSelector": {},
        "egress": [
            {
                "toEntities": ["kube-apiserver"],
                "toPorts": [{"ports": [{"port": "6443", "protocol": "TCP"}]}],
            }
        ],
    }


def test_api_server_egress_elsewhere_is_the_node_range_and_the_service_address() -> None:
    (np,) = flow_policies(OPERATOR, Flow("to-api", "egress", (Peer("apiserver"),)), K3S)
    assert np["spec"]["egress"] == [
        {
            "to": [{"ipBlock": {"cidr": "10.0.0.0/16"}}],
            "ports": [{"protocol": "TCP", "port": 6443}],
        },
        {
            "to": [{"ipBlock": {"cidr": "10.43.0.1/32"}}],
            "ports": [{"protocol": "TCP", "port": 443}],
        },
    ]


def test_webhook_calls_from_the_api_server_on_cilium_admit_nodes_too() -> None:
    flow = Flow("from-api", "ingress", (Peer("apiserver"),), (9443,))
    (cnp,) = flow_policies(OPERATOR, flow, CILIUM)
    assert cnp["spec"]["ingress"][0]["fromEntities"] == ["host", "kube-apiserver", "remote-node"]


def test_a_flow_without_ports_keeps_its_protocol() -> None:
    flow = Flow("to-all", "egress", (Peer("cluster"),))
    (np,) = flow_policies(OPERATOR, flow, K3S)
    assert np["spec"]["egress"] == [
        {"to": [{"namespaceSelector": {}}], "ports": [{"protocol": "TCP"}]}
    ]


def test_mixed_peers_split_into_a_network_policy_and_a_cilium_policy() -> None:
    flow = Flow("scrape", "egress", (Peer("cluster"), Peer("nodes")), (9100,))
    kinds = [p["kind"] for p in flow_policies(OPERATOR, flow, CILIUM)]
    assert kinds == ["NetworkPolicy", "CiliumNetworkPolicy"]
    (np,) = flow_policies(OPERATOR, flow, K3S)
    assert np["spec"]["egress"][0]["to"] == [
        {"namespaceSelector": {}},
        {"ipBlock": {"cidr": "10.0.0.0/16"}},
    ]


def test_no_baseline_where_the_namespace_is_not_ours() -> None:
    component = Subject(
        "kube-system",
        {"app.kubernetes.io/instance": "agent"},
        owned=False,
        flows=(Flow("to-api", "egress", (Peer("apiserver"),)),),
    )
    policies = subject_policies(component, K3S)
    assert [p["metadata"]["name"] for p in policies] == ["to-api"]
    assert policies[0]["spec"]["podSelector"] == {
        "matchLabels": {"app.kubernetes.io/instance": "agent"}
    }
    owned = subject_policies(Subject("web"), K3S)
    assert [p["metadata"]["name"] for p in owned] == ["default-deny", "allow-dns"]
