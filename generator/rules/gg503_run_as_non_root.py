"""Containers must not run as root.

What it checks:
    Every container that neither has `runAsNonRoot: true` nor a `runAsUser` above 0, in its own
    securityContext or inherited from the pod's; `runAsUser: 0` is reported even with runAsNonRoot.

Why it matters:
    A process running as UID 0 that escapes its container is root on the node.

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
            runAsUser: 0

Passing example:
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      namespace: shop
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: app
          image: nginx:1.27

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG503: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label, setting

CODE = "GG503"
NAME = "run-as-non-root"
FAMILY = "security"
SEVERITY = "error"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, spec in containers(obj.body):
        user = setting(container, spec, "runAsUser")
        if user == 0:
            yield Finding(
                (*path, "securityContext"), f"{label(container)} runs as root (runAsUser: 0)"
            )
        elif setting(container, spec, "runAsNonRoot") is not True and not (
            isinstance(user, int) and user > 0
        ):
            yield Finding(
                path,
                f"{label(container)} may run as root: set runAsNonRoot: true or a runAsUser "
                "above 0 (container or pod securityContext)",
            )
