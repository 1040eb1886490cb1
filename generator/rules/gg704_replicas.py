"""Deployments and StatefulSets should run more than one replica.

What it checks:
    Deployments and StatefulSets with `replicas` below 2 (or unset, meaning 1) that no
    HorizontalPodAutoscaler scales.

Why it matters:
    One replica means downtime on every rollout, node drain and crash.

Failing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      replicas: 1
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

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG704: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig, scaled_by_hpa

CODE = "GG704"
NAME = "replicas"
FAMILY = "availability"
SEVERITY = "info"
KINDS: frozenset[str] | None = frozenset({"Deployment", "StatefulSet"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    replicas = dig(obj.body, "spec", "replicas")
    if replicas is None and scaled_by_hpa(obj, ctx):
        return
    count = replicas if isinstance(replicas, int) else 1
    if count < 2:
        yield Finding(
            ("spec", "replicas") if replicas is not None else ("spec",), f"runs {count} replica"
        )
