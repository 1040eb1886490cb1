"""infrastructure/: one base per component (its Application and its namespace's manifests) and
one overlay per environment (the bases its clusters run, in the environment's project)."""

from __future__ import annotations

from typing import Any

from generator.errors import Problem, UserError
from generator.fastdump import dump_all
from generator.flows import (
    CILIUM_FOLDER,
    component_subject,
    fabric,
    namespace_labels,
    split_cilium,
)
from generator.manifests import Manifest, Origin, Tree, kustomization
from generator.namespaces import NamespaceUse
from generator.netpol import namespace_object, subject_policies
from generator.plan import ClusterPlan, Plan, PlannedComponent
from generator.render import argo


def shared_components(plan: Plan) -> dict[str, list[tuple[ClusterPlan, PlannedComponent]]]:
    """Each component name with every cluster that runs it; bases are shared, so they must agree."""
    users: dict[str, list[tuple[ClusterPlan, PlannedComponent]]] = {}
    for cluster_plan in plan.clusters:
        for component in cluster_plan.components:
            users.setdefault(component.name, []).append((cluster_plan, component))
    problems = []
    for name, pairs in users.items():
        first = pairs[0][1]
        for _, other in pairs[1:]:
            if (other.chart, other.namespace, other.base_values) != (
                first.chart,
                first.namespace,
                first.base_values,
            ):
                problems.append(
                    Problem(
                        other.origin.location,
                        "",
                        f"component '{name}' differs in chart or namespace from cluster "
                        f"'{pairs[0][0].cluster.name}'; its base is shared by every cluster",
                    )
                )
    if problems:
        raise UserError(problems)
    return users


def render_infrastructure(plan: Plan, tree: Tree, fleet: bool = False) -> None:
    """`fleet`: only the namespace manifests; ApplicationSets replace the Applications and
    the overlays (generator/render/fleet.py)."""
    catalogue = plan.catalogue
    hub_minor = (plan.hub.cluster.minor,)
    for name, pairs in sorted(shared_components(plan).items()):
        component = pairs[0][1]
        origin = Origin(component.origin.location, f"component {name}")
        folder = f"infrastructure/base/{name}"
        minors = tuple(sorted({cp.cluster.minor for cp, _ in pairs}))
        _namespace_manifests(plan, pairs, folder, origin, minors, tree)
        if fleet:
            continue
        app = argo.application(
            name,
            project="default",
            # Each cluster's overlay replaces it with its own name (render/clusters.py).
            cluster=plan.hub.cluster.name,
            namespace=component.namespace,
            sources=[
                argo.chart_source(
                    component.chart.repo,
                    component.chart.name,
                    component.chart.version,
                    component.release_name,
                    component.base_values,
                ),
                argo.git_source(catalogue, f"{folder}/manifests"),
            ],
            wave=0,
            server_side_apply=component.server_side_apply,
            annotations=bootstrap_annotations(component),
        )
        tree.add(f"{folder}/application.yaml", Manifest(app, origin, hub_minor))
        tree.add(
            f"{folder}/kustomization.yaml", Manifest(kustomization(["application.yaml"]), origin)
        )

    for env in plan.environments:
        names = sorted({c.name for n in env.clusters for c in plan.cluster(n).components})
        if not names or fleet:
            continue
        body = kustomization(
            [f"../../base/{n}" for n in names],
            patches=[
                {
                    "target": {"group": "argoproj.io", "kind": "Application"},
                    "patch": dump_all(
                        [
                            [
                                {
                                    "op": "replace",
                                    "path": "/spec/project",
                                    "value": env.environment.name,
                                }
                            ]
                        ]
                    ),
                }
            ],
        )
        location = plan.cluster(env.clusters[0]).cluster.location
        tree.add(
            f"infrastructure/overlays/{env.environment.name}/kustomization.yaml",
            Manifest(body, Origin(location, "environment overlay")),
        )


def bootstrap_annotations(component: PlannedComponent) -> dict[str, str]:
    """What the bootstrap simulation reads off the Application: the CRD groups its chart
    installs and whether it readies nodes."""
    blueprint = component.blueprint
    found = {}
    if blueprint is not None and blueprint.provides:
        found[argo.PROVIDES] = ",".join(blueprint.provides)
    if blueprint is not None and blueprint.node_bootstrap:
        found[argo.NODE_BOOTSTRAP] = blueprint.node_bootstrap
    return found


def _namespace_manifests(
    plan: Plan,
    pairs: list[tuple[ClusterPlan, PlannedComponent]],
    folder: str,
    origin: Origin,
    minors: tuple[str, ...],
    tree: Tree,
) -> None:
    component = pairs[0][1]
    use = plan.namespaces[component.namespace]
    where = fabric([cp.cluster for cp, _ in pairs])
    variants = use.folders(component.name, [cp.cluster.name for cp, _ in pairs])
    cilium_only: list[dict[str, Any]] = []
    provides = component.blueprint.provides if component.blueprint else ()
    for owner, sub in sorted(variants.items()):
        subject = component_subject(pairs, use, owner)
        policies, cilium_only = split_cilium(subject_policies(subject, where), where)
        for body in (*policies, *cilium_only):
            _after_own_chart(body, provides)
        namespace = _namespace_object(pairs, use, owner)
        _namespace_variant(namespace, policies, tree, f"{folder}/{sub}", origin, minors)
    # The variants differ only by the owner's baseline, which has no Cilium kinds.
    add_cilium_folder(tree, f"{folder}/{CILIUM_FOLDER}", cilium_only, origin, minors)


def _namespace_object(
    pairs: list[tuple[ClusterPlan, PlannedComponent]], use: NamespaceUse, owner: bool
) -> dict[str, Any] | None:
    """The Namespace the owner writes, labelled for every component it hosts on the clusters
    of this variant: a guest scraper is admitted by its namespace's label too."""
    if not owner:
        return None
    name = pairs[0][1].namespace
    labels: dict[str, str] = {}
    for cluster_plan, component in pairs:
        if use.owns(component.name, cluster_plan.cluster.name):
            for member in cluster_plan.components:
                if member.namespace == name:
                    labels.update(namespace_labels(member))
    return namespace_object(name, labels)


def _namespace_variant(
    namespace: dict[str, Any] | None,
    policies: list[dict[str, Any]],
    tree: Tree,
    folder: str,
    origin: Origin,
    minors: tuple[str, ...],
) -> None:
    """A component's namespace manifests: the Namespace where it owns it, and its policies."""
    files = []
    if namespace is not None:
        tree.add(f"{folder}/namespace.yaml", Manifest(namespace, origin, minors))
        files.append("namespace.yaml")
    if policies:
        tree.add(f"{folder}/networkpolicies.yaml", *(Manifest(p, origin, minors) for p in policies))
        files.append("networkpolicies.yaml")
    tree.add(f"{folder}/kustomization.yaml", Manifest(kustomization(files), origin))


def _after_own_chart(body: dict[str, Any], provides: tuple[str, ...]) -> None:
    """An object of a kind the component's own chart brings (Cilium's policies, on Cilium):
    applied a wave after the chart, whose objects must not wait for CRDs that do not exist yet."""
    group = str(body.get("apiVersion", "")).rpartition("/")[0]
    if group in provides:
        annotations = body.setdefault("metadata", {}).setdefault("annotations", {})
        annotations[argo.WAVE] = "1"
        annotations[argo.SYNC_OPTIONS] = "SkipDryRunOnMissingResource=true"


def add_cilium_folder(
    tree: Tree, folder: str, policies: list[dict[str, Any]], origin: Origin, minors: tuple[str, ...]
) -> None:
    """Cilium policies of a folder shared with clusters without Cilium, where their kind does
    not exist: only Cilium clusters apply this folder."""
    if not policies:
        return
    tree.add(
        f"{folder}/ciliumnetworkpolicies.yaml", *(Manifest(p, origin, minors) for p in policies)
    )
    tree.add(
        f"{folder}/kustomization.yaml",
        Manifest(kustomization(["ciliumnetworkpolicies.yaml"]), origin),
    )
