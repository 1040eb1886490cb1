"""Builds with the real kustomize: `kubectl kustomize` or `kustomize build`, in parallel.

The kustomizations whose output is certain (local files, JSON 6902 patches, names and
namespaces: see kustlocal) are built without starting kubectl. Anything else (strategic-merge
patches, generators, remote bases, a file kustomize would refuse or read otherwise) goes to the
real kustomize, which also names every error.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import Location, UserError
from generator.gcpause import no_cycle_collection

# The builders are imported by the functions that build: lint and `render --check` import
# this module to find the command, and most of their inputs have nothing to build.
if TYPE_CHECKING:
    from generator import kustlocal

MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class Build:
    """A kustomization's objects, in kustomize's order, or the error it names. The objects may
    be shared with other builds and with the documents given to `build_all`: read only."""

    directory: str
    objects: tuple[dict[str, Any], ...]
    error: str | None


def command() -> list[str] | None:
    """The kustomize on PATH, preferring a standalone binary; None when there is none."""
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


def resolve(mode: str) -> list[str] | None:
    """The build command for `--kustomize MODE`, or None to skip builds."""
    if mode == "never":
        return None
    found = command()
    if found is None and mode == "always":
        raise UserError.at(
            Location("--kustomize"),
            "--kustomize always: neither 'kustomize' nor 'kubectl' is on PATH",
        )
    return found


def _build_here(
    root: Path,
    directory: str,
    memo: dict[Path, list[kustlocal.Res]],
    files: kustlocal.Files | None = None,
) -> Build | None:
    """The build without kustomize, when its result is certain; None otherwise."""
    from generator import kustlocal

    try:
        found = kustlocal.build(
            Path(os.path.realpath(root / directory)),
            memo,
            frozenset(),
            kustlocal.DISK if files is None else files,
        )
    except (kustlocal.NotLocal, OSError):
        return None
    return Build(directory, tuple(sorted((r.body for r in found), key=kustlocal.legacy_key)), None)


def _build_one(cmd: list[str], root: Path, directory: str) -> Build:
    import subprocess

    from generator.yamlio import load_all_plain

    result = subprocess.run(
        [*cmd, str(root / directory)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()
        return Build(directory, (), message[-1] if message else f"exit {result.returncode}")
    docs = tuple(doc for doc in load_all_plain(result.stdout) if doc)
    return Build(directory, docs, None)


@no_cycle_collection()
def build_all(
    cmd: list[str],
    root: Path,
    directories: Iterable[str],
    parsed: Mapping[str, Sequence[Any]] | None = None,
) -> dict[str, Build]:
    """Every kustomization under `root` built. `parsed`: for files under `root` whose objects
    the caller holds (relative path → the objects whose `yamlio.dump_all` is the file's text),
    those objects, which spares reading the text again."""
    from generator import kustlocal

    real = Path(os.path.realpath(root))
    files = kustlocal.Files({real / path: docs for path, docs in (parsed or {}).items()})
    memo: dict[Path, list[kustlocal.Res]] = {}
    done: dict[str, Build] = {}
    rest = []
    for directory in sorted(directories):
        here = _build_here(root, directory, memo, files)
        if here is None:
            rest.append(directory)
        else:
            done[directory] = here
    if not rest:
        return dict(sorted(done.items()))
    # Imported here: threads and their logging cost every lint start, and few builds need them.
    from concurrent.futures import ThreadPoolExecutor

    workers = max(2, min(8, (os.cpu_count() or 2) * 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done.update((b.directory, b) for b in pool.map(lambda d: _build_one(cmd, root, d), rest))
    return dict(sorted(done.items()))
