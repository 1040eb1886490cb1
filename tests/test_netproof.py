"""The rendered policies, read back by the analyzer: the declared flows, nothing missing and
nothing extra, on Cilium and elsewhere, with host-network ingress controllers and scrapers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import netpol
from generator.connectivity import (
    ALL_PORTS,
    APISERVER,
    NODES,
    Matrix,
    Network,
    Workload,
    analyze,
)
from generator.netproof import prove, stand_ins
from generator.pipeline import Rendered, render_catalogue
from generator.render.infrastructure import shared_components
from tests.conftest import Result

TRAEFIK = """\
name: traefik
description: Traefik on the host network of every node.
namespace: traefik
chart: {repo: https://traefik.github.io/charts, name: traefik, version: 30.0.0}
ingressClass: traefik
containers: {traefik: resources}
hostNetwork: [traefik]
perNode: [traefik]
profiles:
  tiny: {traefik: {request: 64Mi, limit: 128Mi}}
  small: {traefik: {request: 64Mi, limit: 128Mi}}
  standard: {traefik: {request: 64Mi, limit: 128Mi}}
network:
  ingress:
    - {from: world, ports: [80, 443]}
  egress:
    - {to: apiserver}
    - {to: cluster}
"""

VMAGENT = """\
name: vmagent
description: Scrapes metrics and remote-writes them.
namespace: monitoring
chart:
  repo: https://victoriametrics.github.io/helm-charts
  name: victoria-metrics-agent
  version: 0.14.0
scraper: true
containers: {vmagent: resources}
profiles:
  tiny: {vmagent: {request: 64Mi, limit: 128Mi}}
  small: {vmagent: {request: 64Mi, limit: 128Mi}}
  standard: {vmagent: {request: 64Mi, limit: 128Mi}}
network:
  egress:
    - {to: apiserver}
    - {to: cluster}
    - {to: nodes, ports: [9100, 10250]}
"""


def catalogue(distribution: str, cni: str, controller: str) -> str:
    return f"""\
apiVersion: gitops-gen/v1alpha1
kind: Catalogue
metadata: {{name: shop}}
spec:
  repo: {{url: https://git.example.com/shop.git, revision: main}}
  kubernetesVersion: "1.31"
  provider: hetzner
  environments: [{{name: prod}}]
  clusters:
    - name: prod
      environment: prod
      distribution: {distribution}
      cni: {cni}
      nodePools: [{{name: all, role: control-plane, serverType: cpx41, count: 3}}]
      components: [argocd, cert-manager, {controller}, vmagent]
  applications:
    - name: web
      blueprint: service
      image: example.com/web:1.0.0
      port: 8080
      environments: {{prod: {{}}}}
      ingress: {{host: shop.example.com}}
      metrics: {{path: /metrics, port: 9090}}
      talksTo:
        - {{app: api, port: 9000}}
        - {{name: payments, cidr: 203.0.113.0/24, port: 443}}
    - name: api
      blueprint: service
      image: example.com/api:1.0.0
      port: 9000
      environments: {{prod: {{}}}}
    - name: batch
      blueprint: service
      image: example.com/batch:1.0.0
      environments: {{prod: {{}}}}
"""


@pytest.fixture(scope="module")
def blueprints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("blueprints")
    for name, text in (("traefik", TRAEFIK), ("vmagent", VMAGENT)):
        (root / name).mkdir()
        (root / name / "blueprint.yaml").write_text(text)
    return root


def _render(tmp: Path, blueprints: Path, text: str) -> Rendered:
    path = tmp / "catalogue.yaml"
    path.write_text(text)
    return render_catalogue(path, [blueprints])


def _matrix(rendered: Rendered) -> tuple[Matrix, Network]:
    """The one cluster's matrix as an independent reader would build it: every object of
    the tree that cluster applies, plus pods of the charts."""
    (cluster_plan,) = rendered.plan.clusters
    objects: list[dict[str, Any]] = [
        m.body
        for path, m in rendered.tree.manifests()
        if path.startswith(("infrastructure/base/", "applications/base/"))
    ]
    cluster = cluster_plan.cluster
    net = cluster.network
    network = Network(net.node_cidr, net.pod_cidr, net.service_cidr, cluster.cni)
    return analyze(
        objects, network, ["203.0.113.0/24"], stand_ins(cluster_plan.components)
    ), network


CASES = [
    ("k3s", "flannel", "ingress-nginx"),
    ("k3s", "flannel", "traefik"),
    ("kubeadm", "cilium", "traefik"),
    ("kubeadm", "cilium", "ingress-nginx"),
]


@pytest.mark.parametrize(("distribution", "cni", "controller"), CASES)
def test_declared_flows_and_nothing_else(
    tmp_path: Path, blueprints: Path, distribution: str, cni: str, controller: str
) -> None:
    rendered = _render(tmp_path, blueprints, catalogue(distribution, cni, controller))
    assert prove(rendered.plan, rendered.tree, shared_components(rendered.plan)) == []
    m, _ = _matrix(rendered)

    def tcp(source: str, destination: str) -> tuple[tuple[int, int], ...]:
        return m.get((source, destination, "TCP"), ())

    apps = ("web/web", "api/api", "batch/batch")
    outside = "0.0.0.0/5"
    for app in apps:
        # isolated both ways; DNS from everywhere
        assert tcp(outside, app) == ()
        assert tcp(app, outside) == ()
        assert m[(app, "kube-system/kube-dns", "UDP")] == ((53, 53),)
        assert tcp(app, "kube-system/kube-dns") == ((53, 53),)
    # the app-to-app flow on its port only; undeclared pairs closed
    assert tcp("web/web", "api/api") == ((9000, 9000),)
    assert tcp("api/api", "web/web") == ()
    assert tcp("batch/batch", "api/api") == ()
    # external egress only to the declared block and port
    assert tcp("web/web", "203.0.113.0/24") == ((443, 443),)
    assert tcp("api/api", "203.0.113.0/24") == ()
    # the ingress controller reaches exactly the port of the app with ingress
    controller_end = NODES if controller == "traefik" else "ingress-nginx/ingress-nginx"
    assert tcp(controller_end, "web/web") == ((8080, 8080),)
    assert tcp(controller_end, "api/api") == ()
    # the scraper reaches metrics ports and nothing else of the apps
    assert tcp("monitoring/vmagent", "web/web") == ((9090, 9090),)
    assert tcp("monitoring/vmagent", "api/api") == ()
    # operators reach their own API server; no policy opens 0.0.0.0/0 to it
    for operator in ("cert-manager/cert-manager", "argocd/argocd", "monitoring/vmagent"):
        assert (6443, 6443) in tcp(operator, APISERVER)
    assert tcp("argocd/argocd", outside) == ((22, 22), (443, 443), (6443, 6443))
    assert tcp(APISERVER, "cert-manager/cert-manager") == ((10250, 10250),)
    # nothing in kube-system is denied
    assert tcp(outside, "kube-system/kube-dns") == ALL_PORTS
    for path, manifest in rendered.tree.manifests():
        body = manifest.body
        if body["kind"].endswith("NetworkPolicy"):
            assert body["metadata"]["namespace"] != "kube-system", path
        for rule in body.get("spec", {}).get("egress", []) if "Policy" in body["kind"] else []:
            for peer in rule.get("to", []):
                cidr = peer.get("ipBlock", {}).get("cidr")
                if cidr == "0.0.0.0/0":
                    assert "10.0.0.0/16" in peer["ipBlock"]["except"], path


def test_a_component_in_kube_system_gets_its_own_policies_only(
    tmp_path: Path, blueprints: Path
) -> None:
    text = catalogue("k3s", "flannel", "ingress-nginx").replace(
        "vmagent]", "{name: vmagent, namespace: kube-system}]"
    )
    rendered = _render(tmp_path, blueprints, text)
    # Kubernetes' own namespaces carry no label of ours: the scraper is named by its pods.
    for items in rendered.tree.objects.values():
        items[:] = [i for i in items if i.body["kind"] != "Namespace"]
    assert prove(rendered.plan, rendered.tree, shared_components(rendered.plan)) == []
    m, _ = _matrix(rendered)
    assert m[("0.0.0.0/5", "kube-system/kube-dns", "TCP")] == ALL_PORTS
    assert m[("kube-system/vmagent", "web/web", "TCP")] == ((9090, 9090),)
    policies = [
        m.body
        for _, m in rendered.tree.manifests()
        if m.body["kind"] == "NetworkPolicy" and m.body["metadata"]["namespace"] == "kube-system"
    ]
    assert policies and all(p["spec"]["podSelector"] for p in policies)


def test_proof_names_a_missing_and_an_extra_flow(tmp_path: Path, blueprints: Path) -> None:
    rendered = _render(tmp_path, blueprints, catalogue("k3s", "flannel", "ingress-nginx"))
    users = shared_components(rendered.plan)
    (web_policies,) = [
        items
        for path, items in rendered.tree.objects.items()
        if path == "applications/base/web/networkpolicies.yaml"
    ]
    web_policies[:] = [m for m in web_policies if m.body["metadata"]["name"] != "allow-to-api"]
    (allow_all,) = [m for m in web_policies if m.body["metadata"]["name"] == "allow-dns"]
    allow_all.body["spec"]["egress"][0].pop("ports")
    problems = prove(rendered.plan, rendered.tree, users)
    assert (
        "network policies of cluster 'prod': web/web -> api/api TCP 9000: declared, but the "
        "generated policies block it"
    ) in problems
    assert (
        "network policies of cluster 'prod': web/web -> kube-system/kube-dns TCP 1-52,54-65535: "
        "allowed by the generated policies, but no flow declares it"
    ) in problems


def test_render_fails_naming_the_flow(
    tmp_path: Path,
    blueprints: Path,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(catalogue("kubeadm", "cilium", "ingress-nginx"))
    original = netpol.flow_policies

    def without_entities(subject: Any, flow: Any, fabric: Any) -> list[dict[str, Any]]:
        return [p for p in original(subject, flow, fabric) if p["kind"] == "NetworkPolicy"]

    monkeypatch.setattr(netpol, "flow_policies", without_entities)
    result = run(
        "render", path, "-o", tmp_path / "out", "--kustomize", "never", "--blueprints", blueprints
    )
    assert result.exit_code == 1
    assert (
        "network policies of cluster 'prod': cert-manager/cert-manager -> apiserver TCP 6443: "
        "declared, but the generated policies block it"
    ) in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()


def _with_edge(controller: str, environment: str) -> str:
    """The shop plus a Cilium cluster `edge` sharing cert-manager with the K3s cluster."""
    components = f"      components: [argocd, cert-manager, {controller}, vmagent]\n"
    text = catalogue("k3s", "flannel", controller).replace(
        components,
        components.replace("vmagent]", "vmagent, external-secrets]") + "    - name: edge\n"
        f"      environment: {environment}\n"
        "      server: https://edge.example.com:6443\n"
        "      registration: {secretStore: vault, key: clusters/edge}\n"
        "      cni: cilium\n"
        "      nodePools: [{name: all, serverType: cpx41, count: 1}]\n"
        f"      components: [cert-manager, {controller}]\n",
    )
    return text.replace(
        "environments: [{name: prod}]", "environments: [{name: prod}, {name: edge}]"
    )


def test_cilium_policies_of_a_shared_folder_go_to_cilium_clusters_only(
    tmp_path: Path, blueprints: Path
) -> None:
    rendered = _render(tmp_path, blueprints, _with_edge("ingress-nginx", "edge"))
    files = rendered.files
    cilium = "infrastructure/base/cert-manager/cilium"
    assert "CiliumNetworkPolicy" in files[f"{cilium}/ciliumnetworkpolicies.yaml"]
    assert (
        "CiliumNetworkPolicy"
        not in files["infrastructure/base/cert-manager/manifests/networkpolicies.yaml"]
    )
    assert f"path: {cilium}" in files["clusters/edge/patches/cert-manager.yaml"]
    assert cilium not in files["clusters/prod/patches/cert-manager.yaml"]
    assert prove(rendered.plan, rendered.tree, shared_components(rendered.plan)) == []


def test_one_environment_cannot_mix_cnis_when_an_app_needs_cilium_policies(
    tmp_path: Path, blueprints: Path
) -> None:
    with pytest.raises(Exception, match="mixes Cilium and other CNIs"):
        _render(tmp_path, blueprints, _with_edge("traefik", "prod"))


def test_stand_ins_are_pods_unless_every_container_is_on_the_host(
    tmp_path: Path, blueprints: Path
) -> None:
    rendered = _render(tmp_path, blueprints, catalogue("k3s", "flannel", "traefik"))
    found = {w.id: w for w in stand_ins(rendered.plan.clusters[0].components)}
    assert found["traefik/traefik"].host_network
    assert not found["monitoring/vmagent"].host_network
    assert found["kube-system/kube-dns"] == Workload(
        "kube-system", "kube-dns", {"k8s-app": "kube-dns"}
    )


APP_NAMES = ("alpha", "beta", "gamma", "delta")


@st.composite
def catalogues(draw: st.DrawFn) -> str:
    distribution = draw(st.sampled_from(["kubeadm", "k3s"]))
    cni = draw(st.sampled_from(["cilium", "flannel"]))
    controller = draw(st.sampled_from(["ingress-nginx", "traefik", None]))
    extra = draw(st.sets(st.sampled_from(["cert-manager", "vmagent"])))
    components = ["argocd", *sorted(extra), *([controller] if controller else [])]
    names = draw(st.lists(st.sampled_from(APP_NAMES), min_size=1, max_size=4, unique=True))
    apps = []
    for name in names:
        port = draw(st.one_of(st.none(), st.integers(1024, 9999)))
        lines = [
            f"    - name: {name}",
            "      blueprint: service",
            f"      image: example.com/{name}:1.0.0",
            "      environments: {prod: {}}",
        ]
        if port:
            lines.append(f"      port: {port}")
            if controller and draw(st.booleans()):
                lines.append(f"      ingress: {{host: {name}.example.com}}")
        if draw(st.booleans()):
            lines.append(f"      metrics: {{port: {draw(st.integers(1024, 9999))}}}")
        talks = []
        for other in names:
            if other != name and draw(st.booleans()):
                talks.append(f"{{app: {other}, port: {draw(st.integers(1, 65535))}}}")
        if draw(st.booleans()):
            cidr = draw(st.sampled_from(["0.0.0.0/0", "203.0.113.0/24", "10.0.0.0/8"]))
            talks.append(f"{{name: ext, cidr: '{cidr}', port: {draw(st.integers(1, 65535))}}}")
        if talks:
            lines.append(f"      talksTo: [{', '.join(talks)}]")
        apps.append("\n".join(lines))
    return (
        catalogue(distribution, cni, "X")
        .replace(
            "components: [argocd, cert-manager, X, vmagent]",
            f"components: [{', '.join(components)}]",
        )
        .split("  applications:\n")[0]
        + "  applications:\n"
        + "\n".join(apps)
        + "\n"
    )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=catalogues())
def test_random_catalogues_render_exactly_their_flows(
    tmp_path: Path, blueprints: Path, run: Callable[..., Result], text: str
) -> None:
    """`render` proves every catalogue's policies (exit 0), and no application is reachable
    from outside the cluster."""
    folder = tmp_path / hashlib.sha256(text.encode()).hexdigest()[:12]
    folder.mkdir(exist_ok=True)
    path = folder / "catalogue.yaml"
    path.write_text(text)
    result = run(
        "render", path, "-o", folder / "out", "--kustomize", "never", "--blueprints", blueprints
    )
    assert result.exit_code == 0, result.stderr
    rendered = render_catalogue(path, [blueprints])
    m, _ = _matrix(rendered)
    for app in rendered.plan.catalogue.applications:
        assert ("0.0.0.0/5", f"{app.name}/{app.name}", "TCP") not in m
