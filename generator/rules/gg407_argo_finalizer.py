"""Child Applications need the resources finalizer; ApplicationSet templates must not set it.

What it checks:
    Applications without `resources-finalizer.argocd.argoproj.io` (or its `/background` form), and
    ApplicationSet templates that hard-code it (the ApplicationSet controller manages it).

Why it matters:
    Without the finalizer, deleting an Application in an app-of-apps leaves all its resources
    running, orphaned; a hard-coded one in a template fights the controller.

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
    `ignore.gitops-gen.dev/GG407: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.argo import has_finalizer
from generator.rules.base import Context, Finding, dig

CODE = "GG407"
NAME = "argo-finalizer"
FAMILY = "argocd-kustomize"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset({"Application", "ApplicationSet"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    if obj.body.get("kind") == "Application":
        if not has_finalizer(obj.body):
            yield Finding(
                ("metadata",),
                "Application has no resources-finalizer.argocd.argoproj.io; "
                "deleting it orphans its resources",
            )
        return
    template = dig(obj.body, "spec", "template")
    if isinstance(template, dict) and has_finalizer(template):
        yield Finding(
            ("spec", "template", "metadata", "finalizers"),
            "ApplicationSet template hard-codes the resources finalizer; the controller manages it",
        )
