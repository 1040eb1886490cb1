"""A PodDisruptionBudget should select some pod.

What it checks:
    PodDisruptionBudgets whose selector matches no pod template of their namespace in the input,
    while the input has workloads in that namespace.

Why it matters:
    A budget that selects nothing protects nothing during drains.

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
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
      namespace: shop
    spec:
      maxUnavailable: 1
      selector:
        matchLabels: {app: website}

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
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
      namespace: shop
    spec:
      maxUnavailable: 1
      selector:
        matchLabels: {app: web}

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG307: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig, namespace_of

CODE = "GG307"
NAME = "pdb-selects-nothing"
FAMILY = "networking"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset({"PodDisruptionBudget"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    selector = dig(obj.body, "spec", "selector")
    namespace = namespace_of(obj.body)
    if not isinstance(selector, dict) or not selector:
        return
    if ctx.pods_in(namespace) and not ctx.pods_selected(namespace, selector):
        yield Finding(("spec", "selector"), f"selector matches no pod in namespace {namespace}")
