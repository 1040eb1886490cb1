"""An Application's project must allow its sources and destination.

What it checks:
    Applications whose AppProject is in the input: every source `repoURL` must match the project's
    `sourceRepos` and the destination (server or name, and namespace) one of its `destinations`,
    with Argo CD's glob and `!` deny semantics.

Why it matters:
    Argo CD refuses to sync such an application ('application repo is not permitted in project');
    the error only shows at sync time in the cluster.

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
        repoURL: https://github.com/example/other.git
        path: apps/shop
        targetRevision: v1.4.0
      destination:
        server: https://kubernetes.default.svc
        namespace: shop
    ---
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
    ---
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
    `ignore.gitops-gen.dev/GG403: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.argo import Destinations, repo_allowed
from generator.rules.base import Context, Finding, dig, name_of

CODE = "GG403"
NAME = "argo-project-allows"
FAMILY = "argocd-kustomize"
SEVERITY = "error"
KINDS: frozenset[str] | None = frozenset({"Application"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    if obj.body.get("kind") != "Application":
        return
    spec = dig(obj.body, "spec")
    if not isinstance(spec, dict):
        return
    project = ctx.find("AppProject", None, str(spec.get("project") or "default"))
    if project is None:
        return
    rules = dig(project.body, "spec")
    rules = rules if isinstance(rules, dict) else {}
    name = name_of(project.body)
    sources = [spec["source"]] if isinstance(spec.get("source"), dict) else []
    sources += [s for s in spec.get("sources") or [] if isinstance(s, dict)]
    for source in sources:
        repo = str(source.get("repoURL", ""))
        if not repo_allowed(repo, rules.get("sourceRepos") or []):
            yield Finding(("spec",), f"project {name} does not allow source repository {repo}")
    dest = spec.get("destination")
    if not isinstance(dest, dict):
        return
    allowed = rules.get("destinations") or []
    destinations = ctx.shared((CODE, id(project)), lambda: Destinations(allowed))
    if not destinations.allow(dest):
        where = dest.get("server") or dest.get("name")
        yield Finding(
            ("spec", "destination"),
            f"project {name} does not allow destination {where} "
            f"namespace {dest.get('namespace', '')}",
        )
