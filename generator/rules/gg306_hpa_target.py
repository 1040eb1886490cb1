"""A HorizontalPodAutoscaler must scale something that exists.

What it checks:
    HorizontalPodAutoscalers whose `scaleTargetRef` names a Deployment, StatefulSet or ReplicaSet
    that is not in the input's namespace.

Why it matters:
    An autoscaler without a target does nothing, and the workload it was meant for is not scaled.

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
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: website}
      minReplicas: 2
      maxReplicas: 4

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
      maxReplicas: 4

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG306: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig, namespace_of

CODE = "GG306"
NAME = "hpa-target"
FAMILY = "networking"
SEVERITY = "error"
KINDS: frozenset[str] | None = frozenset({"HorizontalPodAutoscaler"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    target = dig(obj.body, "spec", "scaleTargetRef")
    if not isinstance(target, dict) or target.get("kind") not in _SCALABLE:
        return
    if ctx.find(str(target["kind"]), namespace_of(obj.body), str(target.get("name"))) is None:
        yield Finding(
            ("spec", "scaleTargetRef"),
            f"target {target['kind']}/{target.get('name')} is not in the input",
        )


_SCALABLE = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "DeploymentConfig"})
