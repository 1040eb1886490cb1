"""AppProjects should not allow everything.

What it checks:
    AppProjects with `*` in `sourceRepos`, a destination with `*` server (or name) and namespace,
    or a `clusterResourceWhitelist` entry with group `*` and kind `*`.

Why it matters:
    A project that allows everything is the default project under another name.

Failing example:
    apiVersion: argoproj.io/v1alpha1
    kind: AppProject
    metadata:
      name: apps
      namespace: argocd
    spec:
      sourceRepos: ['*']
      destinations:
        - server: https://kubernetes.default.svc
          namespace: shop

Passing example:
    apiVersion: argoproj.io/v1alpha1
    kind: AppProject
    metadata:
      name: apps
      namespace: argocd
    spec:
      sourceRepos: [https://github.com/example/deploy.git]
      destinations:
        - server: https://kubernetes.default.svc
          namespace: shop

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG409: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig

CODE = "GG409"
NAME = "appproject-wildcards"
FAMILY = "argocd-kustomize"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset({"AppProject"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    spec = dig(obj.body, "spec")
    if not isinstance(spec, dict):
        return
    if "*" in (spec.get("sourceRepos") or []):
        yield Finding(("spec", "sourceRepos"), "sourceRepos allows every repository")
    for index, dest in enumerate(spec.get("destinations") or []):
        if (
            isinstance(dest, dict)
            and "*" in (dest.get("server"), dest.get("name"))
            and dest.get("namespace") == "*"
        ):
            yield Finding(
                ("spec", "destinations", index), "destination allows every cluster and namespace"
            )
    for index, entry in enumerate(spec.get("clusterResourceWhitelist") or []):
        if isinstance(entry, dict) and entry.get("group") == "*" and entry.get("kind") == "*":
            yield Finding(
                ("spec", "clusterResourceWhitelist", index),
                "clusterResourceWhitelist allows every cluster-scoped kind",
            )
