"""The generated README.md: what is in the repository and how to bring it up."""

from __future__ import annotations

from generator.plan import Plan
from generator.quantity import format_bytes
from generator.render.capi import ROBOT_SSH, SECRET, capi_namespace
from generator.render.fleet import enabled


def render_readme(plan: Plan, order: list[list[str]] | None = None) -> str:
    """`order`: the rounds of the bootstrap simulation, once `render` has run it."""
    catalogue = plan.catalogue
    lines = [
        f"# {catalogue.name}",
        "",
        f"Rendered by gitops-gen from `{_basename(catalogue.source)}`. Do not edit the generated",
        "files: change the catalogue and render again (`gitops-gen render … --check` in CI keeps",
        "this tree honest). Files gitops-gen did not write are left alone.",
        "",
        "## Layout",
        "",
        "| path | what |",
        "|---|---|",
        "| `bootstrap/root.yaml` | the only object applied by hand: the app-of-apps root |",
        "| `bootstrap/projects/` | one AppProject per environment |",
        "| `bootstrap/argocd-values.yml` | the values of the by-hand Argo CD install |",
        "| `bootstrap/applications/` | the hub's components Application and each cluster's "
        "sub-tree Application |",
        "| `bootstrap/clusters/<cluster>/` | a cluster's sub-tree: its Cluster API objects, its "
        "registration with Argo CD and the Application of its components |",
        "| `infrastructure/base/<component>/` | a component's Application (chart, pinned version, "
        "base values) and its namespace's manifests |",
        "| `infrastructure/overlays/<environment>/` | the components of an environment, "
        "in its project |",
        "| `applications/base/<app>/` | an application's objects and NetworkPolicies |",
        "| `applications/overlays/<environment>/` | replicas, image and memory per environment |",
        "| `clusters/<cluster>/` | one cluster: destination, sync waves, memory-tuned values |",
        "",
        "## Clusters",
        "",
        "| cluster | environment | role | Kubernetes | nodes | node memory | components |",
        "|---|---|---|---|---|---|---|",
    ]
    for cluster_plan in plan.clusters:
        cluster = cluster_plan.cluster
        nodes = ", ".join(
            f"{p.count} x {p.server_type.name} ({p.role}{', bare metal' if p.bare_metal else ''})"
            for p in cluster.node_pools
        )
        memory = sum(p.count * p.server_type.memory_bytes for p in cluster.node_pools)
        components = ", ".join(
            f"{c.name} ({c.profile + ', ' if c.memory else ''}wave {c.wave})"
            for c in cluster_plan.components
        )
        role = f"{cluster.role}, hub" if cluster.is_hub else cluster.role
        lines.append(
            f"| {cluster.name} | {cluster.environment} | {role} | {cluster.kubernetes_version} "
            f"| {nodes} | {format_bytes(memory)} | {components or '—'} |"
        )
    if catalogue.applications:
        lines += [
            "",
            "## Applications",
            "",
            "| application | environments (replicas) | image |",
            "|---|---|---|",
        ]
        for app in catalogue.applications:
            envs = ", ".join(f"{name} ({s.replicas})" for name, s in app.environments.items())
            images = sorted({s.image for s in app.environments.values()})
            lines.append(f"| {app.name} | {envs} | {', '.join(f'`{i}`' for i in images)} |")
    lines += _network_policies(plan)
    lines += ["", *bootstrap_section(plan, order)]
    return "\n".join(lines)


def _enforcement(distribution: str, cni: str) -> str:
    if cni == "cilium":
        return "enforced by Cilium (node-level peers as CiliumNetworkPolicy entities)"
    if distribution == "k3s":
        return "enforced by the K3s network policy controller"
    return "**not enforced**: flannel on kubeadm ignores NetworkPolicies; they document intent only"


def _network_policies(plan: Plan) -> list[str]:
    """Whether the policies under each namespace actually hold on each cluster."""
    lines = [
        "",
        "## Network policies",
        "",
        "Every namespace gitops-gen creates denies all traffic in and out except DNS and the",
        "declared flows; `render` checks that the policies allow exactly those.",
        "",
        "| cluster | CNI | node range | policies |",
        "|---|---|---|---|",
    ]
    for cluster_plan in plan.clusters:
        cluster = cluster_plan.cluster
        lines.append(
            f"| {cluster.name} | {cluster.cni} ({cluster.distribution}) "
            f"| {cluster.network.node_cidr} | {_enforcement(cluster.distribution, cluster.cni)} |"
        )
    return lines


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


SIMULATED = "What follows on its own, in the order `render` simulated (each line one round):"
UNSIMULATED = "(The bootstrap order is listed once `render` has built and simulated the tree.)"


def without_order(text: str) -> str:
    """The README up to its simulated bootstrap order, which closes it."""
    for marker in (SIMULATED, UNSIMULATED):
        if marker in text:
            return text[: text.index(marker)]
    return text


FLEET = (
    "Fleet mode: `bootstrap/fleet/` holds one ApplicationSet per component (and one for the "
    "applications), which Argo CD expands over the cluster Secrets whose "
    "`gitops-gen.dev/component.<name>` (or `gitops-gen.dev/applications`) label selects them "
    "into `<component>-<cluster>` Applications, each reading its memory-tuned values from "
    "`clusters/<cluster>/values/<component>.yaml`. Argo CD orders none of them by sync wave: "
    "a cluster's Applications appear once its cluster Secret exists (the hub's from the "
    "install, a spoke's once registered), and every one of them, like each cluster's sub-tree, "
    "retries without limit until the CRDs and namespaces it needs are there. So: the root "
    "applies the projects, the ApplicationSets and the clusters' sub-trees; the hub's "
    "components are generated and install the Cluster API and External Secrets CRDs; the "
    "sub-trees' retries then create each spoke and its registration; each registered spoke "
    "gets its CNI, cloud controller, components and applications."
)


def bootstrap_section(plan: Plan, order: list[list[str]] | None) -> list[str]:
    """The by-hand steps, exactly, then what Argo CD does on its own, in the simulated order."""
    hub = plan.hub
    argocd = next((c for c in hub.components if c.name == "argocd"), None)
    lines = [
        "## Bootstrap",
        "",
        f"Everything below runs against the hub cluster `{hub.cluster.name}`. Only these steps "
        "are by hand:",
        "",
    ]
    step = 1
    if argocd is not None:
        lines += [
            f"{step}. Install Argo CD from its pinned chart with the values rendered for the hub "
            "(the `argocd` component takes it over from then on):",
            "",
            "   ```sh",
            f"   helm install {argocd.release_name} {argocd.chart.name} --repo {argocd.chart.repo} "
            f"--version {argocd.chart.version} --namespace argocd --create-namespace "
            "--values bootstrap/argocd-values.yml",
            "   ```",
        ]
        step += 1
    for cluster_plan in plan.clusters:
        cluster = cluster_plan.cluster
        if not cluster.cluster_api:
            continue
        namespace = capi_namespace(cluster)
        metal = any(p.bare_metal for p in cluster.node_pools)
        robot = (
            " --from-literal=robot-user=$ROBOT_USER --from-literal=robot-password=$ROBOT_PASSWORD"
            if metal
            else ""
        )
        lines += [
            f"{step}. Hetzner credentials of cluster `{cluster.name}` (never in git):",
            "",
            "   ```sh",
            f"   kubectl create namespace {namespace}",
            f"   kubectl -n {namespace} create secret generic {SECRET} "
            f"--from-literal=hcloud=$HCLOUD_TOKEN{robot}",
        ]
        if metal:
            lines.append(
                f"   kubectl -n {namespace} create secret generic {ROBOT_SSH} "
                "--from-literal=sshkey-name=$RESCUE_KEY_NAME "
                "--from-file=ssh-privatekey=$RESCUE_KEY --from-file=ssh-publickey=$RESCUE_KEY.pub"
            )
        lines += ["   ```"]
        if metal:
            lines.append(
                f"   and, per dedicated server of its bare-metal pools, a HetznerBareMetalHost in "
                f"`{namespace}` with its Robot server ID, labelled `cluster: {cluster.name}` and "
                "`pool: <pool>` (the catalogue does not know the servers)."
            )
        step += 1
    for cluster_plan in plan.clusters:
        registration = cluster_plan.cluster.registration
        if registration is not None:
            lines.append(
                f"{step}. Put Argo CD's cluster `config` JSON for `{cluster_plan.cluster.name}` "
                f"at `{registration.key}` in secret store `{registration.secret_store}`."
            )
            step += 1
    lines += [
        f"{step}. Apply the root: `kubectl apply -f bootstrap/root.yaml`.",
        "",
        "Argo CD learns every cluster from git (the install's values name the hub; each spoke's "
        "`registration.yaml` writes its cluster Secret from the kubeconfig Cluster API creates, "
        "or from the secret store). Nothing else is run by hand: the `cluster-api` component "
        "installs the Cluster API providers, and each spoke gets its CNI and cloud controller "
        "from Applications that target it by name as soon as it is registered.",
        "",
    ]
    if enabled(plan.catalogue):
        lines += [FLEET, ""]
    if order is None:
        lines += [UNSIMULATED]
    else:
        lines += [SIMULATED, ""]
        lines += [f"{i}. {', '.join(events)}" for i, events in enumerate(order, 1)]
    lines.append("")
    return lines
