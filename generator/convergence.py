"""Does the bootstrap converge? A static simulation of ArgoCD's sync over the rendered tree.

Start: an empty hub with Argo CD installed and only `bootstrap/root.yaml` applied. Then, until
nothing moves, every Application whose destination is registered syncs its objects a wave at a
time (argocd.argoproj.io/sync-wave, default 0): a wave is applied when every object in it can
be (its CRD is established on the destination, its namespace exists or is in the same sync, the
webhook serving its API group is up) and the next wave waits until the whole wave is healthy.
Health: a workload needs Ready nodes; a child Application, when the Application health check is
installed, needs to be synced and healthy itself (without it Argo CD calls it healthy at once);
a Cluster API Cluster or MachineDeployment needs its nodes Ready; anything else is healthy once
applied. Nodes: the hub's and existing spokes' are Ready; a Cluster API spoke's machines exist
once its Cluster API objects are applied and the providers run on the hub, and its nodes become
Ready once its CNI (and, on Hetzner, its cloud controller) is healthy, which run on not-ready
nodes. A spoke is registered when an object on the hub that registers it is applied (for a
Cluster API spoke, once its machines exist: the kubeconfig Secret appears then).

ApplicationSets (fleet mode): an Application an ApplicationSet generates for a cluster appears
once the ApplicationSet is applied and the cluster is registered (its cluster Secret exists);
no sync wave orders generated Applications, among themselves or against the waves of the
Application that applied their ApplicationSet (argo-cd#17639). Retries: a sync that hits an
object it cannot apply yet (a missing CRD or namespace) fails and is retried. Bounded retries
are trusted to ride out a race between Applications one sync creates together, as before; they
are not trusted to wait for what a generated Application provides, which nothing orders and
which may come long after (its cluster's registration): that takes an Application whose
`retry.limit` is negative (retries forever, backoff capped), else it is stuck.

What the simulation cannot see inside a Helm chart is declared on the Application itself:
`gitops-gen.dev/provides` (the CRD groups the chart installs), `gitops-gen.dev/node-bootstrap`
(`cni` or `cloud-controller`: runs on not-ready nodes and readies them), and on registering
objects `gitops-gen.dev/registers` (the cluster name).

Pure: objects in, a verdict out. `render` runs it on every render; `lint` can run it on any
tree that carries the annotations.
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.inventory import Key

PROVIDES = "gitops-gen.dev/provides"
NODE_BOOTSTRAP = "gitops-gen.dev/node-bootstrap"
REGISTERS = "gitops-gen.dev/registers"
WAVE = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
CLUSTER_SECRET_LABEL = "argocd.argoproj.io/secret-type"
# API groups every cluster serves without a CRD.
BUILT_IN_GROUPS = {
    "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io",
    "storage.k8s.io", "apiextensions.k8s.io", "admissionregistration.k8s.io", "coordination.k8s.io",
    "discovery.k8s.io", "scheduling.k8s.io", "node.k8s.io", "certificates.k8s.io",
    "apiregistration.k8s.io", "flowcontrol.apiserver.k8s.io", "events.k8s.io",
}  # fmt: skip
POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
CLUSTER_SCOPED = {
    "Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "StorageClass",
    "PriorityClass", "IngressClass", "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration", "PersistentVolume", "APIService", "RuntimeClass",
}  # fmt: skip
EXISTING_NAMESPACES = {"default", "kube-system", "kube-public", "kube-node-lease"}
CAPI_GROUP = "cluster.x-k8s.io"
# Cluster API kinds whose Argo CD health reflects the workload cluster's nodes.
CAPI_NODE_HEALTH = {"Cluster", "MachineDeployment"}


@dataclass(frozen=True)
class ClusterFacts:
    name: str
    hub: bool
    cluster_api: bool
    cloud_controller: bool  # its nodes stay tainted until a cloud controller initialises them
    namespaces: frozenset[str] = frozenset()  # namespaces that exist before anything syncs
    # API groups served before anything syncs: on a cluster that exists already, its CNI's
    # (Cilium's cilium.io), installed with the cluster rather than from the repository.
    groups: frozenset[str] = frozenset()


@dataclass
class Verdict:
    converged: bool
    # Rounds of the simulation: what became healthy in each, in order.
    order: list[list[str]] = field(default_factory=list)
    # Applications that never became healthy, each with what it still waits on.
    stuck: dict[str, list[str]] = field(default_factory=dict)
    cycle: list[str] = field(default_factory=list)


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _annotation(obj: Mapping[str, Any], name: str) -> str:
    return str((_meta(obj).get("annotations") or {}).get(name, ""))


def _wave(obj: Mapping[str, Any]) -> int:
    try:
        return int(_annotation(obj, WAVE) or 0)
    except ValueError:
        return 0


def application_health_enabled(objects: Mapping[Key, Mapping[str, Any]]) -> bool:
    """Whether any Argo CD install in the tree configures the Application health check."""
    return any(
        key.kind == "Application" and "health.argoproj.io_Application" in json.dumps(obj)
        for key, obj in objects.items()
    )


@dataclass
class _Application:
    key: Key
    obj: Mapping[str, Any]
    destination: str
    children: list[Key] = field(default_factory=list)
    # Read once from the annotations: the rounds ask for them hundreds of thousands of times.
    groups: frozenset[str] = frozenset()
    role: str = ""
    waves: dict[int, list[Key]] = field(default_factory=dict)


class _World:
    """The state of every cluster while the simulation runs."""

    def __init__(
        self,
        objects: Mapping[Key, Mapping[str, Any]],
        parents: Mapping[Key, Key],
        clusters: Mapping[str, ClusterFacts],
        app_health: bool,
        failing: frozenset[str],
        generated: Mapping[Key, tuple[Key, str]],
    ) -> None:
        self.objects = objects
        self.generated = dict(sorted(generated.items()))
        # Applications whose sync failed and that do not retry: blockers at the failure.
        self.failed: dict[Key, list[str]] = {}
        self.clusters = clusters
        self.app_health = app_health
        self.failing = failing
        self.hub = next(c.name for c in clusters.values() if c.hub)
        self.apps: dict[Key, _Application] = {}
        for key, obj in objects.items():
            if key.kind == "Application":
                destination = _destination(obj, self.hub, clusters)
                self.apps[key] = _Application(
                    key,
                    obj,
                    destination,
                    [],
                    frozenset(_groups(obj)),
                    _annotation(obj, NODE_BOOTSTRAP),
                )
        self.parents = dict(parents)
        for child, parent in parents.items():
            if parent in self.apps:
                self.apps[parent].children.append(child)
        for app in self.apps.values():
            for child in app.children:
                app.waves.setdefault(_wave(objects[child]), []).append(child)
        self.applied_by_hand = frozenset(
            k for k in objects if k not in parents and k not in generated
        )
        self.applied: set[Key] = set(self.applied_by_hand)
        self.order = sorted(self.apps.values(), key=lambda a: a.key)
        self.healthy: set[Key] = set()
        self.synced: set[Key] = set()
        self.next_wave: dict[Key, int] = {}
        # What the questions below look for, by what they ask about: scanning every object
        # for each question made a simulation quadratic in the fleet's size.
        self.by_destination: dict[str, list[_Application]] = defaultdict(list)
        self.providers: dict[tuple[str, str], list[Key]] = defaultdict(list)
        for app in self.apps.values():
            self.by_destination[app.destination].append(app)
            for group in app.groups:
                self.providers[app.destination, group].append(app.key)
        self.crds: dict[tuple[str, Any], list[Key]] = defaultdict(list)
        self.capi_clusters: dict[str, list[Key]] = defaultdict(list)
        self.projects: dict[str, list[Key]] = defaultdict(list)
        self.registrations: dict[str, list[Key]] = defaultdict(list)
        for key, obj in objects.items():
            if key.kind == "CustomResourceDefinition":
                served = (obj.get("spec") or {}).get("group")
                self.crds[key.cluster, served].append(key)
            elif key.kind == "AppProject":
                self.projects[key.name].append(key)
            if key.group == CAPI_GROUP and key.kind == "Cluster":
                self.capi_clusters[key.name].append(key)
            registers = _registers(obj)
            if key.cluster == self.hub and registers is not None:
                self.registrations[registers].append(key)

    def restart(self, failing: frozenset[str]) -> _World:
        """The same tree, nothing applied but `root`, with `failing` spokes: the indexes above
        describe the tree alone, so screening runs share them instead of rebuilding them."""
        world = copy.copy(self)
        world.failing = failing
        world.failed = {}
        world.applied = set(self.applied_by_hand)
        world.healthy = set()
        world.synced = set()
        world.next_wave = {}
        return world

    # --- facts that grow as objects are applied ---------------------------------------------

    def crd_available(self, cluster: str, group: str) -> bool:
        if group in BUILT_IN_GROUPS or (group == "argoproj.io" and cluster == self.hub):
            return True
        if cluster in self.clusters and group in self.clusters[cluster].groups:
            return True
        # Healthy, not merely synced: the provider's webhook must answer before objects of its
        # group can be admitted.
        if any(k in self.healthy for k in self.providers.get((cluster, group), ())):
            return True
        return any(k in self.applied for k in self.crds.get((cluster, group), ()))

    def namespace_exists(self, cluster: str, namespace: str, sync: set[Key]) -> bool:
        if not namespace or namespace in EXISTING_NAMESPACES:
            return True
        if namespace in self.clusters[cluster].namespaces:
            return True
        key = Key(cluster, "", "Namespace", "", namespace)
        return key in self.applied or key in sync

    def machines_exist(self, cluster: str) -> bool:
        facts = self.clusters[cluster]
        if not facts.cluster_api:
            return True
        if cluster in self.failing:
            return False
        return any(k in self.applied for k in self.capi_clusters.get(cluster, ())) and (
            self.crd_available(self.hub, CAPI_GROUP)
        )

    def nodes_ready(self, cluster: str) -> bool:
        if cluster in self.failing:
            return False
        facts = self.clusters[cluster]
        if not facts.cluster_api:
            return True
        if not self.machines_exist(cluster):
            return False
        needed = {"cni", "cloud-controller"} if facts.cloud_controller else {"cni"}
        ready = {
            app.role for app in self.by_destination.get(cluster, ()) if app.key in self.healthy
        }
        return needed <= ready

    def registered(self, cluster: str) -> bool:
        if cluster == self.hub:
            return True
        if cluster not in self.clusters or not self.machines_exist(cluster):
            return False
        return any(k in self.applied for k in self.registrations.get(cluster, ()))

    # --- what an object needs -----------------------------------------------------------------

    def own_group_after_chart(self, key: Key) -> bool:
        """An object of a group its own Application's chart installs, in a later wave than the
        chart's objects (which carry none): Argo CD applies and readies the chart first, and
        SkipDryRunOnMissingResource lets the sync start before the CRDs exist."""
        parent = self.parents.get(key)
        obj = self.objects[key]
        return (
            parent in self.apps
            and key.group in self.apps[parent].groups
            and _wave(obj) > 0
            and "SkipDryRunOnMissingResource=true" in _annotation(obj, SYNC_OPTIONS)
        )

    def blockers(self, key: Key, sync: set[Key]) -> list[str]:
        """Why `key` cannot be applied now (empty: it can)."""
        found = []
        if (
            key.group not in BUILT_IN_GROUPS
            and not self.own_group_after_chart(key)
            and not self.crd_available(key.cluster, key.group)
        ):
            found.append(f"the CRDs of {key.group} on {key.cluster}")
        if (
            key.kind not in CLUSTER_SCOPED
            and key.namespace
            and not self.namespace_exists(key.cluster, key.namespace, sync)
        ):
            found.append(f"namespace {key.namespace} on {key.cluster}")
        return found

    def unhealthy(self, key: Key) -> list[str]:
        """Why an applied `key` is not healthy yet (empty: it is)."""
        if key in self.apps:
            app = self.apps[key]
            if not self.app_health:
                return []
            if app.key not in self.synced:
                return [f"Application {app.key.name} to sync"]
            if key not in self.healthy:
                return [f"Application {app.key.name} to become healthy"]
            return []
        if key.kind in POD_KINDS and not self.nodes_ready(key.cluster):
            return [f"Ready nodes on {key.cluster}"]
        if key.group == CAPI_GROUP and key.kind in CAPI_NODE_HEALTH:
            spoke = _capi_cluster(key, self.objects)
            if spoke in self.clusters and not self.nodes_ready(spoke):
                return [f"Ready nodes on {spoke}"]
        return []

    def app_blockers(self, app: _Application) -> list[str]:
        """Why `app` cannot start syncing its next wave."""
        project = str((app.obj.get("spec") or {}).get("project", "default"))
        if project != "default" and not any(
            k in self.applied for k in self.projects.get(project, ())
        ):
            return [f"AppProject {project}"]
        if app.destination not in self.clusters:
            return [f"cluster {app.destination} (not declared)"]
        if not self.registered(app.destination):
            return [f"cluster {app.destination} to be registered"]
        return []

    def app_health_blockers(self, app: _Application) -> list[str]:
        """What a synced Helm or git Application still waits on to be healthy."""
        if app.destination in self.failing:
            return [f"cluster {app.destination} (failing)"]
        role = app.role
        if _is_chart(app.obj):
            if role and not self.machines_exist(app.destination):
                return [f"machines of {app.destination}"]
            if not role and not self.nodes_ready(app.destination):
                return [f"Ready nodes on {app.destination}"]
            return []
        return [w for child in app.children for w in self.unhealthy(child) if child in self.applied]


def retries_forever(obj: Mapping[str, Any]) -> bool:
    retry = ((obj.get("spec") or {}).get("syncPolicy") or {}).get("retry") or {}
    limit = retry.get("limit")
    return isinstance(limit, int) and not isinstance(limit, bool) and limit < 0


def _groups(obj: Mapping[str, Any]) -> set[str]:
    return {g.strip() for g in _annotation(obj, PROVIDES).split(",") if g.strip()}


def _is_chart(obj: Mapping[str, Any]) -> bool:
    spec = obj.get("spec") or {}
    sources = spec.get("sources") or ([spec["source"]] if spec.get("source") else [])
    return any(isinstance(s, Mapping) and "chart" in s for s in sources)


def _destination(obj: Mapping[str, Any], hub: str, clusters: Mapping[str, ClusterFacts]) -> str:
    destination = (obj.get("spec") or {}).get("destination") or {}
    name = destination.get("name")
    if name:
        return "in-cluster" if name == "in-cluster" and "in-cluster" in clusters else str(name)
    server = destination.get("server")
    return hub if server == "https://kubernetes.default.svc" else str(server)


def _registers(obj: Mapping[str, Any]) -> str | None:
    return _annotation(obj, REGISTERS) or None


def _capi_cluster(key: Key, objects: Mapping[Key, Mapping[str, Any]]) -> str:
    obj = objects[key]
    if key.kind == "Cluster":
        return key.name
    spec = obj.get("spec") or {}
    return str(spec.get("clusterName", ""))


def simulate(
    objects: Mapping[Key, Mapping[str, Any]],
    parents: Mapping[Key, Key],
    clusters: Mapping[str, ClusterFacts],
    *,
    failing: frozenset[str] = frozenset(),
    generated: Mapping[Key, tuple[Key, str]] | None = None,
) -> Verdict:
    """Run Argo CD over the tree until nothing moves; `failing` spokes never get Ready nodes.
    `generated`: Applications ApplicationSets make, each with its ApplicationSet and cluster."""
    world = _World(
        objects, parents, clusters, application_health_enabled(objects), failing, generated or {}
    )
    return _run(world)


def _run(world: _World) -> Verdict:
    failing = world.failing
    verdict = Verdict(converged=False)
    while True:
        progressed = _round(world)
        if not progressed:
            break
        verdict.order.append(progressed)
    waiting = {
        str(app.key.name): _waits(world, app)
        for app in world.apps.values()
        if app.key in world.applied and app.key not in world.healthy
    }
    for app in world.apps.values():
        if app.key not in world.applied:
            waiting[str(app.key.name)] = _waits(world, app)
    affected = _depending_on(world, failing)
    expected = {str(a.key.name) for a in world.apps.values() if a.key not in affected}
    verdict.stuck = {n: w for n, w in sorted(waiting.items()) if n in expected}
    verdict.converged = not verdict.stuck
    verdict.cycle = _cycle(world) if verdict.stuck else []
    return verdict


def blocking_spokes(
    objects: Mapping[Key, Mapping[str, Any]],
    parents: Mapping[Key, Key],
    clusters: Mapping[str, ClusterFacts],
    spokes: Sequence[str],
    *,
    generated: Mapping[Key, tuple[Key, str]] | None = None,
) -> list[tuple[str, Verdict]]:
    """Each spoke, in order, whose failure alone keeps something outside its own sub-tree from
    converging, with `simulate(failing={spoke})`'s verdict.

    Rather than one simulation per spoke, a few where many fail at once: a failing spoke only
    takes away (nodes, machines, health), so what converges while a set of spokes fails also
    converges while any one of them does. Spokes are split by each bit of their index, which
    separates every pair; an Application that depends on several spokes is checked to have,
    for every other spoke, a run where that spoke fails and none of its own does. Spokes left
    uncovered, and all of them when a screening run finds anything, are simulated alone."""
    generated = generated or {}
    world = _World(
        objects, parents, clusters, application_health_enabled(objects), frozenset(), generated
    )
    names = [str(a.key.name) for a in world.apps.values()]
    alone = list(spokes)
    if len(set(names)) == len(names):
        runs = _screen(spokes, lambda failing: _run(world.restart(failing)).converged)
        if runs is not None:
            alone = _uncovered(world, spokes, runs)
    found = []
    for spoke in alone:
        verdict = _run(world.restart(frozenset({spoke})))
        if not verdict.converged:
            found.append((spoke, verdict))
    return found


def _screen(
    spokes: Sequence[str], converges: Callable[[frozenset[str]], bool]
) -> list[frozenset[str]] | None:
    """The failing sets of the screening runs, or None when one of them did not converge."""
    runs = []
    for bit in range(max(1, (len(spokes) - 1).bit_length())):
        for side in (0, 1):
            failing = frozenset(s for i, s in enumerate(spokes) if (i >> bit) & 1 == side)
            if failing and failing not in runs:
                if not converges(failing):
                    return None
                runs.append(failing)
    return runs


def _uncovered(world: _World, spokes: Sequence[str], runs: list[frozenset[str]]) -> list[str]:
    """Spokes some Application was not checked against: for an Application depending on
    spokes D and a spoke s outside D, no screening run failed s and nothing of D."""
    depends: dict[Key, set[str]] = defaultdict(set)  # what each Application's health needs
    for app in world.apps.values():
        direct = {app.destination} | {
            _capi_cluster(k, world.objects) for k in app.children if k.group == CAPI_GROUP
        }
        direct &= set(spokes)
        key: Key | None = app.key
        while direct and key is not None and not direct <= depends[key]:
            depends[key] |= direct
            key = world.parents.get(key)
    everyone = set(spokes)
    left: set[str] = set()
    for app in world.apps.values():
        needs = depends.get(app.key, set())
        # Split by bits, a spoke is separated from any single other: only several need a look.
        if len(needs) > 1:
            rest = everyone - needs - left
            covered = set().union(*(r for r in runs if r.isdisjoint(needs)))
            left |= rest - covered
    return [s for s in spokes if s in left]


def _depending_on(world: _World, failing: frozenset[str]) -> set[Key]:
    """Applications that cannot be healthy while `failing` clusters are down: those deploying
    to them or their Cluster API objects, and every Application above those."""
    direct = {
        app.key
        for app in world.apps.values()
        if app.destination in failing
        or any(
            k.group == CAPI_GROUP and _capi_cluster(k, world.objects) in failing
            for k in app.children
        )
    }
    affected = set(direct)
    for key in direct:
        parent = world.parents.get(key)
        while parent is not None and parent not in affected:
            affected.add(parent)
            parent = world.parents.get(parent)
    return affected


def _round(world: _World) -> list[str]:
    """One pass over every Application; the names of what became healthy (or synced)."""
    moved: list[str] = []
    fresh = []
    for key, (appset, cluster) in world.generated.items():
        if key not in world.applied and appset in world.applied and world.registered(cluster):
            world.applied.add(key)
            fresh.append(key)
            moved.append(f"{key.name} generated")
    for key in fresh:
        # Nothing orders Applications generated together: each may try its first sync before
        # the others have moved, which only unlimited retries ride out.
        _first_attempt(world, world.apps[key])
    for app in world.order:
        if app.key not in world.applied or app.key in world.healthy or app.key in world.failed:
            continue
        if app.key not in world.synced:
            if world.app_blockers(app):
                continue
            if _sync_waves(world, app):
                if app.key in world.synced:
                    moved.append(f"{app.key.name} synced")
                else:
                    moved.append(f"{app.key.name} wave {world.next_wave[app.key]} applied")
        if app.key in world.synced and not world.app_health_blockers(app):
            world.healthy.add(app.key)
            moved.append(f"{app.key.name} healthy")
    return moved


def _first_attempt(world: _World, app: _Application) -> None:
    if retries_forever(app.obj) or not app.children or world.app_blockers(app):
        return
    members = app.waves[min(app.waves)]
    blocked = sorted({b for k in members for b in world.blockers(k, set(members))})
    if blocked and _on_generated(world, blocked):
        world.failed[app.key] = blocked


def _sync_waves(world: _World, app: _Application) -> bool:
    """Apply as many waves of `app` as can go now; whether anything moved."""
    moved = False
    by_wave = app.waves
    for wave in sorted(w for w in by_wave if w >= world.next_wave.get(app.key, min(by_wave))):
        members = by_wave[wave]
        pending = [k for k in members if k not in world.applied]
        if pending:
            sync = set(members)
            blocked = sorted({b for k in pending for b in world.blockers(k, sync)})
            if blocked:
                if not retries_forever(app.obj) and _on_generated(world, blocked):
                    world.failed[app.key] = blocked
                return moved
            world.applied.update(pending)
            moved = True
        world.next_wave[app.key] = wave
        last = wave == max(by_wave)
        # Argo CD waits for a wave to be healthy before the next one; a sync ends once its
        # last wave is applied, and health is judged from then on.
        if not last and any(world.unhealthy(k) for k in members):
            return moved
        world.next_wave[app.key] = wave + 1
    world.synced.add(app.key)
    return True


def _on_generated(world: _World, reasons: list[str]) -> bool:
    """Whether a generated Application would satisfy any of `reasons`."""
    names = {k.name for k in world.generated}
    return any(_providers_of(world, r) & names for r in reasons)


def _waits(world: _World, app: _Application) -> list[str]:
    if app.key in world.failed:
        failed = "; ".join(world.failed[app.key])
        return [
            "its sync failed on what a generated Application provides, and it does not retry "
            f"forever: {failed}"
        ]
    if app.key in world.generated and app.key not in world.applied:
        appset, cluster = world.generated[app.key]
        if appset not in world.applied:
            return [f"ApplicationSet {appset.name} to be applied"]
        return [f"cluster {cluster} to be registered"]
    if app.key not in world.applied:
        parent = world.parents.get(app.key)
        return [f"Application {parent.name} to sync" if parent else "to be applied"]
    if app.key not in world.synced:
        reasons = world.app_blockers(app)
        if reasons:
            return reasons
        by_wave = app.waves
        wave = world.next_wave.get(app.key, min(by_wave, default=0))
        members = by_wave.get(wave, [])
        sync = set(members)
        found = [b for k in members if k not in world.applied for b in world.blockers(k, sync)]
        found += [u for k in members if k in world.applied for u in world.unhealthy(k)]
        return sorted(set(found)) or [f"wave {wave}"]
    return sorted(set(world.app_health_blockers(app)))


def _cycle(world: _World) -> list[str]:
    """A chain of Applications each waiting on the next, closing on itself, if there is one."""
    edges: dict[str, set[str]] = {}
    names = {str(a.key.name) for a in world.apps.values()}
    for app in world.apps.values():
        if app.key in world.healthy:
            continue
        targets = set()
        for reason in _waits(world, app):
            targets |= {n for n in names if f"Application {n} " in reason + " "}
            targets |= _providers_of(world, reason)
        edges[str(app.key.name)] = targets - {str(app.key.name)}
    for start in sorted(edges):
        path = _find_cycle(edges, start, [start])
        if path:
            return path
    return []


def _providers_of(world: _World, reason: str) -> set[str]:
    """Applications that would satisfy a reason: the CNI of a cluster whose nodes are awaited,
    the provider of awaited CRDs, the registration of an awaited cluster."""
    found: set[str] = set()
    for app in world.apps.values():
        name = str(app.key.name)
        if reason.startswith("Ready nodes on ") or reason.startswith("machines of "):
            cluster = reason.rsplit(" ", 1)[-1]
            if app.destination == cluster and app.role:
                found.add(name)
            if any(
                k.group == CAPI_GROUP and k.kind == "Cluster" and k.name == cluster
                for k in app.children
            ):
                found.add(name)
        elif reason.startswith("the CRDs of "):
            group, cluster = reason[len("the CRDs of ") :].split(" on ")
            if app.destination == cluster and group in app.groups:
                found.add(name)
        elif reason.startswith("cluster ") and reason.endswith(" to be registered"):
            cluster = reason.split(" ")[1]
            if any(_registers(world.objects[k]) == cluster for k in app.children):
                found.add(name)
    return found


def _find_cycle(edges: Mapping[str, set[str]], node: str, path: list[str]) -> list[str]:
    for target in sorted(edges.get(node, ())):
        if target == path[0]:
            return [*path, target]
        if target not in path and len(path) < 50:
            found = _find_cycle(edges, target, [*path, target])
            if found:
                return found
    return []


def explain(verdict: Verdict) -> Iterator[str]:
    """One line per stuck Application, then the cycle, for render's failure message."""
    for name, reasons in verdict.stuck.items():
        yield f"Application {name} never becomes healthy: waits on {'; '.join(reasons)}"
    if verdict.cycle:
        yield "deadlock: " + " → ".join(verdict.cycle)
