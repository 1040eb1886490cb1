"""clusters/<cluster>/: the environment's overlays, plus what only this cluster has: its
destination, its sync waves and the values tuned for its nodes, as JSON patches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.fastdump import dump_all
from generator.flows import CILIUM_FOLDER
from generator.manifests import Manifest, Origin, Tree, kustomization
from generator.model import Cluster
from generator.namespaces import MANIFESTS
from generator.plan import ClusterPlan, Plan, PlannedComponent
from generator.render import argo

VALUES = "/spec/sources/0/helm/valuesObject"
MANIFESTS_PATH = "/spec/sources/1/path"


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def value_ops(base: Mapping[str, Any], final: Mapping[str, Any], path: str) -> list[dict[str, Any]]:
    """JSON-patch operations that turn `base` into `final`, touching only what differs."""
    ops: list[dict[str, Any]] = []
    for key, value in final.items():
        here = f"{path}/{_escape(key)}"
        if key not in base:
            ops.append({"op": "add", "path": here, "value": value})
        elif isinstance(value, Mapping) and isinstance(base[key], Mapping):
            ops.extend(value_ops(base[key], value, here))
        elif base[key] != value:
            ops.append({"op": "replace", "path": here, "value": value})
    ops.extend(
        {"op": "remove", "path": f"{path}/{_escape(key)}"} for key in base if key not in final
    )
    return ops


def _component_patch(
    plan: Plan,
    cluster_plan: ClusterPlan,
    component: PlannedComponent,
    cilium_folder: dict[str, Any] | None,
    variants: Mapping[bool, str],
) -> list[dict[str, Any]]:
    ops: list[dict[str, Any]] = [
        {"op": "replace", "path": "/spec/destination/name", "value": cluster_plan.cluster.name},
        {
            "op": "replace",
            "path": "/metadata/annotations/" + _escape(argo.WAVE),
            "value": str(component.wave),
        },
    ]
    use = plan.namespaces[component.namespace]
    folder = variants[use.owns(component.name, cluster_plan.cluster.name)]
    if folder != MANIFESTS:
        # Its namespace's owner here, a guest elsewhere: the owner's manifests.
        path = plan.catalogue.repo_path_of(f"infrastructure/base/{component.name}/{folder}")
        ops.append({"op": "replace", "path": MANIFESTS_PATH, "value": path})
    if cilium_folder is not None:
        ops.append({"op": "add", "path": "/spec/sources/-", "value": cilium_folder})
    if component.base_values:
        ops.extend(value_ops(component.base_values, component.values, VALUES))
    elif component.values:
        ops.append({"op": "add", "path": VALUES, "value": dict(component.values)})
    return ops


def render_clusters(plan: Plan, tree: Tree) -> None:
    catalogue = plan.catalogue
    hub_minor = (plan.hub.cluster.minor,)
    runs: dict[str, list[str]] = {}
    for cluster_plan in plan.clusters:
        for component in cluster_plan.components:
            runs.setdefault(component.name, []).append(cluster_plan.cluster.name)
    # The manifests folder of each variant of a component, once for all its clusters.
    variants: dict[str, dict[bool, str]] = {}
    for cluster_plan in plan.clusters:
        for component in cluster_plan.components:
            if component.name not in variants:
                use = plan.namespaces[component.namespace]
                variants[component.name] = use.folders(component.name, runs[component.name])
    for cluster_plan in plan.clusters:
        cluster = cluster_plan.cluster
        env = next(e for e in plan.environments if e.environment.name == cluster.environment)
        folder = f"clusters/{cluster.name}"
        origin = Origin(cluster.location, f"cluster {cluster.name}")
        resources = []
        patches: list[dict[str, Any]] = []
        env_components = sorted({c.name for n in env.clusters for c in plan.cluster(n).components})
        if env_components:
            resources.append(f"../../infrastructure/overlays/{env.environment.name}")
        own = {c.name: c for c in cluster_plan.components}
        for name in env_components:
            if name not in own:
                # The overlay is shared by the environment; this cluster does not run `name`.
                patches.append(
                    {
                        "patch": dump_all(
                            [
                                {
                                    "apiVersion": "argoproj.io/v1alpha1",
                                    "kind": "Application",
                                    "metadata": {"name": name, "namespace": "argocd"},
                                    "$patch": "delete",
                                }
                            ]
                        )
                    }
                )
                continue
            patch_file = f"patches/{name}.yaml"
            tree.text(
                f"{folder}/{patch_file}",
                dump_all(
                    [
                        _component_patch(
                            plan,
                            cluster_plan,
                            own[name],
                            _cilium_source(plan, cluster, name, tree),
                            variants[name],
                        )
                    ]
                ),
            )
            patches.append(
                {
                    "path": patch_file,
                    "target": {"group": "argoproj.io", "kind": "Application", "name": name},
                }
            )
        if env.applications:
            app = argo.application(
                "applications",
                project=env.environment.name,
                cluster=cluster.name,
                namespace=None,
                sources=[
                    argo.git_source(catalogue, f"applications/overlays/{env.environment.name}")
                ],
                wave=cluster_plan.applications_wave,
            )
            tree.add(f"{folder}/applications.yaml", Manifest(app, origin, hub_minor))
            resources.append("applications.yaml")
        body = kustomization(resources, patches=patches, name_suffix=f"-{cluster.name}")
        tree.add(f"{folder}/kustomization.yaml", Manifest(body, origin))


def _cilium_source(
    plan: Plan, cluster: Cluster, component: str, tree: Tree
) -> dict[str, Any] | None:
    """The folder of Cilium policies a Cilium cluster adds to a component whose other clusters
    run another CNI."""
    folder = f"infrastructure/base/{component}/{CILIUM_FOLDER}"
    if cluster.cni != "cilium" or f"{folder}/kustomization.yaml" not in tree.objects:
        return None
    return argo.git_source(plan.catalogue, folder)
