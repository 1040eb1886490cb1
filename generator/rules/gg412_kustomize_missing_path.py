"""Files and folders a kustomization names must exist.

What it checks:
    Every local path in `resources`, `bases`, `components`, patches, generators and `crds` of a
    kustomization file.

Why it matters:
    The build fails, and with it every overlay that uses this kustomization.

Failing example:
    # kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources: [deployment.yaml]

Passing example:
    # kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources: []

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG412: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from generator.lintinput import is_remote, kustomization_refs
from generator.manifests import Manifest
from generator.rules.base import Context, Finding

CODE = "GG412"
NAME = "kustomize-missing-path"
FAMILY = "argocd-kustomize"
SEVERITY = "error"
KINDS: frozenset[str] | None = frozenset({"Kustomization"})
# Findings depend on where the object was read, not on its body alone (see lint.Engine).
BY_ORIGIN = True


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    folder = ctx.directories.get(id(obj))
    if folder is None:
        return
    for where, ref in kustomization_refs(obj.body):
        if is_remote(ref) or any(c in ref for c in "*?["):
            continue
        if not (Path(folder) / ref).exists():
            yield Finding(where, f"{ref} does not exist")
