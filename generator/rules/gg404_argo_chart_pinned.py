"""Helm chart sources must pin an exact chart version.

What it checks:
    Application and ApplicationSet sources with a `chart` whose `targetRevision` is missing, `*`,
    `HEAD`, `latest`, or a range (`^1.2`, `~1.2`, `>=1.0`, `1.x`).

Why it matters:
    An unpinned chart upgrades itself when the chart repository publishes: an unreviewed change
    reaches the cluster with no commit to revert.

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
        chart: shop
        targetRevision: "^1.4"
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
        chart: shop
        targetRevision: 1.4.2
      destination:
        server: https://kubernetes.default.svc
        namespace: shop

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG404: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.docpaths import DocPath
from generator.manifests import Manifest
from generator.rules.argo import app_specs, is_pinned
from generator.rules.base import Context, Finding

CODE = "GG404"
NAME = "argo-chart-pinned"
FAMILY = "argocd-kustomize"
SEVERITY = "error"
KINDS: frozenset[str] | None = frozenset({"Application", "ApplicationSet"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for base, spec in app_specs(obj.body):
        sources: list[tuple[DocPath, Any]] = [(("source",), spec.get("source"))]
        sources += [(("sources", i), s) for i, s in enumerate(spec.get("sources") or [])]
        for where, source in sources:
            if not isinstance(source, dict) or not source.get("chart"):
                continue
            revision = source.get("targetRevision")
            if not is_pinned(revision):
                shown = (
                    "no targetRevision"
                    if revision in (None, "")
                    else f"targetRevision {revision!r}"
                )
                yield Finding((*base, *where), f"chart {source['chart']} is not pinned: {shown}")
