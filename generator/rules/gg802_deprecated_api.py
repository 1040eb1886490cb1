"""API versions deprecated at the target Kubernetes version.

What it checks:
    apiVersion and kind pairs deprecated but still served at the target version.

Why it matters:
    They stop working on a later upgrade; migrating before it is cheaper than during it.

Failing example:
    apiVersion: v1
    kind: Endpoints
    metadata:
      name: web
      namespace: shop
    subsets: []

Passing example:
    apiVersion: discovery.k8s.io/v1
    kind: EndpointSlice
    metadata:
      name: web
      namespace: shop
    addressType: IPv4
    endpoints: []

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG802: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.apis import removal
from generator.rules.base import Context, Finding

CODE = "GG802"
NAME = "deprecated-api"
FAMILY = "deprecated-api"
SEVERITY = "warning"
KINDS: frozenset[str] | None = None


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    api_version, kind = obj.body.get("apiVersion"), obj.body.get("kind")
    change = removal(str(api_version), str(kind))
    if change is None or change.removed_at(ctx.kubernetes_version):
        return
    if change.deprecated_at(ctx.kubernetes_version):
        gone = f", removed in {change.removed}" if change.removed else ""
        yield Finding(
            ("apiVersion",),
            f"{kind} {api_version} is deprecated since Kubernetes {change.deprecated}{gone}; "
            f"use {change.replacement}",
        )
