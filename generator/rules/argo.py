"""Argo CD semantics the ArgoCD rules share: application specs, project globs, sync waves."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping
from typing import Any

from generator.docpaths import DocPath
from generator.manifests import Manifest
from generator.rules.base import Context, dig, meta, namespace_of

WAVE = "argocd.argoproj.io/sync-wave"
WAVE_SYNTAX = re.compile(r"^[+-]?[0-9]+$")
FINALIZERS = frozenset(
    {
        "resources-finalizer.argocd.argoproj.io",
        "resources-finalizer.argocd.argoproj.io/background",
        "resources-finalizer.argocd.argoproj.io/foreground",
    }
)
KUSTOMIZE_DEPRECATED = {
    "bases": "resources",
    "patchesStrategicMerge": "patches",
    "patchesJson6902": "patches",
    "commonLabels": "labels",
    "vars": "replacements",
    "imageTags": "images",
}
_RANGE = re.compile(r"[\^~<>*|xX]|\s-\s|^\s*$")


def app_specs(body: Mapping[str, Any]) -> Iterator[tuple[DocPath, dict[str, Any]]]:
    """The Application spec, or an ApplicationSet's template spec, with its path."""
    if body.get("kind") == "Application":
        spec = body.get("spec")
        if isinstance(spec, dict):
            yield ("spec",), spec
    elif body.get("kind") == "ApplicationSet":
        spec = dig(body, "spec", "template", "spec")
        if isinstance(spec, dict):
            yield ("spec", "template", "spec"), spec


def is_pinned(revision: Any) -> bool:
    """An exact chart version: not empty, not HEAD or latest, not a semver range."""
    if revision is None or isinstance(revision, bool):
        return False
    text = str(revision).strip()
    if text in ("", "HEAD", "latest", "*"):
        return False
    # Templated revisions in ApplicationSets ({{values.version}}) are resolved per generator.
    if "{{" in text:
        return True
    return _RANGE.search(text.lstrip("v")) is None


def _glob(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern)


def repo_allowed(repo: str, patterns: list[Any]) -> bool:
    """Argo CD's sourceRepos: globs, and `!pattern` entries that deny what they match."""
    texts = [str(p) for p in patterns]
    if any(p.startswith("!") and _glob(p[1:], repo) for p in texts):
        return False
    allows = [p for p in texts if not p.startswith("!")]
    if not allows and texts:
        return True
    return any(
        _glob(p, repo)
        or p.rstrip("/").removesuffix(".git") == repo.rstrip("/").removesuffix(".git")
        for p in allows
    )


def destination_allowed(dest: Mapping[str, Any], allowed: list[Any]) -> bool:
    namespace = str(dest.get("namespace", ""))
    for item in allowed:
        if not isinstance(item, dict):
            continue
        target_ok = (
            "server" in dest
            and "server" in item
            and _glob(str(item["server"]), str(dest["server"]))
        ) or ("name" in dest and "name" in item and _glob(str(item["name"]), str(dest["name"])))
        if target_ok and _glob(str(item.get("namespace", "*")), namespace):
            return True
    return False


_GLOB_CHARS = frozenset("*?[")


class Destinations:
    """An AppProject's destinations with the literal ones looked up by value: a hub's bootstrap
    project lists one per cluster, and scanning them for every Application was quadratic."""

    def __init__(self, allowed: list[Any]) -> None:
        self.literal: set[tuple[str, str, str]] = set()
        self.patterns: list[dict[str, Any]] = []
        for item in allowed:
            if not isinstance(item, dict):
                continue
            namespace = str(item.get("namespace", "*"))
            targets = [(field, str(item[field])) for field in ("server", "name") if field in item]
            if _GLOB_CHARS.isdisjoint(namespace) and all(
                _GLOB_CHARS.isdisjoint(value) for _, value in targets
            ):
                self.literal.update((field, value, namespace) for field, value in targets)
            else:
                self.patterns.append(item)

    def allow(self, dest: Mapping[str, Any]) -> bool:
        namespace = str(dest.get("namespace", ""))
        if any(
            (field, str(dest[field]), namespace) in self.literal
            for field in ("server", "name")
            if field in dest
        ):
            return True
        return destination_allowed(dest, self.patterns)


def has_finalizer(body: Mapping[str, Any]) -> bool:
    found = meta(body).get("finalizers")
    return isinstance(found, list) and any(str(f) in FINALIZERS for f in found)


def wave_of(body: Mapping[str, Any]) -> int:
    notes = meta(body).get("annotations")
    value = str(notes.get(WAVE, "0")).strip() if isinstance(notes, dict) else "0"
    return int(value) if WAVE_SYNTAX.match(value) else 0


def providers(obj: Manifest, ctx: Context) -> Iterator[tuple[Manifest, str]]:
    """Objects that must exist before `obj`: its CRD, its Namespace, its AppProject."""
    body = obj.body
    group = str(body.get("apiVersion", "")).rpartition("/")[0]
    kind = str(body.get("kind", ""))
    if "." in group:
        for crd in ctx.crds_by_resource.get((group, kind), ()):
            yield crd, "CustomResourceDefinition"
    namespace = meta(body).get("namespace")
    # Argo CD's own objects live in the namespace Argo CD already runs in.
    if namespace and not str(body.get("apiVersion", "")).startswith("argoproj.io/"):
        found = ctx.find("Namespace", None, str(namespace))
        if found is not None:
            yield found, "Namespace"
    if kind == "Application":
        project = ctx.find("AppProject", None, str(dig(body, "spec", "project") or "default"))
        if project is not None and namespace_of(project.body) == namespace_of(body):
            yield project, "AppProject"
