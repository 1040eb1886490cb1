from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import lintparallel
from generator.diagnostics import FORMATS
from tests.conftest import Result, write

Run = Callable[..., Result]

POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: shop
  annotations:
    ignore.gitops-gen.dev/GG501: "{reason}"
    ignore.gitops-gen.dev/GG999: "no such rule"
spec:
  containers:
    - name: app
      image: shop:latest
      securityContext: {{privileged: true}}
"""
SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: shop
spec:
  selector: {{app: nothing}}
  ports: [{{port: 80}}]
"""


def _corpus(root: Path) -> Path:
    """Files of every kind of finding and note, objects repeated across files, an overlay."""
    for n in range(6):
        docs = [
            POD.format(name=f"web{n}", reason="the agent needs the host" if n % 3 == 0 else ""),
            SERVICE.format(name="front"),  # the same object in every file of the folder
            SERVICE.format(name=f"back{n}"),
        ]
        write(root / "apps" / f"shop{n}.yaml", "---\n".join(docs))
    write(root / "apps" / "broken.yaml", "kind: Pod\nmetadata: [unclosed\n")
    write(root / "apps" / "values.yaml", "replicas: 3\n")
    write(root / "chart" / "Chart.yaml", "name: chart\n")
    write(root / "base" / "kustomization.yaml", "resources: [pod.yaml]\n")
    write(root / "base" / "pod.yaml", POD.format(name="based", reason=""))
    write(root / "prod" / "kustomization.yaml", "namePrefix: prod-\nresources: [../base]\n")
    return root


@pytest.fixture
def both_ways(run: Run, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Lint in one process, then (however small the input) in two; the same result or fail."""

    def lint(*args: str | Path) -> Result:
        results = []
        for two in (False, True):
            monkeypatch.setattr(lintparallel, "worth", lambda files, two=two: two)
            results.append(run("lint", *args))
        one, both = results
        assert (both.exit_code, both.stdout, both.stderr) == (one.exit_code, one.stdout, one.stderr)
        return one

    return lint


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_processes_report_what_one_reports(
    both_ways: Callable[..., Result], tmp_path: Path, fmt: str
) -> None:
    one = both_ways(_corpus(tmp_path / "repo"), "--format", fmt, "--fail-on", "warning")
    assert "GG104" in one.stdout and "GG902" in one.stdout and "GG100" in one.stdout


def test_inputs_larger_than_a_pipe_holds_are_swapped_both_ways_at_once(
    both_ways: Callable[..., Result], tmp_path: Path
) -> None:
    # Each process sends the objects of 400 KB of YAML while the other sends as many: neither
    # could finish writing before the other reads.
    for n in range(4):
        docs = [SERVICE.format(name=f"svc{n}-{i}") for i in range(1500)]
        write(tmp_path / "repo" / f"services{n}.yaml", "---\n".join(docs))
    one = both_ways(tmp_path / "repo", "--format", "json")
    assert json.loads(one.stdout)["summary"]["objects"] == 6000


def test_a_file_the_child_cannot_read_is_reported_as_one_process_reports_it(
    both_ways: Callable[..., Result], tmp_path: Path
) -> None:
    folder = tmp_path / "repo"
    write(folder / "a.yaml", POD.format(name="web", reason=""))
    # Files are shared out in turn: the second goes to the child.
    (folder / "b.yaml").symlink_to(tmp_path / "missing.yaml")
    one = both_ways(folder)
    assert one.exit_code == 2 and "b.yaml: cannot read" in one.stderr


def test_of_two_unreadable_files_the_first_is_reported_whichever_process_reads_it(
    both_ways: Callable[..., Result], tmp_path: Path
) -> None:
    folder = tmp_path / "repo"
    write(folder / "a.yaml", POD.format(name="web", reason=""))  # the parent's
    write(folder / "b.yaml", "#" * (16 * 1024 * 1024 + 1))  # the child's: too large to lint
    (folder / "c.yaml").symlink_to(tmp_path / "missing.yaml")  # the parent's again
    one = both_ways(folder)
    assert one.exit_code == 2 and "b.yaml: file is larger than" in one.stderr


def test_files_are_shared_out_by_size_in_turn(tmp_path: Path) -> None:
    sizes = [100, 60, 50, 10, 30]
    files = [write(tmp_path / f"{n}.yaml", "x" * size) for n, size in enumerate(sizes)]
    # 100 to the parent, then the child until it has more: 60, 50; then 10 and 30 to the parent.
    assert lintparallel.shares(files) == [False, True, True, False, False]


def test_small_inputs_stay_in_one_process(tmp_path: Path) -> None:
    small = write(tmp_path / "small.yaml", "x" * 1000)
    large = write(tmp_path / "large.yaml", "x" * lintparallel.MIN_BYTES)
    assert not lintparallel.worth([small])
    assert lintparallel.worth([small, large]) == (lintparallel.cores() >= 2)
