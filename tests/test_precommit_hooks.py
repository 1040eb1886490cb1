"""The hooks users install from .pre-commit-hooks.yaml, run by the real pre-commit on commits.

pre-commit would build a fresh virtualenv from PyPI for `language: python`; the test keeps each
hook's definition from the real hooks file (entry, file types, arguments) and only swaps in the
gitops-gen of this environment (`language: system`), so it runs offline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import EXAMPLES, ROOT, gitops_gen, write

BIN = Path(sys.executable).parent
GOOD = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  mode: fast
"""
BAD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
    - name: app
      image: nginx:latest
"""


def _hooks() -> list[dict[str, Any]]:
    hooks: list[dict[str, Any]] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    for hook in hooks:
        hook["language"] = "system"
        hook["entry"] = str(BIN / hook["entry"])
        if hook["id"] == "gitops-gen-check":
            hook["args"] = [str(EXAMPLES / "hetzner-multi-cluster.yaml"), "-o", "deploy"]
    return hooks


def _git(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False
    )


def test_hooks_pass_a_clean_commit_and_block_a_bad_manifest(
    tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    assert _git(repo, env, "init", "-q", "-b", "main").returncode == 0
    config = {"repos": [{"repo": "local", "hooks": _hooks()}]}
    write(repo / ".pre-commit-config.yaml", yaml.safe_dump(config))
    rendered = gitops_gen("render", EXAMPLES / "hetzner-multi-cluster.yaml", "-o", repo / "deploy")
    assert rendered.returncode == 0, rendered.stderr
    write(repo / "manifests" / "settings.yaml", GOOD)
    installed = subprocess.run(
        [str(BIN / "pre-commit"), "install"], cwd=repo, env=env, capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stderr

    _git(repo, env, "add", ".")
    clean = _git(repo, env, "commit", "-q", "-m", "clean")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "gitops-gen lint" in clean.stdout + clean.stderr

    write(repo / "manifests" / "web.yaml", BAD)
    _git(repo, env, "add", ".")
    blocked = _git(repo, env, "commit", "-q", "-m", "bad")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0
    assert "manifests/web.yaml:9:14: GG601 error container 'app' image nginx:latest" in output
    assert _git(repo, env, "log", "--oneline").stdout.count("\n") == 1
    shutil.rmtree(tmp_path / "cache", ignore_errors=True)
