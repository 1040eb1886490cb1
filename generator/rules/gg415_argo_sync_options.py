"""Sync options must be ones Argo CD knows.

What it checks:
    `spec.syncPolicy.syncOptions` entries and `argocd.argoproj.io/sync-options` annotation values
    that are not among Argo CD's documented options (`CreateNamespace=true`,
    `ServerSideApply=true`, `PruneLast=true`, `Prune=false`, …).

Why it matters:
    Argo CD ignores an option it does not know: a typo silently turns the option off.

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
      syncPolicy:
        syncOptions: [CreateNamespaces=true]

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
    `ignore.gitops-gen.dev/GG415: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.argo import app_specs
from generator.rules.base import Context, Finding, annotations_of, dig

CODE = "GG415"
NAME = "argo-sync-options"
FAMILY = "argocd-kustomize"
SEVERITY = "info"
KINDS: frozenset[str] | None = None


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for base, spec in app_specs(obj.body):
        options = dig(spec, "syncPolicy", "syncOptions")
        for index, option in enumerate(options if isinstance(options, list) else []):
            if str(option).partition("=")[0] not in _KNOWN:
                yield Finding(
                    (*base, "syncPolicy", "syncOptions", index), f"unknown sync option {option!r}"
                )
    note = annotations_of(obj.body).get("argocd.argoproj.io/sync-options")
    for option in (note or "").split(","):
        if option.strip() and option.strip().partition("=")[0] not in _KNOWN:
            yield Finding(("metadata", "annotations"), f"unknown sync option {option.strip()!r}")


_KNOWN = frozenset(
    {
        "Validate",
        "CreateNamespace",
        "PrunePropagationPolicy",
        "PruneLast",
        "Prune",
        "Delete",
        "ApplyOutOfSyncOnly",
        "Replace",
        "Force",
        "ServerSideApply",
        "RespectIgnoreDifferences",
        "FailOnSharedResource",
        "SkipDryRunOnMissingResource",
        "ClientSideApplyMigration",
    }
)
