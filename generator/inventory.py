"""What each cluster gets from a rendered repository: the objects ArgoCD would apply, by cluster.

From `bootstrap/root.yaml`, every Application's git path is built with kustomize and its objects
are attributed to that Application's destination cluster; child Applications are followed the
same way. Helm-sourced Applications stay what they are in git (the values are the change).
Directories whose inputs are byte-identical are built once, however often they are reached and
on whichever side of a diff they appear. ApplicationSets are expanded into the Applications
Argo CD would generate over the cluster Secrets the tree registers (generator/appsets.py), and
those are followed like the others.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar, NamedTuple

import yaml

from generator import appsets, kustomize
from generator.errors import Location, UserError
from generator.yamlio import load_all_plain

ROOT = "bootstrap/root.yaml"
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# Kustomization fields that name other files or folders the build reads.
_REFERENCES = ("resources", "bases", "components", "patchesStrategicMerge", "crds")


class Key(NamedTuple):
    """An object's identity across revisions: the API group, not its version, so that a version
    bump shows as a change rather than a removal and an addition. A tuple: the bootstrap proof
    hashes keys millions of times at a thousand clusters, which a dataclass does in Python."""

    cluster: str
    group: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        parts = [self.kind, self.namespace, self.name]
        return "/".join(p for p in parts if p)


def key_of(cluster: str, obj: Mapping[str, Any]) -> Key:
    api_version = str(obj.get("apiVersion", ""))
    meta = obj.get("metadata") or {}
    return Key(
        cluster,
        api_version.rpartition("/")[0] if "/" in api_version else "",
        str(obj.get("kind", "")),
        str(meta.get("namespace") or ""),
        str(meta.get("name", "")),
    )


@dataclass
class Source:
    """A repository's files (relative POSIX path → bytes) and a folder holding them on disk."""

    files: Mapping[str, bytes]
    root: Path
    # Builds of its folders already run on `root` (render's own check runs them all): taken as
    # they are, without digesting their inputs.
    built: Mapping[str, kustomize.Build] = field(default_factory=dict)


@dataclass
class Inventory:
    """The objects each cluster gets, and the paths that did not build."""

    objects: dict[Key, dict[str, Any]]
    errors: list[str]
    source: Source | None = None
    # (cluster, path) → input digest of paths not built yet (see `collect(defer_leaves=…)`).
    leaves: dict[tuple[str, str], str] = field(default_factory=dict)
    # Object → the Application that deploys it; objects of the root file have none.
    parents: dict[Key, Key] = field(default_factory=dict)
    # Application an ApplicationSet generates → (that ApplicationSet, the cluster it is for).
    generated: dict[Key, tuple[Key, str]] = field(default_factory=dict)


@dataclass
class BuildCache:
    """Kustomize builds keyed by the digest of everything a build reads."""

    command: list[str]
    results: dict[str, kustomize.Build] = field(default_factory=dict)

    def build_many(self, source: Source, directories: Iterable[str]) -> dict[str, kustomize.Build]:
        wanted = list(directories)
        digests = {d: input_digest(source.files, d) for d in wanted if d not in source.built}
        missing: dict[str, str] = {}
        for directory, digest in digests.items():
            if digest not in self.results and digest not in missing.values():
                missing[directory] = digest
        if missing:
            built = kustomize.build_all(self.command, source.root, missing)
            for directory, digest in missing.items():
                self.results[digest] = built[directory]
        return {d: self.results[digests[d]] if d in digests else source.built[d] for d in wanted}


def is_kustomize_dir(files: Mapping[str, bytes], directory: str) -> bool:
    return any(_join(directory, name) in files for name in KUSTOMIZATION_FILES)


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


def _normal(path: PurePosixPath) -> str | None:
    """`a/b/../c` → `a/c`; None for paths that climb out of the repository."""
    parts: list[str] = []
    for part in path.parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def input_digest(files: Mapping[str, bytes], directory: str) -> str:
    """Digest of the files a build of `directory` reads: its own subtree plus every folder or
    file its kustomizations reference outside it, transitively."""
    memo = _Memo.of(files)
    if directory not in memo.inputs:
        digest = hashlib.sha256()
        read, _ = closure(files, directory)
        for path in sorted(read):
            if path not in memo.digests:
                memo.digests[path] = hashlib.sha256(files[path]).digest()
            digest.update(path.encode() + b"\0" + memo.digests[path])
        memo.inputs[directory] = digest.hexdigest()
    return memo.inputs[directory]


def closure(files: Mapping[str, bytes], directory: str) -> tuple[set[str], set[str]]:
    """(files a build of `directory` reads, kustomize folders it includes), transitively."""
    read: set[str] = set()
    included: set[str] = set()
    pending, seen = [directory], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        read.update(_under(files, f"{current}/" if current else ""))
        for name in KUSTOMIZATION_FILES:
            for ref in _references_of(files, _join(current, name)):
                target = _normal(PurePosixPath(current) / ref)
                if target is None:
                    continue
                if target in files:
                    read.add(target)
                elif is_kustomize_dir(files, target):
                    included.add(target)
                    pending.append(target)
    return read, included


class _Memo:
    """What is known of the last mapping of files asked about: its paths sorted, the digest of
    each file and of each folder's inputs, each kustomization's references. A closure per build
    folder that scanned every path for each folder it visits cost folders times files, and a
    fleet of a thousand clusters parsed and digested its shared kustomizations thousands of
    times; mappings of files are made once and never changed."""

    files: ClassVar[Mapping[str, bytes] | None] = None
    size: ClassVar[int] = 0
    paths: ClassVar[list[str]] = []
    digests: ClassVar[dict[str, bytes]] = {}
    inputs: ClassVar[dict[str, str]] = {}
    references: ClassVar[dict[str, list[str]]] = {}

    @classmethod
    def of(cls, files: Mapping[str, bytes]) -> type[_Memo]:
        if cls.files is not files or cls.size != len(files):
            cls.files, cls.size, cls.paths = files, len(files), sorted(files)
            cls.digests, cls.inputs, cls.references = {}, {}, {}
        return cls


def _under(files: Mapping[str, bytes], prefix: str) -> list[str]:
    """The paths that start with `prefix` (a folder and its slash, or "" for all)."""
    paths = _Memo.of(files).paths
    if not prefix:
        return paths
    # "/" + 1 is "0": the paths under `prefix` sort between it and the folder name + "0".
    return paths[bisect_left(paths, prefix) : bisect_left(paths, prefix[:-1] + "0")]


def _references_of(files: Mapping[str, bytes], path: str) -> list[str]:
    """The references of the kustomization at `path` (none if there is none)."""
    memo = _Memo.of(files)
    if path not in memo.references:
        body = files.get(path)
        memo.references[path] = list(_references(body)) if body is not None else []
    return memo.references[path]


def _references(body: bytes) -> Iterator[str]:
    try:
        docs = list(load_all_plain(body.decode("utf-8")))
    except (UnicodeDecodeError, yaml.YAMLError):
        return
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        for name in _REFERENCES:
            for ref in doc.get(name) or []:
                if isinstance(ref, str) and "://" not in ref:
                    yield ref
        for patch in doc.get("patches") or []:
            if isinstance(patch, dict) and isinstance(patch.get("path"), str):
                yield patch["path"]


def _sources(app: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    spec = app.get("spec") or {}
    listed = spec.get("sources") or ([spec["source"]] if spec.get("source") else [])
    return [s for s in listed if isinstance(s, Mapping)]


_APPLICATION = re.compile(rb"^kind:\s*Application\s*$", re.MULTILINE)


def collect(
    source: Source,
    cache: BuildCache,
    *,
    repo_url: str,
    repo_path: str,
    cluster_of: Callable[[Mapping[str, Any]], str],
    hub: str,
    defer_leaves: bool = False,
) -> Inventory:
    """Every object reachable from the root Application, keyed by the cluster it lands on.

    With `defer_leaves`, paths whose inputs hold no Application are not built but recorded in
    `Inventory.leaves` with their input digest: `settle_leaves` then builds only those that
    differ from the other side of a diff.
    """
    root_text = source.files.get(ROOT)
    if root_text is None:
        raise UserError.at(
            Location(str(source.root / ROOT)), "no root Application: not a gitops-gen repository"
        )
    inventory = Inventory({}, [], source)
    # Breadth-first, a level of Applications at a time, so each level's builds run in parallel.
    level: list[tuple[str, dict[str, Any], Key | None]] = [
        (hub, doc, None)
        for doc in load_all_plain(root_text.decode("utf-8"))
        if isinstance(doc, dict)
    ]
    visited: dict[tuple[str, str], list[Key]] = {}
    sets: list[Key] = []
    while level or sets:
        if not level:
            level = _generate(source, inventory, sets, hub)
            sets = []
            continue
        wanted: list[tuple[str, str]] = []
        for cluster, obj, parent in level:
            key = key_of(cluster, obj)
            inventory.objects.setdefault(key, obj)
            if parent is not None:
                inventory.parents.setdefault(key, parent)
            if obj.get("kind") == appsets.KIND and key.cluster == hub:
                sets.append(key)
            if obj.get("kind") != "Application":
                continue
            for src in _sources(obj):
                if "chart" in src or src.get("repoURL") != repo_url or "path" not in src:
                    continue
                local = _local_path(str(src.get("path", "")), repo_path)
                if local is None:
                    continue
                target = (cluster_of(obj), local)
                if target in visited:
                    # A second Application deploying the same path: ArgoCD would make the
                    # two fight over the objects; the first one found owns them here.
                    continue
                visited[target] = [key]
                if defer_leaves and _is_leaf(source.files, local):
                    inventory.leaves[target] = input_digest(source.files, local)
                else:
                    wanted.append(target)
        level = [
            (c, doc, visited[(c, d)][0])
            for c, d, doc in _objects_of(source, cache, wanted, inventory.errors)
        ]
    return inventory


def _generate(
    source: Source, inventory: Inventory, sets: list[Key], hub: str
) -> list[tuple[str, dict[str, Any], Key | None]]:
    """The Applications of `sets`, over every cluster Secret the tree holds so far: the install's
    (the hub's) and those of ExternalSecrets on the hub."""
    values = source.files.get(appsets.INSTALL_VALUES)
    secrets = appsets.install_secrets(values.decode("utf-8") if values else None)
    secrets += appsets.secrets_of(o for k, o in inventory.objects.items() if k.cluster == hub)
    level: list[tuple[str, dict[str, Any], Key | None]] = []
    for key in sets:
        try:
            made = appsets.expand(inventory.objects[key], secrets)
        except appsets.AppSetError as exc:
            inventory.errors.append(f"ApplicationSet {key.name}: {exc}")
            continue
        for item in made:
            app_key = key_of(hub, item.app)
            if app_key not in inventory.objects:
                inventory.generated[app_key] = (key, item.cluster)
                level.append((hub, item.app, None))
    return level


def settle_leaves(first: Inventory, second: Inventory, cache: BuildCache) -> None:
    """Build the deferred paths whose inputs or cluster differ between the two sides; the
    others give the same objects on both sides, which no diff shows."""
    for this, other in ((first, second), (second, first)):
        if this.source is None or not this.leaves:
            continue
        differing = [t for t, digest in this.leaves.items() if other.leaves.get(t) != digest]
        for cluster, _, doc in _objects_of(this.source, cache, differing, this.errors):
            this.objects.setdefault(key_of(cluster, doc), doc)


def _is_leaf(files: Mapping[str, bytes], directory: str) -> bool:
    read, _ = closure(files, directory)
    return not any(_APPLICATION.search(files[p]) for p in read)


def _objects_of(
    source: Source, cache: BuildCache, targets: list[tuple[str, str]], errors: list[str]
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    builds = cache.build_many(source, {d for _, d in targets if is_kustomize_dir(source.files, d)})
    for cluster, directory in targets:
        built = builds.get(directory)
        docs: Iterable[dict[str, Any]]
        if built is None:
            docs = _plain_dir(source, directory, errors)
        elif built.error is not None:
            errors.append(f"{directory}: kustomize build failed: {built.error}")
            docs = ()
        else:
            docs = built.objects
        for doc in docs:
            yield cluster, directory, dict(doc)


def _local_path(path: str, repo_path: str) -> str | None:
    if repo_path:
        if not path.startswith(repo_path.rstrip("/") + "/"):
            return None
        path = path[len(repo_path.rstrip("/")) + 1 :]
    return _normal(PurePosixPath(path))


def _plain_dir(source: Source, directory: str, errors: list[str]) -> list[dict[str, Any]]:
    """A path without a kustomization: ArgoCD applies the YAML files directly inside it."""
    prefix = f"{directory}/" if directory else ""
    docs: list[dict[str, Any]] = []
    for path in sorted(source.files):
        rest = path[len(prefix) :] if path.startswith(prefix) else None
        if rest is None or "/" in rest or not rest.endswith((".yaml", ".yml")):
            continue
        try:
            loaded = list(load_all_plain(source.files[path].decode("utf-8")))
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            errors.append(f"{path}: not readable YAML: {str(exc).splitlines()[0]}")
            continue
        docs.extend(d for d in loaded if isinstance(d, dict))
    return docs
