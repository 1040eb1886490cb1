"""The bootstrap simulation on hand-built trees whose outcome was worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from generator.convergence import (
    NODE_BOOTSTRAP,
    PROVIDES,
    REGISTERS,
    ClusterFacts,
    Verdict,
    _screen,
    blocking_spokes,
    simulate,
)
from generator.inventory import Key

HUB = "mgmt"
IN_CLUSTER = "https://kubernetes.default.svc"
HEALTH_CHECK = {"configs": {"cm": {"resource.customizations.health.argoproj.io_Application": "…"}}}


class Tree:
    """Objects with the Application that deploys each, as the inventory walk yields them."""

    def __init__(self) -> None:
        self.objects: dict[Key, dict[str, Any]] = {}
        self.parents: dict[Key, Key] = {}

    def add(
        self, cluster: str, obj: dict[str, Any], parent: Key | None = None, group: str = ""
    ) -> Key:
        meta = obj["metadata"]
        key = Key(cluster, group, obj["kind"], meta.get("namespace", ""), meta["name"])
        self.objects[key] = obj
        if parent is not None:
            self.parents[key] = parent
        return key

    def app(
        self,
        name: str,
        parent: Key | None,
        *,
        to: str = HUB,
        wave: int = 0,
        chart: bool = False,
        annotations: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> Key:
        source: dict[str, Any] = {"repoURL": "https://git.example.com/infra.git", "path": name}
        if chart:
            source = {
                "repoURL": "https://charts.example.com",
                "chart": name,
                "targetRevision": "1.0.0",
                "helm": {"valuesObject": values or {}},
            }
        destination = {"server": IN_CLUSTER} if to == HUB else {"name": to}
        obj = {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {
                "name": name,
                "namespace": "argocd",
                "annotations": {"argocd.argoproj.io/sync-wave": str(wave), **(annotations or {})},
            },
            "spec": {"project": "default", "destination": destination, "source": source},
        }
        return self.add(HUB, obj, parent, "argoproj.io")

    def plain(
        self,
        cluster: str,
        kind: str,
        name: str,
        parent: Key,
        *,
        group: str = "",
        namespace: str = "",
        wave: int = 0,
        **extra: Any,
    ) -> Key:
        api = f"{group}/v1" if group else "v1"
        meta: dict[str, Any] = {
            "name": name,
            "annotations": {"argocd.argoproj.io/sync-wave": str(wave)},
        }
        if namespace:
            meta["namespace"] = namespace
        return self.add(
            cluster, {"apiVersion": api, "kind": kind, "metadata": meta, **extra}, parent, group
        )


CLUSTERS = {
    HUB: ClusterFacts(
        HUB, hub=True, cluster_api=False, cloud_controller=False, namespaces=frozenset({"argocd"})
    ),
    "dev": ClusterFacts("dev", hub=False, cluster_api=True, cloud_controller=True),
    "prod": ClusterFacts("prod", hub=False, cluster_api=True, cloud_controller=True),
}


def spoke_tree(*, split_per_cluster: bool, health_check: bool = True) -> Tree:
    """The hub runs Argo CD and the Cluster API providers; `dev` and `prod` are Cluster API
    spokes that need Cilium and the Hetzner cloud controller, and run one web app each.

    split_per_cluster=False is today's output: one `bootstrap` parent holding every spoke's
    Cluster API objects in wave 0 and every spoke's components in wave 1.
    split_per_cluster=True gives each spoke its own parent, all in one wave, holding its
    Cluster API objects, its registration and its components in one wave: the components wait
    for the registration (the spoke's machines exist), never for the Cluster's health.
    """
    tree = Tree()
    root = tree.app("root", None)
    tree.app(
        "argocd",
        root,
        chart=True,
        values=HEALTH_CHECK if health_check else {},
        annotations={PROVIDES: "argoproj.io"},
    )
    tree.app(
        "cluster-api",
        root,
        chart=True,
        wave=-1,
        annotations={PROVIDES: "cluster.x-k8s.io,infrastructure.cluster.x-k8s.io"},
    )
    shared = None if split_per_cluster else tree.app("bootstrap", root, wave=1)
    for spoke in ("dev", "prod"):
        parent = tree.app(f"spoke-{spoke}", root, wave=1) if split_per_cluster else shared
        assert parent is not None
        capi = tree.app(f"capi-{spoke}", parent, wave=0)
        tree.plain(HUB, "Namespace", f"capi-{spoke}", capi, wave=-1)
        tree.plain(HUB, "Cluster", spoke, capi, group="cluster.x-k8s.io", namespace=f"capi-{spoke}")
        tree.plain(
            HUB,
            "Secret",
            f"cluster-{spoke}",
            parent,
            namespace="argocd",
            **{
                "metadata": {
                    "name": f"cluster-{spoke}",
                    "namespace": "argocd",
                    "annotations": {REGISTERS: spoke},
                }
            },
        )
        components = tree.app(f"components-{spoke}", parent, wave=0 if split_per_cluster else 1)
        tree.app(
            f"cilium-{spoke}",
            components,
            to=spoke,
            chart=True,
            wave=0,
            annotations={NODE_BOOTSTRAP: "cni", PROVIDES: "cilium.io"},
        )
        tree.app(
            f"ccm-{spoke}",
            components,
            to=spoke,
            chart=True,
            wave=0,
            annotations={NODE_BOOTSTRAP: "cloud-controller"},
        )
        web = tree.app(f"web-{spoke}", components, to=spoke, wave=1)
        tree.plain(spoke, "Namespace", "web", web, wave=-1)
        tree.plain(spoke, "Deployment", "web", web, group="apps", namespace="web")
    return tree


def run(tree: Tree, failing: frozenset[str] = frozenset()) -> Verdict:
    return simulate(tree.objects, tree.parents, CLUSTERS, failing=failing)


def test_one_parent_for_every_spoke_deadlocks_with_the_application_health_check() -> None:
    verdict = run(spoke_tree(split_per_cluster=False))
    assert not verdict.converged
    # bootstrap waits in wave 0 for capi-dev to be healthy; capi-dev's Cluster waits for Ready
    # nodes; those need Cilium, which only bootstrap's wave 1 (components-dev) creates.
    assert verdict.stuck["bootstrap"] == [
        "Application capi-dev to become healthy",
        "Application capi-prod to become healthy",
    ]
    assert verdict.stuck["capi-dev"] == ["Ready nodes on dev"]
    assert verdict.stuck["cilium-dev"] == ["Application components-dev to sync"]
    assert verdict.cycle[0] == verdict.cycle[-1]
    assert {"bootstrap", "capi-dev", "components-dev"} <= set(verdict.cycle)
    # and through one of the two Applications that ready dev's nodes
    assert {"cilium-dev", "ccm-dev"} & set(verdict.cycle)


def test_the_same_tree_converges_without_the_health_check() -> None:
    # Argo CD then calls child Applications healthy at once: bootstrap moves on to wave 1.
    assert run(spoke_tree(split_per_cluster=False, health_check=False)).converged


def test_a_sub_tree_per_spoke_converges_in_a_worked_out_order() -> None:
    verdict = run(spoke_tree(split_per_cluster=True))
    assert verdict.converged, verdict.stuck
    flat = [event for step in verdict.order for event in step]
    position = {event: i for i, event in enumerate(flat)}
    # providers first, then the spoke's machines, then its CNI and cloud controller (which run
    # on not-ready nodes), then workloads, then the spoke's parent, then the root.
    assert position["cluster-api healthy"] < position["capi-dev synced"]
    assert position["capi-dev synced"] < position["cilium-dev healthy"]
    assert position["ccm-dev healthy"] < position["capi-dev healthy"]
    assert position["cilium-dev healthy"] < position["web-dev healthy"]
    assert position["web-dev healthy"] < position["spoke-dev healthy"] < position["root healthy"]


def test_a_failing_spoke_blocks_neither_the_hub_nor_the_other_spoke() -> None:
    verdict = run(spoke_tree(split_per_cluster=True), failing=frozenset({"dev"}))
    assert verdict.converged, verdict.stuck
    healthy = {e.removesuffix(" healthy") for step in verdict.order for e in step}
    assert {"argocd", "cluster-api", "spoke-prod", "web-prod"} <= healthy
    assert "spoke-dev" not in healthy and "root" not in healthy


def test_with_one_parent_a_failing_spoke_blocks_the_others() -> None:
    verdict = run(
        spoke_tree(split_per_cluster=False, health_check=False), failing=frozenset({"dev"})
    )
    # Without the health check nothing waits on dev's Cluster: prod still comes up.
    assert verdict.converged
    stuck = run(spoke_tree(split_per_cluster=False), failing=frozenset({"dev"}))
    assert "web-prod" in stuck.stuck


def test_a_spoke_without_its_cni_never_gets_ready_nodes() -> None:
    tree = spoke_tree(split_per_cluster=True)
    for key in [k for k in tree.objects if k.name == "cilium-dev"]:
        del tree.objects[key], tree.parents[key]
    verdict = run(tree)
    assert not verdict.converged
    assert verdict.stuck["web-dev"] == ["Ready nodes on dev"]
    assert "web-prod" not in verdict.stuck


def test_objects_wait_for_their_crds_and_their_namespace() -> None:
    tree = Tree()
    root = tree.app("root", None)
    # The provider sits in a later wave than its consumer, under one parent that waits.
    tree.app("argocd", root, chart=True, values=HEALTH_CHECK)
    consumer = tree.app("monitoring-config", root, wave=0)
    tree.plain(
        HUB, "ServiceMonitor", "web", consumer, group="monitoring.coreos.com", namespace="argocd"
    )
    tree.app(
        "prometheus-operator",
        root,
        chart=True,
        wave=1,
        annotations={PROVIDES: "monitoring.coreos.com"},
    )
    orphan = tree.app("orphan", root, wave=0)
    tree.plain(HUB, "ConfigMap", "settings", orphan, namespace="nowhere")
    verdict = run(tree)
    assert verdict.stuck["monitoring-config"] == ["the CRDs of monitoring.coreos.com on mgmt"]
    assert verdict.stuck["orphan"] == ["namespace nowhere on mgmt"]
    assert verdict.cycle == [
        "monitoring-config",
        "prometheus-operator",
        "root",
        "monitoring-config",
    ]


def test_an_application_waits_for_its_project_and_its_registered_destination() -> None:
    tree = Tree()
    root = tree.app("root", None)
    app = tree.app("web", root, to="prod")
    tree.objects[app]["spec"]["project"] = "prod"
    verdict = run(tree)
    assert verdict.stuck["web"] == ["AppProject prod"]
    tree.plain(HUB, "AppProject", "prod", root, group="argoproj.io", namespace="argocd")
    assert run(tree).stuck["web"] == ["cluster prod to be registered"]


def test_a_chart_waits_not_for_its_own_kinds_when_they_follow_it_without_a_dry_run() -> None:
    def verdict(options: str) -> Verdict:
        tree = Tree()
        root = tree.app("root", None)
        tree.app("argocd", root, chart=True, values=HEALTH_CHECK)
        cilium = tree.app("cilium", root, chart=True, annotations={PROVIDES: "cilium.io"})
        policy = tree.plain(
            HUB, "CiliumNetworkPolicy", "deny", cilium, group="cilium.io", namespace="kube-system"
        )
        tree.objects[policy]["metadata"]["annotations"].update(
            {"argocd.argoproj.io/sync-wave": "1", "argocd.argoproj.io/sync-options": options}
        )
        return run(tree)

    # The policy in Cilium's own Application needs the CRDs that Application installs.
    assert verdict("").stuck["cilium"] == ["the CRDs of cilium.io on mgmt"]
    assert verdict("SkipDryRunOnMissingResource=true").converged


def test_a_spoke_whose_failure_holds_back_another_is_named_with_its_own_verdict() -> None:
    tree = spoke_tree(split_per_cluster=True)
    (prod,) = [k for k in tree.objects if k.name == "spoke-prod"]
    # prod's parent first waits on an Application on dev: dev failing holds prod's apps back.
    probe = tree.app("probe-dev", prod, to="dev", wave=-1)
    tree.plain("dev", "Deployment", "probe", probe, group="apps", namespace="default")
    assert run(tree).converged
    found = blocking_spokes(tree.objects, tree.parents, CLUSTERS, ["dev", "prod"])
    assert found == [("dev", run(tree, frozenset({"dev"})))]
    assert "web-prod" in found[0][1].stuck
    assert (
        blocking_spokes(
            spoke_tree(split_per_cluster=True).objects,
            spoke_tree(split_per_cluster=True).parents,
            CLUSTERS,
            ["dev", "prod"],
        )
        == []
    )


def fleet_tree(spokes: list[str], blocked: dict[str, str], grouped: list[str]) -> Tree:
    """A sub-tree per spoke as above, where spoke b's parent first waits on an Application on
    blocked[b], and one hub parent holds Applications on every spoke of `grouped`."""
    tree = Tree()
    root = tree.app("root", None)
    tree.app("argocd", root, chart=True, values=HEALTH_CHECK, annotations={PROVIDES: "argoproj.io"})
    tree.app("cluster-api", root, chart=True, wave=-1, annotations={PROVIDES: "cluster.x-k8s.io"})
    for spoke in spokes:
        parent = tree.app(f"spoke-{spoke}", root, wave=1)
        if spoke in blocked:
            probe = tree.app(f"probe-{spoke}", parent, to=blocked[spoke], wave=-1)
            tree.plain(blocked[spoke], "Deployment", "probe", probe, group="apps")
        capi = tree.app(f"capi-{spoke}", parent, wave=0)
        tree.plain(HUB, "Cluster", spoke, capi, group="cluster.x-k8s.io", namespace="default")
        tree.plain(HUB, "Secret", f"cluster-{spoke}", parent, namespace="argocd",
                   **{"metadata": {"name": f"cluster-{spoke}", "namespace": "argocd",
                                   "annotations": {REGISTERS: spoke}}})  # fmt: skip
        components = tree.app(f"components-{spoke}", parent, wave=0)
        tree.app(f"cilium-{spoke}", components, to=spoke, chart=True,
                 annotations={NODE_BOOTSTRAP: "cni"})  # fmt: skip
        tree.app(f"ccm-{spoke}", components, to=spoke, chart=True,
                 annotations={NODE_BOOTSTRAP: "cloud-controller"})  # fmt: skip
        web = tree.app(f"web-{spoke}", components, to=spoke, wave=1)
        tree.plain(spoke, "Deployment", "web", web, group="apps")
    group = tree.app("grouped", root, wave=1)
    for spoke in grouped:
        watch = tree.app(f"watch-{spoke}", group, to=spoke)
        tree.plain(spoke, "Deployment", "watch", watch, group="apps")
    return tree


@pytest.mark.parametrize(
    ("blocked", "grouped"),
    [({}, []), ({"s1": "s4"}, []), ({"s6": "s0"}, ["s2", "s3"]), ({}, ["s1", "s5", "s6"])],
)
def test_few_runs_find_what_one_run_per_spoke_finds(
    blocked: dict[str, str], grouped: list[str]
) -> None:
    spokes = [f"s{i}" for i in range(7)]
    clusters = {
        HUB: CLUSTERS[HUB],
        **{s: ClusterFacts(s, hub=False, cluster_api=True, cloud_controller=True) for s in spokes},
    }
    tree = fleet_tree(spokes, blocked, grouped)
    assert simulate(tree.objects, tree.parents, clusters).converged
    one_by_one = [
        (s, v)
        for s in spokes
        if not (
            v := simulate(tree.objects, tree.parents, clusters, failing=frozenset({s}))
        ).converged
    ]
    assert blocking_spokes(tree.objects, tree.parents, clusters, spokes) == one_by_one
    assert [s for s, _ in one_by_one] == sorted(blocked.values())


def _retry(tree: Tree, key: Key, limit: int) -> Key:
    tree.objects[key]["spec"]["syncPolicy"] = {"retry": {"limit": limit}}
    return key


def appset_tree(spoke_retry: int, consumer_retry: int = -1) -> tuple[Tree, dict[Key, Any]]:
    """Fleet mode by hand: the root applies two ApplicationSets (wave 0) and `dev`'s sub-tree
    (wave 1: its Cluster and the Secret that registers it). The sets make `cluster-api-mgmt`
    for the hub, and `cilium-dev`, `ccm-dev`, `web-dev` for dev once dev is registered;
    web-dev needs cilium.io (its policy) from cilium-dev, whatever waves say."""
    tree = Tree()
    root = tree.app("root", None)
    infra = tree.add(HUB, _appset("infra"), root, "argoproj.io")
    apps = tree.add(HUB, _appset("web"), root, "argoproj.io")
    spoke = _retry(tree, tree.app("spoke-dev", root, wave=1), spoke_retry)
    tree.plain(HUB, "Cluster", "dev", spoke, group="cluster.x-k8s.io", namespace="argocd")
    tree.plain(
        HUB,
        "Secret",
        "cluster-dev",
        spoke,
        namespace="argocd",
        metadata={"name": "cluster-dev", "namespace": "argocd", "annotations": {REGISTERS: "dev"}},
    )
    generated = {
        tree.app(
            "cluster-api-mgmt", None, chart=True, annotations={PROVIDES: "cluster.x-k8s.io"}
        ): (infra, HUB),
        tree.app(
            "cilium-dev",
            None,
            to="dev",
            chart=True,
            annotations={NODE_BOOTSTRAP: "cni", PROVIDES: "cilium.io"},
        ): (infra, "dev"),
        tree.app(
            "ccm-dev", None, to="dev", chart=True, annotations={NODE_BOOTSTRAP: "cloud-controller"}
        ): (infra, "dev"),
    }
    # A later wave than cilium-dev's: which Argo CD ignores between generated Applications.
    web = _retry(tree, tree.app("web-dev", None, to="dev", wave=5), consumer_retry)
    tree.plain("dev", "CiliumNetworkPolicy", "web", web, group="cilium.io", namespace="default")
    generated[web] = (apps, "dev")
    for key in generated:
        if key != web:
            _retry(tree, key, -1)
    return tree, generated


def _appset(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": name, "namespace": "argocd"},
    }


def run_fleet(
    tree: Tree, generated: dict[Key, Any], failing: frozenset[str] = frozenset()
) -> Verdict:
    return simulate(tree.objects, tree.parents, CLUSTERS, failing=failing, generated=generated)


def test_generated_applications_appear_once_their_cluster_is_registered_retries_order_them() -> (
    None
):
    verdict = run_fleet(*appset_tree(spoke_retry=-1))
    assert verdict.converged, verdict.stuck
    # Round 1: the root applies the sets and dev's sub-tree, whose Cluster cannot be applied
    # before the Cluster API CRDs: it fails and retries. Round 2: the hub's Application is
    # generated and installs them; the retry applies dev's Cluster and registration. Round 3:
    # dev's Applications are generated; web-dev's policy waits (retrying) for Cilium's CRDs.
    assert verdict.order[0] == ["root synced", "root healthy"]
    assert verdict.order[1][:3] == [
        "cluster-api-mgmt generated",
        "cluster-api-mgmt synced",
        "cluster-api-mgmt healthy",
    ]
    assert "spoke-dev synced" in verdict.order[1]
    assert "cilium-dev generated" in verdict.order[2]
    assert not any("cilium-dev" in step for step in verdict.order[1])


def test_a_bounded_retry_waiting_on_a_generated_provider_never_converges() -> None:
    verdict = run_fleet(*appset_tree(spoke_retry=5))
    assert not verdict.converged
    assert verdict.stuck["spoke-dev"] == [
        "its sync failed on what a generated Application provides, and it does not retry "
        "forever: the CRDs of cluster.x-k8s.io on mgmt"
    ]
    assert verdict.stuck["cilium-dev"] == ["cluster dev to be registered"]
    assert "cluster-api-mgmt" not in verdict.stuck


def test_sync_waves_do_not_order_generated_applications() -> None:
    # web-dev's wave 5 is after cilium-dev's 0, but nothing makes Argo CD wait for Cilium.
    verdict = run_fleet(*appset_tree(spoke_retry=-1, consumer_retry=3))
    assert list(verdict.stuck) == ["web-dev"]
    assert "the CRDs of cilium.io on dev" in verdict.stuck["web-dev"][0]


def test_a_failing_spoke_blocks_only_its_own_generated_applications() -> None:
    tree, generated = appset_tree(spoke_retry=-1)
    verdict = run_fleet(tree, generated, frozenset({"dev"}))
    assert verdict.converged
    assert {"cilium-dev", "web-dev", "spoke-dev"} <= set(_never_healthy(tree, generated))


def _never_healthy(tree: Tree, generated: dict[Key, Any]) -> set[str]:
    verdict = run_fleet(tree, generated, frozenset({"dev"}))
    healthy = {
        step.rsplit(" ", 1)[0] for r in verdict.order for step in r if step.endswith(" healthy")
    }
    return {k.name for k in tree.objects if k.kind == "Application"} - healthy


def _maker_and_user(maker: str, user: str, made: str) -> Tree:
    """Two Applications the root applies together: `user` needs what `maker` applies, `made`
    (a Namespace or an AppProject)."""
    tree = Tree()
    root = tree.app("root", None)
    make = tree.app(maker, root)
    use = tree.app(user, root)
    if made == "Namespace":
        tree.plain(HUB, "Namespace", "shared", make)
        tree.plain(HUB, "ConfigMap", "settings", use, namespace="shared")
    else:
        tree.plain(HUB, "AppProject", "team", make, group="argoproj.io", namespace="argocd")
        tree.objects[use]["spec"]["project"] = "team"
    return tree


@pytest.mark.parametrize("made", ["Namespace", "AppProject"])
def test_what_an_application_waits_on_moves_it_in_the_round_a_full_pass_would(made: str) -> None:
    # A round looks at Applications in name order (root last) and sees what those before
    # made: a user after its maker moves in the maker's round, one before it in the next.
    before = run(_maker_and_user("b-maker", "a-user", made))
    assert before.order == [
        ["root synced", "root healthy"],
        ["b-maker synced", "b-maker healthy"],
        ["a-user synced", "a-user healthy"],
    ]
    after = run(_maker_and_user("a-maker", "b-user", made))
    assert after.order == [
        ["root synced", "root healthy"],
        ["a-maker synced", "a-maker healthy", "b-user synced", "b-user healthy"],
    ]


def test_an_application_missing_two_things_moves_once_the_second_comes() -> None:
    # a-web needs a namespace (b-maker makes it in round 2) and monitoring's CRDs (b-operator,
    # two Applications further down, is healthy in round 4): a-web waits on the first, then
    # on the second, and moves in the round after that (it comes before b-operator).
    tree = Tree()
    root = tree.app("root", None)
    web = tree.app("a-web", root)
    tree.plain(HUB, "ServiceMonitor", "web", web, group="monitoring.coreos.com", namespace="web")
    maker = tree.app("b-maker", root)
    tree.plain(HUB, "Namespace", "web", maker)
    middle = tree.app("c-mid", tree.app("e-later", root, wave=1))
    tree.app("b-operator", middle, chart=True, annotations={PROVIDES: "monitoring.coreos.com"})
    assert run(tree).order == [
        ["root synced", "root healthy"],
        ["b-maker synced", "b-maker healthy", "e-later synced", "e-later healthy"],
        ["c-mid synced", "c-mid healthy"],
        ["b-operator synced", "b-operator healthy"],
        ["a-web synced", "a-web healthy"],
    ]


def test_an_application_waiting_for_its_cluster_moves_once_a_later_one_registers_it() -> None:
    # edge exists already (no Cluster API): registering it is all a-config waits for.
    clusters = {
        HUB: CLUSTERS[HUB],
        "edge": ClusterFacts("edge", hub=False, cluster_api=False, cloud_controller=False),
    }
    tree = Tree()
    root = tree.app("root", None)
    config = tree.app("a-config", root, to="edge")
    tree.plain("edge", "ConfigMap", "settings", config, namespace="default")
    register = tree.app("b-register", root)
    tree.plain(HUB, "Secret", "cluster-edge", register, namespace="argocd",
               metadata={"name": "cluster-edge", "namespace": "argocd",
                         "annotations": {REGISTERS: "edge"}})  # fmt: skip
    assert simulate(tree.objects, tree.parents, clusters).order == [
        ["root synced", "root healthy"],
        ["b-register synced", "b-register healthy"],
        ["a-config synced", "a-config healthy"],
    ]


@pytest.mark.parametrize("count", [1, 2, 3, 7, 50, 1000])
def test_screening_runs_fail_each_spoke_without_each_other_one(count: int) -> None:
    # What lets a few runs stand for one per spoke: for any two spokes, a run fails the first
    # and not the second; few runs, as they grow with the fleet.
    spokes = [f"s{i}" for i in range(count)]
    runs = _screen(spokes, lambda failing: True)
    assert runs is not None
    ups = {s: frozenset(i for i, run in enumerate(runs) if s not in run) for s in spokes}
    assert len(set(ups.values())) == count
    assert all(ups[a] - ups[b] for a in spokes[:60] for b in spokes if a != b)
    assert all(runs) and len(set(runs)) == len(runs)
    assert len(runs) <= {1: 1, 2: 2, 3: 3, 7: 5, 50: 8, 1000: 13}[count]
