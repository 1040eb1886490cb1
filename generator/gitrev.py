"""The catalogue and blueprint folders as they are at a git revision, or in the work tree.

Revisions are read object by object through gitpython: nothing is checked out, and the user's
work tree, index, HEAD, stash and worktree list stay as they are. Symbolic links are never
followed, in git or on disk: the branch being read may come from someone who is not trusted.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

import git

from generator.errors import Location, UserError

_LINK_MODE = 0o120000


def open_repo(start: Path) -> git.Repo:
    try:
        return git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UserError.at(
            Location(str(start)), "not inside a git repository (use --repo)"
        ) from None


def relative_to_repo(repo: git.Repo, path: Path) -> str:
    """`path` as a POSIX path inside the repository's work tree."""
    top = Path(repo.working_tree_dir or ".").resolve()
    try:
        return PurePosixPath(path.resolve().relative_to(top)).as_posix()
    except ValueError:
        raise UserError.at(Location(str(path)), f"is outside the git repository {top}") from None


def files_at(repo: git.Repo, revision: str, paths: Iterable[str]) -> dict[str, bytes]:
    """The files under `paths` (files or folders, relative to the repository) at `revision`."""
    try:
        tree = repo.commit(revision).tree
    except (git.BadName, git.BadObject, ValueError):
        raise UserError.at(Location(revision), "no such git revision") from None
    out: dict[str, bytes] = {}
    for wanted in paths:
        where = Location(f"{revision}:{wanted}")
        try:
            item = tree / wanted if wanted not in ("", ".") else tree
        except KeyError:
            raise UserError.at(where, "does not exist at this revision") from None
        if item.mode == _LINK_MODE:
            raise UserError.at(where, "is a symbolic link; gitops-gen does not follow links")
        if item.type == "blob":
            out[wanted] = item.data_stream.read()
            continue
        for entry in item.traverse():
            assert isinstance(entry, git.Blob | git.Tree | git.Submodule)
            if entry.mode == _LINK_MODE:
                raise UserError.at(
                    Location(f"{revision}:{entry.path}"),
                    "is a symbolic link; gitops-gen does not follow links",
                )
            if entry.type == "blob":
                out[str(entry.path)] = entry.data_stream.read()
    return out


def files_on_disk(top: Path, paths: Iterable[str]) -> dict[str, bytes]:
    """The same, from the work tree as it is (uncommitted changes included)."""
    out: dict[str, bytes] = {}
    for wanted in paths:
        for relative, full in _walk(top, PurePosixPath(wanted)):
            out[relative] = full.read_bytes()
    return out


def _walk(top: Path, relative: PurePosixPath) -> Iterator[tuple[str, Path]]:
    full = top / relative
    try:
        mode = os.lstat(full).st_mode
    except OSError as exc:
        raise UserError.at(Location(str(full)), exc.strerror or "cannot be read") from None
    if stat.S_ISLNK(mode):
        raise UserError.at(
            Location(str(full)), "is a symbolic link; gitops-gen does not follow links"
        )
    if stat.S_ISREG(mode):
        yield relative.as_posix(), full
    elif stat.S_ISDIR(mode):
        for child in sorted(os.listdir(full)):
            if child != ".git":
                yield from _walk(top, relative / child)


def materialise(files: dict[str, bytes], folder: Path) -> None:
    """Write `files` below `folder` (a fresh scratch folder); paths were read from git or disk
    relative to one root, so none climbs out, but check rather than trust."""
    for relative, content in files.items():
        parts = PurePosixPath(relative).parts
        if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
            raise UserError.at(Location(relative), "path leaves the repository")
        target = folder.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
