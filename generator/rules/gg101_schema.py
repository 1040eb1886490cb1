"""Objects must match the Kubernetes or CRD schema.

What it checks:
    Every object against the strict schema of its apiVersion and kind for the target Kubernetes
    version (`kubernetesVersion`), or its CRD's schema (`--crd`, `crds:`, CRDs in the input or the
    bundled ones): wrong field types, unknown fields, missing required fields, enums.

    Required fields are not demanded of kinds a Flux Kustomization of the input patches at
    apply time (`spec.patches`): such objects are partial by design.

Why it matters:
    The API server rejects such objects; unknown fields are silently dropped by client-side apply,
    so a typo such as `replica: 3` does nothing.

Failing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      replicas: three
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: app
              image: nginx:1.27

Passing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      replicas: 3
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: app
              image: nginx:1.27

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG101: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, schema_minor

CODE = "GG101"
NAME = "schema"
FAMILY = "schema"
SEVERITY = "error"
KINDS: frozenset[str] | None = None


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    if obj.body.get("apiVersion", "").startswith("kustomize.config.k8s.io") or not obj.body.get(
        "kind"
    ):
        if not obj.body.get("kind") or not obj.body.get("apiVersion"):
            missing = "kind" if not obj.body.get("kind") else "apiVersion"
            yield Finding((), f"object has no {missing}")
        return
    if not obj.body.get("apiVersion"):
        yield Finding((), "object has no apiVersion")
        return
    minor = schema_minor(ctx.kubernetes_version)
    if ctx.store.validator(minor, str(obj.body["apiVersion"]), str(obj.body["kind"])) is None:
        return
    kind = str(obj.body["kind"])
    for error in ctx.store.validate(obj.body, minor):
        if kind in ctx.flux_patched_kinds and error.message.endswith("is a required property"):
            continue
        yield Finding(error.parts, f"{error.path or '(root)'}: {error.message}")
