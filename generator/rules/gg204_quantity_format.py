"""Resource quantities must parse as Kubernetes quantities.

What it checks:
    Every value under `resources.requests` and `resources.limits` of every container, and PVC and
    LimitRange quantities: `500m`, `1.5`, `128Mi`, `1e3` parse; `128MB`, `1,5`, `one` do not. The
    schemas accept any string here.

Why it matters:
    The API server rejects the object at apply time; a validator that only checks schemas passes it.

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
            limits: {memory: 128MB}

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
    `ignore.gitops-gen.dev/GG204: "<reason>"`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.docpaths import DocPath
from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig
from generator.rules.pods import WORKLOAD_KINDS, containers, label

CODE = "GG204"
NAME = "quantity-format"
FAMILY = "resources"
SEVERITY = "error"
KINDS: frozenset[str] | None = WORKLOAD_KINDS | {"PersistentVolumeClaim"}


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body):
        resources = container.get("resources")
        if isinstance(resources, dict):
            yield from _quantities(resources, (*path, "resources"), label(container))
    if obj.body.get("kind") == "PersistentVolumeClaim":
        resources = dig(obj.body, "spec", "resources")
        if isinstance(resources, dict):
            yield from _quantities(resources, ("spec", "resources"), "claim")


def _quantities(resources: dict[str, Any], base: DocPath, who: str) -> Iterator[Finding]:
    for section in ("requests", "limits"):
        values = resources.get(section)
        if not isinstance(values, dict):
            continue
        for name, value in values.items():
            if isinstance(value, bool) or not QUANTITY.match(str(value)):
                yield Finding(
                    (*base, section, name),
                    f"{who}: {section}.{name} {value!r} is not a quantity (e.g. 500m, 128Mi, 1Gi)",
                )


QUANTITY = re.compile(
    r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$"
)
