"""Probes must target a port the container declares.

What it checks:
    `httpGet`, `tcpSocket` and `grpc` probes (liveness, readiness, startup) whose port name is not
    among the container's port names, or whose port number is not among its declared ports
    (numbers are only checked when the container declares ports).

Why it matters:
    A probe on a port nothing listens on fails forever: the pod never becomes ready, or is
    restarted in a loop.

Failing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      replicas: 2
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          serviceAccountName: web
          containers:
            - name: app
              image: nginx:1.27
              ports:
                - {name: http, containerPort: 8080}
              readinessProbe:
                httpGet: {path: /ready, port: metrics}

Passing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      replicas: 2
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          serviceAccountName: web
          containers:
            - name: app
              image: nginx:1.27
              ports:
                - {name: http, containerPort: 8080}
              readinessProbe:
                httpGet: {path: /ready, port: http}

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG703: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig
from generator.rules.pods import WORKLOAD_KINDS, containers, label

CODE = "GG703"
NAME = "probe-port"
FAMILY = "availability"
SEVERITY = "error"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body, ("initContainers", "containers")):
        ports = container.get("ports")
        declared = [p for p in ports if isinstance(p, dict)] if isinstance(ports, list) else []
        names = {str(p.get("name")) for p in declared if p.get("name")}
        numbers = {p.get("containerPort") for p in declared}
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            spec = container.get(probe)
            if not isinstance(spec, dict):
                continue
            for handler in ("httpGet", "tcpSocket", "grpc"):
                port = dig(spec, handler, "port")
                if port is None:
                    continue
                missing = (isinstance(port, str) and not port.isdigit() and port not in names) or (
                    isinstance(port, int) and declared and port not in numbers
                )
                if missing:
                    yield Finding(
                        (*path, probe, handler, "port"),
                        f"{label(container)} {probe} targets port {port!r}, which the container "
                        "does not declare",
                    )
