"""One catalogue runs every built-in component blueprint: it renders, every kustomization
builds with the real kustomize, every object validates, the rules and both proofs pass."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from generator.blueprints import Library
from tests.conftest import Result, kustomize_build


def every_component() -> list[str]:
    library = Library()
    return [name for name in library.names() if library.get(name).kind == "component"]


def catalogue(components: list[str]) -> str:
    return f"""\
apiVersion: gitops-gen/v1alpha1
kind: Catalogue
metadata: {{name: every-blueprint}}
spec:
  repo: {{url: https://git.example.com/platform.git, revision: main}}
  kubernetesVersion: "1.33"
  environments: [{{name: platform}}]
  clusters:
    - name: platform
      environment: platform
      distribution: kubeadm
      cni: cilium
      nodePools:
        - {{name: control-plane, role: control-plane, serverType: ccx33, count: 3}}
        - {{name: workers, serverType: ccx63, count: 3}}
      components: [{", ".join(components)}]
"""


def test_a_catalogue_with_every_blueprint_renders_builds_and_validates(
    tmp_path: Path, run: Callable[..., Result], kustomize_cmd: list[str]
) -> None:
    components = every_component()
    assert len(components) >= 36
    source = tmp_path / "catalogue.yaml"
    source.write_text(catalogue(components))
    out = tmp_path / "out"
    result = run("render", source, "-o", out, "--kustomize", "always")
    assert result.exit_code == 0, result.stderr
    built = yaml.safe_load_all(kustomize_build(kustomize_cmd, out / "clusters" / "platform"))
    applications = {doc["metadata"]["name"] for doc in built if doc["kind"] == "Application"}
    # One Application per component, named after it and the cluster.
    missing = [c for c in components if f"{c}-platform" not in applications]
    assert not missing, sorted(applications)
