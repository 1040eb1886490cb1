"""Fleet mode (DESIGN §8): one ApplicationSet per component instead of an Application per
cluster and component, so Argo CD's ApplicationSet controller does the fan-out.

Each cluster's Argo CD cluster Secret (the ExternalSecret that registers a spoke, the install's
values for the hub) carries a label per component the cluster runs, and one saying that its
environment has applications. Each ApplicationSet's cluster generator selects the Secrets with
its label and makes `<component>-<cluster>`, the name the per-cluster overlay gives outside
fleet mode: a chart source reading the cluster's memory-tuned values from
`clusters/<cluster>/values/<component>.yaml` through a `$values` git source (a missing file is
an error, not an empty default), plus the component's namespace manifests.

Ordering: Argo CD does not honour sync waves between generated Applications. A generated
Application exists only once its cluster Secret does (so registration gates it), and every one
retries without limit, skipping the dry run of kinds whose CRDs are not installed yet: a
consumer fails and retries until its provider has installed them. The bootstrap proof models
exactly that (generator/convergence.py).

Clusters on which a component's Application differs other than by its values (a namespace's
owner applies the owner's manifests; a Cilium cluster adds Cilium policies where the other
clusters run another CNI) carry another label value and get their own ApplicationSet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.fastdump import dump_all
from generator.flows import CILIUM_FOLDER
from generator.manifests import Manifest, Origin, Tree, kustomization
from generator.model import ARGOCD_NAMESPACE, Catalogue
from generator.namespaces import MANIFESTS
from generator.plan import ClusterPlan, Plan, PlannedComponent
from generator.render import argo
from generator.render.infrastructure import bootstrap_annotations, shared_components

# Past this many workload clusters fleet mode is on unless the catalogue says `fleet: false`:
# below it, per-cluster Applications keep sync waves between a cluster's components (which
# ApplicationSets lose) at a cost that stays small; above it, every cluster adds a kustomize
# overlay and a component's worth of Applications that Argo CD reconciles one by one.
THRESHOLD = 50
FOLDER = "bootstrap/fleet"
COMPONENT_LABEL = "gitops-gen.dev/component."
APPLICATIONS_LABEL = "gitops-gen.dev/applications"
ON = "true"
NAME = "{{ .name }}"
ENVIRONMENT = "{{ .metadata.labels.environment }}"
# Argo CD docs: a negative limit retries forever, the backoff capped at maxDuration.
RETRY_FOREVER = {"limit": -1, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "3m"}}


def enabled(catalogue: Catalogue) -> bool:
    """`fleet` in the catalogue decides; without it, the number of workload clusters does."""
    if catalogue.fleet is not None:
        return catalogue.fleet
    return sum(1 for c in catalogue.clusters if not c.is_hub) > THRESHOLD


def values_file(cluster: str, component: str) -> str:
    return f"clusters/{cluster}/values/{component}.yaml"


@dataclass(frozen=True)
class Layout:
    """Each component's variant per cluster (the value of its label there)."""

    variants: Mapping[str, Mapping[str, str]]
    applications: frozenset[str]  # clusters whose environment has applications

    def labels(self, cluster: str) -> dict[str, str]:
        found = {
            COMPONENT_LABEL + name: by_cluster[cluster]
            for name, by_cluster in sorted(self.variants.items())
            if cluster in by_cluster
        }
        if cluster in self.applications:
            found[APPLICATIONS_LABEL] = ON
        return found


def _cilium(tree: Tree, cluster_plan: ClusterPlan, component: str) -> bool:
    folder = f"infrastructure/base/{component}/{CILIUM_FOLDER}"
    return cluster_plan.cluster.cni == "cilium" and f"{folder}/kustomization.yaml" in tree.objects


def layout(plan: Plan, tree: Tree) -> Layout:
    """Needs the infrastructure bases rendered (which components have a Cilium folder)."""
    variants: dict[str, dict[str, str]] = {}
    for name, pairs in shared_components(plan).items():
        runs = [cp.cluster.name for cp, _ in pairs]
        use = plan.namespaces[pairs[0][1].namespace]
        folders = use.folders(name, runs)  # once: it looks at every cluster running `name`
        for cluster_plan, _ in pairs:
            folder = folders[use.owns(name, cluster_plan.cluster.name)]
            parts = [] if folder == MANIFESTS else ["owner"]
            if _cilium(tree, cluster_plan, name):
                parts.append(CILIUM_FOLDER)
            variants.setdefault(name, {})[cluster_plan.cluster.name] = "-".join(parts) or ON
    applications = frozenset(
        name for env in plan.environments if env.applications for name in env.clusters
    )
    return Layout(variants, applications)


def appset(
    name: str, selector: Mapping[str, str], app: dict[str, Any], wave: int = 0
) -> dict[str, Any]:
    """An ApplicationSet making `app` (already templated) for every matching cluster Secret."""
    meta = app["metadata"]
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {
            "name": name,
            "namespace": ARGOCD_NAMESPACE,
            "labels": dict(argo.MANAGED_BY),
            "annotations": {argo.WAVE: str(wave)},
        },
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"clusters": {"selector": {"matchLabels": dict(selector)}}}],
            "template": {
                "metadata": {k: v for k, v in meta.items() if k != "namespace"},
                "spec": app["spec"],
            },
        },
    }


def _generated(
    name: str,
    *,
    project: str,
    sources: list[dict[str, Any]],
    namespace: str | None,
    server_side_apply: bool,
    skip_dry_run: bool,
    annotations: dict[str, str],
) -> dict[str, Any]:
    app = argo.application(
        f"{name}-{NAME}",
        project=project,
        cluster=NAME,
        namespace=namespace,
        sources=sources,
        wave=0,
        server_side_apply=server_side_apply,
        annotations=annotations,
    )
    # Waves mean nothing between generated Applications (argo-cd#17639): none is written.
    del app["metadata"]["annotations"][argo.WAVE]
    if not app["metadata"]["annotations"]:
        del app["metadata"]["annotations"]
    policy = app["spec"]["syncPolicy"]
    policy["retry"] = dict(RETRY_FOREVER)
    if skip_dry_run:
        policy["syncOptions"].append("SkipDryRunOnMissingResource=true")
    return app


def _component_app(
    plan: Plan, component: PlannedComponent, variant: str, consumer: bool
) -> dict[str, Any]:
    catalogue = plan.catalogue
    base = f"infrastructure/base/{component.name}"
    folder = "manifests-owner" if variant.startswith("owner") else "manifests"
    chart = argo.chart_source(
        component.chart.repo,
        component.chart.name,
        component.chart.version,
        component.release_name,
        None,
    )
    chart["helm"]["valueFiles"] = [
        "$values/" + catalogue.repo_path_of(values_file(NAME, component.name))
    ]
    chart["helm"]["ignoreMissingValueFiles"] = False
    sources = [chart, argo.git_source(catalogue, f"{base}/{folder}")]
    if variant.endswith(CILIUM_FOLDER):
        sources.append(argo.git_source(catalogue, f"{base}/{CILIUM_FOLDER}"))
    sources.append(
        {"repoURL": catalogue.repo_url, "targetRevision": catalogue.revision, "ref": "values"}
    )
    return _generated(
        component.name,
        project=ENVIRONMENT,
        sources=sources,
        namespace=component.namespace,
        server_side_apply=component.server_side_apply,
        skip_dry_run=consumer,
        annotations=bootstrap_annotations(component),
    )


def render_fleet(plan: Plan, tree: Tree, fleet: Layout) -> None:
    """The ApplicationSets under bootstrap/fleet/ and every cluster's values files."""
    catalogue = plan.catalogue
    hub_minor = (plan.hub.cluster.minor,)
    files = []
    for name, pairs in sorted(shared_components(plan).items()):
        component = pairs[0][1]
        origin = Origin(component.origin.location, f"component {name}")
        # A component a provider comes before on some cluster uses kinds it may not find yet.
        consumer = any(c.wave > 0 for _, c in pairs)
        by_variant = sorted(set(fleet.variants[name].values()), key=lambda v: (v != ON, v))
        for variant in by_variant:
            set_name = name if variant == ON else f"{name}-{variant}"
            body = appset(
                set_name,
                {COMPONENT_LABEL + name: variant},
                _component_app(plan, component, variant, consumer),
            )
            files.append(f"{set_name}.yaml")
            tree.add(f"{FOLDER}/{set_name}.yaml", Manifest(body, origin, hub_minor))
        for cluster_plan, planned in pairs:
            path = values_file(cluster_plan.cluster.name, name)
            tree.text(path, dump_all([with_labels(plan, fleet, cluster_plan, planned)]))
    if fleet.applications:
        app = _generated(
            "applications",
            project=ENVIRONMENT,
            sources=[argo.git_source(catalogue, f"applications/overlays/{ENVIRONMENT}")],
            namespace=None,
            server_side_apply=False,
            skip_dry_run=True,
            annotations={},
        )
        body = appset("applications", {APPLICATIONS_LABEL: ON}, app)
        origin = Origin(plan.catalogue.applications[0].location, "applications")
        files.append("applications.yaml")
        tree.add(f"{FOLDER}/applications.yaml", Manifest(body, origin, hub_minor))
    here = Origin(plan.hub.cluster.location, "fleet")
    tree.add(f"{FOLDER}/kustomization.yaml", Manifest(kustomization(files), here))


def with_labels(
    plan: Plan, fleet: Layout, cluster_plan: ClusterPlan, component: PlannedComponent
) -> dict[str, Any]:
    """A component's values; Argo CD's own on the hub also label the hub's cluster Secret."""
    values = dict(component.values)
    if component.name != "argocd" or not cluster_plan.cluster.is_hub:
        return values
    configs = dict(values.get("configs") or {})
    credentials = dict(configs.get("clusterCredentials") or {})
    hub = cluster_plan.cluster.name
    entry = dict(credentials.get(hub) or {})
    entry["labels"] = {**(entry.get("labels") or {}), **fleet.labels(hub)}
    credentials[hub] = entry
    configs["clusterCredentials"] = credentials
    values["configs"] = configs
    return values
