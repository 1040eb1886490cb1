"""Remote kustomize resources must pin a tag or commit.

What it checks:
    Remote `resources`/`bases`/`components` (URLs, `github.com/...`) without `?ref=` or `?version=`,
    or pinned to a branch name such as main or master.

Why it matters:
    An unpinned remote base changes the cluster whenever someone pushes upstream.

Failing example:
    # kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources:
      - https://github.com/example/base//deploy

Passing example:
    # kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources:
      - https://github.com/example/base//deploy?ref=v1.2.0

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG413: "<reason>"`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.lintinput import is_remote, kustomization_refs
from generator.manifests import Manifest
from generator.rules.base import Context, Finding

REF = re.compile(r"[?&](?:ref|version)=([^&]+)")
BRANCHES = frozenset({"main", "master", "HEAD", "develop", "stable", "latest"})

CODE = "GG413"
NAME = "kustomize-remote-unpinned"
FAMILY = "argocd-kustomize"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset({"Kustomization"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for where, ref in kustomization_refs(obj.body):
        if not is_remote(ref) or (ref.endswith((".yaml", ".yml")) and "/releases/download/" in ref):
            continue
        match = REF.search(ref)
        if match is None:
            yield Finding(where, f"remote resource {ref} is not pinned; add ?ref=<tag or commit>")
        elif match.group(1) in BRANCHES:
            yield Finding(
                where, f"remote resource {ref} follows branch {match.group(1)}; pin a tag or commit"
            )
