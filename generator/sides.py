"""The two sides of a diff: a catalogue rendered at two revisions, or two folders of manifests.

Each side ends as an inventory (inventory.Inventory: objects by cluster), built through one
BuildCache so a directory whose inputs are the same on both sides is built once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from generator import gitrev, writer
from generator.errors import Location, Problem, UserError
from generator.inventory import (
    ROOT,
    BuildCache,
    Inventory,
    Key,
    Source,
    closure,
    collect,
    is_kustomize_dir,
    key_of,
    settle_leaves,
)
from generator.model import IN_CLUSTER
from generator.pipeline import Rendered, render_catalogue
from generator.yamlio import load_all_plain

HUB_LABEL = "in-cluster"


@dataclass
class Side:
    label: str
    inventory: Inventory
    rendered: Rendered | None = None


def catalogue_sides(
    catalogue: Path,
    base: str,
    head: str | None,
    repo_dir: Path | None,
    blueprint_dirs: Sequence[Path],
    cache: BuildCache,
) -> tuple[Side, Side]:
    """Render the catalogue (and the user's blueprint folders) at `base` and at `head`, or as
    the work tree has them when `head` is None."""
    repo = gitrev.open_repo(repo_dir or catalogue.parent)
    top = Path(repo.working_tree_dir or ".").resolve()
    wanted = [gitrev.relative_to_repo(repo, p) for p in (catalogue, *blueprint_dirs)]
    with tempfile.TemporaryDirectory(prefix="gitops-gen-diff-") as scratch:
        sides = []
        for label, revision in (("base", base), ("head", head)):
            if revision is None:
                files = gitrev.files_on_disk(top, wanted)
                shown = "work tree"
            else:
                files = gitrev.files_at(repo, revision, wanted)
                shown = revision
            inputs = Path(scratch) / f"{label}-in"
            gitrev.materialise(files, inputs)
            sides.append(_render_side(shown, inputs, wanted, Path(scratch) / f"{label}-out", cache))
        settle_leaves(sides[0].inventory, sides[1].inventory, cache)
    return sides[0], sides[1]


def _render_side(shown: str, inputs: Path, wanted: list[str], out: Path, cache: BuildCache) -> Side:
    catalogue_path, *blueprints = (inputs.joinpath(*PurePosixPath(p).parts) for p in wanted)
    try:
        rendered = render_catalogue(catalogue_path, blueprints)
    except UserError as exc:
        raise UserError(_relocated(p, inputs, shown) for p in exc.problems) from None
    files = {path: text.encode("utf-8") for path, text in rendered.files.items()}
    writer.stage(out, rendered.files)
    catalogue = rendered.plan.catalogue
    servers = {c.server: c.name for c in catalogue.clusters}
    servers[IN_CLUSTER] = catalogue.hub.name

    def cluster_of(app: Mapping[str, Any]) -> str:
        destination = (app.get("spec") or {}).get("destination") or {}
        return str(destination.get("name") or servers.get(str(destination.get("server")), "?"))

    inventory = collect(
        Source(files, out),
        cache,
        repo_url=catalogue.repo_url,
        repo_path=catalogue.repo_path,
        cluster_of=cluster_of,
        hub=catalogue.hub.name,
        defer_leaves=True,
    )
    return Side(shown, inventory, rendered)


def _relocated(problem: Problem, inputs: Path, shown: str) -> Problem:
    """A problem in a scratch copy, named as `REVISION:path` the way the user knows it."""
    path = problem.location.path
    prefix = str(inputs) + "/"
    if path.startswith(prefix):
        path = f"{shown}:{path[len(prefix) :]}"
    return Problem(
        Location(path, problem.location.line, problem.location.col), problem.path, problem.message
    )


def folder_sides(base: Path, head: Path, cache: BuildCache) -> tuple[Side, Side]:
    """Two folders of manifests: rendered repositories (followed from bootstrap/root.yaml) or
    hand-written ones (every top-level kustomization built, other YAML read as it is)."""
    before, after = _folder_side(base, cache), _folder_side(head, cache)
    settle_leaves(before.inventory, after.inventory, cache)
    return before, after


def _folder_side(folder: Path, cache: BuildCache) -> Side:
    if not folder.is_dir():
        raise UserError.at(Location(str(folder)), "is not a folder")
    files = gitrev.files_on_disk(folder.resolve(), [""])
    source = Source(files, folder.resolve())
    if ROOT in files:
        repo_url, repo_path = _root_source(files[ROOT], folder)

        def cluster_of(app: Mapping[str, Any]) -> str:
            destination = (app.get("spec") or {}).get("destination") or {}
            server = destination.get("server")
            return str(destination.get("name") or (HUB_LABEL if server == IN_CLUSTER else server))

        inventory = collect(
            source, cache, repo_url=repo_url, repo_path=repo_path, cluster_of=cluster_of,
            hub=HUB_LABEL, defer_leaves=True,
        )  # fmt: skip
        return Side(str(folder), inventory)
    return Side(str(folder), _hand_written(source, cache))


def _root_source(text: bytes, folder: Path) -> tuple[str, str]:
    """The repository URL and the repository path of the rendered tree, from the root
    Application (whose path is `<repo path>/bootstrap`)."""
    for doc in load_all_plain(text.decode("utf-8")):
        if isinstance(doc, dict) and doc.get("kind") == "Application":
            source = (doc.get("spec") or {}).get("source") or {}
            path = str(source.get("path", ""))
            if path == "bootstrap" or path.endswith("/bootstrap"):
                return str(source.get("repoURL", "")), path[: -len("bootstrap")].rstrip("/")
    raise UserError.at(Location(str(folder / ROOT)), "no root Application pointing at bootstrap/")


def _hand_written(source: Source, cache: BuildCache) -> Inventory:
    """Top-level kustomizations (those no other kustomization includes) built, each a group of
    its own; YAML files outside every kustomization read as they are."""
    files = source.files
    directories = sorted({d for p in files if is_kustomize_dir(files, d := p.rpartition("/")[0])})
    read: set[str] = set()
    included: set[str] = set()
    for directory in directories:
        reads, includes = closure(files, directory)
        read |= reads
        included |= includes
    roots = [d for d in directories if d not in included]
    objects: dict[Key, dict[str, Any]] = {}
    errors: list[str] = []
    for directory, built in sorted(cache.build_many(source, roots).items()):
        if built.error is not None:
            errors.append(f"{directory or '.'}: kustomize build failed: {built.error}")
        for obj in built.objects:
            objects.setdefault(key_of(directory or ".", obj), dict(obj))
    for path in sorted(p for p in files if p not in read and p.endswith((".yaml", ".yml"))):
        try:
            docs = list(load_all_plain(files[path].decode("utf-8")))
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            errors.append(f"{path}: not readable YAML: {str(exc).splitlines()[0]}")
            continue
        for doc in docs:
            if isinstance(doc, dict) and "kind" in doc and "apiVersion" in doc:
                objects.setdefault(key_of("", doc), doc)
    return Inventory(objects, errors)
