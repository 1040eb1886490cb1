"""Namespaced objects should say their namespace, and not use `default`.

What it checks:
    Namespaced objects with no `metadata.namespace`, or with `default`.

Why it matters:
    Objects without a namespace land wherever the applying tool points; `default` mixes
    unrelated workloads under one set of policies.

Failing example:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
    data: {}

Passing example:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop
    data: {}

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG515: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import NAMESPACED_CLUSTER_KINDS, Context, Finding, meta

CODE = "GG515"
NAME = "namespace-set"
FAMILY = "security"
SEVERITY = "info"
KINDS: frozenset[str] | None = None


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    kind = str(obj.body.get("kind", ""))
    if kind in NAMESPACED_CLUSTER_KINDS or kind.startswith("Cluster"):
        return
    namespace = meta(obj.body).get("namespace")
    if not namespace:
        yield Finding(("metadata",), "object has no namespace")
    elif namespace == "default":
        yield Finding(("metadata", "namespace"), "object is in the default namespace")
