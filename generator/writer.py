"""Writing the rendered tree: staged, then moved into place; only owned files are touched.

`.gitops-gen/owned.json` lists every file gitops-gen wrote with its SHA-256, so a re-render
deletes exactly the generated files that are no longer produced, and `--check` can tell an
edited generated file from a stale one. Files not in the list are the user's.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from generator import __version__
from generator.errors import Location, Problem, UserError

OWNED = ".gitops-gen/owned.json"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def with_owned(files: Mapping[str, str]) -> dict[str, str]:
    """The files plus the owned-files manifest describing them."""
    manifest = {
        "generator": f"gitops-gen {__version__}",
        "files": {path: sha256(text) for path, text in sorted(files.items())},
    }
    return {**files, OWNED: json.dumps(manifest, indent=2, sort_keys=True) + "\n"}


def read_owned(out_dir: Path) -> dict[str, str]:
    path = out_dir / OWNED
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
        files = data["files"]
    except (ValueError, KeyError, TypeError):
        raise UserError.at(
            Location(str(path)), "owned-files manifest is corrupt; delete it and render again"
        ) from None
    return {str(k): str(v) for k, v in files.items()}


def _disk_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


@contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """A scratch folder beside the output (same filesystem, so moves are atomic renames)."""
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.gitops-gen-", dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def stage(folder: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")


def drift(out_dir: Path, files: Mapping[str, str]) -> list[str]:
    """What `--check` reports: generated files missing, stale or edited, owned files left over."""
    owned = read_owned(out_dir)
    lines = []
    for relative, text in sorted(files.items()):
        on_disk = _disk_hash(out_dir / relative)
        if on_disk is None:
            lines.append(f"{relative}: missing")
        elif on_disk != sha256(text):
            if relative == OWNED:
                lines.append(f"{relative}: stale")
            elif relative not in owned:
                lines.append(f"{relative}: exists but was not written by gitops-gen")
            elif owned[relative] == on_disk:
                lines.append(f"{relative}: stale (the catalogue or blueprints changed)")
            else:
                lines.append(f"{relative}: edited by hand (generated files are overwritten)")
    for relative in sorted(set(owned) - set(files)):
        if (out_dir / relative).exists():
            lines.append(f"{relative}: stale (no longer generated)")
    return lines


def conflicts(out_dir: Path, files: Mapping[str, str]) -> list[Problem]:
    """Hand-written files a render would overwrite."""
    owned = read_owned(out_dir)
    found = []
    for relative, text in files.items():
        if relative in owned or relative == OWNED:
            continue
        on_disk = _disk_hash(out_dir / relative)
        if on_disk is not None and on_disk != sha256(text):
            found.append(
                Problem(
                    Location(str(out_dir / relative)),
                    "",
                    "a file gitops-gen did not write is in the way; move it and render again",
                )
            )
    return found


def commit(staged: Path, out_dir: Path, files: Mapping[str, str]) -> tuple[int, int]:
    """Move staged files into place, delete stale owned ones; returns (written, deleted)."""
    problems = conflicts(out_dir, files)
    if problems:
        raise UserError(problems)
    owned_before = read_owned(out_dir)
    # Until the final manifest lands, own both old and new files: an interrupted run must not
    # leave generated files that a later render mistakes for hand-written ones.
    interim = {**owned_before, **{p: sha256(t) for p, t in files.items() if p != OWNED}}
    _write_manifest(out_dir, interim)
    written = 0
    for relative in sorted(files):
        if relative == OWNED:
            continue
        target = out_dir / relative
        if _disk_hash(target) == sha256(files[relative]):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged / relative, target)
        written += 1
    deleted = 0
    for relative in sorted(set(owned_before) - set(files)):
        target = out_dir / relative
        if target.is_file():
            target.unlink()
            deleted += 1
            _prune_empty(target.parent, out_dir)
    os.replace(staged / OWNED, out_dir / OWNED)
    return written, deleted


def _write_manifest(out_dir: Path, hashes: Mapping[str, str]) -> None:
    target = out_dir / OWNED
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = {"generator": f"gitops-gen {__version__}", "files": dict(sorted(hashes.items()))}
    interim = target.with_suffix(".tmp")
    interim.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(interim, target)


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
