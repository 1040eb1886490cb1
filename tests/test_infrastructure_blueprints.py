"""The infrastructure blueprints (CNI, Hetzner controllers, storage, mesh, operators, backups):
one catalogue using all of them renders, builds and validates, and every profile sizes every
container the blueprint declares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.blueprints import PROFILES, Library
from generator.plan import get_path
from generator.yamlio import load_all_plain
from tests.conftest import Result, gitops_gen, kustomize_build, write

BLUEPRINTS = (
    "cilium",
    "hcloud-ccm",
    "hcloud-csi",
    "istio-base",
    "istio",
    "longhorn",
    "cloudnative-pg",
    "valkey",
    "descheduler",
    "metrics-server",
    "velero",
)

# One cluster per profile: a Cluster API hub with a bare-metal pool, a plain kubeadm spoke, and a
# one-node K3s spoke. profile: (name, distribution, how Argo CD reaches it, region, node pools)
CLUSTERS = {
    "standard": (
        "hub",
        "kubeadm",
        "clusterAPI: true",
        "nbg1",
        "{name: cp, role: control-plane, serverType: cpx31, count: 3}, "
        "{name: workers, serverType: cpx41, count: 3}, "
        "{name: metal, serverType: AX41, count: 1, bareMetal: true}",
    ),
    "small": (
        "spoke",
        "kubeadm",
        "server: https://10.0.1.2:6443\n      registration: {secretStore: vault, key: spoke}",
        "hel1",
        "{name: cp, role: control-plane, serverType: cpx21, count: 1}, "
        "{name: workers, serverType: cpx31, count: 2}",
    ),
    "tiny": (
        "edge",
        "k3s",
        "server: https://10.0.2.2:6443\n      registration: {secretStore: vault, key: edge}",
        "ash",
        "{name: node, role: control-plane, serverType: cpx21, count: 1}",
    ),
}


def catalogue_text() -> str:
    clusters = []
    for profile, (name, distribution, reach, region, pools) in CLUSTERS.items():
        # The hub runs Argo CD, and registers and makes clusters.
        hub = ["argocd", "cert-manager", "external-secrets", "cluster-api"]
        names = [*(hub if profile == "standard" else []), *BLUEPRINTS]
        items = "".join(f"        - {{name: {n}, profile: {profile}}}\n" for n in names)
        clusters.append(
            f"    - name: {name}\n      environment: prod\n      distribution: {distribution}\n"
            f"      cni: cilium\n      {reach}\n      region: {region}\n"
            f"      nodePools: [{pools}]\n      components:\n{items}"
        )
    return (
        "apiVersion: gitops-gen/v1alpha1\nkind: Catalogue\nmetadata: {name: infra}\nspec:\n"
        "  repo: {url: https://github.com/acme/infra.git, revision: main}\n"
        '  kubernetesVersion: "1.34.2"\n  provider: hetzner\n'
        "  environments: [{name: prod}]\n  clusters:\n" + "".join(clusters)
    )


def applications(command: list[str], out: Path, cluster: str) -> dict[str, dict[str, Any]]:
    """The cluster's Applications by component, as kustomize builds them (overlay applied)."""
    built = kustomize_build(command, out / "clusters" / cluster)
    return {
        d["metadata"]["name"].removesuffix(f"-{cluster}"): d
        for d in load_all_plain(built)
        if d and d["kind"] == "Application"
    }


def helm_values(application: dict[str, Any]) -> dict[str, Any]:
    source = next(s for s in application["spec"]["sources"] if "chart" in s)
    values: dict[str, Any] = source.get("helm", {}).get("valuesObject", {})
    return values


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, kustomize_cmd: list[str]) -> Path:
    folder = tmp_path_factory.mktemp("infra")
    path = write(folder / "catalogue.yaml", catalogue_text())
    out = folder / "repo"
    result = gitops_gen("render", path, "-o", out, "--kustomize", "always")
    assert result.returncode == 0, result.stderr
    return out


def test_every_infrastructure_blueprint_is_built_in() -> None:
    assert set(BLUEPRINTS) <= set(Library().names())


@pytest.mark.parametrize("profile", PROFILES)
def test_each_profile_sizes_every_declared_container(
    rendered: Path, kustomize_cmd: list[str], profile: str
) -> None:
    cluster = CLUSTERS[profile][0]
    found = applications(kustomize_cmd, rendered, cluster)
    library = Library()
    for name in BLUEPRINTS:
        blueprint = library.get(name)
        values = helm_values(found[name])
        for container, path in blueprint.containers.items():
            memory = blueprint.profiles[profile][container]
            resources = get_path(values, path)
            assert resources["requests"]["memory"] == memory.request, (name, container)
            assert resources["limits"]["memory"] == memory.limit, (name, container)


def test_cilium_follows_the_distribution_and_runs_one_operator_when_tiny(
    rendered: Path, kustomize_cmd: list[str]
) -> None:
    edge = helm_values(applications(kustomize_cmd, rendered, "edge")["cilium"])
    hub = helm_values(applications(kustomize_cmd, rendered, "hub")["cilium"])
    assert edge["ipam"]["operator"]["clusterPoolIPv4PodCIDRList"] == ["10.42.0.0/16"]
    assert hub["ipam"]["operator"]["clusterPoolIPv4PodCIDRList"] == ["10.244.0.0/16"]
    assert edge["operator"]["replicas"] == 1
    assert hub["operator"]["replicas"] == 2
    assert hub["kubeProxyReplacement"] == "false"
    assert edge["cni"]["binPath"].startswith("/var/lib/rancher/k3s/")
    assert "binPath" not in hub["cni"]


def test_cloud_controller_joins_the_network_but_leaves_routing_to_cilium(
    rendered: Path, kustomize_cmd: list[str]
) -> None:
    ccm = helm_values(applications(kustomize_cmd, rendered, "edge")["hcloud-ccm"])
    assert ccm["networking"] == {"enabled": True, "clusterCIDR": "10.42.0.0/16"}
    assert ccm["env"]["HCLOUD_NETWORK_ROUTES_ENABLED"] == {"value": "false"}


def test_cloud_controller_speaks_to_robot_only_where_there_is_bare_metal(
    rendered: Path, kustomize_cmd: list[str]
) -> None:
    hub = helm_values(applications(kustomize_cmd, rendered, "hub")["hcloud-ccm"])
    spoke = helm_values(applications(kustomize_cmd, rendered, "spoke")["hcloud-ccm"])
    assert hub["robot"] == {"enabled": True}
    assert spoke["robot"] == {"enabled": False}


def test_storage_replicas_never_exceed_the_schedulable_nodes(
    rendered: Path, kustomize_cmd: list[str]
) -> None:
    edge = helm_values(applications(kustomize_cmd, rendered, "edge")["longhorn"])
    hub = helm_values(applications(kustomize_cmd, rendered, "hub")["longhorn"])
    assert edge["persistence"]["defaultClassReplicaCount"] == 1
    assert hub["persistence"]["defaultClassReplicaCount"] == 3


def test_istio_needs_its_base_chart(tmp_path: Path, run: Callable[..., Result]) -> None:
    text = catalogue_text().replace("        - {name: istio-base, profile: tiny}\n", "")
    path = write(tmp_path / "c.yaml", text)
    result = run("render", path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "'istio' needs CRDs of networking.istio.io" in result.stderr


@pytest.mark.parametrize(
    ("component", "values", "message"),
    [
        ("cilium", "{operator: {replica: 1}}", "'replica' was unexpected"),
        ("hcloud-csi", "{node: {resources: {hcloudCsiDriver: {}}}}", "'hcloudCsiDriver'"),
        ("velero", "{credentials: {existingSecrets: x}}", "'existingSecrets' was unexpected"),
        ("cilium", "{routingMode: direct}", "'direct' is not one of"),
    ],
)
def test_misspelt_chart_values_are_rejected(
    tmp_path: Path, run: Callable[..., Result], component: str, values: str, message: str
) -> None:
    text = catalogue_text().replace(
        f"        - {{name: {component}, profile: tiny}}\n",
        f"        - {{name: {component}, profile: tiny, values: {values}}}\n",
    )
    path = write(tmp_path / "c.yaml", text)
    result = run("render", path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert message in result.stderr
