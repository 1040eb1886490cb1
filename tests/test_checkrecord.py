"""`render --check` answers from the last validated render's record only when nothing changed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import checkrecord, pipeline
from tests.conftest import EXAMPLES, ROOT, Result

CATALOGUE = EXAMPLES / "single-node.yaml"


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The catalogues a full render went through (the record answers without one)."""
    seen: list[Path] = []
    real = pipeline.render_catalogue

    def spy(path: Path, blueprint_dirs: tuple[Path, ...] = ()) -> pipeline.Rendered:
        seen.append(path)
        return real(path, blueprint_dirs)

    monkeypatch.setattr(pipeline, "render_catalogue", spy)
    return seen


@pytest.fixture
def rendered(tmp_path: Path, run: Callable[..., Result]) -> tuple[Path, Path, Path]:
    """A catalogue, a blueprint folder of the user's, and their validated render."""
    catalogue = tmp_path / "catalogue.yaml"
    shutil.copy(CATALOGUE, catalogue)
    blueprints = tmp_path / "blueprints"
    shutil.copytree(ROOT / "blueprints" / "cert-manager", blueprints / "cert-manager")
    out = tmp_path / "repo"
    args = ("--blueprints", blueprints, "--kustomize", "never")
    assert run("render", catalogue, "-o", out, *args).exit_code == 0
    return catalogue, blueprints, out


def check(run: Callable[..., Result], setup: tuple[Path, Path, Path]) -> Result:
    catalogue, blueprints, out = setup
    return run("render", catalogue, "-o", out, "--check", "--blueprints", blueprints,
               "--kustomize", "never")  # fmt: skip


def test_nothing_changed_answers_from_the_record_without_rendering(
    rendered: tuple[Path, Path, Path], run: Callable[..., Result], renders: list[Path]
) -> None:
    result = check(run, rendered)
    assert result.exit_code == 0
    assert "up to date" in result.stdout
    assert "kustomize builds skipped" in result.stderr  # the render's notes are replayed
    assert renders == []


def test_the_record_stays_out_of_git(rendered: tuple[Path, Path, Path]) -> None:
    out = rendered[2]
    assert (out / checkrecord.IGNORE).read_text() == "check.json\n"
    assert json.loads((out / checkrecord.RECORD).read_text())["inputs"]


def test_an_edited_catalogue_renders_and_reports_stale_files(
    rendered: tuple[Path, Path, Path], run: Callable[..., Result], renders: list[Path]
) -> None:
    catalogue = rendered[0]
    catalogue.write_text(catalogue.read_text().replace("host: todo.", "host: todo2.", 1))
    result = check(run, rendered)
    assert result.exit_code == 1
    assert "stale" in result.stdout
    assert renders == [catalogue]


def test_an_edited_blueprint_renders(
    rendered: tuple[Path, Path, Path], run: Callable[..., Result], renders: list[Path]
) -> None:
    values = rendered[1] / "cert-manager" / "values.yaml"
    values.write_text(values.read_text() + "\n# a comment changes no output, but is a change\n")
    assert check(run, rendered).exit_code == 0
    assert len(renders) == 1


def test_a_new_file_in_a_blueprint_folder_renders(
    rendered: tuple[Path, Path, Path], run: Callable[..., Result], renders: list[Path]
) -> None:
    shutil.copytree(ROOT / "blueprints" / "argocd", rendered[1] / "argocd")
    check(run, rendered)
    assert len(renders) == 1


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (lambda p: p.write_text(p.read_text() + "# edited\n"), "edited by hand"),
        (lambda p: p.unlink(), "missing"),
    ],
    ids=["edited", "deleted"],
)
def test_a_changed_output_file_is_reported(
    rendered: tuple[Path, Path, Path],
    run: Callable[..., Result],
    renders: list[Path],
    change: Callable[[Path], object],
    reported: str,
) -> None:
    out = rendered[2]
    change(next(p for p in sorted(out.rglob("*.yaml")) if ".gitops-gen" not in p.parts))
    result = check(run, rendered)
    assert result.exit_code == 1
    assert reported in result.stdout
    assert len(renders) == 1


def test_another_gitops_gen_version_renders(
    rendered: tuple[Path, Path, Path],
    run: Callable[..., Result],
    renders: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(checkrecord, "__version__", "99.0.0")
    assert check(run, rendered).exit_code == 0
    assert len(renders) == 1


def test_a_render_without_builds_does_not_answer_a_check_with_builds(
    rendered: tuple[Path, Path, Path],
    run: Callable[..., Result],
    renders: list[Path],
    kustomize_cmd: list[str],
) -> None:
    catalogue, blueprints, out = rendered
    run("render", catalogue, "-o", out, "--check", "--blueprints", blueprints,
        "--kustomize", "auto")  # fmt: skip
    assert len(renders) == 1


def test_a_tampered_record_renders(
    rendered: tuple[Path, Path, Path], run: Callable[..., Result], renders: list[Path]
) -> None:
    record = rendered[2] / checkrecord.RECORD
    record.write_text("{not json")
    assert check(run, rendered).exit_code == 0
    assert len(renders) == 1


def test_the_record_is_never_written_through_a_symlink(
    rendered: tuple[Path, Path, Path], run: Callable[..., Result], tmp_path: Path
) -> None:
    catalogue, blueprints, out = rendered
    outside = tmp_path / "outside"
    for name in (checkrecord.IGNORE, f"{checkrecord.RECORD}.tmp"):
        (out / name).unlink(missing_ok=True)
        (out / name).symlink_to(outside / Path(name).name)
    run("render", catalogue, "-o", out, "--blueprints", blueprints, "--kustomize", "never")
    assert not outside.exists()
