"""The memory budget: what each node gives to pods, what the components and applications ask
for, which profile fits, and what the machines cost. Pure: plan or catalogue in, numbers out.

Allocatable memory per node = capacity - what runs outside pods - the eviction threshold. Neither
kubeadm nor K3s reserves anything by default (no kube-reserved, no system-reserved), so the
scheduler believes pods may use all of it; the model below counts what really runs beside them.
Figures and their sources:

- Eviction threshold: 100Mi on every node, the kubelet's default hard eviction threshold
  `memory.available<100Mi` (Kubernetes documentation, "Node-pressure Eviction").
- Node agent (kubelet and containerd): 275 MB on every node, the "K3s agent" row of the K3s
  documentation's Resource Profiling page (the k3s.service cgroup, which holds kubelet and
  containerd, 95th percentile, Intel 8375C). kubeadm nodes run the same kubelet and containerd.
- Control plane, on nodes of a `control-plane` pool: 1606 MB for the whole K3s server with a
  workload (same page, embedded etcd), less the 275 MB of the agent counted above: 1331 MB for
  the API server, controller manager, scheduler and etcd. A kubeadm control-plane node runs the
  same programs as static pods, which request CPU (and etcd 100Mi) but not the memory they use,
  so the same figure is counted there.

So a worker keeps capacity - 100Mi - 275 MB for pods, and a control-plane node capacity -
100Mi - 1606 MB: on a 4 GiB cpx21 control-plane node about 2.4 GiB. The operating system's own
daemons are left to the headroom between `memoryRequestsTarget` (0.75 by default) and
allocatable: a 4 GiB node keeps about 600Mi of it. For comparison, kube-hetzner, a widely used
K3s installer for Hetzner, reserves 1500Mi + 300Mi on control-plane nodes and 300Mi + 300Mi on
agents, plus the eviction threshold. A node pool's `reserved` replaces the estimate (all of it:
agent, control plane, operating system if wanted, and eviction threshold).

Requests and limits count only schedulable pools (DESIGN §2 `schedulable`): a component's
containers times their replicas of the chosen profile, per-node (DaemonSet) containers once per
schedulable node, plus every application deployed to the cluster's environment (replicas x
memory). A user's `values` that set a container's resources win over the profile. Plain charts
count the `resources` they are given in `values`, once each (gitops-gen cannot see their
replicas). Init containers are counted like the others, which overstates a little.

The planner gives every component of a cluster the largest profile (standard, then small, then
tiny) whose requests fit `memoryRequestsTarget` x allocatable; a pinned `profile` stays.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator import model
from generator.blueprints import PROFILES, Blueprint
from generator.quantity import parse_bytes

if TYPE_CHECKING:
    from generator.plan import Plan

_MI = 2**20
EVICTION_BYTES = 100 * _MI
NODE_AGENT_BYTES = 275 * 10**6
K3S_SERVER_BYTES = 1606 * 10**6
CONTROL_PLANE_BYTES = K3S_SERVER_BYTES - NODE_AGENT_BYTES
# Largest first: the planner takes the first that fits.
PREFERENCE = tuple(reversed(PROFILES))


@dataclass(frozen=True)
class Consumer:
    """Memory one component or application asks for on one cluster."""

    name: str
    kind: str  # component | application
    profile: str  # "" for applications and plain charts
    requests_bytes: int
    limits_bytes: int
    # Of the requests, what its per-node (DaemonSet) pods ask on each schedulable node.
    per_node_bytes: int = 0


@dataclass(frozen=True)
class PoolBudget:
    name: str
    server_type: str
    count: int
    schedulable: bool
    capacity_bytes: int  # per node
    reserved_bytes: int  # per node: OS, agent, control plane, eviction threshold
    allocatable_bytes: int  # per node
    monthly_cost: float
    currency: str
    price_date: str
    withdrawn: str


@dataclass(frozen=True)
class ClusterBudget:
    name: str
    distribution: str
    target: float
    pools: tuple[PoolBudget, ...]
    consumers: tuple[Consumer, ...]

    @property
    def allocatable_bytes(self) -> int:
        return sum(p.allocatable_bytes * p.count for p in self.pools if p.schedulable)

    @property
    def requests_bytes(self) -> int:
        return sum(c.requests_bytes for c in self.consumers)

    @property
    def limits_bytes(self) -> int:
        return sum(c.limits_bytes for c in self.consumers)

    @property
    def per_node_bytes(self) -> int:
        """Requests of the DaemonSet pods every schedulable node carries."""
        return sum(c.per_node_bytes for c in self.consumers)

    @property
    def target_bytes(self) -> int:
        return int(self.allocatable_bytes * self.target)

    @property
    def fits(self) -> bool:
        return self.requests_bytes <= self.target_bytes

    @property
    def headroom_bytes(self) -> int:
        """What requests may still grow by before they pass the target (negative: missing)."""
        return self.target_bytes - self.requests_bytes

    @property
    def monthly_cost(self) -> float:
        return round(sum(p.monthly_cost for p in self.pools), 2)

    @property
    def currency(self) -> str:
        return self.pools[0].currency


def reserved_per_node(pool: model.NodePool) -> int:
    """Memory of one node of `pool` that pods cannot use (see the module docstring).

    kubeadm and K3s share the figures: a K3s server and a kubeadm control plane run the same
    programs, and both run the same kubelet and containerd on every node.
    """
    if pool.reserved_bytes is not None:
        return pool.reserved_bytes
    base = EVICTION_BYTES + NODE_AGENT_BYTES
    return base + (CONTROL_PLANE_BYTES if pool.role == "control-plane" else 0)


def pool_budget(pool: model.NodePool) -> PoolBudget:
    server = pool.server_type
    reserved = reserved_per_node(pool)
    return PoolBudget(
        name=pool.name,
        server_type=server.name,
        count=pool.count,
        schedulable=pool.schedulable,
        capacity_bytes=server.memory_bytes,
        reserved_bytes=reserved,
        allocatable_bytes=max(server.memory_bytes - reserved, 0),
        monthly_cost=round(server.price_monthly * pool.count, 2),
        currency=server.currency,
        price_date=server.price_date,
        withdrawn=server.withdrawn,
    )


def schedulable_nodes(cluster: model.Cluster) -> int:
    return sum(p.count for p in cluster.node_pools if p.schedulable)


def _get(values: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        values = values.get(part) if isinstance(values, Mapping) else None
    return values


def _bytes(value: Any) -> int:
    try:
        return parse_bytes(value) if isinstance(value, str | int) else 0
    except ValueError:
        return 0


def component_demand(
    blueprint: Blueprint, profile: str, values: Mapping[str, Any], nodes: int
) -> tuple[int, int, int]:
    """Requests, limits and per-node requests of a blueprint component: the profile's, or
    what `values` set."""
    requests = limits = per_node = 0
    memory = blueprint.profiles[profile]
    for container, path in blueprint.containers.items():
        sized = memory.get(container)
        if sized is None:
            continue
        count = sized.replicas * (nodes if container in blueprint.per_node else 1)
        given = _get(values, path)
        request = _get(given, "requests.memory") or sized.request
        limit = _get(given, "limits.memory") or sized.limit
        requests += count * _bytes(request)
        limits += count * _bytes(limit)
        if container in blueprint.per_node:
            per_node += sized.replicas * _bytes(request)
    return requests, limits, per_node


def _resources(values: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(values, Mapping):
        for key, value in values.items():
            if key == "resources" and isinstance(value, Mapping):
                yield value
            else:
                yield from _resources(value)
    elif isinstance(values, list):
        for item in values:
            yield from _resources(item)


def plain_chart_demand(values: Mapping[str, Any]) -> tuple[int, int]:
    """Every `resources` block in a plain chart's values, once each."""
    found = list(_resources(values))
    return (
        sum(_bytes(_get(r, "requests.memory")) for r in found),
        sum(_bytes(_get(r, "limits.memory")) for r in found),
    )


def application_consumers(catalogue: model.Catalogue, cluster: model.Cluster) -> list[Consumer]:
    out = []
    for app in catalogue.applications_in(cluster.environment):
        settings = app.environments[cluster.environment]
        out.append(
            Consumer(
                app.name,
                "application",
                "",
                settings.replicas * parse_bytes(settings.memory.request),
                settings.replicas * parse_bytes(settings.memory.limit),
            )
        )
    return out


def _consumer(
    component: model.Component,
    blueprint: Blueprint | None,
    profile: str,
    values: Mapping[str, Any],
    nodes: int,
) -> Consumer:
    if blueprint is None:
        requests, limits = plain_chart_demand(values)
        return Consumer(component.name, "component", "", requests, limits)
    requests, limits, per_node = component_demand(blueprint, profile, values, nodes)
    # A blueprint without containers (CRDs only) has no profile to speak of.
    shown = profile if blueprint.containers else ""
    return Consumer(component.name, "component", shown, requests, limits, per_node)


def _cluster_budget(cluster: model.Cluster, consumers: list[Consumer]) -> ClusterBudget:
    return ClusterBudget(
        name=cluster.name,
        distribution=cluster.distribution,
        target=cluster.memory_requests_target,
        pools=tuple(pool_budget(p) for p in cluster.node_pools),
        consumers=tuple(consumers),
    )


def choose_profile(
    cluster: model.Cluster,
    catalogue: model.Catalogue,
    blueprints: Mapping[str, Blueprint],
) -> str:
    """The largest profile whose requests fit the cluster's target; `tiny` when none does (the
    render then fails on the budget, see `shortfalls`)."""
    nodes = schedulable_nodes(cluster)
    apps = application_consumers(catalogue, cluster)
    for profile in PREFERENCE:
        consumers = [
            _consumer(c, blueprints.get(c.name), c.profile or profile, c.values, nodes)
            for c in cluster.components
            if c.chart is not None or c.name in blueprints
        ]
        if _cluster_budget(cluster, [*consumers, *apps]).fits:
            return profile
    return PREFERENCE[-1]


def compute(plan: Plan) -> list[ClusterBudget]:
    """The budget of every cluster as planned: final values, chosen profiles, applications."""
    out = []
    for cluster_plan in plan.clusters:
        cluster = cluster_plan.cluster
        nodes = schedulable_nodes(cluster)
        consumers = [
            _consumer(c.origin, c.blueprint, c.profile, c.values, nodes)
            for c in cluster_plan.components
        ]
        consumers += application_consumers(plan.catalogue, cluster)
        out.append(_cluster_budget(cluster, consumers))
    return out


def shortfall(budget: ClusterBudget, top: int = 5) -> list[str]:
    """Why a cluster does not fit: the numbers and a table of its biggest consumers."""
    rows = sorted(budget.consumers, key=lambda c: (-c.requests_bytes, c.name))[:top]
    lines = [
        f"cluster '{budget.name}': memory requests {format_mib(budget.requests_bytes)} exceed "
        f"{budget.target:.0%} of allocatable {format_mib(budget.allocatable_bytes)} "
        f"({format_mib(budget.target_bytes)}); {format_mib(-budget.headroom_bytes)} missing. "
        "Biggest consumers:",
        f"  {'name':<28} {'kind':<12} {'profile':<9} {'requests':>10} {'limits':>10}",
    ]
    lines += [
        f"  {c.name:<28} {c.kind:<12} {c.profile or '-':<9} "
        f"{format_mib(c.requests_bytes):>10} {format_mib(c.limits_bytes):>10}"
        for c in rows
    ]
    lines.append(
        "  add or enlarge schedulable nodes, lower application memory, or remove components"
    )
    return lines


def format_mib(value: int) -> str:
    """Bytes in Mi, rounded up; from 10Gi on in Gi with one decimal."""
    if abs(value) >= 10 * 2**30:
        return f"{value / 2**30:.1f}Gi"
    sign = "-" if value < 0 else ""
    return f"{sign}{-(-abs(value) // _MI)}Mi"
