"""bootstrap/: the root Application, one AppProject per environment, one Application per cluster."""

from __future__ import annotations

from generator.errors import Location
from generator.manifests import Manifest, Origin, Tree, kustomization
from generator.model import ARGOCD_NAMESPACE, BOOTSTRAP_PROJECT
from generator.plan import Plan
from generator.render import argo
from generator.render.capi import capi_namespace

ALL_KINDS = [{"group": "*", "kind": "*"}]


def render_bootstrap(plan: Plan, tree: Tree) -> None:
    catalogue = plan.catalogue
    hub = plan.hub.cluster
    hub_minor = (hub.minor,)
    here = Origin(Location(catalogue.source), "bootstrap")

    capi_clusters = [c.cluster for c in plan.clusters if c.cluster.cluster_api]
    bootstrap_project = argo.project(
        BOOTSTRAP_PROJECT,
        "Applications that create the other Applications, the projects and the clusters.",
        source_repos=[catalogue.repo_url],
        destinations=[(hub.server, ARGOCD_NAMESPACE)]
        + [(hub.server, capi_namespace(c)) for c in capi_clusters],
        cluster_resources=[{"group": "", "kind": "Namespace"}],
    )
    root = argo.application(
        "root",
        project=BOOTSTRAP_PROJECT,
        server=hub.server,
        namespace=ARGOCD_NAMESPACE,
        sources=[argo.git_source(catalogue, "bootstrap")],
        wave=0,
    )
    tree.add(
        "bootstrap/root.yaml",
        Manifest(bootstrap_project, here, hub_minor),
        Manifest(root, here, hub_minor),
    )

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
            destinations=[(cp.cluster.server, "*") for cp in clusters],
            cluster_resources=ALL_KINDS,
        )
        filename = f"{env.environment.name}.yaml"
        project_files.append(filename)
        tree.add(f"bootstrap/projects/{filename}", Manifest(body, here, hub_minor))
    tree.add("bootstrap/projects/kustomization.yaml", Manifest(kustomization(project_files), here))

    for cluster_plan in plan.clusters:
        cluster = cluster_plan.cluster
        origin = Origin(cluster.location, "bootstrap")
        apps = []
        if cluster.cluster_api:
            apps.append(
                argo.application(
                    f"capi-{cluster.name}",
                    project=BOOTSTRAP_PROJECT,
                    server=hub.server,
                    namespace=capi_namespace(cluster),
                    sources=[argo.git_source(catalogue, f"bootstrap/clusters/{cluster.name}")],
                    wave=0,
                    # Pruning a Cluster object deletes its machines: never automatic.
                    prune=False,
                )
            )
        apps.append(
            argo.application(
                f"cluster-{cluster.name}",
                project=BOOTSTRAP_PROJECT,
                server=hub.server,
                namespace=ARGOCD_NAMESPACE,
                sources=[argo.git_source(catalogue, f"clusters/{cluster.name}")],
                wave=1,
            )
        )
        tree.add(
            f"bootstrap/applications/{cluster.name}.yaml",
            *(Manifest(app, origin, hub_minor) for app in apps),
        )
    tree.add(
        "bootstrap/applications/kustomization.yaml",
        Manifest(kustomization([f"{cp.cluster.name}.yaml" for cp in plan.clusters]), here),
    )
    tree.add(
        "bootstrap/kustomization.yaml", Manifest(kustomization(["projects", "applications"]), here)
    )
