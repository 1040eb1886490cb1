"""Replicas should be spread across nodes.

What it checks:
    Deployments and StatefulSets with two or more replicas without `topologySpreadConstraints` and
    without a pod anti-affinity on a topology key.

Why it matters:
    The scheduler may put every replica on one node, and losing that node takes the service down.

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
          topologySpreadConstraints:
            - maxSkew: 1
              topologyKey: kubernetes.io/hostname
              whenUnsatisfiable: ScheduleAnyway
              labelSelector:
                matchLabels: {app: web}
          serviceAccountName: web
          containers:
            - name: app
              image: nginx:1.27
              ports:
                - {name: http, containerPort: 8080}

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG707: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig
from generator.rules.pods import pod_spec

CODE = "GG707"
NAME = "spread"
FAMILY = "availability"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset({"Deployment", "StatefulSet"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    replicas = dig(obj.body, "spec", "replicas")
    if not isinstance(replicas, int) or replicas < 2:
        return
    found = pod_spec(obj.body)
    if found is None:
        return
    path, spec = found
    if spec.get("topologySpreadConstraints") or dig(spec, "affinity", "podAntiAffinity"):
        return
    yield Finding(path, f"{replicas} replicas with no podAntiAffinity or topologySpreadConstraints")
