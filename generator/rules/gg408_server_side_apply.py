"""Large CRDs need server-side apply.

What it checks:
    CustomResourceDefinitions larger than 256 KiB without
    `argocd.argoproj.io/sync-options: ServerSideApply=true`.

Why it matters:
    Client-side apply stores the whole object in the last-applied annotation, which is limited to
    256 KiB: the sync fails with 'metadata.annotations: Too long'.

Failing example:
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: big.example.com
    spec:
      group: example.com
      scope: Namespaced
      names: {kind: Big, plural: bigs}
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              description: "… 300 KiB of schema …"

Passing example:
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: big.example.com
      annotations:
        argocd.argoproj.io/sync-options: ServerSideApply=true
    spec:
      group: example.com
      scope: Namespaced
      names: {kind: Big, plural: bigs}
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              description: "… 300 KiB of schema …"

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG408: "<reason>"`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, annotations_of

CODE = "GG408"
NAME = "server-side-apply"
FAMILY = "argocd-kustomize"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset({"CustomResourceDefinition"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    options = annotations_of(obj.body).get("argocd.argoproj.io/sync-options", "")
    if "ServerSideApply=true" in options:
        return
    size = len(json.dumps(obj.body, separators=(",", ":")))
    if size > _LIMIT:
        yield Finding(
            ("metadata", "name"),
            f"CRD is {size // 1024} KiB; "
            "annotate argocd.argoproj.io/sync-options: ServerSideApply=true",
        )


_LIMIT = 262_144
