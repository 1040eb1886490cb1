"""Git sources should follow a tag or commit, not a moving branch.

What it checks:
    Application and ApplicationSet git sources whose `targetRevision` is missing, `HEAD`, or a
    common branch name (main, master, develop, trunk).

Why it matters:
    Every push to the branch reaches the cluster with no release step; for production that is
    usually a deploy without review.

Failing example:
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata:
      name: shop
      namespace: argocd
    spec:
      project: apps
      source:
        repoURL: https://github.com/example/deploy.git
        path: apps/shop
        targetRevision: HEAD
      destination:
        server: https://kubernetes.default.svc
        namespace: shop
      syncPolicy:
        syncOptions: [CreateNamespace=true]

Passing example:
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata:
      name: shop
      namespace: argocd
    spec:
      project: apps
      source:
        repoURL: https://github.com/example/deploy.git
        path: apps/shop
        targetRevision: v1.4.0
      destination:
        server: https://kubernetes.default.svc
        namespace: shop
      syncPolicy:
        syncOptions: [CreateNamespace=true]

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG414: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.docpaths import DocPath
from generator.manifests import Manifest
from generator.rules.argo import app_specs
from generator.rules.base import Context, Finding

CODE = "GG414"
NAME = "argo-revision-pinning"
FAMILY = "argocd-kustomize"
SEVERITY = "info"
KINDS: frozenset[str] | None = frozenset({"Application", "ApplicationSet"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for base, spec in app_specs(obj.body):
        sources: list[tuple[DocPath, Any]] = [(("source",), spec.get("source"))]
        sources += [(("sources", i), s) for i, s in enumerate(spec.get("sources") or [])]
        for where, source in sources:
            if (
                not isinstance(source, dict)
                or source.get("chart")
                or ("ref" in source and "path" not in source)
            ):
                continue
            revision = str(source.get("targetRevision") or "HEAD")
            if revision in _MOVING:
                yield Finding(
                    (*base, *where), f"git source follows {revision}; pin a tag or commit"
                )


_MOVING = frozenset({"HEAD", "main", "master", "develop", "trunk"})
