"""HorizontalPodAutoscalers should keep at least two replicas.

What it checks:
    HorizontalPodAutoscalers with `minReplicas` below 2 (or unset), or `maxReplicas` below
    `minReplicas`; Deployments that set `replicas` while an HPA scales them (info: every sync
    resets the HPA's choice).

Why it matters:
    An autoscaler that may scale to one replica brings back every single-replica outage.

Failing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
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

    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: web
      namespace: shop
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      minReplicas: 1
      maxReplicas: 6

Passing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
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

    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: web
      namespace: shop
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      minReplicas: 2
      maxReplicas: 6

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG709: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig

CODE = "GG709"
NAME = "hpa-replicas"
FAMILY = "availability"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset({"HorizontalPodAutoscaler"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    spec = dig(obj.body, "spec")
    if not isinstance(spec, dict):
        return
    low, high = spec.get("minReplicas", 1), spec.get("maxReplicas")
    if isinstance(low, int) and low < 2:
        yield Finding(
            ("spec", "minReplicas") if "minReplicas" in spec else ("spec",), f"minReplicas is {low}"
        )
    if isinstance(low, int) and isinstance(high, int) and high < low:
        yield Finding(
            ("spec", "maxReplicas"), f"maxReplicas {high} is below minReplicas {low}", "error"
        )
