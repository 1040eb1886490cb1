"""What `lint` reads: files and directories, kustomize overlays built with the real kustomize.

Bases are linted through the overlays that use them, never on their own (linting raw bases is
the classic source of false positives). Helm charts and YAML that is not Kubernetes are
skipped with a note. Built objects point back at the source file and line they came from.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import kustomize
from generator.docpaths import DocPath
from generator.documents import Document, load_documents
from generator.errors import Location, UserError
from generator.manifests import Manifest, Origin

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_YAML = (".yaml", ".yml", ".json")
# A file this large is a data dump, not a manifest someone reviews; refuse rather than stall.
_MAX_BYTES = 16 * 1024 * 1024
_PATH_LISTS = ("resources", "bases", "components", "crds", "transformers", "generators")
# kubectl prefixes its errors with a klog header: `E1122 03:43:18.41 18308 run.go:72] "…" err=`.
_KLOG = re.compile(r'^[EWI]\d{4} [\d:.]+\s+\d+ \S+\] "command failed" err=')
_REMOTE_PREFIXES = ("github.com/", "gitlab.com/", "bitbucket.org/", "git@", "ssh://")


@dataclass(frozen=True)
class InputProblem:
    """A finding of the input stage: its rule code, where, and what."""

    code: str
    location: Location
    message: str


@dataclass
class Input:
    objects: list[Manifest] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    duplicate_keys: dict[int, list[DocPath]] = field(default_factory=dict)
    directories: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    files: int = 0


def is_remote(ref: str) -> bool:
    return "://" in ref or ref.startswith(_REMOTE_PREFIXES)


def kustomization_file(directory: Path) -> Path | None:
    for name in KUSTOMIZATION_FILES:
        if (directory / name).is_file():
            return directory / name
    return None


def kustomization_refs(body: dict[str, Any]) -> Iterator[tuple[DocPath, str]]:
    """(field path, reference) of every file or directory a kustomization names."""
    for key in _PATH_LISTS:
        items = body.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, str):
                yield (key, index), item
    for key in ("patchesStrategicMerge",):
        items = body.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, str) and "\n" not in item and not item.lstrip().startswith("{"):
                yield (key, index), item
    for key in ("patches", "patchesJson6902", "replacements"):
        items = body.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("path"), str):
                yield (key, index, "path"), item["path"]
    for key in ("configMapGenerator", "secretGenerator"):
        items = body.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue
            for sub in ("files", "envs"):
                for n, ref in enumerate(item.get(sub) or []):
                    if isinstance(ref, str):
                        yield (key, index, sub, n), ref.rpartition("=")[2]
            if isinstance(item.get("env"), str):
                yield (key, index, "env"), item["env"]


class _Reader:
    def __init__(self, ignored: Iterable[str]) -> None:
        self.ignored = tuple(ignored)
        self.out = Input()
        self.seen: set[Path] = set()

    def ignored_path(self, path: Path) -> bool:
        text = path.as_posix()
        return any(
            fnmatch.fnmatch(text, pattern) or fnmatch.fnmatch(text, f"*/{pattern}")
            for pattern in self.ignored
        )

    def documents(self, path: Path) -> list[Document] | None:
        display = str(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UserError.at(Location(display), f"cannot read: {exc.strerror}") from None
        if len(raw) > _MAX_BYTES:
            raise UserError.at(Location(display), f"file is larger than {_MAX_BYTES} bytes")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.out.problems.append(
                InputProblem("GG100", Location(display, 1, 1), f"not UTF-8 (byte {exc.start})")
            )
            return None
        self.out.files += 1
        docs, error = load_documents(text, display)
        if error is not None:
            if "{{" in text:
                self.out.notes.append(f"{display}: skipped: a template, not YAML")
                return None
            self.out.problems.append(InputProblem("GG100", error.location, error.message))
        return docs

    def add_file(self, path: Path) -> None:
        if path in self.seen:
            return
        self.seen.add(path)
        docs = self.documents(path)
        if docs is None:
            return
        if path.name in KUSTOMIZATION_FILES:
            for doc in docs:
                if isinstance(doc.body, dict):
                    body = {"apiVersion": "kustomize.config.k8s.io/v1beta1"}
                    body.update({"kind": "Kustomization", **doc.body})
                    self.add_object(body, doc, str(path))
                    self.out.directories[id(self.out.objects[-1])] = str(path.parent)
            return
        kube = [d for d in docs if _is_object(d.body)]
        if docs and not kube and any(d.body is not None for d in docs):
            self.out.notes.append(f"{path}: skipped: not Kubernetes YAML (no apiVersion or kind)")
        for doc in kube:
            self.add_object(doc.body, doc, str(path))

    def add_object(self, body: dict[str, Any], doc: Document, display: str) -> None:
        if body.get("kind") == "List" and isinstance(body.get("items"), list):
            for item in body["items"]:
                if isinstance(item, dict):
                    self.out.objects.append(
                        Manifest(item, Origin(Location(display, doc.line, 1)), (), doc.positions)
                    )
            return
        manifest = Manifest(body, Origin(Location(display, doc.line, 1)), (), doc.positions)
        self.out.objects.append(manifest)
        if doc.duplicates:
            self.out.duplicate_keys[id(manifest)] = [p for p, _ in doc.duplicates]


def _is_object(body: Any) -> bool:
    return isinstance(body, dict) and ("kind" in body or "apiVersion" in body)


def _local_refs(directory: Path) -> tuple[set[Path], list[str]]:
    """Files and directories an overlay pulls in, transitively, and its remote references."""
    covered: set[Path] = set()
    remote: list[str] = []
    stack = [directory.resolve()]
    visited: set[Path] = set()
    while stack:
        current = stack.pop()
        if current in visited:
            continue
        visited.add(current)
        found = kustomization_file(current)
        if found is None:
            continue
        covered.add(found)
        docs, _ = load_documents(found.read_text("utf-8", errors="replace"), str(found))
        body = docs[0].body if docs and isinstance(docs[0].body, dict) else {}
        if body.get("helmCharts"):
            # Inflating charts means fetching them: as remote as a remote base.
            remote.append(f"helmCharts in {found}")
        for _, ref in kustomization_refs(body):
            if is_remote(ref):
                remote.append(ref)
                continue
            target = (current / ref).resolve()
            if target.is_dir():
                covered.add(target)
                stack.append(target)
            elif target.exists():
                covered.add(target)
    return covered, remote


def _walk(root: Path, reader: _Reader) -> tuple[list[Path], list[Path]]:
    """YAML files and kustomization directories under `root`; Helm charts noted and skipped."""
    files: list[Path] = []
    overlays: list[Path] = []
    for current, dirs, names in os.walk(root):
        here = Path(current)
        # Dot folders hold tool state (.git, .gitops-gen), not manifests.
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not reader.ignored_path(here / d)
        )
        if "Chart.yaml" in names:
            reader.out.notes.append(f"{here}: skipped: a Helm chart (lint its rendered output)")
            dirs[:] = []
            continue
        if any(n in KUSTOMIZATION_FILES for n in names):
            overlays.append(here)
        for name in sorted(names):
            path = here / name
            wanted = name.endswith(_YAML) or name in KUSTOMIZATION_FILES
            if wanted and not reader.ignored_path(path):
                files.append(path)
    return files, overlays


@dataclass
class Survey:
    """What `read` reads, found before anything is parsed: the files in order and the
    overlays to build. Reading them in parts (one per process) and joining the parts in
    order gives what reading them at once gives."""

    reader: _Reader
    files: list[Path]
    tops: list[Path]
    covered: dict[Path, set[Path]]
    remote: dict[Path, list[str]]
    build_cmd: list[str] | None

    def read_files(self, files: Iterable[Path]) -> None:
        for path in files:
            self.reader.add_file(path)

    def build(self) -> None:
        _build(self.reader, self.tops, self.covered, self.remote, self.build_cmd)


def survey(paths: Iterable[Path], build_cmd: list[str] | None, ignored: Iterable[str]) -> Survey:
    """The files and overlays under `paths`, with the notes walking them produced."""
    reader = _Reader(ignored)
    files: list[Path] = []
    overlays: list[Path] = []
    for path in paths:
        if not path.exists():
            raise UserError.at(Location(str(path)), "no such file or directory")
        if path.is_dir():
            if not os.access(path, os.R_OK | os.X_OK):
                raise UserError.at(Location(str(path)), "cannot read directory")
            found_files, found_overlays = _walk(path, reader)
            files += found_files
            overlays += found_overlays
        else:
            files.append(path)
    covered: dict[Path, set[Path]] = {}
    remote: dict[Path, list[str]] = {}
    for overlay in overlays:
        covered[overlay], remote[overlay] = _local_refs(overlay)
    roots = {o: o.resolve() for o in overlays}
    used_as_base = {p for o in overlays for p in covered[o] if p != roots[o]}
    tops = [o for o in overlays if o.resolve() not in used_as_base]
    all_covered = {p for o in tops for p in covered[o]}
    wanted: dict[Path, None] = {}  # a file named twice is read once, where first named
    for path in files:
        in_overlay = False
        if all_covered:  # resolving every file of a large folder costs a blink of its own
            resolved = path.resolve()
            in_overlay = resolved in all_covered or any(
                parent in all_covered for parent in resolved.parents
            )
        if path.name in KUSTOMIZATION_FILES or not in_overlay:
            wanted.setdefault(path)
    return Survey(reader, list(wanted), tops, covered, remote, build_cmd)


def read(paths: Iterable[Path], build_cmd: list[str] | None, ignored: Iterable[str]) -> Input:
    """Every object to lint, with the findings reading them produced."""
    found = survey(paths, build_cmd, ignored)
    found.read_files(found.files)
    found.build()
    return found.reader.out


def _build(
    reader: _Reader,
    tops: list[Path],
    covered: dict[Path, set[Path]],
    remote: dict[Path, list[str]],
    build_cmd: list[str] | None,
) -> None:
    buildable = []
    for overlay in tops:
        if remote[overlay]:
            reader.out.notes.append(
                f"{overlay}: not built: needs remote resources ({remote[overlay][0]}); "
                "gitops-gen never opens a network connection"
            )
        else:
            buildable.append(overlay)
    if not buildable:
        return
    if build_cmd is None:
        reader.out.notes.append("kustomize overlays not built: no kustomize or kubectl on PATH")
        return
    cmd = [*build_cmd, "--load-restrictor", "LoadRestrictionsNone"]
    builds = kustomize.build_all(cmd, Path("."), [str(o) for o in buildable])
    for overlay in buildable:
        result = builds[str(overlay)]
        target = kustomization_file(overlay) or overlay
        if result.error is not None:
            reader.out.problems.append(
                InputProblem(
                    "GG410",
                    Location(str(target), 1, 1),
                    f"kustomize build failed: {_KLOG.sub('', result.error)}",
                )
            )
            continue
        index = _source_index(covered[overlay])
        for body in result.objects:
            if isinstance(body, dict):
                reader.out.objects.append(
                    _traced(body, index, Location(str(target), 1, 1), f"kustomize build {overlay}")
                )


def _source_index(covered: set[Path]) -> dict[str, list[tuple[str, Document]]]:
    """Source documents by kind among the files an overlay pulls in."""
    index: dict[str, list[tuple[str, Document]]] = {}
    sources: set[Path] = set()
    for path in covered:
        if path.is_dir():
            sources.update(p for p in path.glob("*.y*ml") if p.name not in KUSTOMIZATION_FILES)
        elif path.suffix in _YAML and path.name not in KUSTOMIZATION_FILES:
            sources.add(path)
    for path in sorted(sources):
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        docs, _ = load_documents(text, _display(path))
        for doc in docs:
            if isinstance(doc.body, dict):
                index.setdefault(str(doc.body.get("kind")), []).append((_display(path), doc))
    return index


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _traced(
    body: dict[str, Any],
    index: dict[str, list[tuple[str, Document]]],
    fallback: Location,
    via: str,
) -> Manifest:
    """A built object, pointing at the source document it most likely came from."""
    meta: Any = body.get("metadata")
    name = str(meta.get("name", "")) if isinstance(meta, dict) else ""
    best: tuple[int, str, Document] | None = None
    for display, doc in index.get(str(body.get("kind")), []):
        source_meta = doc.body.get("metadata")
        source = str(source_meta.get("name", "")) if isinstance(source_meta, dict) else ""
        if source and source in name:
            score = 1000 if source == name else len(source)
            if best is None or score > best[0]:
                best = (score, display, doc)
    if best is None:
        return Manifest(body, Origin(fallback, via))
    _, display, doc = best
    return Manifest(body, Origin(Location(display, doc.line, 1), via), (), doc.positions)
