from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import kustomize
from generator.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run the CLI in-process; stdout and stderr kept apart."""

    def invoke(*args: str | Path) -> Result:
        runner = CliRunner()
        result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture(scope="session")
def kustomize_cmd() -> list[str]:
    """The real kustomize. Missing in CI is a failure, never a silent skip."""
    found = kustomize.command()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs kustomize or kubectl on PATH")
        pytest.skip("kustomize or kubectl not on PATH")
    return found


def gitops_gen(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh interpreter, as a user's shell would."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *(str(a) for a in args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )


def kustomize_build(command: list[str], folder: Path) -> str:
    """What `kustomize build FOLDER` prints; a failing build fails the test."""
    return subprocess.run(
        [*command, str(folder)], capture_output=True, text=True, check=True
    ).stdout


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def two_clusters(hub_components: str, edge_components: str = "[]") -> str:
    """A catalogue: the hub and one more cluster, on big nodes, running the given components.

    The hub's components must include external-secrets, as any hub's with spokes must.
    """
    return f"""
apiVersion: gitops-gen/v1alpha1
kind: Catalogue
metadata: {{name: namespaces}}
spec:
  repo: {{url: https://example.com/repo.git}}
  kubernetesVersion: "1.30"
  clusters:
    - name: hub
      nodePools: [{{name: workers, serverType: cx53, count: 2}}]
      components: {hub_components}
    - name: edge
      server: https://edge.example.com:6443
      registration: {{secretStore: vault, key: clusters/edge}}
      nodePools: [{{name: workers, serverType: cx53, count: 1}}]
      components: {edge_components}
"""
