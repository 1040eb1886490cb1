"""The flows the catalogue and the blueprints declare, per folder of policies.

A component's policies live in one folder shared by every cluster that runs it, an
application's in one base shared by its environments: the flows and the fabric are worked out
over all of those clusters, once for rendering and once again for the proof."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from generator.blueprints import NetworkRule
from generator.model import Application, Cluster
from generator.namespaces import NamespaceUse
from generator.netpol import ANYWHERE, METRICS_SCRAPER_LABEL, Fabric, Flow, Peer, Subject
from generator.plan import RESERVED_NAMESPACES, ClusterPlan, Plan, PlannedComponent

INSTANCE_LABEL = "app.kubernetes.io/instance"
# Beside a folder of policies: the Cilium kinds that only Cilium clusters apply.
CILIUM_FOLDER = "cilium"
SCRAPERS = Peer("namespaces", labels={METRICS_SCRAPER_LABEL: "true"})


def fabric(clusters: Sequence[Cluster]) -> Fabric:
    """How node-level peers are written for clusters sharing one folder of policies."""
    cilium = {c.cni == "cilium" for c in clusters}
    return Fabric(
        cilium=True in cilium,
        mixed=len(cilium) > 1,
        node_cidrs=_sorted({c.network.node_cidr for c in clusters}),
        apiserver_service_ips=_sorted(
            str(ipaddress.ip_network(c.network.service_cidr, strict=False)[1]) for c in clusters
        ),
    )


def split_cilium(
    policies: list[dict[str, Any]], where: Fabric
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(what every cluster applies, what only Cilium clusters apply) of one folder."""
    if not where.mixed:
        return policies, []
    cilium = [p for p in policies if p["kind"] == "CiliumNetworkPolicy"]
    return [p for p in policies if p["kind"] != "CiliumNetworkPolicy"], cilium


def _sorted(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(items)))


def internal_ranges(clusters: Iterable[Cluster]) -> tuple[str, ...]:
    """The clusters' own ranges: `world` means everything else."""
    return _sorted(
        cidr
        for c in clusters
        for cidr in (c.network.node_cidr, c.network.pod_cidr, c.network.service_cidr)
    )


def _inside(ranges: Iterable[str], cidr: str) -> tuple[str, ...]:
    outer = ipaddress.ip_network(cidr, strict=False)
    return tuple(
        r
        for r in ranges
        if (inner := ipaddress.ip_network(r)).version == outer.version
        and inner != outer
        and inner.subnet_of(outer)  # type: ignore[arg-type]
    )


def controller_peers(cluster_plans: Iterable[ClusterPlan]) -> tuple[Peer, ...]:
    """The clusters' ingress controllers: their pods, or the nodes when they run on the host
    network (their traffic then leaves from node addresses)."""
    peers: list[Peer] = []
    for cluster_plan in cluster_plans:
        controller = cluster_plan.ingress_controller
        if controller is None:
            continue
        if controller.blueprint and controller.blueprint.host_network:
            peer = Peer("nodes")
        else:
            peer = Peer("pods", namespace=controller.namespace)
        if peer not in peers:
            peers.append(peer)
    return tuple(peers)


def scraper_peers(cluster_plans: Iterable[ClusterPlan]) -> tuple[Peer, ...]:
    """Scrapers by their namespace's label; one placed in a namespace we do not own (whose
    Namespace we never write) by its own pods."""
    peers = [SCRAPERS]
    for cluster_plan in cluster_plans:
        for component in cluster_plan.components:
            if namespace_labels(component) and component.namespace in RESERVED_NAMESPACES:
                selector = {INSTANCE_LABEL: component.release_name}
                peer = Peer("pods", namespace=component.namespace, selector=selector)
                if peer not in peers:
                    peers.append(peer)
    return tuple(peers)


def _rule_peers(
    rule: NetworkRule, namespace: str, cluster_plans: Sequence[ClusterPlan]
) -> tuple[Peer, ...]:
    clusters = [cp.cluster for cp in cluster_plans]
    outside = Peer("addresses", cidr=ANYWHERE, excepts=internal_ranges(clusters))
    if rule.peer == "namespace":
        return (Peer("pods", namespace=namespace),)
    if rule.peer in ("cluster", "nodes", "apiserver"):
        return (Peer(rule.peer),)
    if rule.peer == "world":
        return (outside,)
    if rule.peer == "ingress":
        return controller_peers(cluster_plans)
    if rule.peer == "scraper":
        return scraper_peers(cluster_plans)
    if rule.peer == "spokes":
        # Only the hub manages spokes; their API server addresses are unknown when rendering.
        return (outside,) if all(c.is_hub for c in clusters) else ()
    raise ValueError(f"unknown peer kind {rule.peer!r}")


def _named(flows: list[Flow]) -> list[Flow]:
    """Policy names unique within the folder: a second rule to the same peer kind gets `-2`."""
    seen: dict[str, int] = {}
    out = []
    for flow in flows:
        seen[flow.name] = seen.get(flow.name, 0) + 1
        if seen[flow.name] > 1:
            flow = Flow(
                f"{flow.name}-{seen[flow.name]}",
                flow.direction,
                flow.peers,
                flow.ports,
                flow.protocols,
            )
        out.append(flow)
    return out


def component_subject(
    pairs: Sequence[tuple[ClusterPlan, PlannedComponent]], use: NamespaceUse, owner: bool
) -> Subject:
    """A component's flows from its blueprint. In a namespace it shares with other components,
    or one Kubernetes owns (kube-system…), they select the component's own pods; only the
    namespace's `owner` default-denies it (nobody in Kubernetes' own namespaces)."""
    component = pairs[0][1]
    cluster_plans = [cp for cp, _ in pairs]
    prefix = "" if component.name == component.namespace else f"{component.name}-"
    flows = []
    for rule in component.network:
        peers = _rule_peers(rule, component.namespace, cluster_plans)
        if not peers:
            continue
        word = "from" if rule.direction == "ingress" else "to"
        flows.append(
            Flow(
                f"{prefix}allow-{rule.direction}-{word}-{rule.peer}",
                rule.direction,
                peers,
                rule.ports,
                (rule.protocol,),
            )
        )
    return Subject(
        component.namespace,
        {INSTANCE_LABEL: component.release_name} if use.shared else None,
        owner,
        tuple(_named(flows)),
    )


def namespace_labels(component: PlannedComponent) -> dict[str, str]:
    """The label metrics policies admit, on the namespace of every scraper."""
    blueprint = component.blueprint
    return {METRICS_SCRAPER_LABEL: "true"} if blueprint and blueprint.scraper else {}


def app_cluster_plans(plan: Plan, app: Application) -> list[ClusterPlan]:
    """The clusters an application's base is deployed to: those of its environments."""
    return [plan.cluster(c) for e in plan.environments if app in e.applications for c in e.clusters]


def owns_namespace(plan: Plan, app: Application) -> bool:
    """The first deployed application of a namespace, in catalogue order, creates it."""
    first = next(
        a
        for a in plan.catalogue.applications
        if a.namespace == app.namespace and any(a in e.applications for e in plan.environments)
    )
    return first is app


def app_namespace(app: Application) -> str:
    return app.namespace


def app_selector(app: Application) -> dict[str, str]:
    return {"app.kubernetes.io/name": app.name}


def app_subject(
    app: Application,
    applications: Sequence[Application],
    cluster_plans: Sequence[ClusterPlan],
    owner: bool,
) -> Subject:
    """Exactly the application's declared flows, on both ends of each. In a namespace shared
    with other applications, each policy's name says whose it is."""
    by_name = {a.name: a for a in applications}
    flows = []
    controllers = controller_peers(cluster_plans)
    if app.ingress_host and app.port and controllers:
        flows.append(Flow("allow-from-ingress-controller", "ingress", controllers, (app.port,)))
    if app.metrics_port:
        flows.append(
            Flow(
                "allow-from-metrics-scrapers",
                "ingress",
                scraper_peers(cluster_plans),
                (app.metrics_port,),
            )
        )
    callers = sorted(
        {
            (caller.name, peer.port)
            for caller in applications
            for peer in caller.talks_to
            if peer.app == app.name
        }
    )
    for caller_name, port in callers:
        caller = by_name[caller_name]
        peer = Peer("pods", namespace=app_namespace(caller), selector=app_selector(caller))
        flows.append(Flow(f"allow-from-{caller_name}", "ingress", (peer,), (port,)))
    for target_name, port in sorted({(p.app, p.port) for p in app.talks_to if p.app}):
        target = by_name.get(target_name)
        if target is None:
            continue
        peer = Peer("pods", namespace=app_namespace(target), selector=app_selector(target))
        flows.append(Flow(f"allow-to-{target_name}", "egress", (peer,), (port,)))
    internal = internal_ranges(cp.cluster for cp in cluster_plans)
    for name, cidr, port in sorted(
        {(p.name, p.cidr, p.port) for p in app.talks_to if p.name and p.cidr}
    ):
        # An external endpoint is outside: never the cluster's own nodes, pods or services.
        outside = Peer("addresses", cidr=cidr, excepts=_inside(internal, cidr))
        flows.append(Flow(f"allow-to-{name}", "egress", (outside,), (port,)))
    if app.namespace != app.name:
        flows = [
            Flow(f"{app.name}-{f.name}", f.direction, f.peers, f.ports, f.protocols) for f in flows
        ]
    return Subject(app_namespace(app), app_selector(app), owner, tuple(_named(flows)))
