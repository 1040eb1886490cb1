"""A StatefulSet's serviceName must be a headless Service.

What it checks:
    StatefulSets whose `serviceName` is missing, or names no Service with `clusterIP: None` in the
    same namespace of the input.

Why it matters:
    The pods get no stable DNS names without the governing headless Service.

Failing example:
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
      namespace: shop
    spec:
      serviceName: db
      selector:
        matchLabels: {app: db}
      template:
        metadata:
          labels: {app: db}
        spec:
          containers:
            - name: db
              image: postgres:17

Passing example:
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
      namespace: shop
    spec:
      serviceName: db
      selector:
        matchLabels: {app: db}
      template:
        metadata:
          labels: {app: db}
        spec:
          containers:
            - name: db
              image: postgres:17
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: db
      namespace: shop
    spec:
      clusterIP: None
      selector: {app: db}
      ports:
        - port: 5432

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG710: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig, namespace_of

CODE = "GG710"
NAME = "statefulset-service"
FAMILY = "availability"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset({"StatefulSet"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    name = dig(obj.body, "spec", "serviceName")
    if not name:
        yield Finding(("spec",), "StatefulSet has no serviceName")
        return
    service = ctx.find("Service", namespace_of(obj.body), str(name))
    if service is None:
        yield Finding(("spec", "serviceName"), f"no Service {name} in the input")
    elif dig(service.body, "spec", "clusterIP") != "None":
        yield Finding(("spec", "serviceName"), f"Service {name} is not headless (clusterIP: None)")
