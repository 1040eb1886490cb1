"""Each object must be defined once.

What it checks:
    Two objects with the same apiVersion group, kind, namespace and name in one file or one
    kustomize build (error), or in two files of one folder, which Argo CD applies together
    (warning: they may be alternatives).

Why it matters:
    Argo CD and kubectl apply one over the other; which one wins depends on file order, and
    Argo CD reports the application as out of sync forever.

Failing example:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop

Passing example:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: other

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG104: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding

CODE = "GG104"
NAME = "duplicate-object"
FAMILY = "schema"
SEVERITY = "error"
KINDS: frozenset[str] | None = None
# Findings depend on where the object was read, not on its body alone (see lint.Engine).
BY_ORIGIN = True


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    key = ctx.identity_of(obj)
    if key is None:
        return
    first = ctx.first_of(key)
    if first is not None and first is not obj:
        # Two files of one folder may be alternatives (examples to pick from); one file or one
        # build holding an object twice is always a mistake.
        same_file = first.origin.location.path == obj.origin.location.path or obj.origin.via
        yield Finding(
            ("metadata", "name"),
            f"duplicate object; first defined at {first.origin.location}",
            None if same_file else "warning",
        )
