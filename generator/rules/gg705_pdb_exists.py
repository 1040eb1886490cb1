"""Replicated Deployments and StatefulSets should have a PodDisruptionBudget.

What it checks:
    Deployments and StatefulSets with two or more replicas (or an HPA) whose pods no
    PodDisruptionBudget in their namespace selects.

Why it matters:
    Without a budget a node drain may evict every replica at once.

Failing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      replicas: 3
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
      replicas: 3
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
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
      namespace: shop
    spec:
      maxUnavailable: 1
      unhealthyPodEvictionPolicy: AlwaysAllow
      selector:
        matchLabels: {app: web}

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG705: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import (
    Context,
    Finding,
    dig,
    namespace_of,
    scaled_by_hpa,
    selector_matches,
)
from generator.rules.pods import template_labels

CODE = "GG705"
NAME = "pdb-exists"
FAMILY = "availability"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset({"Deployment", "StatefulSet"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    replicas = dig(obj.body, "spec", "replicas")
    count = replicas if isinstance(replicas, int) else 1
    if count < 2 and not scaled_by_hpa(obj, ctx):
        return
    namespace = namespace_of(obj.body)
    labels = template_labels(obj.body)
    for pdb in ctx.in_namespace("PodDisruptionBudget", namespace):
        selector = dig(pdb.body, "spec", "selector")
        if isinstance(selector, dict) and selector_matches(selector, labels):
            return
    yield Finding(
        ("metadata", "name"), f"{count} replicas but no PodDisruptionBudget selects the pods"
    )
