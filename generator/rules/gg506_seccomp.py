"""Pods should run under the RuntimeDefault or a Localhost seccomp profile.

What it checks:
    Containers whose seccomp profile, their own or the pod's, is missing or `Unconfined`.

Why it matters:
    Seccomp blocks system calls containers never need; the runtime default blocks dozens used in
    container escapes.

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
            seccompProfile:
              type: Unconfined

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
            seccompProfile:
              type: RuntimeDefault

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG506: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label, setting

CODE = "GG506"
NAME = "seccomp"
FAMILY = "security"
SEVERITY = "warning"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, spec in containers(obj.body, ("initContainers", "containers")):
        profile = setting(container, spec, "seccompProfile")
        kind = profile.get("type") if isinstance(profile, dict) else None
        if kind not in ("RuntimeDefault", "Localhost"):
            yield Finding(
                path,
                f"{label(container)} has no RuntimeDefault or Localhost seccomp profile "
                "(container or pod securityContext.seccompProfile)",
            )
