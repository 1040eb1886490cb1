"""`render --charts`: the real chart rendered with its final values, every container checked.

The charts are small fixtures of our own under tests/data/charts; helm comes from `make test`.
"""

from __future__ import annotations

import os
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Result, two_clusters, write

CHARTS = ROOT / "tests" / "data" / "charts"
BLUEPRINTS = ROOT / "tests" / "data" / "blueprints"
LEAKY = (
    "{name: leaky, chart: {repo: https://charts.example.com, name: leaky, version: 1.0.0},"
    " values: {resources: {requests: {memory: 32Mi}, limits: {memory: 64Mi}}}}"
)


@pytest.fixture(autouse=True)
def helm_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    venv_bin = Path(sys.executable).parent
    if not (venv_bin / "helm").is_file():
        pytest.fail("helm is missing from the virtual environment: run `make test`")
    monkeypatch.setenv("PATH", f"{venv_bin}{os.pathsep}{os.environ['PATH']}")


def render(run: Callable[..., Result], tmp_path: Path, components: str, charts: Path) -> Result:
    return run(
        "render",
        write(
            tmp_path / "catalogue.yaml", two_clusters(f"[argocd, external-secrets, {components}]")
        ),
        "-o",
        tmp_path / "out",
        "--blueprints",
        BLUEPRINTS,
        "--charts",
        charts,
        "--kustomize",
        "never",
    )


def test_a_chart_whose_containers_all_have_memory_passes(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    result = render(run, tmp_path, "test-stack", CHARTS)
    assert result.exit_code == 0, result.stderr
    # argocd's chart is not in the folder: said, not checked.
    assert "chart not in" in result.stderr and "hub/argocd: argo-cd-" in result.stderr


def test_a_packed_chart_is_found_by_its_helm_pull_name(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    packed = tmp_path / "charts"
    packed.mkdir()
    with tarfile.open(packed / "leaky-1.0.0.tgz", "w:gz") as archive:
        archive.add(CHARTS / "leaky-1.0.0", arcname="leaky")
    result = render(run, tmp_path, LEAKY, packed)
    assert result.exit_code == 1
    assert "hub/leaky (leaky-1.0.0): Deployment/leaky: container 'sidecar' has no memory limit" in (
        result.stderr
    )
    assert not (tmp_path / "out").exists()


def test_helm_errors_fail_the_render(run: Callable[..., Result], tmp_path: Path) -> None:
    broken = tmp_path / "charts" / "leaky-1.0.0"
    write(broken / "Chart.yaml", "apiVersion: v2\nname: leaky\nversion: 1.0.0\n")
    write(broken / "templates" / "bad.yaml", "{{ .Values.nothing.here }}\n")
    result = render(run, tmp_path, LEAKY, tmp_path / "charts")
    assert result.exit_code == 1
    assert "hub/leaky (leaky-1.0.0): helm template failed:" in result.stderr


def test_chart_output_is_schema_validated(run: Callable[..., Result], tmp_path: Path) -> None:
    bad = tmp_path / "charts" / "leaky-1.0.0"
    write(bad / "Chart.yaml", "apiVersion: v2\nname: leaky\nversion: 1.0.0\n")
    write(
        bad / "templates" / "svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {portz: []}\n",
    )
    result = render(run, tmp_path, LEAKY, tmp_path / "charts")
    assert result.exit_code == 1
    assert "hub/leaky (leaky-1.0.0): Service/x:" in result.stderr
    assert "portz" in result.stderr
