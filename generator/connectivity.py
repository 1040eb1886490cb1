"""The connectivity analyzer: which connections a set of objects allows.

Pure: objects (NetworkPolicies, CiliumNetworkPolicies, Namespaces, workloads) and the cluster's
network in, an allowed-connection matrix out. `render` proves its policies with it and `lint`
reads hand-written repositories with it.

Endpoints are workloads (`namespace/name`), `nodes` (node addresses: kubelet, host-network
pods), `apiserver` (the cluster's API server, on the control-plane hosts) and address blocks
outside the cluster's node, pod and service ranges. Pods are matched by selectors only: the
Kubernetes API leaves ipBlock matching of pod addresses to the implementation (Cilium never does).
Traffic between a pod and the node it runs on (kubelet probes) is always allowed, whatever the
policies, so `nodes` stands for the other nodes. Without a CNI that enforces them the matrix
shows what the policies mean, not what happens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from generator.addresses import (
    Interval,
    address_atoms,
    block_covers,
    interval,
    ip_block,
    is_address,
)

NODES = "nodes"
APISERVER = "apiserver"
PROTOCOLS = ("TCP", "UDP", "SCTP")
MAX_PORT = 65535
NAME_LABEL = "kubernetes.io/metadata.name"
POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

# Inclusive port ranges, sorted and disjoint; () is no port.
Ports = tuple[tuple[int, int], ...]
ALL_PORTS: Ports = ((1, MAX_PORT),)


@dataclass(frozen=True)
class Network:
    """The cluster's address ranges and CNI: what decides how non-pod peers are matched."""

    node_cidr: str
    pod_cidr: str
    service_cidr: str
    cni: str

    @property
    def cilium(self) -> bool:
        return self.cni == "cilium"

    def internal(self) -> list[Interval]:
        return [interval(c) for c in (self.node_cidr, self.pod_cidr, self.service_cidr)]


@dataclass(frozen=True)
class Workload:
    namespace: str
    name: str
    labels: Mapping[str, str]
    host_network: bool = False
    # Named container ports: name -> (number, protocol).
    ports: Mapping[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.namespace}/{self.name}"


Matrix = dict[tuple[str, str, str], Ports]


# --- port sets ---------------------------------------------------------------------------------


def merge_ports(ranges: Iterable[tuple[int, int]]) -> Ports:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return tuple(out)


def intersect_ports(a: Ports, b: Ports) -> Ports:
    return merge_ports(
        (max(x[0], y[0]), min(x[1], y[1]))
        for x in a
        for y in b
        if max(x[0], y[0]) <= min(x[1], y[1])
    )


def subtract_ports(a: Ports, b: Ports) -> Ports:
    out = list(a)
    for lo, hi in b:
        out = [
            piece
            for x_lo, x_hi in out
            for piece in ((x_lo, min(x_hi, lo - 1)), (max(x_lo, hi + 1), x_hi))
            if piece[0] <= piece[1]
        ]
    return merge_ports(out)


def format_ports(ports: Ports) -> str:
    if ports == ALL_PORTS:
        return "any"
    return ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in ports)


# --- objects -----------------------------------------------------------------------------------


def pod_template(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind in POD_KINDS:
        template: Mapping[str, Any] | None = spec.get("template")
        return template
    if kind == "CronJob":
        return ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template")
    if kind == "Pod":
        return obj
    return None


def workloads(objects: Iterable[Mapping[str, Any]]) -> list[Workload]:
    out = []
    for obj in objects:
        template = pod_template(obj)
        if template is None:
            continue
        meta = obj.get("metadata") or {}
        pod = template.get("spec") or {}
        ports = {
            p["name"]: (int(p["containerPort"]), p.get("protocol", "TCP"))
            for c in [*pod.get("initContainers", []), *pod.get("containers", [])]
            for p in c.get("ports") or []
            if "name" in p
        }
        out.append(
            Workload(
                namespace=meta.get("namespace", "default"),
                name=meta.get("name", "?"),
                labels=(template.get("metadata") or {}).get("labels") or {},
                host_network=bool(pod.get("hostNetwork")),
                ports=ports,
            )
        )
    return out


def namespace_labels(
    objects: Iterable[Mapping[str, Any]], names: Iterable[str]
) -> dict[str, dict[str, str]]:
    """Labels of every namespace, with the name label Kubernetes sets on each one."""
    labels: dict[str, dict[str, str]] = {n: {NAME_LABEL: n} for n in names}
    for obj in objects:
        if obj.get("kind") == "Namespace" and obj.get("apiVersion") == "v1":
            name = obj["metadata"]["name"]
            labels[name] = {**(obj["metadata"].get("labels") or {}), NAME_LABEL: name}
    return labels


def _kind(obj: Mapping[str, Any], group: str, kind: str) -> bool:
    return obj.get("kind") == kind and str(obj.get("apiVersion", "")).startswith(group)


def network_policies(objects: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [o for o in objects if _kind(o, "networking.k8s.io/", "NetworkPolicy")]


def cilium_policies(objects: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [o for o in objects if _kind(o, "cilium.io/", "CiliumNetworkPolicy")]


def selects(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """metav1.LabelSelector semantics: matchLabels and every matchExpression must hold."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


def policy_types(spec: Mapping[str, Any]) -> list[str]:
    """The API server's defaulting: Ingress always, Egress when egress rules are present."""
    if spec.get("policyTypes"):
        return list(spec["policyTypes"])
    return ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]


# --- evaluation --------------------------------------------------------------------------------


@dataclass
class Universe:
    """Everything a connection can start or end at on one cluster, and the policies there."""

    network: Network
    workloads: list[Workload]
    namespaces: dict[str, dict[str, str]]
    atoms: list[str]
    policies: list[Mapping[str, Any]]
    cilium: list[Mapping[str, Any]]

    @property
    def pods(self) -> list[Workload]:
        return [w for w in self.workloads if not w.host_network]

    def endpoints(self) -> list[str]:
        return [*(w.id for w in self.pods), NODES, APISERVER, *self.atoms]

    def workload(self, endpoint: str) -> Workload | None:
        return self._by_id.get(endpoint)

    @cached_property
    def _by_id(self) -> dict[str, Workload]:
        return {w.id: w for w in self.pods}


def universe(
    objects: Sequence[Mapping[str, Any]],
    network: Network,
    extra_cidrs: Iterable[str] = (),
    extra_workloads: Iterable[Workload] = (),
) -> Universe:
    """The endpoints and policies of `objects`; `extra_cidrs` cut the address space further
    (the blocks a caller wants to compare on); `extra_workloads` stand for pods that are not
    among the objects (a Helm chart's)."""
    found = [*workloads(objects), *extra_workloads]
    policies = network_policies(objects)
    cilium = cilium_policies(objects) if network.cilium else []
    cidrs = list(extra_cidrs)
    for policy in policies:
        spec = policy.get("spec") or {}
        for rule in [*(spec.get("ingress") or []), *(spec.get("egress") or [])]:
            for peer in [*(rule.get("from") or []), *(rule.get("to") or [])]:
                block = peer.get("ipBlock")
                if block:
                    cidrs += [block["cidr"], *block.get("except", [])]
    for policy in cilium:
        spec = policy.get("spec") or {}
        for rule in [*(spec.get("ingress") or []), *(spec.get("egress") or [])]:
            cidrs += [*_cilium_cidrs(rule)]
    names = {w.namespace for w in found}
    names |= {(p.get("metadata") or {}).get("namespace", "default") for p in policies}
    return Universe(
        network,
        found,
        namespace_labels(objects, names),
        address_atoms(cidrs, network.internal()),
        policies,
        cilium,
    )


def _cilium_cidrs(rule: Mapping[str, Any]) -> Iterator[str]:
    for key in ("fromCIDR", "toCIDR"):
        yield from rule.get(key) or []
    for key in ("fromCIDRSet", "toCIDRSet"):
        for entry in rule.get(key) or []:
            if "cidr" in entry:
                yield entry["cidr"]
                yield from entry.get("except") or []


def match_block(cidr: str, excepts: Iterable[str], endpoint: str, u: Universe) -> bool:
    return _match_block((interval(cidr), [interval(e) for e in excepts]), endpoint, u)


def _match_block(block: tuple[Interval, list[Interval]], endpoint: str, u: Universe) -> bool:
    """Cilium's CIDR rules never match nodes or the API server (its default match mode);
    elsewhere a block reaches them when it holds the whole node range."""
    if endpoint in (NODES, APISERVER):
        return not u.network.cilium and block_covers(block, interval(u.network.node_cidr))
    return is_address(endpoint) and block_covers(block, interval(endpoint))


def _match_peer(peer: Mapping[str, Any], namespace: str, endpoint: str, u: Universe) -> bool:
    """One NetworkPolicyPeer; namespaceSelector and podSelector in one peer are AND'd."""
    if "ipBlock" in peer:
        return _match_block(ip_block(peer["ipBlock"]), endpoint, u)
    workload = u.workload(endpoint)
    if workload is None or ("podSelector" not in peer and "namespaceSelector" not in peer):
        return False
    if "namespaceSelector" in peer:
        labels = u.namespaces.get(workload.namespace, {NAME_LABEL: workload.namespace})
        if not selects(peer["namespaceSelector"], labels):
            return False
    elif workload.namespace != namespace:
        return False
    return selects(peer.get("podSelector", {}), workload.labels)


def _rule_ports(
    entries: Sequence[Mapping[str, Any]] | None, protocol: str, destination: Workload | None
) -> Ports:
    """A NetworkPolicyPort list: none means every port; names resolve on the destination pod;
    protocol defaults to TCP; endPort makes a range."""
    if not entries:
        return ALL_PORTS
    ranges = []
    for entry in entries:
        if entry.get("protocol", "TCP") != protocol:
            continue
        port = entry.get("port")
        if port is None:
            return ALL_PORTS
        if isinstance(port, str) and not port.isdigit():
            named = destination.ports.get(port) if destination else None
            if named and named[1] == protocol:
                ranges.append((named[0], named[0]))
            continue
        ranges.append((int(port), int(entry.get("endPort", port))))
    return merge_ports(ranges)


def _np_allowed(
    u: Universe, direction: str, subject: Workload, peer: str, protocol: str
) -> Ports | None:
    """Ports the NetworkPolicies selecting `subject` open towards `peer`; None: not isolated."""
    peers_key, type_name = ("from", "Ingress") if direction == "ingress" else ("to", "Egress")
    destination = subject if direction == "ingress" else u.workload(peer)
    isolated = False
    ranges: list[tuple[int, int]] = []
    for policy in u.policies:
        namespace = (policy.get("metadata") or {}).get("namespace", "default")
        spec = policy.get("spec") or {}
        if namespace != subject.namespace or type_name not in policy_types(spec):
            continue
        if not selects(spec.get("podSelector", {}), subject.labels):
            continue
        isolated = True
        for rule in spec.get(direction) or []:
            peers = rule.get(peers_key)
            if peers and not any(_match_peer(p, namespace, peer, u) for p in peers):
                continue
            ranges.extend(_rule_ports(rule.get("ports"), protocol, destination))
    return merge_ports(ranges) if isolated else None


def _entity_match(entities: Iterable[str], endpoint: str) -> bool:
    """Cilium entities: a control-plane node that runs the API server is also a remote node."""
    found = set(entities)
    if "all" in found:
        return True
    if endpoint == APISERVER:
        return bool(found & {"kube-apiserver", "remote-node", "cluster"})
    if endpoint == NODES:
        return "cluster" in found or {"host", "remote-node"} <= found
    if is_address(endpoint):
        return "world" in found
    return "cluster" in found


_NS_KEYS = ("k8s:io.kubernetes.pod.namespace", "io.kubernetes.pod.namespace")


def _strip(selector: Mapping[str, Any]) -> dict[str, Any]:
    """Cilium label keys may carry a source prefix (`k8s:`, `any:`); pods' labels do not."""

    def key(k: str) -> str:
        return k.split(":", 1)[1] if k.split(":", 1)[0] in ("k8s", "any") else k

    return {
        "matchLabels": {key(k): v for k, v in (selector.get("matchLabels") or {}).items()},
        "matchExpressions": [
            {**e, "key": key(e["key"])} for e in selector.get("matchExpressions") or []
        ],
    }


def _cilium_endpoint(selector: Mapping[str, Any], namespace: str, workload: Workload) -> bool:
    """A namespaced policy's endpoint selector stays in its namespace unless it names one."""
    stripped = _strip(selector)
    names_namespace = _NS_KEYS[1] in stripped["matchLabels"] or any(
        e["key"] == _NS_KEYS[1] for e in stripped["matchExpressions"]
    )
    if not names_namespace and workload.namespace != namespace:
        return False
    return selects(stripped, {**workload.labels, _NS_KEYS[1]: workload.namespace})


def _cilium_peer(
    rule: Mapping[str, Any], word: str, namespace: str, peer: str, u: Universe
) -> bool | None:
    """Whether one Cilium rule's L3 part admits `peer`; None when it names no peer at all."""
    named = False
    if f"{word}Entities" in rule:
        named = True
        if _entity_match(rule[f"{word}Entities"], peer):
            return True
    if f"{word}Endpoints" in rule:
        named = True
        workload = u.workload(peer)
        if workload and any(
            _cilium_endpoint(s, namespace, workload) for s in rule[f"{word}Endpoints"]
        ):
            return True
    for key in (f"{word}CIDR", f"{word}CIDRSet"):
        for entry in rule.get(key) or []:
            named = True
            block = (interval(entry), []) if isinstance(entry, str) else ip_block(entry)
            if is_address(peer) and block_covers(block, interval(peer)):
                return True
    return False if named else None


def _cilium_ports(
    port_rules: Sequence[Mapping[str, Any]], protocol: str, destination: Workload | None
) -> Ports:
    """toPorts: port "0" or none is every port; protocol ANY (the default) is every protocol."""
    entries = []
    for port_rule in port_rules:
        for port in port_rule.get("ports") or []:
            wanted = port.get("protocol", "ANY")
            if wanted not in ("ANY", protocol):
                continue
            entry: dict[str, Any] = {"protocol": protocol}
            if port.get("port") not in (None, "0", 0):
                entry["port"] = port["port"]
                if "endPort" in port:
                    entry["endPort"] = port["endPort"]
            entries.append(entry)
    return _rule_ports(entries, protocol, destination) if entries else ()


def _cnp_allowed(
    u: Universe, direction: str, subject: Workload, peer: str, protocol: str
) -> Ports | None:
    """Like `_np_allowed`, for CiliumNetworkPolicies: a policy with an ingress (egress)
    section isolates the pods it selects in that direction."""
    word = "from" if direction == "ingress" else "to"
    destination = subject if direction == "ingress" else u.workload(peer)
    isolated = False
    ranges: list[tuple[int, int]] = []
    for policy in u.cilium:
        namespace = (policy.get("metadata") or {}).get("namespace", "default")
        spec = policy.get("spec") or {}
        if namespace != subject.namespace or direction not in spec:
            continue
        if not _cilium_endpoint(spec.get("endpointSelector") or {}, namespace, subject):
            continue
        isolated = True
        for rule in spec[direction] or []:
            admitted = _cilium_peer(rule, word, namespace, peer, u)
            port_rules = rule.get("toPorts")
            if admitted is False or (admitted is None and not port_rules):
                continue
            if port_rules:
                ranges.extend(_cilium_ports(port_rules, protocol, destination))
            else:
                ranges.extend(ALL_PORTS)
    return merge_ports(ranges) if isolated else None


def _side(
    u: Universe, direction: str, subject: Workload | None, peer: str, protocol: str
) -> Ports | None:
    """What one end admits; None when that end is not isolated (or not a pod at all)."""
    if subject is None:
        return None
    found = [
        allowed
        for allowed in (
            _np_allowed(u, direction, subject, peer, protocol),
            _cnp_allowed(u, direction, subject, peer, protocol),
        )
        if allowed is not None
    ]
    return merge_ports(r for a in found for r in a) if found else None


Side = Callable[[Universe, str, "Workload | None", str, str], "Ports | None"]


def connection_matrix(u: Universe, side: Side | None = None) -> Matrix:
    """Allowed connections where at least one end is a pod that policies could govern: a
    pod-to-pod connection needs the source's egress and the destination's ingress. `side`
    says what one end admits (by default: what the policies in `u` say)."""
    side = side or _side
    matrix: Matrix = {}
    endpoints = u.endpoints()
    for source in endpoints:
        src = u.workload(source)
        for destination in endpoints:
            dst = u.workload(destination)
            if src is None and dst is None:
                continue
            for protocol in PROTOCOLS:
                egress = side(u, "egress", src, destination, protocol)
                ingress = side(u, "ingress", dst, source, protocol)
                allowed = intersect_ports(
                    ALL_PORTS if egress is None else egress,
                    ALL_PORTS if ingress is None else ingress,
                )
                if allowed:
                    matrix[(source, destination, protocol)] = allowed
    return matrix


def analyze(
    objects: Sequence[Mapping[str, Any]],
    network: Network,
    extra_cidrs: Iterable[str] = (),
    extra_workloads: Iterable[Workload] = (),
) -> Matrix:
    return connection_matrix(universe(objects, network, extra_cidrs, extra_workloads))
