"""Long-running containers should have a readiness probe.

What it checks:
    Regular containers of Deployments, StatefulSets, DaemonSets, ReplicaSets and Pods without a
    `readinessProbe` (Jobs and CronJobs are exempt).

Why it matters:
    Without one, Services send traffic to a pod as soon as it starts and during every restart.

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
    `ignore.gitops-gen.dev/GG701: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import LONG_RUNNING_KINDS, missing_probe

CODE = "GG701"
NAME = "readiness-probe"
FAMILY = "availability"
SEVERITY = "warning"
KINDS: frozenset[str] | None = LONG_RUNNING_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, message in missing_probe(obj.body, "readinessProbe"):
        yield Finding(path, message)
