"""The pre-commit paths start fast: they load only what they use (issue: a check in a blink)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.conftest import EXAMPLES, ROOT, Result

# Modules that take tens of milliseconds to load and that these paths never need.
HEAVY = (
    "celpy",
    "jsonschema",
    "jinja2",
    "generator.budget",
    "generator.blueprints",
    "generator.catalogue",
    "generator.model",
    "generator.connectivity",
)
# The YAML libraries: lint reads most files with yaml_rs alone, and writes no YAML.
YAML = ("yaml", "ruamel.yaml")
WATCHED = (*HEAVY, *YAML, "generator.rules")

# Runs the command as `gitops-gen` would, then names the heavy modules it loaded (`main` would
# end the process before the probe could look).
_PROBE = f"""
import sys
from generator.cli import cli
sys.argv = ["gitops-gen", *sys.argv[1:]]
try:
    cli()
except SystemExit as end:
    code = end.code
print("loaded:", *sorted(m for m in {WATCHED!r} if m in sys.modules), file=sys.stderr)
sys.exit(code)
"""


def loaded(*args: str | Path) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *(str(a) for a in args)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("loaded:"), done.stderr
    return done.returncode, set(last.split()[1:])


def test_lint_of_plain_manifests_loads_no_catalogue_stack_nor_yaml_library() -> None:
    _, modules = loaded("lint", ROOT / "tests" / "data" / "lint" / "hardened.yaml")
    assert "generator.rules" in modules  # the probe sees what lint loaded
    assert modules.isdisjoint({*HEAVY, *YAML})


def test_render_check_answered_from_the_record_loads_no_renderer_or_rules(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    catalogue = shutil.copy(EXAMPLES / "single-node.yaml", tmp_path / "catalogue.yaml")
    out = tmp_path / "repo"
    assert run("render", catalogue, "-o", out, "--kustomize", "never").exit_code == 0
    code, modules = loaded("render", catalogue, "-o", out, "--check", "--kustomize", "never")
    assert code == 0
    assert modules.isdisjoint({*HEAVY, "ruamel.yaml", "generator.rules"})
