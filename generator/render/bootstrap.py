"""bootstrap/: the root Application, one AppProject per environment, and one sub-tree per cluster.

Waves of the root: projects first (-1), then the hub's own
components (0), then every cluster's sub-tree side by side (1). A spoke's sub-tree holds, in one
wave, its Cluster API objects, its registration and the Application of its components: those
wait for the spoke to be registered, never for its health, so the CNI and the cloud controller
reach machines that are not Ready yet, and a spoke that never comes up blocks only itself.
"""

from __future__ import annotations

from typing import Any

from generator.errors import Location
from generator.fastdump import dump_all
from generator.manifests import Manifest, Origin, Tree, kustomization
from generator.model import ARGOCD_NAMESPACE, BOOTSTRAP_PROJECT, Cluster
from generator.plan import Plan
from generator.render import argo
from generator.render.capi import capi_namespace
from generator.render.fleet import FOLDER, RETRY_FOREVER, Layout, with_labels
from generator.render.registration import capi_registration, store_registration

ALL_KINDS = [{"group": "*", "kind": "*"}]
HUB_WAVE = 0
CLUSTERS_WAVE = 1


def _components_app(plan: Plan, cluster: Cluster, wave: int) -> dict[str, Any]:
    return argo.application(
        f"components-{cluster.name}",
        project=BOOTSTRAP_PROJECT,
        cluster=plan.hub.cluster.name,
        namespace=ARGOCD_NAMESPACE,
        sources=[argo.git_source(plan.catalogue, f"clusters/{cluster.name}")],
        wave=wave,
    )


def render_bootstrap(plan: Plan, tree: Tree, fleet: Layout | None = None) -> None:
    """`fleet`: fleet mode's labels (generator/render/fleet.py); the ApplicationSets replace
    the components Applications, and the clusters' sub-trees retry until the hub's providers,
    now generated Applications that no wave orders, have installed their CRDs."""
    catalogue = plan.catalogue
    hub = plan.hub.cluster
    hub_minor = (hub.minor,)
    here = Origin(Location(catalogue.source), "bootstrap")

    capi_clusters = [c.cluster for c in plan.clusters if c.cluster.cluster_api]
    bootstrap_project = argo.project(
        BOOTSTRAP_PROJECT,
        "Applications that create the other Applications, the projects and the clusters.",
        source_repos=[catalogue.repo_url],
        destinations=[(hub.name, ARGOCD_NAMESPACE)]
        + [(hub.name, capi_namespace(c)) for c in capi_clusters],
        cluster_resources=[{"group": "", "kind": "Namespace"}],
    )
    root = argo.application(
        "root",
        project=BOOTSTRAP_PROJECT,
        # The argocd component's values name the hub from the by-hand install on.
        cluster=hub.name,
        namespace=ARGOCD_NAMESPACE,
        sources=[argo.git_source(catalogue, "bootstrap")],
        wave=0,
    )
    tree.add(
        "bootstrap/root.yaml",
        Manifest(bootstrap_project, here, hub_minor),
        Manifest(root, here, hub_minor),
    )
    argocd = next((c for c in plan.hub.components if c.name == "argocd"), None)
    if argocd is not None:
        # The by-hand install uses the values the `argocd` component then keeps in sync.
        values = (
            dict(argocd.values) if fleet is None else with_labels(plan, fleet, plan.hub, argocd)
        )
        tree.text("bootstrap/argocd-values.yml", dump_all([values]))

    project_files = []
    for env in plan.environments:
        clusters = [plan.cluster(name) for name in env.clusters]
        if not clusters:
            continue
        charts = {c.chart.repo for cp in clusters for c in cp.components}
        body = argo.project(
            env.environment.name,
            f"Everything deployed to environment '{env.environment.name}'.",
            source_repos=[catalogue.repo_url, *charts],
            destinations=[(cp.cluster.name, "*") for cp in clusters],
            cluster_resources=ALL_KINDS,
        )
        filename = f"{env.environment.name}.yaml"
        project_files.append(filename)
        tree.add(f"bootstrap/projects/{filename}", Manifest(body, here, hub_minor))
    tree.add("bootstrap/projects/kustomization.yaml", Manifest(kustomization(project_files), here))

    listed = []
    for cluster_plan in plan.clusters:
        cluster = cluster_plan.cluster
        origin = Origin(cluster.location, "bootstrap")
        apps = []
        if cluster.is_hub and fleet is None:
            apps.append(_components_app(plan, cluster, HUB_WAVE))
        if cluster.cluster_api or not cluster.is_hub:
            apps.append(
                argo.application(
                    f"cluster-{cluster.name}",
                    project=BOOTSTRAP_PROJECT,
                    cluster=hub.name,
                    namespace=capi_namespace(cluster) if cluster.cluster_api else ARGOCD_NAMESPACE,
                    sources=[argo.git_source(catalogue, f"bootstrap/clusters/{cluster.name}")],
                    wave=CLUSTERS_WAVE,
                    # Pruning a Cluster object deletes its machines: never automatic.
                    prune=False,
                )
            )
            if fleet is not None:
                apps[-1]["spec"]["syncPolicy"]["retry"] = dict(RETRY_FOREVER)
                apps[-1]["spec"]["syncPolicy"]["syncOptions"].append(
                    "SkipDryRunOnMissingResource=true"
                )
            _render_subtree(plan, cluster, tree, fleet)
        if not apps:
            continue
        listed.append(f"{cluster.name}.yaml")
        tree.add(
            f"bootstrap/applications/{cluster.name}.yaml",
            *(Manifest(app, origin, hub_minor) for app in apps),
        )
    tree.add("bootstrap/applications/kustomization.yaml", Manifest(kustomization(listed), here))
    folders = ["projects", "applications"] + ([FOLDER.rpartition("/")[2]] if fleet else [])
    tree.add("bootstrap/kustomization.yaml", Manifest(kustomization(folders), here))


def _render_subtree(plan: Plan, cluster: Cluster, tree: Tree, fleet: Layout | None) -> None:
    """bootstrap/clusters/<cluster>/: everything in one wave (see the module docstring)."""
    folder = f"bootstrap/clusters/{cluster.name}"
    origin = Origin(cluster.location, f"cluster {cluster.name}")
    minors = (plan.hub.cluster.minor,)
    files = ["cluster.yaml"] if cluster.cluster_api else []
    if not cluster.is_hub:
        labels = fleet.labels(cluster.name) if fleet is not None else {}
        registration = (
            capi_registration(cluster, capi_namespace(cluster), labels)
            if cluster.cluster_api
            else store_registration(cluster, labels)
        )
        tree.add(
            f"{folder}/registration.yaml", *(Manifest(o, origin, minors) for o in registration)
        )
        files.append("registration.yaml")
        if fleet is None:
            components = _components_app(plan, cluster, 0)
            tree.add(f"{folder}/components.yaml", Manifest(components, origin, minors))
            files.append("components.yaml")
    tree.add(f"{folder}/kustomization.yaml", Manifest(kustomization(files), origin))
