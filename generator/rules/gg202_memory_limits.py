"""Containers should request and limit memory.

What it checks:
    Regular and init containers without `resources.requests.memory` or without
    `resources.limits.memory` (a limit alone counts as the request too, as Kubernetes defaults it).

Why it matters:
    Memory is not compressible: a container without a limit can take the node's memory and get
    other pods OOM-killed; without a request the scheduler overcommits the node.

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
            limits: {memory: 128Mi}

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG202: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label

CODE = "GG202"
NAME = "memory-limits"
FAMILY = "resources"
SEVERITY = "warning"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body, ("initContainers", "containers")):
        resources = container.get("resources")
        resources = resources if isinstance(resources, dict) else {}
        limits: Any = resources.get("limits")
        limits = limits if isinstance(limits, dict) else {}
        requests: Any = resources.get("requests")
        requests = requests if isinstance(requests, dict) else {}
        where = (*path, "resources") if resources else path
        if limits.get("memory") in (None, ""):
            yield Finding(where, f"{label(container)} has no memory limit")
        elif requests.get("memory") in (None, "") and "requests" in resources:
            yield Finding(where, f"{label(container)} has no memory request")
