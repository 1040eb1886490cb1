"""Containers must set allowPrivilegeEscalation: false.

What it checks:
    Every container whose `securityContext.allowPrivilegeEscalation` is not `false`.
    Privileged containers always escalate, and are reported by GG501 as well.

Why it matters:
    Without it a setuid binary in the image can gain more privileges than the process started with.

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
            allowPrivilegeEscalation: false

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG502: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label, setting

CODE = "GG502"
NAME = "privilege-escalation"
FAMILY = "security"
SEVERITY = "error"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body):
        if setting(container, {}, "allowPrivilegeEscalation") is not False:
            yield Finding(
                (*path, "securityContext"),
                f"{label(container)} allows privilege escalation; set "
                "securityContext.allowPrivilegeEscalation: false",
            )
