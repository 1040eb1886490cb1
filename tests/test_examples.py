"""The example catalogues render, build and validate; output-example/ is their committed render."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, Result, gitops_gen

CATALOGUES = sorted(EXAMPLES.glob("*.yaml"))


def test_there_are_the_three_seed_examples_and_a_fleet() -> None:
    assert [p.name for p in CATALOGUES] == [
        "fleet.yaml",
        "hetzner-multi-cluster.yaml",
        "k3s-ha.yaml",
        "single-node.yaml",
    ]


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: p.stem)
def test_example_renders_builds_and_validates(
    catalogue: Path, tmp_path: Path, run: Callable[..., Result], kustomize_cmd: list[str]
) -> None:
    out = tmp_path / "repo"
    result = run("render", catalogue, "-o", out, "--kustomize", "always")
    assert result.exit_code == 0, result.stderr
    assert "problem" not in result.stderr
    assert run("render", catalogue, "-o", out, "--check", "--kustomize", "never").exit_code == 0


def test_output_example_is_fresh(run: Callable[..., Result], kustomize_cmd: list[str]) -> None:
    result = run(
        "render",
        EXAMPLES / "hetzner-multi-cluster.yaml",
        "-o",
        ROOT / "output-example",
        "--check",
        "--kustomize",
        "always",
    )
    assert result.exit_code == 0, f"output-example/ is stale; run `make demo`:\n{result.stdout}"


def pip(*args: str | Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "--quiet", *(str(a) for a in args)],
        check=True,
        capture_output=True,
    )


def test_a_wheel_carries_blueprints_and_schemas_and_runs_from_anywhere(tmp_path: Path) -> None:
    wheel_dir, target = tmp_path / "wheel", tmp_path / "site"
    pip("wheel", "--no-deps", "--no-build-isolation", "-w", wheel_dir, ROOT)
    (wheel,) = wheel_dir.glob("gitops_gen-*.whl")
    pip("install", "--no-deps", "--target", target, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "catalogue.yaml").write_text((EXAMPLES / "single-node.yaml").read_text())
    env = {"PYTHONPATH": str(target), "PATH": ""}
    probe = subprocess.run(
        [sys.executable, "-c", "import generator; print(generator.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.startswith(str(target))
    result = gitops_gen(
        "render", "catalogue.yaml", "-o", "out", "--kustomize", "never", env=env, cwd=elsewhere
    )
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "out/applications/base/todo-backend/deployment.yaml").is_file()
