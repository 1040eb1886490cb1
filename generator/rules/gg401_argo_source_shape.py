"""Argo CD sources and destinations must have one shape.

What it checks:
    Applications (and ApplicationSet templates): exactly one of `source` and `sources`; each source
    has a `repoURL` and exactly one of `path` and `chart`; the destination has exactly one of
    `server` and `name`.

Why it matters:
    Argo CD refuses such applications with an error only visible in its UI, or silently picks one
    of the two fields.

Failing example:
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata:
      name: shop
      namespace: argocd
      finalizers: [resources-finalizer.argocd.argoproj.io]
    spec:
      project: apps
      source:
        repoURL: https://github.com/example/deploy.git
        path: apps/shop
        chart: shop
        targetRevision: 1.4.0
      destination:
        server: https://kubernetes.default.svc
        namespace: shop

Passing example:
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata:
      name: shop
      namespace: argocd
      finalizers: [resources-finalizer.argocd.argoproj.io]
    spec:
      project: apps
      source:
        repoURL: https://github.com/example/deploy.git
        path: apps/shop
        targetRevision: v1.4.0
      destination:
        server: https://kubernetes.default.svc
        namespace: shop

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG401: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.docpaths import DocPath
from generator.manifests import Manifest
from generator.rules.argo import app_specs
from generator.rules.base import Context, Finding

CODE = "GG401"
NAME = "argo-source-shape"
FAMILY = "argocd-kustomize"
SEVERITY = "error"
KINDS: frozenset[str] | None = frozenset({"Application", "ApplicationSet"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for base, spec in app_specs(obj.body):
        source, sources = spec.get("source"), spec.get("sources")
        if (source is None) == (sources is None):
            yield Finding(base, "set exactly one of source and sources")
        listed: list[tuple[DocPath, Any]] = (
            [(("source",), source)] if isinstance(source, dict) else []
        )
        if isinstance(sources, list):
            listed += [(("sources", i), s) for i, s in enumerate(sources) if isinstance(s, dict)]
        for where, item in listed:
            if not item.get("repoURL"):
                yield Finding((*base, *where), "source has no repoURL")
            if "path" in item and "chart" in item:
                yield Finding(
                    (*base, *where), "source sets both path and chart; a source is one or the other"
                )
            elif (
                "path" not in item
                and "chart" not in item
                and "ref" not in item
                and len(listed) == 1
            ):
                yield Finding((*base, *where), "source sets neither path nor chart")
        dest = spec.get("destination")
        if isinstance(dest, dict) and ("server" in dest) == ("name" in dest):
            yield Finding(
                (*base, "destination"), "destination needs exactly one of server and name"
            )
        elif not isinstance(dest, dict):
            yield Finding(base, "application has no destination")
