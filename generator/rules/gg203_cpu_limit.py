"""Containers limit CPU (off by default).

What it checks:
    Regular and init containers without `resources.limits.cpu`. Off by default: CPU limits throttle
    bursty services even on idle nodes, and many teams run without them on purpose.

Why it matters:
    Where a node is shared by tenants who must not starve each other, a limit caps each one.

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
          resources:
            requests: {cpu: 50m}

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
          resources:
            limits: {cpu: 500m}

How to suppress:
    Leave it off, or annotate the object with
    `ignore.gitops-gen.dev/GG203: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label

CODE = "GG203"
NAME = "cpu-limit"
FAMILY = "resources"
SEVERITY = "off"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body, ("initContainers", "containers")):
        resources = container.get("resources")
        section = resources.get("limits") if isinstance(resources, dict) else None
        if not isinstance(section, dict) or section.get("cpu") in (None, ""):
            yield Finding(
                (*path, "resources") if isinstance(resources, dict) else path,
                f"{label(container)} has no cpu limit",
            )
