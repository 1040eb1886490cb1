"""Containers must not run privileged.

What it checks:
    Any container (init, regular or ephemeral) of any pod template with
    `securityContext.privileged: true`.

Why it matters:
    A privileged container has every capability and the host's devices: it is root on the node.

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
            privileged: true

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
            privileged: false

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG501: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label, setting

CODE = "GG501"
NAME = "privileged"
FAMILY = "security"
SEVERITY = "error"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body):
        if setting(container, {}, "privileged") is True:
            yield Finding(
                (*path, "securityContext", "privileged"), f"{label(container)} runs privileged"
            )
