"""Applications should not use the default project.

What it checks:
    Applications (and ApplicationSet templates) whose `project` is `default` or unset.

Why it matters:
    The default project allows every repository, cluster and kind: it grants what the app-of-apps
    structure is meant to restrict.

Failing example:
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata:
      name: shop
      namespace: argocd
      finalizers: [resources-finalizer.argocd.argoproj.io]
    spec:
      project: default
      source:
        repoURL: https://github.com/example/deploy.git
        path: apps/shop
        targetRevision: v1.4.0
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
    `ignore.gitops-gen.dev/GG402: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.argo import app_specs
from generator.rules.base import Context, Finding

CODE = "GG402"
NAME = "argo-default-project"
FAMILY = "argocd-kustomize"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset({"Application", "ApplicationSet"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for base, spec in app_specs(obj.body):
        if spec.get("project") in (None, "", "default"):
            yield Finding(
                (*base, "project") if "project" in spec else base,
                "application uses the default project",
            )
