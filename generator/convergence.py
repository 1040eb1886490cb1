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
import heapq
import itertools
import json
import math
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


def _annotation(obj: Mapping[str, Any], name: str) -> str:
    meta = obj.get("metadata")
    # A plain dict, nearly always: isinstance against Mapping is slow on a hundred thousand.
    if type(meta) is not dict and not isinstance(meta, Mapping):
        return ""
    return str((meta.get("annotations") or {}).get(name, ""))


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


# What a need tests: a pair of the kind of test and what it is about. An Application that
# stops on a test that fails waits on it, and is looked at again once something that may make
# it true happens (see `_round`).
_CRD = 0  # the CRDs of a group are available on a cluster: an index into _World.crd_facts
_OBJECT = 1  # an object is applied: its index in _World.keys
_CLUSTER = 2  # a cluster's nodes are Ready (to a waiter: or its machines exist, or it is
# registered): an index into _World.names
_APP = 3  # an Application is synced and healthy: its index in _World.order
Test = tuple[int, int]


@dataclass
class _Wave:
    number: int
    members: list[Key]
    # Members only this wave applies, by index; members an ApplicationSet also generates are
    # applied by whichever comes first and kept apart.
    own: list[int]
    shared: list[Key]
    needs: list[tuple[str, Test]]  # what `own` needs to be applied: one per reason, by reason
    health: list[Test]  # what its members need to be healthy
    # What applying it may make true, and the Applications among its members.
    makes: list[Test] = field(default_factory=list)
    apps: list[int] = field(default_factory=list)


@dataclass
class _Application:
    key: Key
    index: int  # its place in key order, the order a round looks at Applications
    obj: Mapping[str, Any]
    destination: str
    children: list[Key] = field(default_factory=list)
    # Read once from the tree: the rounds ask for them hundreds of thousands of times.
    groups: frozenset[str] = frozenset()
    role: str = ""
    chart: bool = False
    retries: bool = False  # retries forever
    project: str = "default"
    waves: list[_Wave] = field(default_factory=list)
    health: list[Test] = field(default_factory=list)  # every wave's
    # Spokes whose failure keeps it from being healthy by itself: its destination and the
    # clusters of its Cluster API objects.
    reach: frozenset[str] = frozenset()
    makes: list[Test] = field(default_factory=list)  # what it may make true once healthy


class _World:
    """The tree, indexed once, and the state of every cluster while a simulation runs."""

    def __init__(
        self,
        objects: Mapping[Key, Mapping[str, Any]],
        parents: Mapping[Key, Key],
        clusters: Mapping[str, ClusterFacts],
        app_health: bool,
        generated: Mapping[Key, tuple[Key, str]],
    ) -> None:
        self.objects = objects
        self.generated = dict(sorted(generated.items()))
        self.clusters = clusters
        self.app_health = app_health
        self.hub = next(c.name for c in clusters.values() if c.hub)
        self.parents = dict(parents)
        self.keys = list(objects)
        self.ids = {k: i for i, k in enumerate(self.keys)}
        self.names: list[str] = []
        self.name_ids: dict[str, int] = {}
        # In the tree's order (which names win when two Applications share one), indexed in
        # key order.
        self.apps: dict[Key, _Application] = {}
        ranks = {k: i for i, k in enumerate(sorted(k for k in objects if k.kind == "Application"))}
        for key, obj in objects.items():
            if key in ranks:
                self.apps[key] = _Application(
                    key,
                    ranks[key],
                    obj,
                    _destination(obj, self.hub, clusters),
                    groups=frozenset(_groups(obj)),
                    role=_annotation(obj, NODE_BOOTSTRAP),
                    chart=_is_chart(obj),
                    retries=retries_forever(obj),
                    project=str((obj.get("spec") or {}).get("project", "default")),
                )
        self.order = sorted(self.apps.values(), key=lambda a: a.index)
        self.app_ids = [self.ids[a.key] for a in self.order]
        for child, parent in self.parents.items():
            if parent in self.apps:
                self.apps[parent].children.append(child)
        self.by_hand = bytearray(k not in parents and k not in generated for k in self.keys)
        # Who applies an object: the index of its Application and of its wave there.
        self.owner = [-1] * len(self.keys)
        self.position = [0] * len(self.keys)
        # Every cluster anything may wait on has its id before what is made is worked out.
        for name in [*clusters, *(a.destination for a in self.order)]:
            self._name_id(name)
        self.crd_facts: list[tuple[list[int], list[int]]] = []
        self.crd_ids: dict[tuple[str, str], int] = {}
        self._index(objects)
        self._on_generated: dict[str, bool] = {}
        self._providers: dict[str, set[str]] = {}
        self._reset(frozenset())

    def _index(self, objects: Mapping[Key, Mapping[str, Any]]) -> None:
        """What the questions below look for, by what they ask about: scanning every object
        for each question made a simulation quadratic in the fleet's size."""
        self.providers: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.roles: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for app in self.order:
            for group in app.groups:
                self.providers[app.destination, group].append(app.index)
            if app.role:
                self.roles[app.destination].append((app.role, app.index))
        self.crds: dict[tuple[str, Any], list[int]] = defaultdict(list)
        self.capi_clusters: dict[str, list[int]] = defaultdict(list)
        self.projects: dict[str, list[int]] = defaultdict(list)
        self.registrations: dict[str, list[int]] = defaultdict(list)
        # Objects whose application may make more than themselves true: CRDs, by what they
        # serve; Cluster API Clusters and registrations, by cluster.
        self.serves: dict[int, tuple[str, Any]] = {}
        self.registers: dict[int, list[str]] = defaultdict(list)
        for i, (key, obj) in enumerate(objects.items()):
            if key.kind == "CustomResourceDefinition":
                self.serves[i] = (key.cluster, (obj.get("spec") or {}).get("group"))
                self.crds[self.serves[i]].append(i)
            elif key.kind == "AppProject":
                self.projects[key.name].append(i)
            if key.group == CAPI_GROUP and key.kind == "Cluster":
                self.capi_clusters[key.name].append(i)
                self.registers[i].append(key.name)
            if key.cluster == self.hub:
                registers = _registers(obj)
                if registers is not None:
                    self.registrations[registers].append(i)
                    self.registers[i].append(registers)
        self.reached_by: dict[str, list[Key]] = defaultdict(list)
        self.capi: Test | None = None
        if not self._static_crd(self.hub, CAPI_GROUP):
            self.capi = (_CRD, self._crd_fact(self.hub, CAPI_GROUP))
        for app in self.order:
            by_wave: dict[int, list[Key]] = {}
            for child in app.children:
                by_wave.setdefault(_wave(objects[child]), []).append(child)
            for position, number in enumerate(sorted(by_wave)):
                app.waves.append(self._wave_of(number, by_wave[number], app.groups))
                for member in app.waves[-1].own:
                    self.owner[member], self.position[member] = app.index, position
            app.health = list(dict.fromkeys(t for w in app.waves for t in w.health))
            capi = {_capi_cluster(k, objects) for k in app.children if k.group == CAPI_GROUP}
            app.reach = frozenset({app.destination} | capi)
            for cluster in app.reach:
                self.reached_by[cluster].append(app.key)
        for app in self.order:
            app.makes = [(_APP, app.index)]
            for group in sorted(app.groups):
                if (app.destination, group) in self.crd_ids:
                    app.makes.append((_CRD, self.crd_ids[app.destination, group]))
            if app.role:
                app.makes.append((_CLUSTER, self._name_id(app.destination)))
            for wave in app.waves:
                members = wave.own + [self.ids[k] for k in wave.shared]
                wave.makes = list(dict.fromkeys(t for i in members for t in self._made_true(i)))
                wave.apps = [
                    self.apps[self.keys[i]].index for i in members if self.keys[i] in self.apps
                ]
        self.gen = [
            (self.ids[key], self.ids.get(appset, -1))
            for key, (appset, cluster) in self.generated.items()
            if key in self.apps
        ]
        self.gen_clusters = [c for k, (_, c) in self.generated.items() if k in self.apps]

    def _made_true(self, i: int) -> list[Test]:
        """What applying object `i` may make true, that anything may wait on."""
        key = self.keys[i]
        waited = key.kind in ("Namespace", "AppProject") or key in self.generated
        made: list[Test] = [(_OBJECT, i)] if waited else []
        if i in self.serves and self.serves[i] in self.crd_ids:
            made.append((_CRD, self.crd_ids[self.serves[i]]))
        made += [
            (_CLUSTER, self.name_ids[c]) for c in self.registers.get(i, ()) if c in self.name_ids
        ]
        return made

    def _wave_of(self, number: int, members: list[Key], groups: frozenset[str]) -> _Wave:
        sync = set(members)
        own = [k for k in members if k not in self.generated]
        needs: dict[str, Test] = {}
        # Members of one wave mostly share a cluster, group and namespace: ask once for each.
        asked: set[tuple[str, str, bool, str]] = set()
        for key in own:
            alike = (key.cluster, key.group, key.kind in CLUSTER_SCOPED, key.namespace)
            # (Unless their Application provides the group: see own_group_after_chart.)
            if alike not in asked or key.group in groups:
                needs.update(self.needs(key, sync))
                asked.add(alike)
        for key in members:
            if key in self.generated:
                # Asked while it runs: the facts it tests must exist before what makes them
                # true is worked out.
                self.needs(key, sync)
        health = dict.fromkeys(t for k in members for t in self.health_tests(k))
        return _Wave(
            number,
            members,
            [self.ids[k] for k in own],
            [k for k in members if k in self.generated],
            sorted(needs.items()),
            list(health),
        )

    def _name_id(self, cluster: str) -> int:
        if cluster not in self.name_ids:
            self.name_ids[cluster] = len(self.names)
            self.names.append(cluster)
        return self.name_ids[cluster]

    def _crd_fact(self, cluster: str, group: str) -> int:
        if (cluster, group) not in self.crd_ids:
            self.crd_ids[cluster, group] = len(self.crd_facts)
            self.crd_facts.append(
                (self.providers.get((cluster, group), []), self.crds.get((cluster, group), []))
            )
        return self.crd_ids[cluster, group]

    def restart(self, failing: frozenset[str]) -> _World:
        """The same tree, nothing applied but `root`, with `failing` spokes: the indexes above
        describe the tree alone, so simulations share them instead of rebuilding them."""
        world = copy.copy(self)
        world._reset(failing)
        return world

    def _reset(self, failing: frozenset[str]) -> None:
        self.failing = failing
        # Applications whose sync failed and that do not retry: blockers at the failure.
        self.failed: dict[int, list[str]] = {}
        self.done = [0] * len(self.order)  # how many of each Application's waves are applied
        self.generated_applied = bytearray(len(self.keys))
        self.synced = bytearray(len(self.order))
        self.healthy = bytearray(len(self.order))
        self.next_wave: list[int | None] = [None] * len(self.order)
        # Generated Applications not applied yet, by cluster.
        self.left: dict[str, list[int]] = defaultdict(list)
        for entry, cluster in enumerate(self.gen_clusters):
            if not self._never_ready(cluster):
                self.left[cluster].append(entry)
        # Applications that stopped on a test, by the test.
        self.waiting: dict[Test, list[int]] = defaultdict(list)
        # What the round looks at: `now` (a heap, positions after `at`, the one looked at) and
        # `later`, for the next round. The first round looks at every Application.
        self.now: list[int] = []
        self.queued = bytearray(len(self.order))
        self.later: set[int] = {a.index for a in self.order if self.by_hand[self.app_ids[a.index]]}
        self.at = -1
        self.true: set[Test] = set()
        self.machines: set[str] = set()
        self.registered_clusters: set[str] = set()
        self.projects_applied: set[str] = set()

    def wait(self, app: int, tests: list[Test]) -> None:
        """`app` stopped on a test that fails: one of `tests` (any will do, for it needs them
        all), or on nothing that can change when there are none."""
        for test in tests:
            if test[0] != _CLUSTER or not self._never_ready(self.names[test[1]]):
                self.waiting[test].append(app)

    def _never_ready(self, cluster: str) -> bool:
        """A failing Cluster API spoke: its machines never exist, it is never registered and
        its nodes never Ready, whatever happens."""
        facts = self.clusters.get(cluster)
        return cluster in self.failing and facts is not None and facts.cluster_api

    def made(self, tests: list[Test]) -> None:
        """Wake what waits on `tests`, which may have become true."""
        for test in tests:
            if test == self.capi:
                # Every Cluster API spoke's machines wait on these CRDs on the hub.
                for other in [t for t in self.waiting if t[0] == _CLUSTER]:
                    self.wake(self.waiting.pop(other))
            if test in self.waiting:
                self.wake(self.waiting.pop(test))

    def wake(self, apps: list[int]) -> None:
        """Look at `apps` again: those after the one looked at in this round, the others in
        the next (a full pass would see the change at the same points)."""
        at, queued, now = self.at, self.queued, self.now
        for i in apps:
            if i > at:
                if not queued[i]:
                    queued[i] = 1
                    heapq.heappush(now, i)
            else:
                self.later.add(i)

    # --- facts that grow as objects are applied ---------------------------------------------

    def applied(self, i: int) -> bool:
        if self.by_hand[i] or self.generated_applied[i]:
            return True
        owner = self.owner[i]
        return owner >= 0 and self.done[owner] > self.position[i]

    def is_applied(self, key: Key) -> bool:
        return key in self.ids and self.applied(self.ids[key])

    def holds(self, test: Test) -> bool:
        # Every test, once true, stays true: nothing is ever removed. Remembered, so that the
        # many Applications waiting on one cluster or group ask once.
        if test in self.true:
            return True
        kind, n = test
        if kind == _CRD:
            providers, crds = self.crd_facts[n]
            # Healthy, not merely synced: the provider's webhook must answer before objects
            # of its group can be admitted.
            found = any(self.healthy[a] for a in providers) or any(self.applied(i) for i in crds)
        elif kind == _OBJECT:
            found = n >= 0 and self.applied(n)
        elif kind == _CLUSTER:
            found = self.nodes_ready(self.names[n])
        else:
            found = bool(self.synced[n] and self.healthy[n])
        if found:
            self.true.add(test)
        return found

    def _static_crd(self, cluster: str, group: str) -> bool:
        return (
            group in BUILT_IN_GROUPS
            or (group == "argoproj.io" and cluster == self.hub)
            or (cluster in self.clusters and group in self.clusters[cluster].groups)
        )

    def crd_available(self, cluster: str, group: str) -> bool:
        if self._static_crd(cluster, group):
            return True
        return self.holds((_CRD, self._crd_fact(cluster, group)))

    def machines_exist(self, cluster: str) -> bool:
        facts = self.clusters[cluster]
        if not facts.cluster_api or cluster in self.machines:
            return True
        if cluster in self.failing:
            return False
        found = any(self.applied(i) for i in self.capi_clusters.get(cluster, ())) and (
            self.crd_available(self.hub, CAPI_GROUP)
        )
        if found:
            self.machines.add(cluster)
        return found

    def nodes_ready(self, cluster: str) -> bool:
        if cluster in self.failing or cluster not in self.clusters:
            return False
        facts = self.clusters[cluster]
        if not facts.cluster_api:
            return True
        if not self.machines_exist(cluster):
            return False
        needed = {"cni", "cloud-controller"} if facts.cloud_controller else {"cni"}
        return needed <= {role for role, i in self.roles.get(cluster, ()) if self.healthy[i]}

    def registered(self, cluster: str) -> bool:
        if cluster == self.hub or cluster in self.registered_clusters:
            return True
        if cluster not in self.clusters or not self.machines_exist(cluster):
            return False
        found = any(self.applied(i) for i in self.registrations.get(cluster, ()))
        if found:
            self.registered_clusters.add(cluster)
        return found

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

    def needs(self, key: Key, sync: set[Key]) -> list[tuple[str, Test]]:
        """What `key` needs to be applied, beyond what every cluster has: each with the reason
        given while it is missing."""
        found = []
        if (
            key.group not in BUILT_IN_GROUPS
            and not self.own_group_after_chart(key)
            and not self._static_crd(key.cluster, key.group)
        ):
            test = (_CRD, self._crd_fact(key.cluster, key.group))
            found.append((f"the CRDs of {key.group} on {key.cluster}", test))
        namespace = key.namespace
        if key.kind not in CLUSTER_SCOPED and namespace and namespace not in EXISTING_NAMESPACES:
            made = Key(key.cluster, "", "Namespace", "", namespace)
            facts = self.clusters.get(key.cluster)
            if made not in sync and (facts is None or namespace not in facts.namespaces):
                test = (_OBJECT, self.ids.get(made, -1))
                found.append((f"namespace {namespace} on {key.cluster}", test))
        return found

    def blockers(self, key: Key, sync: set[Key]) -> list[str]:
        """Why `key` cannot be applied now (empty: it can)."""
        return [reason for reason, test in self.needs(key, sync) if not self.holds(test)]

    def health_tests(self, key: Key) -> list[Test]:
        """What an applied `key` needs to be healthy."""
        if key in self.apps:
            return [(_APP, self.apps[key].index)] if self.app_health else []
        if key.kind in POD_KINDS:
            return [(_CLUSTER, self._name_id(key.cluster))]
        if key.group == CAPI_GROUP and key.kind in CAPI_NODE_HEALTH:
            spoke = _capi_cluster(key, self.objects)
            if spoke in self.clusters:
                return [(_CLUSTER, self._name_id(spoke))]
        return []

    def unhealthy(self, key: Key) -> list[str]:
        """Why an applied `key` is not healthy yet (empty: it is)."""
        return [self._unhealthy(t) for t in self.health_tests(key) if not self.holds(t)]

    def _unhealthy(self, test: Test) -> str:
        kind, n = test
        if kind == _CLUSTER:
            return f"Ready nodes on {self.names[n]}"
        name = self.order[n].key.name
        return (
            f"Application {name} to sync"
            if not self.synced[n]
            else (f"Application {name} to become healthy")
        )

    def start_needs(self, app: _Application) -> list[tuple[str, list[Test]]]:
        """Why `app` cannot start syncing its next wave, with what to wait on (nothing: what
        nothing changes)."""
        project = app.project
        if project != "default" and project not in self.projects_applied:
            found = self.projects.get(project, [])
            if not any(self.applied(i) for i in found):
                return [(f"AppProject {project}", [(_OBJECT, i) for i in found])]
            self.projects_applied.add(project)
        if app.destination not in self.clusters:
            return [(f"cluster {app.destination} (not declared)", [])]
        if not self.registered(app.destination):
            cluster = (_CLUSTER, self._name_id(app.destination))
            return [(f"cluster {app.destination} to be registered", [cluster])]
        return []

    def app_blockers(self, app: _Application) -> list[str]:
        """Why `app` cannot start syncing its next wave."""
        return [reason for reason, _ in self.start_needs(app)]

    def health_needs(self, app: _Application) -> list[tuple[str, list[Test]]]:
        """What a synced Helm or git Application still waits on to be healthy, with what to
        wait on."""
        destination = app.destination
        if destination in self.failing:
            return [(f"cluster {destination} (failing)", [])]
        if app.chart:
            if app.role and not self.machines_exist(destination):
                return [(f"machines of {destination}", [(_CLUSTER, self._name_id(destination))])]
            if not app.role and not self.nodes_ready(destination):
                return [(f"Ready nodes on {destination}", [(_CLUSTER, self._name_id(destination))])]
            return []
        # Synced: every child is applied.
        return [(self._unhealthy(t), [t]) for t in app.health if not self.holds(t)]

    def app_health_blockers(self, app: _Application) -> list[str]:
        """What a synced Helm or git Application still waits on to be healthy."""
        return [reason for reason, _ in self.health_needs(app)]

    def wave_blockers(self, wave: _Wave, shared: list[Key]) -> tuple[list[str], list[Test]]:
        """Why `wave` cannot be applied now, with its members `shared` pending, and what to
        wait on: any one of what it needs, for it needs them all."""
        found = [(reason, test) for reason, test in wave.needs if not self.holds(test)]
        if not shared:
            return [reason for reason, _ in found], [test for _, test in found[:1]]
        sync = set(wave.members)
        found += [n for k in shared for n in self.needs(k, sync) if not self.holds(n[1])]
        tests = [test for _, test in found] + [(_OBJECT, self.ids[k]) for k in shared]
        return sorted({reason for reason, _ in found}), tests

    def on_generated(self, reasons: list[str]) -> bool:
        """Whether a generated Application would satisfy any of `reasons`."""
        for reason in reasons:
            if reason not in self._on_generated:
                names = {k.name for k in self.generated}
                self._on_generated[reason] = bool(_providers_of(self, reason) & names)
        return any(self._on_generated[r] for r in reasons)


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


def _world(
    objects: Mapping[Key, Mapping[str, Any]],
    parents: Mapping[Key, Key],
    clusters: Mapping[str, ClusterFacts],
    generated: Mapping[Key, tuple[Key, str]] | None,
) -> _World:
    return _World(objects, parents, clusters, application_health_enabled(objects), generated or {})


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
    return _run(_world(objects, parents, clusters, generated).restart(failing))


def prove(
    objects: Mapping[Key, Mapping[str, Any]],
    parents: Mapping[Key, Key],
    clusters: Mapping[str, ClusterFacts],
    spokes: Sequence[str],
    *,
    generated: Mapping[Key, tuple[Key, str]] | None = None,
) -> tuple[Verdict, list[tuple[str, Verdict]]]:
    """`simulate` and then `blocking_spokes`, on one index of the tree."""
    world = _world(objects, parents, clusters, generated)
    return _run(world.restart(frozenset())), _blocking(world, spokes)


def _run(world: _World, *, explain: bool = True) -> Verdict:
    """The verdict of a simulation; without `explain`, whether it converged alone."""
    failing = world.failing
    verdict = Verdict(converged=False)
    while True:
        progressed = _round(world)
        if not progressed:
            break
        if explain:
            verdict.order.append([f"{world.order[i].key.name} {what}" for i, what in progressed])
    affected = _depending_on(world, failing)
    expected = {str(a.key.name) for a in world.apps.values() if a.key not in affected}
    if all(str(a.key.name) not in expected for a in world.order if not world.healthy[a.index]):
        verdict.converged = True
        return verdict
    if not explain:
        return verdict
    waiting = {
        str(app.key.name): _waits(world, app)
        for app in world.apps.values()
        if world.applied(world.app_ids[app.index]) and not world.healthy[app.index]
    }
    for app in world.apps.values():
        if not world.applied(world.app_ids[app.index]):
            waiting[str(app.key.name)] = _waits(world, app)
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
    converges while any one of them does. Each spoke is up in its own half of the runs
    (`_screen`), which separates every pair; an Application that depends on several spokes is
    checked to have,
    for every other spoke, a run where that spoke fails and none of its own does. Spokes left
    uncovered, and all of them when a screening run finds anything, are simulated alone."""
    return _blocking(_world(objects, parents, clusters, generated), spokes)


def _blocking(world: _World, spokes: Sequence[str]) -> list[tuple[str, Verdict]]:
    names = [str(a.key.name) for a in world.apps.values()]
    alone = list(spokes)
    if len(set(names)) == len(names):
        runs = _screen(
            spokes, lambda failing: _run(world.restart(failing), explain=False).converged
        )
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
    """The failing sets of the screening runs, or None when one of them did not converge.

    Each spoke is up in its own half of the runs and fails in the others: two halves of one
    size are never one inside the other, so for any two spokes some run fails the first and
    not the second. Halves of the fewest runs that have enough of them: 13 runs for a
    thousand spokes, where one bit of their index per pair of runs took 20."""
    count = 1
    while math.comb(count, count // 2) < len(spokes):
        count += 1
    ups = itertools.combinations(range(count), count // 2)
    up = {spoke: set(runs) for spoke, runs in zip(spokes, ups, strict=False)}
    runs = []
    for run in range(count):
        failing = frozenset(s for s in spokes if run not in up[s])
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
        direct = app.reach & set(spokes)
        key: Key | None = app.key
        while direct and key is not None and not direct <= depends[key]:
            depends[key] |= direct
            key = world.parents.get(key)
    everyone = set(spokes)
    left: set[str] = set()
    for app in world.apps.values():
        needs = depends.get(app.key, set())
        # A spoke fails without any single other in some run: only several need a look.
        if len(needs) > 1:
            rest = everyone - needs - left
            covered = set().union(*(r for r in runs if r.isdisjoint(needs)))
            left |= rest - covered
    return [s for s in spokes if s in left]


def _depending_on(world: _World, failing: frozenset[str]) -> set[Key]:
    """Applications that cannot be healthy while `failing` clusters are down: those deploying
    to them or their Cluster API objects, and every Application above those."""
    direct = {key for cluster in failing for key in world.reached_by.get(cluster, ())}
    affected = set(direct)
    for key in direct:
        parent = world.parents.get(key)
        while parent is not None and parent not in affected:
            affected.add(parent)
            parent = world.parents.get(parent)
    return affected


def _round(world: _World) -> list[tuple[int, str]]:
    """One pass over the Applications, in key order; what became healthy (or synced), by
    Application.

    It looks only at the Applications applied since their last look and those woken by
    something that may have made true the test they stopped on (`_World.wait`, `made`); the
    others would stop at the same place and change nothing. For every test only grows true
    (nothing is taken away while a simulation runs): until the test an Application stopped on
    holds, it is still missing; a wave is applied whole or not at all; and a failed sync is
    recorded at the first look that fails, whose reasons a later look can only shrink. One
    woken by an Application after it in key order is looked at in the next round, before it
    in this one: where a full pass would first see the change."""
    moved: list[tuple[int, str]] = []
    world.now = now = sorted(world.later)
    world.later = set()
    world.queued = bytearray(len(world.order))
    for i in now:
        world.queued[i] = 1
    world.at = -1
    made: list[int] = []
    for cluster, entries in list(world.left.items()):
        if not world.registered(cluster):
            continue
        left = []
        for entry in entries:
            i, appset = world.gen[entry]
            if world.applied(i):
                continue
            if appset >= 0 and world.applied(appset):
                made.append(entry)
            else:
                left.append(entry)
        if left:
            world.left[cluster] = left
        else:
            del world.left[cluster]
    fresh = [world.apps[world.keys[world.gen[entry][0]]] for entry in sorted(made)]
    for app in fresh:
        world.generated_applied[world.app_ids[app.index]] = 1
        world.wake([app.index])
        world.made([(_OBJECT, world.app_ids[app.index])])
        moved.append((app.index, "generated"))
    for app in fresh:
        # Nothing orders Applications generated together: each may try its first sync before
        # the others have moved, which only unlimited retries ride out.
        _first_attempt(world, app)
    order, healthy, synced, failed = world.order, world.healthy, world.synced, world.failed
    while now:
        world.at = i = heapq.heappop(now)
        if healthy[i] or i in failed or not world.applied(world.app_ids[i]):
            continue
        app = order[i]
        if not synced[i]:
            waits = world.start_needs(app)
            if waits:
                world.wait(i, waits[0][1])
                continue
            if _sync_waves(world, app):
                if synced[i]:
                    moved.append((i, "synced"))
                else:
                    moved.append((i, f"wave {world.next_wave[i]} applied"))
            if not synced[i]:
                continue
        waits = world.health_needs(app)
        if waits:
            world.wait(i, waits[0][1])
        else:
            healthy[i] = 1
            world.made(app.makes)
            moved.append((i, "healthy"))
    return moved


def _first_attempt(world: _World, app: _Application) -> None:
    if app.retries or not app.children or world.app_blockers(app):
        return
    wave = app.waves[0]
    blocked, _ = world.wave_blockers(wave, wave.shared)
    if blocked and world.on_generated(blocked):
        world.failed[app.index] = blocked


def _sync_waves(world: _World, app: _Application) -> bool:
    """Apply as many waves of `app` as can go now; whether anything moved. Where it stops,
    `app` waits."""
    moved = False
    i = app.index
    start = world.next_wave[i]
    last = len(app.waves) - 1
    for position, wave in enumerate(app.waves):
        if start is not None and wave.number < start:
            continue
        if position >= world.done[i]:
            shared = [k for k in wave.shared if not world.is_applied(k)] if wave.shared else []
            if wave.own or shared:
                blocked, tests = world.wave_blockers(wave, shared)
                if blocked:
                    if not app.retries and world.on_generated(blocked):
                        world.failed[i] = blocked
                    else:
                        world.wait(i, tests)
                    return moved
                for key in shared:
                    world.generated_applied[world.ids[key]] = 1
                moved = True
            world.done[i] = position + 1
            world.wake(wave.apps)
            world.made(wave.makes)
        world.next_wave[i] = wave.number
        # Argo CD waits for a wave to be healthy before the next one; a sync ends once its
        # last wave is applied, and health is judged from then on.
        if position != last:
            unhealthy = next((t for t in wave.health if not world.holds(t)), None)
            if unhealthy is not None:
                world.wait(i, [unhealthy])
                return moved
        world.next_wave[i] = wave.number + 1
    world.synced[i] = 1
    world.made(app.makes[:1])
    return True


def _waits(world: _World, app: _Application) -> list[str]:
    i = app.index
    if i in world.failed:
        failed = "; ".join(world.failed[i])
        return [
            "its sync failed on what a generated Application provides, and it does not retry "
            f"forever: {failed}"
        ]
    applied = world.applied(world.app_ids[i])
    if app.key in world.generated and not applied:
        appset, cluster = world.generated[app.key]
        if not world.is_applied(appset):
            return [f"ApplicationSet {appset.name} to be applied"]
        return [f"cluster {cluster} to be registered"]
    if not applied:
        parent = world.parents.get(app.key)
        return [f"Application {parent.name} to sync" if parent else "to be applied"]
    if not world.synced[i]:
        reasons = world.app_blockers(app)
        if reasons:
            return reasons
        wave = world.next_wave[i]
        if wave is None:
            wave = app.waves[0].number if app.waves else 0
        members = next((w.members for w in app.waves if w.number == wave), [])
        sync = set(members)
        found = [b for k in members if not world.is_applied(k) for b in world.blockers(k, sync)]
        found += [u for k in members if world.is_applied(k) for u in world.unhealthy(k)]
        return sorted(set(found)) or [f"wave {wave}"]
    return sorted(set(world.app_health_blockers(app)))


def _cycle(world: _World) -> list[str]:
    """A chain of Applications each waiting on the next, closing on itself, if there is one."""
    edges: dict[str, set[str]] = {}
    names = {str(a.key.name) for a in world.apps.values()}
    for app in world.apps.values():
        if world.healthy[app.index]:
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
    if reason in world._providers:
        return world._providers[reason]
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
    world._providers[reason] = found
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
