"""Writing and checking: owned files only, hand-written files untouched, --check honest."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import ROOT, Result, write

PLATFORM = ROOT / "tests" / "data" / "platform.yaml"


def render(run: Callable[..., Result], catalogue: Path, out: Path, *extra: str) -> Result:
    return run("render", catalogue, "-o", out, "--kustomize", "never", *extra)


def test_check_passes_on_fresh_output_and_ignores_hand_written_files(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    out = tmp_path / "repo"
    assert render(run, PLATFORM, out).exit_code == 0
    assert render(run, PLATFORM, out, "--check").exit_code == 0
    write(out / "applications/base/redis/NOTES.md", "ours\n")
    write(out / "extra/app.yaml", "kind: ConfigMap\n")
    checked = render(run, PLATFORM, out, "--check")
    assert checked.exit_code == 0, checked.stdout


def test_check_names_an_edited_file_and_the_next_render_restores_it(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    out = tmp_path / "repo"
    render(run, PLATFORM, out)
    target = out / "applications/base/redis/deployment.yaml"
    original = target.read_text()
    target.write_text(original.replace("replicas: 1", "replicas: 5"))
    hand_written = write(out / "applications/base/redis/NOTES.md", "ours\n")

    checked = render(run, PLATFORM, out, "--check")
    assert checked.exit_code == 1
    assert f"{target}: edited by hand" in checked.stdout
    assert checked.stdout.count("\n") == 1

    assert render(run, PLATFORM, out).exit_code == 0
    assert target.read_text() == original
    assert hand_written.read_text() == "ours\n"
    assert render(run, PLATFORM, out, "--check").exit_code == 0


def test_check_reports_missing_and_stale_files(tmp_path: Path, run: Callable[..., Result]) -> None:
    out = tmp_path / "repo"
    render(run, PLATFORM, out)
    (out / "README.md").unlink()
    smaller = write(
        tmp_path / "smaller.yaml",
        PLATFORM.read_text().replace("ingress: {host: todo.example.com}", ""),
    )
    checked = render(run, smaller, out, "--check")
    assert checked.exit_code == 1
    assert f"{out / 'README.md'}: missing" in checked.stdout
    assert (
        f"{out / 'applications/base/todo-backend/ingress.yaml'}: stale (no longer generated)"
        in (checked.stdout)
    )


def test_rerender_deletes_only_stale_owned_files(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    out = tmp_path / "repo"
    render(run, PLATFORM, out)
    hand_written = write(out / "applications/base/todo-backend/runbook.md", "page me\n")
    smaller = write(
        tmp_path / "smaller.yaml",
        PLATFORM.read_text().replace("ingress: {host: todo.example.com}", ""),
    )
    result = render(run, smaller, out)
    assert result.exit_code == 0
    assert "1 deleted" in result.stdout
    assert not (out / "applications/base/todo-backend/ingress.yaml").exists()
    assert hand_written.read_text() == "page me\n"
    owned = json.loads((out / ".gitops-gen/owned.json").read_text())["files"]
    assert "applications/base/todo-backend/ingress.yaml" not in owned
    assert "applications/base/todo-backend/runbook.md" not in owned


def test_refuses_to_overwrite_a_hand_written_file(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    out = tmp_path / "repo"
    mine = write(out / "README.md", "my own readme\n")
    result = render(run, PLATFORM, out)
    assert result.exit_code == 2
    assert f"{mine}: a file gitops-gen did not write is in the way" in result.stderr
    assert mine.read_text() == "my own readme\n"
    assert sorted(p.name for p in out.iterdir()) == ["README.md"]


def test_second_render_writes_nothing(tmp_path: Path, run: Callable[..., Result]) -> None:
    out = tmp_path / "repo"
    render(run, PLATFORM, out)
    again = render(run, PLATFORM, out)
    assert again.exit_code == 0
    assert " 0 written, 0 deleted" in again.stdout


def test_no_staging_folder_is_left_behind(tmp_path: Path, run: Callable[..., Result]) -> None:
    out = tmp_path / "repo"
    render(run, PLATFORM, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]
