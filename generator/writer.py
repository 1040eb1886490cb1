"""Writing the rendered tree: staged inside the output, then moved into place; only owned
files are touched, and nothing outside the output folder ever is.

`.gitops-gen/owned.json` lists every file gitops-gen wrote with its SHA-256, so a re-render
deletes exactly the generated files that are no longer produced (and only while their content
is still what was written), and `--check` can tell an edited generated file from a stale one.
Files not in the list are the user's.

The output folder usually comes from an untrusted branch: `owned.json` is validated like any
input, and a symlink on any path inside the output is refused, never followed or replaced.
Staging sits in `.gitops-gen/stage-*` so every move is a rename on one filesystem; a lock file
keeps a second render out; a journal written before the first move lets the next render repair
whatever a killed one left, and lets `--check` say so.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import __version__
from generator.errors import Location, Problem, UserError

STATE = ".gitops-gen"
OWNED = f"{STATE}/owned.json"
JOURNAL = f"{STATE}/journal.json"
LOCK = f"{STATE}/lock"
STAGE_PREFIX = "stage-"
# A manifest larger than this is not one gitops-gen wrote.
MAX_STATE_BYTES = 64 * 1024 * 1024
_HASH = re.compile(r"[0-9a-f]{64}")
_SYMLINK = "is a symlink; gitops-gen never follows or replaces symlinks inside its output"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def with_owned(files: Mapping[str, str]) -> dict[str, str]:
    """The files plus the owned-files manifest describing them."""
    return {**files, OWNED: _manifest({path: sha256(text) for path, text in files.items()})}


def _manifest(hashes: Mapping[str, str]) -> str:
    body = {"generator": f"gitops-gen {__version__}", "files": dict(sorted(hashes.items()))}
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


# --- guarded access ------------------------------------------------------------------------


@contextmanager
def _os_errors(action: str, path: Path) -> Iterator[None]:
    """Any OSError becomes a one-line UserError naming the path it happened on."""
    try:
        yield
    except OSError as exc:
        raise _os_error(action, path, exc) from None


def _os_error(action: str, path: Path, exc: OSError) -> UserError:
    where = exc.filename if isinstance(exc.filename, str) else str(path)
    reason = exc.strerror or str(exc)
    if exc.errno == errno.EXDEV:
        reason += " (part of the output is on another filesystem)"
    return UserError.at(Location(where), f"cannot {action}: {reason}")


def valid_relative(path: str) -> bool:
    """A path gitops-gen may own: relative, `/`-separated, no `.`/`..`, outside its state."""
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        return False
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    parts = path.split("/")
    return all(p not in ("", ".", "..") for p in parts) and parts[0] != STATE


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


@dataclass
class _Walker:
    """Inspects paths below the output without following a symlink; folders seen once."""

    out: Path
    folders: dict[str, os.stat_result | None] = field(default_factory=dict)

    def folder(self, relative: str) -> os.stat_result | None:
        if relative not in self.folders:
            with _os_errors("inspect", self.out / relative):
                self.folders[relative] = _lstat(self.out / relative)
        return self.folders[relative]

    def inspect(self, relative: str) -> tuple[os.stat_result | None, os.stat_result, list[Problem]]:
        """(the file's lstat or None, the nearest existing folder's, problems on the way)."""
        parts = relative.split("/")
        nearest = self.folder("")
        assert nearest is not None  # the caller made or checked the output folder
        for depth in range(1, len(parts)):
            prefix = "/".join(parts[:depth])
            found = self.folder(prefix)
            if found is None:
                return None, nearest, []
            if stat.S_ISLNK(found.st_mode):
                return None, nearest, [self.problem(prefix, _SYMLINK)]
            if not stat.S_ISDIR(found.st_mode):
                return None, nearest, [self.problem(prefix, "is a file where a folder must go")]
            nearest = found
        with _os_errors("inspect", self.out / relative):
            leaf = _lstat(self.out / relative)
        if leaf is not None and stat.S_ISLNK(leaf.st_mode):
            return None, nearest, [self.problem(relative, _SYMLINK)]
        return leaf, nearest, []

    def problem(self, relative: str, message: str) -> Problem:
        return Problem(Location(str(self.out / relative)), "", message)


def _read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file, opened without following a final symlink."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(path))
        return handle.read() if limit is None else handle.read(limit + 1)


def _file_hash(path: Path, info: os.stat_result | None) -> str | None:
    """SHA-256 of a regular file already checked by the walker; None for anything else."""
    if info is None or not stat.S_ISREG(info.st_mode):
        return None
    with _os_errors("read", path):
        return hashlib.sha256(_read_regular(path)).hexdigest()


# --- owned.json and the journal ------------------------------------------------------------


def _read_hashes(out: Path, relative: str, what: str) -> dict[str, str] | None:
    """A validated `{"files": {path: sha256}}` file of the state folder, None when absent."""
    path = out / relative
    state = _lstat(out / STATE)
    if state is not None and not stat.S_ISDIR(state.st_mode):
        raise UserError.at(Location(str(out / STATE)), f"must be a folder; it {_kind(state)}")
    info = _lstat(path)
    if info is None:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise UserError.at(Location(str(path)), f"{what} must be a plain file; it {_kind(info)}")
    with _os_errors("read", path):
        raw = _read_regular(path, MAX_STATE_BYTES)
    reason = _hashes_problem(raw)
    if reason is not None:
        raise UserError.at(
            Location(str(path)), f"{what} is malformed ({reason}); delete it and render again"
        )
    files: dict[str, str] = json.loads(raw)["files"]
    return files


def _kind(info: os.stat_result) -> str:
    return "is a symlink" if stat.S_ISLNK(info.st_mode) else "is not a regular file"


def _hashes_problem(raw: bytes) -> str | None:
    if len(raw) > MAX_STATE_BYTES:
        return "too large"
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "not JSON"
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return 'expected an object with a "files" object'
    for key, value in data["files"].items():
        if not valid_relative(key):
            return f"{json.dumps(key)} is not a relative path inside the output"
        if not isinstance(value, str) or not _HASH.fullmatch(value):
            return f"{json.dumps(key)} has no SHA-256"
    return None


def read_owned(out_dir: Path) -> dict[str, str]:
    """Owned files and their hashes, including those an interrupted render had moved in."""
    out = Path(os.path.abspath(out_dir))
    owned = _read_hashes(out, OWNED, "owned-files manifest") or {}
    journal = _read_hashes(out, JOURNAL, "render journal")
    if journal:
        walker = _Walker(out)
        for relative, digest in journal.items():
            leaf, _, problems = walker.inspect(relative)
            if not problems and _file_hash(out / relative, leaf) == digest:
                owned[relative] = digest
    return owned


def _write_state(out: Path, relative: str, text: str) -> None:
    target = out / relative
    interim = target.with_name(target.name + ".tmp")
    with _os_errors("write", target):
        with suppress(FileNotFoundError):
            os.unlink(interim)
        fd = os.open(interim, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(interim, target)


def _repair(out: Path) -> None:
    """Fold what a killed render left into owned.json, and remove its scratch."""
    if _lstat(out / JOURNAL) is not None:
        _write_state(out, OWNED, _manifest(read_owned(out)))
        with _os_errors("delete", out / JOURNAL):
            os.unlink(out / JOURNAL)
    with _os_errors("clean", out / STATE), os.scandir(out / STATE) as entries:
        for entry in entries:
            if not (entry.name.startswith(STAGE_PREFIX) or entry.name.endswith(".tmp")):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)


# --- staging and the lock ------------------------------------------------------------------


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Exclusive use of the output folder; a second render exits 2 instead of interleaving."""
    path = out / LOCK
    while True:
        with _os_errors("lock", path):
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise UserError.at(
                Location(str(out)),
                f"in use by another gitops-gen render (process {holder or 'unknown'}); "
                "wait for it to finish",
            ) from None
        # The holder before us unlinks the file as it leaves; lock the file now at the path.
        current = _lstat(path)
        if current is not None and current.st_ino == os.fstat(fd).st_ino:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        yield
    finally:
        with suppress(OSError):
            os.unlink(path)
        os.close(fd)


def _make_folder(path: Path, made: list[Path]) -> None:
    """Create `path` and missing parents, remembering which ones this run made."""
    missing = []
    probe = path
    while _lstat(probe) is None and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        with _os_errors("create folder", folder):
            os.mkdir(folder)
        made.append(folder)


def _output_root(out_dir: Path) -> Path:
    out = Path(os.path.abspath(out_dir))
    info = _lstat(out)
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise UserError.at(Location(str(out)), f"{_SYMLINK}; name the real folder with -o")
    if info is not None and not stat.S_ISDIR(info.st_mode):
        raise UserError.at(Location(str(out)), "is not a folder")
    return out


@contextmanager
def staging(out_dir: Path, *, check: bool = False) -> Iterator[Path]:
    """A scratch folder for the rendered tree.

    For a render it is `.gitops-gen/stage-*` inside the output, under the output's lock, after
    repairing what an interrupted render left; folders this run created are removed again if
    the render fails. `--check` writes nothing to the output and stages in the system's temp.
    """
    if check:
        folder = Path(tempfile.mkdtemp(prefix="gitops-gen-check-"))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    out = _output_root(out_dir)
    made: list[Path] = []
    try:
        _make_folder(out, made)
        state = _lstat(out / STATE)
        if state is not None and not stat.S_ISDIR(state.st_mode):
            raise UserError.at(Location(str(out / STATE)), f"must be a folder; it {_kind(state)}")
        _make_folder(out / STATE, made)
        with _locked(out):
            _repair(out)
            with _os_errors("create the staging folder in", out / STATE):
                folder = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=out / STATE))
            try:
                yield folder
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        for created in reversed(made):
            with suppress(OSError):
                created.rmdir()  # only while empty: a committed render keeps them


def stage(folder: Path, files: Mapping[str, str]) -> None:
    """Write `files` below `folder`, a staging folder only this render uses. Plain os calls:
    a fleet has tens of thousands of files, and path objects and file objects cost more per
    file than the writing."""
    made: set[str] = set()  # one mkdir per folder, not per file
    target = str(folder)
    try:
        for relative, text in files.items():
            target = f"{folder}/{relative}"
            parent = target.rpartition("/")[0]
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            # 0o666 less the umask, as open() creates files.
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
            try:
                data = memoryview(text.encode("utf-8"))
                while data:
                    data = data[os.write(fd, data) :]
            finally:
                os.close(fd)
    except OSError as exc:
        raise _os_error("write", Path(target), exc) from None


# --- check and commit ----------------------------------------------------------------------


def drift(out_dir: Path, files: Mapping[str, str]) -> list[str]:
    """What `--check` reports: generated files missing, stale or edited, owned files left over."""
    out = _output_root(out_dir)
    if _lstat(out) is None:
        return [f"{relative}: missing" for relative in sorted(files)]
    owned = read_owned(out)
    walker = _Walker(out)
    lines = []
    if _lstat(out / JOURNAL) is not None:
        lines.append(f"{JOURNAL}: a render is running or was interrupted; render again")
    problems = []
    for relative, text in sorted(files.items()):
        leaf, _, found = walker.inspect(relative)
        problems += found
        on_disk = _file_hash(out / relative, leaf)
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
        leaf, _, found = walker.inspect(relative)
        problems += found
        on_disk = _file_hash(out / relative, leaf)
        if on_disk == owned[relative]:
            lines.append(f"{relative}: stale (no longer generated)")
        elif on_disk is not None:
            lines.append(f"{relative}: no longer generated, edited by hand (a render keeps it)")
    if problems:
        raise UserError(problems)
    return lines


@dataclass
class Committed:
    written: int = 0
    deleted: int = 0
    kept: list[str] = field(default_factory=list)  # no longer generated, but edited: left alone


@dataclass
class _Plan:
    moves: list[str] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    owned: dict[str, str] = field(default_factory=dict)
    result: Committed = field(default_factory=Committed)


def _preflight(staged: Path, out: Path, files: Mapping[str, str]) -> _Plan:
    """Everything a commit will do, and every reason it cannot, before anything moves."""
    owned = read_owned(out)
    walker = _Walker(out)
    device = os.lstat(staged).st_dev
    mounts = _mounts_inside(out)
    staged_mount = _mount_of(STATE, mounts)
    plan = _Plan(owned={p: sha256(t) for p, t in files.items() if p != OWNED})
    problems: list[Problem] = []
    for relative in sorted(set(owned) - set(files)):
        leaf, _, found = walker.inspect(relative)
        problems += found
        on_disk = _file_hash(out / relative, leaf)
        if on_disk == owned[relative]:
            plan.deletes.append(relative)
        elif on_disk is not None:
            plan.result.kept.append(relative)
    for relative, digest in sorted(plan.owned.items()):
        leaf, nearest, found = walker.inspect(relative)
        if found and found[0].location.path in {str(out / d) for d in plan.deletes}:
            found = []  # a stale file where a folder must go: deleted before the moves
        problems += found
        if leaf is not None and stat.S_ISDIR(leaf.st_mode):
            problems.append(walker.problem(relative, "is a folder where a file must go"))
            continue
        on_disk = _file_hash(out / relative, leaf)
        if on_disk == digest:
            continue
        if on_disk is not None and relative not in owned:
            problems.append(
                walker.problem(
                    relative,
                    "a file gitops-gen did not write is in the way; move it and render again",
                )
            )
        elif nearest.st_dev != device or _mount_of(relative, mounts) != staged_mount:
            where = _mount_of(relative, mounts) or staged_mount or relative
            problems.append(
                walker.problem(
                    where,
                    "is a mount point inside the output; gitops-gen moves files by renaming "
                    "and cannot rename across it: mount the whole output folder instead",
                )
            )
        plan.moves.append(relative)
    if problems:
        raise UserError(problems)
    return plan


MOUNTINFO = Path("/proc/self/mountinfo")


def _mounts_inside(out: Path) -> list[str]:
    """Mount points strictly inside the output, relative to it, deepest first.

    A bind mount of the same filesystem keeps st_dev, yet rename(2) across it fails with
    EXDEV; only the kernel's mount table tells. Elsewhere than Linux, st_dev has to do.
    """
    try:
        lines = MOUNTINFO.read_text("utf-8", "surrogateescape").splitlines()
    except OSError:
        return []
    inside = []
    real = os.path.realpath(out)
    for line in lines:
        fields = line.split(" ")
        if len(fields) < 5:
            continue
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), fields[4])
        if point.startswith(real.rstrip("/") + "/"):
            inside.append(point[len(real.rstrip("/")) + 1 :])
    return sorted(inside, key=len, reverse=True)


def _mount_of(relative: str, mounts: list[str]) -> str:
    return next((m for m in mounts if relative == m or relative.startswith(m + "/")), "")


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Ctrl-C or SIGTERM during the moves take effect once they are done."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def commit(staged: Path, out_dir: Path, files: Mapping[str, str]) -> Committed:
    """Move staged files into place, delete stale owned ones still as written."""
    out = _output_root(out_dir)
    plan = _preflight(staged, out, files)
    with _signals_deferred():
        # From here until the journal is gone, a kill leaves a state the next render repairs.
        _write_state(out, JOURNAL, _manifest(plan.owned))
        for relative in plan.deletes:
            target = out / relative
            with _os_errors("delete", target):
                os.unlink(target)
                _prune_empty(target.parent, out)
            plan.result.deleted += 1
        folders: dict[str, str] = {}
        for relative in plan.moves:
            with _os_errors("write", out / relative):
                _move(staged, out, relative, folders)
            plan.result.written += 1
        with _os_errors("write", out / OWNED):
            os.replace(staged / OWNED, out / OWNED)
            os.unlink(out / JOURNAL)
    return plan.result


def _move(staged: Path, out: Path, relative: str, folders: dict[str, str]) -> None:
    """Rename the staged file into place, or else the first of its folders the output lacks,
    with everything in it (all of it is to be moved): a first render of a fleet then takes a
    few renames rather than one per file and folder, and leaves no staged folders to remove.
    `folders`: what each folder of the output is as the moves go, "absent", "present" or
    "moved" (renamed in with its files)."""
    parts = relative.split("/")
    for depth in range(1, len(parts)):
        folder = "/".join(parts[:depth])
        state = folders.get(folder)
        if state is None:
            state = folders[folder] = "absent" if _lstat(out / folder) is None else "present"
        if state == "moved":
            return
        if state == "absent":
            os.replace(staged / folder, out / folder)
            folders[folder] = "moved"
            return
    os.replace(staged / relative, out / relative)


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop:
        with os.scandir(folder) as entries:
            if next(entries, None) is not None:
                return
        folder.rmdir()
        folder = folder.parent
