"""verify: the rendered tree must bring every cluster up, and a failing spoke only itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import writer
from generator.errors import InvalidOutput
from generator.pipeline import Rendered, render_catalogue, verify
from generator.schema import SchemaStore
from tests.conftest import EXAMPLES

WAVE_0 = "argocd.argoproj.io~1sync-wave\n  value: '0'"


def _verify(rendered: Rendered, staged: Path, build_cmd: list[str] | None) -> None:
    writer.stage(staged, rendered.files)
    verify(rendered, staged, build_cmd, SchemaStore())


def test_a_cni_after_what_needs_ready_nodes_deadlocks_and_is_named(
    tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    rendered = render_catalogue(EXAMPLES / "hetzner-multi-cluster.yaml")
    patch = "clusters/dev/patches/cilium.yaml"
    assert WAVE_0 in rendered.files[patch]
    # The CNI a wave after cert-manager: cert-manager's wave waits for Ready nodes only the
    # CNI brings.
    rendered.files[patch] = rendered.files[patch].replace(WAVE_0, WAVE_0.replace("'0'", "'2'"))
    with pytest.raises(InvalidOutput) as failed:
        _verify(rendered, tmp_path, kustomize_cmd)
    lines = failed.value.lines
    stuck = "bootstrap: Application hcloud-ccm-dev never becomes healthy: waits on the CRDs of"
    assert f"{stuck} cilium.io on dev" in lines
    assert "bootstrap: deadlock: cilium-dev → components-dev → hcloud-ccm-dev → cilium-dev" in lines
    # The other spokes are not part of it.
    assert not any("staging never" in line or "-devops never" in line for line in lines)


def test_the_example_converges_and_its_readme_gets_the_order(
    tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    rendered = render_catalogue(EXAMPLES / "hetzner-multi-cluster.yaml")
    assert "What follows on its own" not in rendered.files["README.md"]
    _verify(rendered, tmp_path, kustomize_cmd)
    readme = (tmp_path / "README.md").read_text()
    assert readme == rendered.files["README.md"]
    assert "1. root wave 0 applied" in readme
    owned = (tmp_path / writer.OWNED).read_text()
    assert writer.sha256(readme) in owned


def test_without_kustomize_nothing_is_simulated(tmp_path: Path) -> None:
    rendered = render_catalogue(EXAMPLES / "hetzner-multi-cluster.yaml")
    _verify(rendered, tmp_path, None)
    assert "listed once `render` has built" in rendered.files["README.md"]
