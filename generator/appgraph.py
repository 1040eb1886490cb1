"""The app-of-apps invariants, checked on what kustomize actually builds.

From `bootstrap/root.yaml`, follow every Application's git path to the objects it deploys:
every path must build, every Application must be reached, every project must exist and allow
the Application's destination and sources, every chart must be pinned to an exact version, and
every destination is a declared cluster, by name. ApplicationSets are expanded over the
cluster Secrets the tree registers (generator/appsets.py) and their Applications checked alike,
their `$values` files too.
"""

from __future__ import annotations

import fnmatch
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from generator import appsets

EXACT_VERSION = re.compile(r"^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$")


def _sources(app: Mapping[str, Any]) -> list[dict[str, Any]]:
    spec = app.get("spec", {})
    return list(spec.get("sources") or ([spec["source"]] if "source" in spec else []))


def _name(obj: Mapping[str, Any]) -> str:
    return str(obj.get("metadata", {}).get("name", "?"))


def check_graph(
    root_objects: Iterable[Mapping[str, Any]],
    built: Mapping[str, list[dict[str, Any]]],
    *,
    repo_url: str,
    repo_path: str,
    clusters: Iterable[str],
    must_reach: Iterable[str],
    install_values: str | None = None,
    exists: Callable[[str], bool] = lambda path: False,
) -> list[str]:
    """Problems with the tree reachable from the root; `built` maps directory → its objects.
    `install_values`: the by-hand Argo CD install's values (they register the hub);
    `exists(path)`: whether the repository has a file, for `$values` files."""
    problems: list[str] = []
    known = {("name", c) for c in clusters}
    projects: dict[str, Mapping[str, Any]] = {}
    applications: dict[str, Mapping[str, Any]] = {}
    reached_dirs: set[str] = set()
    queue = deque(root_objects)
    sets: list[Mapping[str, Any]] = []
    seen: list[Mapping[str, Any]] = []
    while queue or sets:
        if not queue:
            # Generated Applications, once every cluster Secret the tree registers is known.
            secrets = appsets.install_secrets(install_values) + appsets.secrets_of(seen)
            generated, failed = appsets.expand_all(sets, secrets)
            problems += failed
            sets = []
            for item in generated:
                problems += appsets.missing_value_files(item.app, exists, repo_path)
                queue.append(item.app)
            continue
        obj = queue.popleft()
        seen.append(obj)
        kind = obj.get("kind")
        if kind == "ApplicationSet":
            sets.append(obj)
            continue
        if kind == "AppProject":
            if _name(obj) in projects and projects[_name(obj)] != obj:
                problems.append(f"AppProject {_name(obj)}: defined twice, differently")
            projects[_name(obj)] = obj
            continue
        if kind != "Application":
            continue
        if _name(obj) in applications:
            # Every Application lives in the argocd namespace: one name, one Application.
            if applications[_name(obj)] != obj:
                problems.append(f"Application {_name(obj)}: two different Applications share it")
            continue
        applications[_name(obj)] = obj
        for source in _sources(obj):
            if "chart" in source:
                if not EXACT_VERSION.match(str(source.get("targetRevision", ""))):
                    problems.append(
                        f"Application {_name(obj)}: chart {source['chart']} is not pinned to an "
                        f"exact version ({source.get('targetRevision')!r})"
                    )
                continue
            if source.get("repoURL") != repo_url or "path" not in source:
                # Another repository, or a `ref` source that only names one for `$values`.
                continue
            path = str(source.get("path", ""))
            local = (
                path[len(repo_path) + 1 :]
                if repo_path and path.startswith(repo_path + "/")
                else path
            )
            if local not in built:
                problems.append(
                    f"Application {_name(obj)}: path '{path}' is not a directory that builds"
                )
                continue
            reached_dirs.add(local)
            queue.extend(built[local])
    for directory in sorted(set(must_reach) - reached_dirs):
        problems.append(f"{directory}: not reached from bootstrap/root.yaml")
    allowed = {name: _Destinations(project) for name, project in projects.items()}
    for name, app in sorted(applications.items()):
        problems.extend(_check_project(name, app, projects, allowed, known))
    return problems


_GLOB = re.compile(r"[*?\[]")


class _Destinations:
    """A project's allowed destinations, those naming one cluster and one namespace looked up
    by them: a fleet's bootstrap project lists a namespace on the hub for each of a thousand
    clusters, and each Application scanned them all."""

    def __init__(self, project: Mapping[str, Any]) -> None:
        self.all: list[Mapping[str, Any]] = project.get("spec", {}).get("destinations", [])
        self.clusters: set[tuple[str, str]] = set()
        self.exact: set[tuple[str, str, str]] = set()
        self.scan: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
        self.patterns: list[Mapping[str, Any]] = []
        for d in self.all:
            for field in ("name", "server"):
                if field in d and not _GLOB.search(str(d[field])):
                    where = (field, str(d[field]))
                    self.clusters.add(where)
                    namespace = d.get("namespace", "")
                    if isinstance(namespace, str) and not _GLOB.search(namespace):
                        self.exact.add((*where, namespace))
                    else:
                        self.scan.setdefault(where, []).append(d)
            if any(field in d and _GLOB.search(str(d[field])) for field in ("name", "server")):
                self.patterns.append(d)

    def allow(self, field: str, target: str, namespace: str | None) -> bool:
        if namespace is None:
            candidates = self.patterns
            if (field, target) in self.clusters:
                return True
        elif not isinstance(namespace, str):
            candidates = self.all
        elif (field, target, namespace) in self.exact:
            return True
        else:
            candidates = [*self.scan.get((field, target), ()), *self.patterns]
        return any(
            field in d
            and fnmatch.fnmatchcase(target, str(d[field]))
            and (namespace is None or fnmatch.fnmatchcase(namespace, d.get("namespace", "")))
            for d in candidates
        )


def _check_project(
    name: str,
    app: Mapping[str, Any],
    projects: Mapping[str, Mapping[str, Any]],
    allowed: Mapping[str, _Destinations],
    known: set[tuple[str, str]],
) -> list[str]:
    spec = app.get("spec", {})
    project_name = spec.get("project")
    destination = spec.get("destination", {})
    field = "name" if "name" in destination else "server"
    target = str(destination.get(field))
    namespace = destination.get("namespace")
    problems = []
    if (field, target) not in known:
        problems.append(
            f"Application {name}: destination {field} {target} is not a declared cluster"
        )
    project = projects.get(project_name)
    if project is None:
        return [*problems, f"Application {name}: project '{project_name}' does not exist"]
    pspec = project.get("spec", {})
    if not allowed[project_name].allow(field, target, namespace):
        problems.append(
            f"Application {name}: project '{project_name}' does not allow destination "
            f"{field} {target} namespace {namespace or '(none)'}"
        )
    repos = pspec.get("sourceRepos", [])
    for source in _sources(app):
        if not any(fnmatch.fnmatchcase(source.get("repoURL", ""), r) for r in repos):
            problems.append(
                f"Application {name}: project '{project_name}' does not allow source "
                f"{source.get('repoURL')}"
            )
    return problems
