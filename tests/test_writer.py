"""Writing and checking: owned files only, hand-written files untouched, --check honest."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import checkrecord, writer
from generator.errors import UserError
from tests.conftest import ROOT, Result, gitops_gen, write

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


# --- untrusted output folders ----------------------------------------------------------------


def smaller_platform(tmp_path: Path) -> Path:
    """The platform without todo-backend's ingress and with a new worker image: files change
    and one is deleted."""
    text = PLATFORM.read_text().replace("ingress: {host: todo.example.com}", "")
    return write(tmp_path / "smaller.yaml", text.replace("worker:1.4.2", "worker:1.5.0"))


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry below `folder` with its content (files) or target (symlinks)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = "dir"
    return found


def set_owned(out: Path, entries: dict[str, str]) -> None:
    manifest = out / ".gitops-gen/owned.json"
    data = json.loads(manifest.read_text())
    data["files"].update(entries)
    manifest.write_text(json.dumps(data))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("entry", ["../victim/secret.txt", "ABSOLUTE", "lnk/secret.txt"])
def test_owned_entries_outside_the_output_delete_nothing(
    tmp_path: Path, run: Callable[..., Result], entry: str
) -> None:
    out = tmp_path / "repo"
    victim = write(tmp_path / "victim/secret.txt", "keep me\n")
    render(run, PLATFORM, out)
    (out / "lnk").symlink_to(victim.parent)
    name = str(victim) if entry == "ABSOLUTE" else entry
    set_owned(out, {name: digest(victim)})
    before = snapshot(tmp_path / "victim")

    result = render(run, PLATFORM, out)
    assert result.exit_code == 2
    assert f"{out}/" in result.stderr
    assert snapshot(tmp_path / "victim") == before
    assert render(run, PLATFORM, out, "--check").exit_code == 2


@pytest.mark.parametrize(
    "content", ['{"files": []}', "null", "[]", '{"files": {"a": 1}}', "\ufffe{", "FOLDER"]
)
def test_a_malformed_owned_manifest_is_exit_2_naming_it(
    tmp_path: Path, run: Callable[..., Result], content: str
) -> None:
    out = tmp_path / "repo"
    render(run, PLATFORM, out)
    manifest = out / ".gitops-gen/owned.json"
    manifest.unlink()
    if content == "FOLDER":
        manifest.mkdir()
    else:
        manifest.write_text(content)
    for extra in ((), ("--check",)):
        result = render(run, PLATFORM, out, *extra)
        assert result.exit_code == 2, result.stderr
        assert result.stderr.splitlines()[-1].startswith(f"{manifest}: owned-files manifest")


def test_an_owned_file_edited_since_is_kept_and_reported(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    out = tmp_path / "repo"
    render(run, PLATFORM, out)
    notes = write(out / "NOTES.md", "mine\n")
    set_owned(out, {"NOTES.md": "0" * 64})
    ingress = out / "applications/base/todo-backend/ingress.yaml"
    ingress.write_text(ingress.read_text() + "# tuned\n")

    result = render(run, smaller_platform(tmp_path), out)
    assert result.exit_code == 0, result.stderr
    assert notes.read_text() == "mine\n"
    assert ingress.read_text().endswith("# tuned\n")
    assert f"warning: {ingress}: no longer generated but edited" in result.stderr
    assert f"warning: {notes}: no longer generated but edited" in result.stderr
    assert render(run, smaller_platform(tmp_path), out, "--check").exit_code == 0


@pytest.mark.parametrize("existing", [False, True])
def test_a_symlinked_folder_inside_the_output_is_refused(
    tmp_path: Path, run: Callable[..., Result], existing: bool
) -> None:
    out = tmp_path / "repo"
    elsewhere = tmp_path / "elsewhere"
    if existing:
        render(run, PLATFORM, out)
        (out / "bootstrap").rename(elsewhere)
        write(elsewhere / "root.yaml", "tampered\n")
    else:
        elsewhere.mkdir()
        out.mkdir()
    (out / "bootstrap").symlink_to(elsewhere)
    before = snapshot(elsewhere)

    for extra in ((), ("--check",)):
        result = render(run, PLATFORM, out, *extra)
        assert result.exit_code == 2
        assert f"{out / 'bootstrap'}: is a symlink" in result.stderr
    assert snapshot(elsewhere) == before


def test_a_symlinked_output_file_is_refused(tmp_path: Path, run: Callable[..., Result]) -> None:
    out = tmp_path / "repo"
    render(run, PLATFORM, out)
    target = write(tmp_path / "target.txt", "outside\n")
    readme = out / "README.md"
    readme.unlink()
    readme.symlink_to(target)
    result = render(run, PLATFORM, out)
    assert result.exit_code == 2
    assert f"{readme}: is a symlink" in result.stderr
    assert target.read_text() == "outside\n"


def test_a_file_where_a_folder_must_go_stops_before_anything_is_written(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    out = tmp_path / "repo"
    write(out / "infrastructure", "hand-written\n")
    result = render(run, PLATFORM, out)
    assert result.exit_code == 2
    assert f"{out / 'infrastructure'}: is a file where a folder must go" in result.stderr
    assert snapshot(out) == {"infrastructure": b"hand-written\n"}


# --- mounts: real ones, as CI runners and containers have them ---------------------------------


def mount(*args: str | Path) -> None:
    subprocess.run(["mount", *map(str, args)], check=True, capture_output=True)


@pytest.fixture
def mounts() -> Iterator[Callable[..., None]]:
    """`mount --bind` with clean-up; a visible skip where mounting is not allowed."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("bind mounts need root and mount(8)")
    done: list[Path] = []

    def bind(source: Path, target: Path, *, read_only: bool = False) -> None:
        try:
            mount("--bind", source, target)
        except subprocess.CalledProcessError as exc:
            pytest.skip(f"mount --bind refused here: {exc.stderr.strip()}")
        done.append(target)
        if read_only:
            mount("-o", "remount,bind,ro", target)

    yield bind
    for target in reversed(done):
        subprocess.run(["umount", str(target)], check=False)


def test_a_bind_mounted_output_renders(
    tmp_path: Path, run: Callable[..., Result], mounts: Callable[..., None]
) -> None:
    source, out = tmp_path / "host", tmp_path / "repo"
    source.mkdir()
    out.mkdir()
    mounts(source, out)
    assert render(run, PLATFORM, out).exit_code == 0
    assert render(run, PLATFORM, out, "--check").exit_code == 0
    assert (source / "bootstrap/root.yaml").is_file()


def test_a_mount_inside_the_output_is_exit_2_with_nothing_moved(
    tmp_path: Path, run: Callable[..., Result], mounts: Callable[..., None]
) -> None:
    out = tmp_path / "repo"
    render(run, PLATFORM, out)
    other = tmp_path / "other"
    other.mkdir()
    mounts(other, out / "clusters")
    before = snapshot(out)
    result = render(run, smaller_platform(tmp_path), out)
    assert result.exit_code == 2
    assert f"{out / 'clusters'}: is a mount point inside the output" in result.stderr
    assert snapshot(out) == before


@pytest.mark.parametrize("inside", ["", "new"])
def test_a_read_only_output_is_exit_2(
    tmp_path: Path, run: Callable[..., Result], mounts: Callable[..., None], inside: str
) -> None:
    out = tmp_path / "repo"
    out.mkdir()
    mounts(out, out, read_only=True)
    result = render(run, PLATFORM, out / inside)
    assert result.exit_code == 2
    assert "Read-only file system" in result.stderr
    assert result.stderr.splitlines()[-1].startswith(f"{out}")


# --- killed, interrupted and concurrent renders ----------------------------------------------

# Runs the CLI with every rename and unlink announced on stdout and held until the test writes
# a line: the test decides exactly when the process is killed or let go.
PAUSING = """
import os, sys
from generator import cli
def pausing(real):
    def step(*args, **kwargs):
        print(real.__name__, args[-1], flush=True)
        sys.stdin.readline()
        return real(*args, **kwargs)
    return step
os.replace, os.unlink = pausing(os.replace), pausing(os.unlink)
sys.argv[0] = "gitops-gen"
cli.main()
"""


def paused_render(catalogue: Path, out: Path) -> subprocess.Popen[str]:
    """A render held at its first rename or unlink."""
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSING, "render", str(catalogue), "-o", str(out),
         "--kustomize", "never"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=ROOT,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stdout.readline(), process.communicate()
    return process


def step(process: subprocess.Popen[str], count: int) -> None:
    """Let `count` paused steps run; return once the process holds at the next one."""
    assert process.stdin is not None and process.stdout is not None
    for _ in range(count):
        process.stdin.write("\n")
        process.stdin.flush()
        assert process.stdout.readline(), process.communicate()


def leftovers(out: Path) -> list[str]:
    """State beyond what a finished render keeps: its manifest and its check record."""
    kept = {"owned.json", *(Path(p).name for p in (checkrecord.RECORD, checkrecord.IGNORE))}
    return sorted(p.name for p in (out / ".gitops-gen").iterdir() if p.name not in kept)


def test_sigkill_at_any_step_is_repaired_by_the_next_render(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    out = tmp_path / "repo"
    smaller = smaller_platform(tmp_path)
    render(run, PLATFORM, out)
    full = paused_render(smaller, out)
    assert full.stdin is not None and full.stdout is not None
    # Each pause: the journal, deletions, moves, owned.json, the stage's clean-up.
    labels = ["first"]
    while True:
        with suppress(BrokenPipeError):
            full.stdin.write("\n")
            full.stdin.flush()
        line = full.stdout.readline()
        if not line.startswith(("replace ", "unlink ")):
            break
        labels.append(line.strip())
    full.communicate()
    assert full.returncode == 0
    render(run, PLATFORM, out)
    journal = labels.index(f"replace {out / '.gitops-gen/journal.json'}")
    owned = labels.index(f"replace {out / '.gitops-gen/owned.json'}")
    # Before the journal, at the deletion, first and last moves, owned.json, the journal's
    # removal, and amid the stage's clean-up.
    instants = {journal, journal + 1, journal + 2, owned - 1, owned, owned + 1, owned + 10}
    assert max(instants) < len(labels)
    for at in sorted(instants):
        process = paused_render(smaller, out)
        step(process, at)
        process.kill()
        process.communicate()
        checked = render(run, smaller, out, "--check")
        assert checked.exit_code in (0, 1), checked.stderr
        assert "edited by hand" not in checked.stdout, (at, checked.stdout)
        assert "not written by gitops-gen" not in checked.stdout, (at, checked.stdout)
        again = render(run, smaller, out)
        assert again.exit_code == 0, (at, again.stderr)
        assert render(run, smaller, out, "--check").exit_code == 0, at
        assert leftovers(out) == [], at
        assert sorted(p.name for p in tmp_path.iterdir()) == ["repo", "smaller.yaml"]
        render(run, PLATFORM, out)


def test_a_second_render_into_a_busy_folder_exits_2_and_changes_nothing(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    out = tmp_path / "repo"
    smaller = smaller_platform(tmp_path)
    render(run, PLATFORM, out)
    first = paused_render(smaller, out)
    step(first, 5)  # mid-write
    second = gitops_gen("render", PLATFORM, "-o", out, "--kustomize", "never")
    assert second.returncode == 2
    assert f"{out}: in use by another gitops-gen render (process {first.pid})" in second.stderr
    _, stderr = first.communicate("\n" * 1000)
    assert first.returncode == 0, stderr
    assert render(run, smaller, out, "--check").exit_code == 0
    assert leftovers(out) == []


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_during_the_moves_finishes_them_and_exits_128_plus_signal(
    tmp_path: Path, run: Callable[..., Result], signum: int, code: int
) -> None:
    out = tmp_path / "repo"
    smaller = smaller_platform(tmp_path)
    render(run, PLATFORM, out)
    process = paused_render(smaller, out)
    step(process, 4)
    process.send_signal(signum)
    _, stderr = process.communicate("\n" * 1000)
    assert process.returncode == code
    assert "Traceback" not in stderr
    assert (
        stderr.splitlines()[-1] == f"gitops-gen: {'interrupted' if code == 130 else 'terminated'}"
    )
    assert render(run, smaller, out, "--check").exit_code == 0
    assert leftovers(out) == []


# --- property: whatever the output folder holds, nothing outside it changes ------------------

PARTS = st.sampled_from(["a", "b", "lnk", "..", ".", "", ".gitops-gen", "x.yaml", "/"])
RELATIVE = st.lists(PARTS, min_size=1, max_size=4).map("/".join)
FILES = {"a/x.yaml": "kind: A\n", "a/b/y.yaml": "kind: B\n", "README.md": "hi\n"}


@settings(max_examples=60, deadline=None)
@given(
    owned=st.one_of(
        st.dictionaries(RELATIVE, st.sampled_from(["VICTIM", "0" * 64, 3, None]), max_size=5),
        st.sampled_from([None, [], "x", 1]),
    ),
    links=st.lists(st.tuples(RELATIVE, st.sampled_from(["victim", "victim/f", "/", ".."]))),
    escaping=st.booleans(),
)
def test_no_owned_manifest_or_symlink_layout_reaches_outside_the_output(
    owned: Any, links: list[tuple[str, str]], escaping: bool
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        victim = write(root / "victim/f", "outside\n")
        out = root / "out"
        (out / ".gitops-gen").mkdir(parents=True)
        entries = owned
        if isinstance(owned, dict):
            entries = {k: digest(victim) if v == "VICTIM" else v for k, v in owned.items()}
            if escaping:
                entries.update({"../victim/f": digest(victim), str(victim): digest(victim)})
        (out / ".gitops-gen/owned.json").write_text(json.dumps({"files": entries}))
        for relative, target in links:
            link = out / relative
            with suppress(OSError):
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(root / target if target != "/" else Path("/"))
        before = snapshot(root / "victim"), sorted(p.name for p in root.iterdir())
        files = writer.with_owned(FILES)
        try:
            with writer.staging(out) as staged:
                writer.stage(staged, files)
                writer.commit(staged, out, files)
            assert writer.drift(out, files) == []
        except UserError:
            pass
        assert (snapshot(root / "victim"), sorted(p.name for p in root.iterdir())) == before


def test_a_commit_renames_folders_the_output_lacks_and_leaves_no_staging_behind(
    tmp_path: Path,
) -> None:
    out = tmp_path / "repo"
    notes = write(out / "apps/NOTES.md", "ours\n")
    files = writer.with_owned(
        {
            "README.md": "# repo\n",
            "apps/a/deployment.yaml": "kind: Deployment\n",
            "apps/b.yaml": "kind: Service\n",
            "clusters/c1/values/x.yaml": "x: 1\n",
            "clusters/c2/values/x.yaml": "x: 2\n",
        }
    )
    with writer.staging(out) as staged:
        writer.stage(staged, files)
        done = writer.commit(staged, out, files)
    assert done.written == len(files) - 1
    for relative, text in files.items():
        assert (out / relative).read_text() == text
    assert notes.read_text() == "ours\n"
    assert sorted(p.name for p in (out / writer.STATE).iterdir()) == ["owned.json"]
