"""The pre-commit shortcut: `render --check` answers from the last validated render's record.

A render that passed validation and wrote its files records, in `.gitops-gen/check.json`, a
digest of everything the output depends on (the catalogue's bytes, every blueprint folder's
files, gitops-gen's own code and data, the validators it used, the kustomize command) and the
hash of the owned-files manifest it wrote. When a later `--check` computes the same digest and
every owned file still has its recorded hash, a fresh render would produce the same files and
pass the same validation, so nothing is rendered. Any doubt (no record, an unreadable input,
a journal of an interrupted render) means a full render.

The record names machine-specific things (where kubectl lives), so it is kept out of git. The
output often comes from an untrusted branch, which could carry a forged record along with
forged files: the digest therefore includes the inode and change time of gitops-gen's installed
files and of the kustomize binary, which the install on this machine set and no commit can
predict, so a record only ever answers on the machine that wrote it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from generator import __version__
from generator.resources import shipped
from generator.writer import JOURNAL, MAX_STATE_BYTES, OWNED, STATE

RECORD = f"{STATE}/check.json"
IGNORE = f"{STATE}/.gitignore"
_PACKAGE = Path(__file__).resolve().parent
_VALIDATORS = ("kubernetes_validate", "jsonschema_rs")


@dataclass(frozen=True)
class Recorded:
    files: int
    warnings: tuple[str, ...]
    notes: tuple[str, ...]


def _tree(digest: hashlib._Hash, label: str, root: Path, *, content: bool = True) -> None:
    """Every regular file under root, by relative path and content (or, for gitops-gen's own
    code and data, which only an install or an edit changes, by their stat identity)."""
    digest.update(f"\0tree\0{label}\0{root.resolve()}\0".encode())
    if not root.is_dir():
        digest.update(b"\0absent")
        return
    for folder, dirs, names in sorted(os.walk(root)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            path = Path(folder) / name
            digest.update(f"\0{path.relative_to(root)}\0".encode())
            if content:
                digest.update(path.read_bytes())
            else:
                _stat_identity(digest, str(path))


def _stat_identity(digest: hashlib._Hash, path: str | None) -> None:
    """Where a program or module lives and which build it is, without running or importing it."""
    if path is None:
        digest.update(b"\0none")
        return
    real = os.path.realpath(path)
    info = os.stat(real)
    stamp = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
    digest.update(f"\0{real}\0{stamp}".encode())


def inputs_digest(
    catalogue: Path, blueprint_dirs: Sequence[Path], build_cmd: Sequence[str] | None
) -> str | None:
    """The digest of everything a render and its validation depend on; None if unreadable."""
    digest = hashlib.sha256(f"gitops-gen {__version__}".encode())
    try:
        digest.update(f"\0catalogue\0{catalogue.resolve()}\0".encode())
        digest.update(catalogue.read_bytes())
        for index, folder in enumerate(blueprint_dirs):
            _tree(digest, f"blueprints {index}", folder)
        _tree(digest, "built-in blueprints", shipped("blueprints"))
        _tree(digest, "schemas", shipped("schemas"), content=False)
        _tree(digest, "code", _PACKAGE, content=False)
        for module in _VALIDATORS:
            spec = find_spec(module)
            _stat_identity(digest, spec.origin if spec else None)
        digest.update(f"\0kustomize\0{build_cmd}".encode())
        _stat_identity(digest, shutil.which(build_cmd[0]) if build_cmd else None)
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


def _hash(root: str, relative: str) -> str | None:
    """The file's hash, unless a symlink anywhere on its way leads elsewhere."""
    path = os.path.join(root, relative)
    if os.path.realpath(path) != os.path.normpath(path):
        return None
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def _read_capped(path: Path) -> bytes:
    """A state file's bytes; a symlink or an oversized file is not one gitops-gen wrote."""
    with open(path, "rb", opener=lambda p, f: os.open(p, f | os.O_NOFOLLOW)) as handle:
        data = handle.read(MAX_STATE_BYTES + 1)
    if len(data) > MAX_STATE_BYTES:
        raise ValueError(path)
    return data


def answer(out_dir: Path, digest: str | None) -> Recorded | None:
    """What the last validated render recorded, if it still describes the output exactly."""
    # A journal is what a killed render leaves: the next render repairs it, so render.
    if digest is None or os.path.lexists(out_dir / JOURNAL):
        return None
    try:
        record = json.loads(_read_capped(out_dir / RECORD))
        owned_text = _read_capped(out_dir / OWNED)
        owned = json.loads(owned_text)["files"]
        if record["inputs"] != digest:
            return None
        if record["owned"] != hashlib.sha256(owned_text).hexdigest():
            return None
        files = dict(owned)
        recorded = Recorded(len(files), tuple(record["warnings"]), tuple(record["notes"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    root = os.path.realpath(out_dir)
    for relative, expected in files.items():
        if not isinstance(relative, str) or _hash(root, relative) != expected:
            return None
    return recorded


def write(
    out_dir: Path,
    digest: str | None,
    owned_text: str,
    warnings: Iterable[str],
    notes: Iterable[str],
) -> None:
    """Record a validated render whose files are now in place (best effort: it only saves time).

    `owned_text` is the manifest this render wrote, not what is on disk now: if another render
    has replaced it since, the record cannot match and the next check renders."""
    if digest is None:
        return
    try:
        body = {
            "inputs": digest,
            "owned": hashlib.sha256(owned_text.encode("utf-8")).hexdigest(),
            "warnings": list(warnings),
            "notes": list(notes),
        }
        if not os.path.lexists(out_dir / IGNORE):
            _create(out_dir / IGNORE, "check.json\n")
        interim = out_dir / f"{RECORD}.tmp"
        with suppress(FileNotFoundError):
            os.unlink(interim)
        _create(interim, json.dumps(body, indent=2, sort_keys=True) + "\n")
        os.replace(interim, out_dir / RECORD)
    except OSError:
        return


def _create(path: Path, text: str) -> None:
    """A new file, never through a symlink: the output's other files came from a branch."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
