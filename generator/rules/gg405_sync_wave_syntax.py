"""Sync waves must be integers.

What it checks:
    `argocd.argoproj.io/sync-wave` annotations whose value is not an integer string (`"-1"`,
    `"0"`, `"5"`).

Why it matters:
    Argo CD fails the sync of the whole application on an unparseable wave.

Failing example:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop
      annotations:
        argocd.argoproj.io/sync-wave: "first"

Passing example:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop
      annotations:
        argocd.argoproj.io/sync-wave: "-1"

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG405: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.argo import WAVE, WAVE_SYNTAX
from generator.rules.base import Context, Finding, annotations_of

CODE = "GG405"
NAME = "sync-wave-syntax"
FAMILY = "argocd-kustomize"
SEVERITY = "error"
KINDS: frozenset[str] | None = None


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    wave = annotations_of(obj.body).get(WAVE)
    if wave is not None and not WAVE_SYNTAX.match(wave.strip()):
        yield Finding(("metadata", "annotations", WAVE), f"sync-wave {wave!r} is not an integer")
