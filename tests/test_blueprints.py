"""Built-in blueprints: every one loads, renders on Cluster API and plain clusters in every
profile, and gives each container it declares memory requests and limits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.blueprints import PROFILES, Library
from generator.plan import get_path
from tests.conftest import Result, kustomize_build, write

COMPONENTS = (
    "traefik",
    "ingress-nginx",
    "cert-manager",
    "argocd",
    "sealed-secrets",
    "external-secrets",
    "external-dns",
    "openbao",
    "kyverno",
    "gatekeeper",
    "falco",
    "trivy-operator",
)


HUB_EXTRAS = ("cert-manager", "external-secrets", "cluster-api")


def catalogue(profile: str, components: tuple[str, ...] = COMPONENTS) -> str:
    """A Cluster API hub and a plain K3s spoke, every component pinned to `profile`."""
    # The hub makes clusters with Cluster API and registers them: it runs those providers too.
    hub = [*components, *(c for c in HUB_EXTRAS if c not in components)]
    pinned = ", ".join(f"{{name: {c}, profile: {profile}}}" for c in hub)
    spoke = ", ".join(
        f"{{name: {c}, profile: {profile}}}"
        for c in components
        if c not in ("argocd", *HUB_EXTRAS[2:])
    )
    return f"""\
apiVersion: gitops-gen/v1alpha1
kind: Catalogue
metadata: {{name: every-blueprint}}
spec:
  repo: {{url: https://git.example.com/platform.git}}
  kubernetesVersion: "1.33.2"
  environments: [{{name: hub}}, {{name: edge}}]
  clusters:
    - name: hub
      environment: hub
      clusterAPI: true
      region: fsn1
      cni: cilium
      nodePools:
        - {{name: control-plane, role: control-plane, serverType: cpx31, count: 1}}
        - {{name: workers, serverType: cpx41, count: 2}}
      components: [{pinned}]
    - name: edge
      environment: edge
      distribution: k3s
      server: https://edge.example.com:6443
      registration: {{secretStore: vault, key: clusters/edge}}
      nodePools: [{{name: all, role: control-plane, serverType: cpx31, count: 3}}]
      components: [{spoke}]
  applications:
    - name: web
      image: ghcr.io/acme/web:1.0.0
      port: 8080
      environments: {{edge: {{}}}}
      ingress: {{host: web.example.com}}
"""


def helm_sources(built: str) -> Iterator[dict[str, Any]]:
    for doc in yaml.safe_load_all(built):
        if doc and doc.get("kind") == "Application":
            yield from (s for s in doc["spec"].get("sources", []) if "chart" in s)


@pytest.mark.parametrize("profile", PROFILES)
def test_every_container_keeps_the_profiles_memory_after_the_cluster_overlay(
    profile: str, tmp_path: Path, run: Callable[..., Result], kustomize_cmd: list[str]
) -> None:
    path = write(tmp_path / "c.yaml", catalogue(profile))
    out = tmp_path / "out"
    result = run("render", path, "-o", out, "--kustomize", "always")
    assert result.exit_code == 0, result.stderr
    blueprints = [Library().get(n) for n in (*COMPONENTS, *HUB_EXTRAS)]
    by_chart = {b.chart.name: b for b in blueprints if b.chart is not None}
    seen = set()
    for cluster in ("hub", "edge"):
        built = kustomize_build(kustomize_cmd, out / "clusters" / cluster)
        for source in helm_sources(built):
            blueprint = by_chart[source["chart"]]
            assert blueprint.chart is not None
            assert source["targetRevision"] == blueprint.chart.version
            values = source["helm"]["valuesObject"]
            for container, values_path in blueprint.containers.items():
                memory = blueprint.profiles[profile][container]
                assert get_path(values, values_path) == {
                    "requests": {"memory": memory.request},
                    "limits": {"memory": memory.limit},
                }, (cluster, blueprint.name, container)
            seen.add(blueprint.name)
    assert seen == {*COMPONENTS, *HUB_EXTRAS}


def test_every_blueprint_sizes_every_container_in_every_profile() -> None:
    library = Library()
    for name in COMPONENTS:
        blueprint = library.get(name)
        assert blueprint.containers, name
        for profile in PROFILES:
            assert set(blueprint.profiles[profile]) == set(blueprint.containers), (name, profile)
        assert set(blueprint.per_node) <= set(blueprint.containers), name


def test_traefik_is_the_default_ingress_controller_and_warns_about_nothing(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    path = write(tmp_path / "c.yaml", catalogue("small", ("argocd", "traefik")))
    out = tmp_path / "out"
    result = run("render", path, "-o", out, "--kustomize", "never")
    assert result.exit_code == 0, result.stderr
    assert "deprecated" not in result.stderr
    ingress = yaml.safe_load((out / "applications/base/web/ingress.yaml").read_text())
    assert ingress["spec"]["ingressClassName"] == "traefik"
    values = Library().get("traefik").base_values
    assert values["ingressClass"] == {"enabled": True, "isDefaultClass": True, "name": "traefik"}


def test_ingress_nginx_still_renders_with_a_warning_naming_traefik(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    text = catalogue("small", ("argocd", "ingress-nginx"))
    path = write(tmp_path / "c.yaml", text)
    result = run("render", path, "-o", tmp_path / "out", "--kustomize", "never")
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "deprecated" in line]
    # once per cluster that runs it, at the component's line in the catalogue
    assert len(warnings) == 2
    line = text.splitlines().index(next(x for x in text.splitlines() if "ingress-nginx" in x))
    assert warnings[0].startswith(f"warning: {path}:{line + 1}:")
    assert "'ingress-nginx' is deprecated" in warnings[0]
    assert "use traefik" in warnings[0]


def test_a_misspelt_key_on_a_branch_the_blueprint_sets_is_rejected(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    text = catalogue("small", ("argocd", "traefik")).replace(
        "{name: traefik, profile: small}",
        "{name: traefik, profile: small, values: {deployment: {knid: Deployment}}}",
    )
    result = run("render", write(tmp_path / "c.yaml", text), "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "values.deployment: Additional properties are not allowed ('knid'" in result.stderr
    assert "values.schema.json of 'traefik'" in result.stderr


def test_an_ingress_without_a_controller_asks_for_traefik(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    path = write(tmp_path / "c.yaml", catalogue("small", ("argocd", "cert-manager")))
    result = run("render", path, "-o", tmp_path / "out", "--kustomize", "never")
    assert result.exit_code == 2
    assert "runs the same ingress controller (add traefik)" in result.stderr
