"""The generated README.md: what is in the repository and how to bring it up."""

from __future__ import annotations

from generator.plan import Plan
from generator.quantity import format_bytes


def render_readme(plan: Plan) -> str:
    catalogue = plan.catalogue
    hub = plan.hub.cluster
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
        "| `bootstrap/applications/` | per cluster: the Application of its `clusters/` folder "
        "(and of its Cluster API objects) |",
        "| `bootstrap/clusters/<cluster>/` | Cluster API objects of clusters made by Cluster API |",
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
    capi = [c.cluster.name for c in plan.clusters if c.cluster.cluster_api]
    lines += [
        "",
        "## Bootstrap",
        "",
        f"1. Install Argo CD once by hand on the hub cluster `{hub.name}` (namespace `argocd`);",
        "   from then on the `argocd` component manages it.",
        "2. Register every other cluster with Argo CD (`argocd cluster add`), using the `server`",
        "   address from the catalogue.",
    ]
    if capi:
        lines += [
            f"3. Cluster API clusters ({', '.join(capi)}): run `clusterctl init --infrastructure",
            "   hetzner` on the hub; create Secret `hetzner` (keys `hcloud`, `robot-user`,",
            "   `robot-password`) and, for bare metal, Secret `robot-ssh` in each `capi-<cluster>`",
            "   namespace of the hub, plus a HetznerBareMetalHost per dedicated server labelled",
            "   `cluster: <cluster>` and `pool: <pool>`. Secrets never go to git. A hub that",
            "   describes itself is created from a temporary bootstrap cluster, then taken over",
            "   with `clusterctl move`. Nodes need a CNI and the Hetzner cloud controller",
            "   manager (`cloud-provider: external`) before they become Ready.",
        ]
    lines += [
        f"{4 if capi else 3}. `kubectl apply -f bootstrap/root.yaml` on the hub. Argo CD syncs "
        "the rest,",
        "   providers of CRDs in earlier sync waves than their users.",
        "",
    ]
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
