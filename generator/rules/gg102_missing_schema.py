"""Every kind needs a schema, or it is not validated at all.

What it checks:
    Objects whose apiVersion and kind have no schema: not a Kubernetes kind of the target version,
    and no CRD schema bundled, given with `--crd`/`crds:` or defined in the input. A removed API
    version is reported by GG801 instead.

Why it matters:
    A validator that skips unknown kinds passes every typo in a custom resource; users believe the
    repository was checked when it was not.

Failing example:
    apiVersion: example.com/v1
    kind: Widget
    metadata:
      name: w
      namespace: shop
    spec: {}

Passing example:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: w
      namespace: shop

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG102: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.apis import removal
from generator.rules.base import Context, Finding, schema_minor

CODE = "GG102"
NAME = "missing-schema"
FAMILY = "schema"
SEVERITY = "warning"
KINDS: frozenset[str] | None = None


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    api_version, kind = obj.body.get("apiVersion"), obj.body.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return
    if api_version.startswith("kustomize.config.k8s.io") or removal(api_version, kind) is not None:
        return
    if ctx.store.validator(schema_minor(ctx.kubernetes_version), api_version, kind) is None:
        yield Finding(
            ("kind",),
            f"no schema for {kind} in {api_version}: not validated; pass its CRD with --crd "
            "or list it under crds: in .gitops-gen.yaml",
        )
