"""API versions removed at the target Kubernetes version.

What it checks:
    apiVersion and kind pairs that the target Kubernetes version (`kubernetesVersion`,
    `--kubernetes-version`) no longer serves, from a table up to 1.35 (extensions/v1beta1 Ingress,
    policy/v1beta1 PodSecurityPolicy, batch/v1beta1 CronJob, …) and old cert-manager versions.

Why it matters:
    The API server rejects the object: the sync fails, and with no replacement (PodSecurityPolicy)
    the object's purpose needs a different mechanism altogether.

Failing example:
    apiVersion: extensions/v1beta1
    kind: Ingress
    metadata:
      name: web
      namespace: shop
    spec:
      backend:
        serviceName: web
        servicePort: 80

Passing example:
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: web
      namespace: shop
    spec:
      defaultBackend:
        service:
          name: web
          port: {number: 80}

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG801: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.apis import removal
from generator.rules.base import Context, Finding

CODE = "GG801"
NAME = "removed-api"
FAMILY = "deprecated-api"
SEVERITY = "error"
KINDS: frozenset[str] | None = None


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    api_version, kind = obj.body.get("apiVersion"), obj.body.get("kind")
    change = removal(str(api_version), str(kind))
    if change is None or not change.removed_at(ctx.kubernetes_version):
        return
    where = (
        change.removed.removeprefix("project:")
        if change.removed.startswith("project:")
        else f"Kubernetes {change.removed}"
    )
    instead = f"; use {change.replacement}" if change.replacement else "; it has no replacement"
    yield Finding(("apiVersion",), f"{kind} {api_version} was removed in {where}{instead}")
