"""Services of type NodePort or LoadBalancer expose pods outside the cluster.

What it checks:
    Services of type `NodePort` or `LoadBalancer`.

Why it matters:
    Each one is a door from outside; routing through one ingress keeps TLS and policy in one place.

Failing example:
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: shop
    spec:
      type: NodePort
      selector: {app: web}
      ports:
        - {name: http, port: 80, targetPort: http}

Passing example:
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: shop
    spec:
      selector: {app: web}
      ports:
        - {name: http, port: 80, targetPort: http}

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG310: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig

CODE = "GG310"
NAME = "exposed-service"
FAMILY = "networking"
SEVERITY = "info"
KINDS: frozenset[str] | None = frozenset({"Service"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    kind = dig(obj.body, "spec", "type")
    if kind in ("NodePort", "LoadBalancer"):
        yield Finding(
            ("spec", "type"), f"Service of type {kind} is reachable from outside the cluster"
        )
