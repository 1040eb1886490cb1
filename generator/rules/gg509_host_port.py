"""Containers should not bind host ports.

What it checks:
    Container ports with `hostPort` set.

Why it matters:
    A host port ties the pod to one node per port and exposes it past NetworkPolicies.

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
          ports:
            - containerPort: 80
              hostPort: 80

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
            runAsNonRoot: true
          ports:
            - containerPort: 80

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG509: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label

CODE = "GG509"
NAME = "host-port"
FAMILY = "security"
SEVERITY = "warning"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body):
        ports = container.get("ports")
        for index, port in enumerate(ports if isinstance(ports, list) else []):
            if isinstance(port, dict) and port.get("hostPort"):
                yield Finding(
                    (*path, "ports", index, "hostPort"),
                    f"{label(container)} binds host port {port['hostPort']}",
                )
