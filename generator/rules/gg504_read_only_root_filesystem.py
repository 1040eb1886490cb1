"""Containers should have a read-only root filesystem.

What it checks:
    Every regular and init container without `securityContext.readOnlyRootFilesystem: true`.

Why it matters:
    A writable root filesystem lets an attacker drop tools and persist changes inside the container.

Failing example:
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      namespace: shop
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext:
            runAsNonRoot: true

Passing example:
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      namespace: shop
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext:
            readOnlyRootFilesystem: true

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG504: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label, setting

CODE = "GG504"
NAME = "read-only-root-filesystem"
FAMILY = "security"
SEVERITY = "warning"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body, ("initContainers", "containers")):
        if setting(container, {}, "readOnlyRootFilesystem") is not True:
            yield Finding(
                path,
                f"{label(container)} has a writable root filesystem; "
                "set readOnlyRootFilesystem: true",
            )
