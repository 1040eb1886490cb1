"""A mapping must not repeat a key.

What it checks:
    Mapping keys that occur twice in the same mapping of an object.

Why it matters:
    YAML parsers keep one of the values silently (PyYAML and kubectl the last), so half of what
    was written is ignored without a word.

Failing example:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop
      name: other

Passing example:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG103: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding

CODE = "GG103"
NAME = "duplicate-key"
FAMILY = "schema"
SEVERITY = "error"
KINDS: frozenset[str] | None = None
# Findings depend on where the object was read, not on its body alone (see lint.Engine).
BY_ORIGIN = True


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path in ctx.duplicate_keys.get(id(obj), []):
        yield Finding(
            path, f"key {path[-1]!r} appears more than once; only one value is kept", key=True
        )
