"""The render-time proof: on every cluster, the connections the generated policies allow are
exactly the declared flows — nothing missing, nothing extra.

The analyzer reads the generated objects; the expectation reads the flows. Both are evaluated
over the same endpoints: the rendered workloads, stand-ins for the pods Helm charts run and for
kube-dns, the nodes, the API server and the address blocks the flows name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.connectivity import (
    ALL_PORTS,
    APISERVER,
    NODES,
    Matrix,
    Network,
    Ports,
    Universe,
    Workload,
    connection_matrix,
    format_ports,
    match_block,
    merge_ports,
    selects,
    subtract_ports,
    universe,
)
from generator.flows import (
    CILIUM_FOLDER,
    INSTANCE_LABEL,
    app_cluster_plans,
    app_subject,
    component_subject,
    fabric,
    owns_namespace,
)
from generator.manifests import Tree
from generator.model import Application
from generator.netpol import APISERVER_PORT, DNS_SELECTOR, Fabric, Flow, Peer, Subject, dns_flow
from generator.plan import ClusterPlan, Plan, PlannedComponent


@dataclass(frozen=True)
class Declared:
    """One folder's subject with the fabric its policies were written for."""

    subject: Subject
    fabric: Fabric


def _labels_hold(wanted: Mapping[str, str] | None, labels: Mapping[str, str]) -> bool:
    return selects({"matchLabels": dict(wanted or {})}, labels)


def peer_matches(peer: Peer, direction: str, endpoint: str, u: Universe, where: Fabric) -> bool:
    """What a declared peer means on this cluster's CNI."""
    workload = u.workload(endpoint)
    if peer.kind == "pods":
        return bool(
            workload
            and workload.namespace == peer.namespace
            and _labels_hold(peer.selector, workload.labels)
        )
    if peer.kind == "namespaces":
        return bool(
            workload and _labels_hold(peer.labels, u.namespaces.get(workload.namespace, {}))
        )
    if peer.kind == "cluster":
        return workload is not None
    if peer.kind in ("nodes", "apiserver"):
        if not u.network.cilium:
            return any(match_block(c, (), endpoint, u) for c in where.node_cidrs)
        if peer.kind == "apiserver" and direction == "egress":
            return endpoint == APISERVER
        return endpoint in (NODES, APISERVER)
    return match_block(str(peer.cidr), peer.excepts, endpoint, u)


def _flow_ports(flow: Flow) -> Ports:
    if flow.ports:
        return merge_ports((p, p) for p in flow.ports)
    if flow.direction == "egress" and all(p.kind == "apiserver" for p in flow.peers):
        return ((APISERVER_PORT, APISERVER_PORT),)
    return ALL_PORTS


class Expectation:
    """What one end of a connection admits according to the declared flows."""

    def __init__(self, declared: Sequence[Declared]) -> None:
        self.declared = declared

    def side(
        self, u: Universe, direction: str, subject: Workload | None, peer: str, protocol: str
    ) -> Ports | None:
        if subject is None:
            return None
        here = [d for d in self.declared if d.subject.namespace == subject.namespace]
        owned = any(d.subject.owned for d in here)
        mine = [d for d in here if _labels_hold(d.subject.selector, subject.labels)]
        flows = [(f, d.fabric) for d in mine for f in d.subject.flows if f.direction == direction]
        if owned:
            flows.append((dns_flow(), here[0].fabric))
        if not owned and not flows:
            return None
        ranges: list[tuple[int, int]] = []
        for flow, where in flows:
            if flow.direction != direction or protocol not in flow.protocols:
                continue
            if any(peer_matches(p, direction, peer, u, where) for p in flow.peers):
                ranges.extend(_flow_ports(flow))
            if _service_address(flow, where, peer, u):
                ranges.append((443, 443))
        return merge_ports(ranges)


def _service_address(flow: Flow, where: Fabric, endpoint: str, u: Universe) -> bool:
    """Whether `endpoint` is a `kubernetes` Service address the API server flow names too
    (outside Cilium); another cluster's Service range is an outside address here."""
    if flow.ports or flow.direction != "egress" or (where.cilium and not where.mixed):
        return False
    if not all(p.kind == "apiserver" for p in flow.peers):
        return False
    return any(match_block(f"{ip}/32", (), endpoint, u) for ip in where.apiserver_service_ips)


def stand_ins(components: Iterable[PlannedComponent]) -> list[Workload]:
    """Pods the rendered objects do not show: each chart's, and kube-dns."""
    out = [Workload("kube-system", "kube-dns", DNS_SELECTOR)]
    for component in components:
        blueprint = component.blueprint
        host = bool(blueprint and blueprint.host_network)
        only_host = (
            host
            and blueprint is not None
            and set(blueprint.containers) <= set(blueprint.host_network)
        )
        labels = {INSTANCE_LABEL: component.release_name, "app.kubernetes.io/name": component.name}
        out.append(Workload(component.namespace, component.name, labels, host_network=only_host))
    return out


def _cidrs(declared: Iterable[Declared]) -> list[str]:
    out: list[str] = []
    for d in declared:
        out.extend(d.fabric.node_cidrs)
        for flow in d.subject.flows:
            for peer in flow.peers:
                if peer.cidr:
                    out += [peer.cidr, *peer.excepts]
    return out


class Declarations:
    """The declared subjects of each folder of policies, worked out once per render: a
    component's and an application's folder is shared by every cluster that runs it, so
    computing them per cluster would cost the square of the clusters."""

    def __init__(
        self, plan: Plan, users: Mapping[str, list[tuple[ClusterPlan, PlannedComponent]]]
    ) -> None:
        self.plan = plan
        self.users = users
        self.environments = {e.environment.name: e for e in plan.environments}
        self._components: dict[tuple[str, bool], Declared] = {}
        self._folders: dict[str, dict[bool, str]] = {}
        self._applications: dict[str, Declared] = {}

    def component(self, name: str, owner: bool) -> tuple[Declared, str]:
        """(its subject, its manifests folder) for the namespace's owner or a guest."""
        pairs = self.users[name]
        component = pairs[0][1]
        use = self.plan.namespaces[component.namespace]
        if name not in self._folders:
            self._folders[name] = use.folders(name, [cp.cluster.name for cp, _ in pairs])
        if (name, owner) not in self._components:
            where = fabric([cp.cluster for cp, _ in pairs])
            self._components[name, owner] = Declared(component_subject(pairs, use, owner), where)
        return self._components[name, owner], self._folders[name][owner]

    def application(self, app: Application) -> Declared:
        if app.name not in self._applications:
            cluster_plans = app_cluster_plans(self.plan, app)
            where = fabric([cp.cluster for cp in cluster_plans])
            subject = app_subject(
                app,
                self.plan.catalogue.applications,
                cluster_plans,
                owns_namespace(self.plan, app),
            )
            self._applications[app.name] = Declared(subject, where)
        return self._applications[app.name]

    def cluster(self, cluster_plan: ClusterPlan) -> tuple[list[Declared], list[str]]:
        """The declared subjects on one cluster, and the folders whose objects it applies."""
        declared: list[Declared] = []
        folders: list[str] = []
        cluster = cluster_plan.cluster.name
        for component in cluster_plan.components:
            use = self.plan.namespaces[component.namespace]
            subject, manifests = self.component(component.name, use.owns(component.name, cluster))
            declared.append(subject)
            folders.append(f"infrastructure/base/{component.name}/{manifests}/")
            folders.append(f"infrastructure/base/{component.name}/{CILIUM_FOLDER}/")
        for app in self.environments[cluster_plan.cluster.environment].applications:
            declared.append(self.application(app))
            folders.append(f"applications/base/{app.name}/")
        return declared, folders


def differences(actual: Matrix, expected: Matrix) -> list[str]:
    out = []
    for key in sorted(set(actual) | set(expected)):
        source, destination, protocol = key
        have, want = actual.get(key, ()), expected.get(key, ())
        missing, extra = subtract_ports(want, have), subtract_ports(have, want)
        if missing:
            out.append(
                f"{source} -> {destination} {protocol} {format_ports(missing)}: declared, "
                "but the generated policies block it"
            )
        if extra:
            out.append(
                f"{source} -> {destination} {protocol} {format_ports(extra)}: allowed by the "
                "generated policies, but no flow declares it"
            )
    return out


def prove(
    plan: Plan, tree: Tree, users: Mapping[str, list[tuple[ClusterPlan, PlannedComponent]]]
) -> list[str]:
    """Every cluster's connections as the analyzer sees them against the declared flows.
    Clusters that apply the same folders with the same subjects on the same network get the
    same answer: it is worked out once for all of them."""
    problems: list[str] = []
    declarations = Declarations(plan, users)
    manifests = list(tree.manifests())
    under: dict[str, list[int]] = {}
    answers: dict[tuple[Any, ...], list[str]] = {}
    for cluster_plan in plan.clusters:
        cluster = cluster_plan.cluster
        declared, folders = declarations.cluster(cluster_plan)
        net = cluster.network
        network = Network(net.node_cidr, net.pod_cidr, net.service_cidr, cluster.cni)
        extra = stand_ins(cluster_plan.components)
        key = (tuple(folders), network, tuple(id(d) for d in declared), repr(extra))
        if key not in answers:
            for folder in folders:
                if folder not in under:
                    under[folder] = [
                        i for i, (p, _) in enumerate(manifests) if p.startswith(folder)
                    ]
            # In the tree's order, as one filter over it would give them.
            indices = sorted({i for folder in folders for i in under[folder]})
            objects: list[dict[str, Any]] = [manifests[i][1].body for i in indices]
            u = universe(objects, network, _cidrs(declared), extra)
            expected = connection_matrix(u, Expectation(declared).side)
            answers[key] = differences(connection_matrix(u), expected)
        problems.extend(
            f"network policies of cluster '{cluster.name}': {line}" for line in answers[key]
        )
    return problems
