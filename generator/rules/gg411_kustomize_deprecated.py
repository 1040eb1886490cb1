"""Kustomizations should not use deprecated fields.

What it checks:
    `bases`, `patchesStrategicMerge`, `patchesJson6902`, `commonLabels`, `vars` and `imageTags`
    in kustomization files.

Why it matters:
    kustomize prints a deprecation warning for each and will remove them; `kustomize edit fix`
    rewrites most of them.

Failing example:
    # kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    commonLabels: {team: shop}
    resources: []

Passing example:
    # kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    labels:
      - pairs: {team: shop}
    resources: []

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG411: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.argo import KUSTOMIZE_DEPRECATED as DEPRECATED
from generator.rules.base import Context, Finding

CODE = "GG411"
NAME = "kustomize-deprecated"
FAMILY = "argocd-kustomize"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset({"Kustomization"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    if not str(obj.body.get("apiVersion", "")).startswith("kustomize.config.k8s.io"):
        return
    for key, instead in DEPRECATED.items():
        if key in obj.body:
            yield Finding((key,), f"{key} is deprecated; use {instead}")
