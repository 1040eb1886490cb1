"""A large lint on two cores: each process reads and lints about half of the files.

The child is forked before anything is read (forked after, it copies every page its reference
counting touches). Each process reads its share; at once they send each other the objects they
read (values and origins, not positions), so both hold the whole input, which the rules that
look across objects need; the parent then sends the objects of kustomize builds, which it runs.
Each lints only the objects it read (the parent also the builds), finding the lines of its own
findings in its own texts; the child hands back its finished findings. Joined in input order
(the files in order, then the builds), they are what one process finds: rules see the same
objects in the same order, and a report is sorted on output.

Whatever stops either process (a file it cannot read, a signal to the child), `Abandoned`
says to lint in one process instead, which reports the first error in the order of the files.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import select
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from generator.diagnostics import Diagnostic, Report
from generator.errors import Location
from generator.gcpause import keep_until_exit
from generator.lintinput import Input, InputProblem, Survey
from generator.manifests import Manifest, Origin
from generator.rules.base import Context

if TYPE_CHECKING:
    from generator.lint import Engine

# Below this much YAML a fork and the swap cost more than the second core saves.
MIN_BYTES = 1 << 20


class Abandoned(Exception):
    """The two processes did not finish: one process gives the answer, or the error where
    reading in order meets it first."""


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None  # reading it reports why


def worth(files: Sequence[Path]) -> bool:
    """Whether `files` are enough to lint in two processes, and there are two cores to use."""
    # Forking copies only the calling thread: another one could hold a lock the child needs.
    if sys.platform != "linux" or cores() < 2 or threading.active_count() > 1:
        return False
    total = 0
    for path in files:
        total += _size(path) or 0
        if total >= MIN_BYTES:
            return True
    return False


def shares(files: Sequence[Path]) -> list[bool]:
    """For each file, whether the child reads it: every file to the process with fewer bytes
    so far, so that both get files of every kind (a folder's files are often alike)."""
    mine = theirs = 0
    out = []
    for path in files:
        size = _size(path) or 0
        out.append(theirs < mine)
        if theirs < mine:
            theirs += size
        else:
            mine += size
    return out


MakeContext = Callable[[list[Manifest], Input], Context]
StartReport = Callable[["Engine", Input], Report]
# What reading gave, in the order of the files: per file, the objects, notes and problems.
Ends = list[tuple[int, int, int]]
# A file in the order of all files: whether the child read it, and its Ends in that process.
Place = tuple[bool, int, int, int]


def lint(survey: Survey, engine: Engine, start: StartReport, context: MakeContext) -> Report:
    """`survey` read and linted by this process and a child, as one process would."""
    by_child = shares(survey.files)
    from_child, to_parent = os.pipe()
    from_parent, to_child = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # out of processes or memory: one process will do
        for fd in (from_child, to_parent, from_parent, to_child):
            os.close(fd)
        raise Abandoned from None
    if pid == 0:
        os.close(from_child)
        os.close(to_child)
        _child(survey, by_child, engine, context, os.fdopen(to_parent, "wb"),
               os.fdopen(from_parent, "rb"))  # fmt: skip
    os.close(to_parent)
    os.close(from_parent)
    finished = False
    try:
        with os.fdopen(from_child, "rb") as receive, os.fdopen(to_child, "wb") as send:
            report = _parent(survey, by_child, engine, start, context, receive, send)
        finished = True
        return report
    finally:
        if not finished:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _read(survey: Survey, files: Sequence[Path]) -> Ends:
    out = survey.reader.out
    ends = []
    for path in files:
        survey.read_files([path])
        ends.append((len(out.objects), len(out.notes), len(out.problems)))
    return ends


def _order(by_child: list[bool], ends: dict[bool, Ends]) -> Iterator[Place]:
    """For each file in order: which process read it, and where its objects, notes and
    problems end in that process's lists (given `ends` per process, in its reading order)."""
    remaining = {child: iter(found) for child, found in ends.items()}
    for child in by_child:
        yield child, *next(remaining[child])


def _objects(read: dict[bool, list[Manifest]], order: Iterable[Place]) -> list[Manifest]:
    """Both processes' objects read, in the order of the files."""
    out: list[Manifest] = []
    start = {False: 0, True: 0}
    for child, end, _, _ in order:
        out += read[child][start[child] : end]
        start[child] = end
    return out


def _parent(
    survey: Survey,
    by_child: list[bool],
    engine: Engine,
    start: StartReport,
    context: MakeContext,
    receive: BinaryIO,
    send: BinaryIO,
) -> Report:
    own = survey.reader.out
    walked = len(own.notes)
    mine = [path for path, child in zip(survey.files, by_child, strict=True) if not child]
    try:
        my_ends = _read(survey, mine)
    except Exception:
        raise Abandoned from None  # the child's files may hold an earlier error
    portable, notes, raw, files, child_ends = _swap(
        send, receive, ([_portable(o) for o in own.objects], my_ends)
    )
    read = {
        False: (own.objects, own.notes, own.problems),
        True: (
            [_manifest(o) for o in portable],
            notes,
            [InputProblem(code, Location(*where), message) for code, where, message in raw],
        ),
    }
    # Everything in the order of the files, and which process read each object.
    order = list(_order(by_child, {False: my_ends, True: child_ends}))
    merged = Input(notes=own.notes[:walked], duplicate_keys=own.duplicate_keys,
                   directories=own.directories, files=own.files + files)  # fmt: skip
    merged.objects = _objects({child: objects for child, (objects, _, _) in read.items()}, order)
    owners: list[bool] = []
    done = {False: (0, walked, 0), True: (0, 0, 0)}
    for child, o_end, n_end, p_end in order:
        o, n, p = done[child]
        _, texts, problems = read[child]
        merged.notes += texts[n:n_end]
        merged.problems += problems[p:p_end]
        owners += [child] * (o_end - o)
        done[child] = (o_end, n_end, p_end)
    o, n, p = done[False]
    survey.build()
    built = own.objects[o:]
    merged.objects += built
    merged.notes += own.notes[n:]
    merged.problems += own.problems[p:]
    owners += [False] * len(built)
    _dump(send, [_portable(obj) for obj in built])
    report = start(engine, merged)
    ours = iter(
        _lint_own(
            engine,
            [obj for obj, child in zip(merged.objects, owners, strict=True) if not child],
            context(merged.objects, merged),
            report,
        )
    )
    keep_until_exit(survey, merged, read, portable)
    found, suppressed = _load(receive)
    theirs = iter(found)
    seen: set[Diagnostic] = set()
    for child in owners:
        for finding, once in _diagnostics(engine, next(theirs)) if child else next(ours):
            if once:
                # One hash instead of two (`in`, then `add`): thousands of findings pass here.
                size = len(seen)
                seen.add(finding)
                if len(seen) == size:
                    continue
            report.findings.append(finding)
    report.suppressed += suppressed
    report.objects += len(owners)
    return report


def _lint_own(
    engine: Engine, objects: Sequence[Manifest], ctx: Context, tally: Report
) -> list[list[tuple[Diagnostic, bool]]]:
    """The findings on each object, each with whether a rule found it (one finding of several
    objects is said once); suppressions are counted in `tally`."""
    report = Report()
    seen: set[Diagnostic] = set()
    ends: list[int] = []
    engine.run(objects, ctx, report, seen, ends)
    out = []
    for start, end in zip([0, *ends], ends, strict=False):
        out.append([(f, f in seen) for f in report.findings[start:end]])
    tally.suppressed += report.suppressed
    return out


def _child(
    survey: Survey,
    by_child: list[bool],
    engine: Engine,
    context: MakeContext,
    send: BinaryIO,
    receive: BinaryIO,
) -> None:
    """Read and lint the child's files, send what the parent needs, and end without returning."""
    code = 1
    try:
        # The parent reports Ctrl-C and termination; this process just ends with it.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        survey.reader.out = own = Input()
        theirs = [path for path, child in zip(survey.files, by_child, strict=True) if child]
        ends = _read(survey, theirs)
        problems = [(p.code, _where(p.location), p.message) for p in own.problems]
        objects = [_portable(o) for o in own.objects]
        _dump(send, (objects, own.notes, problems, own.files, ends))
        portable, parent_ends = _load(receive)
        read = {False: [_manifest(o) for o in portable], True: own.objects}
        everything = _objects(read, _order(by_child, {False: parent_ends, True: ends}))
        everything += [_manifest(o) for o in _load(receive)]
        tally = Report()
        found = _lint_own(engine, own.objects, context(everything, own), tally)
        _dump(send, ([[(*_fields(f), once) for f, once in one] for one in found], tally.suppressed))
        code = 0
    finally:
        os._exit(code)


def _where(location: Location) -> tuple[str, int, int]:
    return (location.path, location.line, location.col)


def _portable(obj: Manifest) -> tuple[Any, ...]:
    """What the other process needs of an object: its value and origin (lint objects have
    no Kubernetes minors; positions stay where the text is)."""
    return (obj.body, *_where(obj.origin.location), obj.origin.via)


def _manifest(portable: Sequence[Any]) -> Manifest:
    body, path, line, col, via = portable
    return Manifest(body, Origin(Location(path, line, col), via))


def _fields(found: Diagnostic) -> tuple[Any, ...]:
    where = found.location
    return (found.rule.code, found.severity, found.message, where.path, where.line, where.col,
            found.kind, found.namespace, found.name)  # fmt: skip


def _diagnostics(
    engine: Engine, found: Iterable[Sequence[Any]]
) -> Iterator[tuple[Diagnostic, bool]]:
    """The child's findings on one object, from their `_fields` and whether a rule found them."""
    infos = engine.infos
    for code, severity, message, path, line, col, kind, namespace, name, once in found:
        where = Location(path, line, col)
        yield Diagnostic(infos[code], severity, message, where, kind, namespace, name), once


def _framed(value: Any) -> bytes:
    """Length, format and bytes of `value`: marshal where it can (ten times faster than
    pickle), pickle for values marshal does not know."""
    try:
        data, form = marshal.dumps(value), b"m"
    except ValueError:
        import pickle  # rarely needed, and slow to import

        data, form = pickle.dumps(value, pickle.HIGHEST_PROTOCOL), b"p"
    return len(data).to_bytes(8, "little") + form + data


def _unframed(form: bytes, data: bytes | memoryview) -> Any:
    if form == b"m":
        return marshal.loads(data)
    import pickle

    return pickle.loads(data)


def _dump(stream: BinaryIO, value: Any) -> None:
    try:
        stream.write(_framed(value))
        stream.flush()
    except BrokenPipeError:
        # Closed now, the stream cannot fail again where it would be closed with unsent bytes.
        with contextlib.suppress(OSError):
            stream.close()
        raise Abandoned from None


def _load(stream: BinaryIO) -> Any:
    head = stream.read(9)
    if len(head) < 9:
        raise Abandoned
    size = int.from_bytes(head[:8], "little")
    data = stream.read(size)
    if len(data) < size:
        raise Abandoned
    return _unframed(head[8:], data)


def _swap(send: BinaryIO, receive: BinaryIO, value: Any) -> Any:
    """Send `value` while receiving what the other process sends at the same time: a pipe holds
    too little for either to finish writing before the other reads, so this process writes
    what the pipe takes and reads what has come, in turns, until both are done. The first
    message either way: nothing is buffered in the streams yet."""
    out = memoryview(_framed(value))
    write, read = send.fileno(), receive.fileno()
    got = bytearray()
    need = 9  # the length and format first, then the rest
    os.set_blocking(write, False)
    try:
        while out or len(got) < need:
            readable, writable, _ = select.select(
                [read] if len(got) < need else [], [write] if out else [], []
            )
            if writable:
                try:
                    out = out[os.write(write, out) :]
                except BlockingIOError:
                    pass  # nothing fitted after all: wait for room again
                except BrokenPipeError:
                    raise Abandoned from None
            if readable:
                chunk = os.read(read, need - len(got))
                if not chunk:
                    raise Abandoned
                got += chunk
                if need == 9 and len(got) == 9:
                    need += int.from_bytes(got[:8], "little")
    finally:
        os.set_blocking(write, True)
    return _unframed(bytes(got[8:9]), memoryview(got)[9:])
