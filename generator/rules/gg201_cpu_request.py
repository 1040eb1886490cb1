"""Containers should request CPU.

What it checks:
    Regular and init containers without `resources.requests.cpu`.

Why it matters:
    The scheduler places pods by their requests; without one a pod lands on a full node and is
    throttled to nothing under contention.

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
            limits: {memory: 128Mi}

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
            requests: {cpu: 50m}

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG201: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label

CODE = "GG201"
NAME = "cpu-request"
FAMILY = "resources"
SEVERITY = "warning"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body, ("initContainers", "containers")):
        resources = container.get("resources")
        section = resources.get("requests") if isinstance(resources, dict) else None
        if not isinstance(section, dict) or section.get("cpu") in (None, ""):
            yield Finding(
                (*path, "resources") if isinstance(resources, dict) else path,
                f"{label(container)} has no cpu request",
            )
