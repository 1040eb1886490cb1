"""PodDisruptionBudgets must allow some disruption.

What it checks:
    PodDisruptionBudgets with neither `minAvailable` nor `maxUnavailable`, with
    `maxUnavailable: 0` or `0%`, with `minAvailable: 100%`, or with `minAvailable` at least the
    replicas of a workload it selects or the minReplicas of its HPA; and (info) budgets without
    `unhealthyPodEvictionPolicy`.

Why it matters:
    A budget that allows no disruption blocks every node drain and cluster upgrade.

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

    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
      namespace: shop
    spec:
      minAvailable: 2
      unhealthyPodEvictionPolicy: AlwaysAllow
      selector:
        matchLabels: {app: web}

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
    `ignore.gitops-gen.dev/GG706: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.manifests import Manifest
from generator.rules.base import (
    Context,
    Finding,
    dig,
    hpa_min,
    name_of,
    namespace_of,
    selected_workloads,
)

CODE = "GG706"
NAME = "pdb-sane"
FAMILY = "availability"
SEVERITY = "error"
KINDS: frozenset[str] | None = frozenset({"PodDisruptionBudget"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    spec = dig(obj.body, "spec")
    if not isinstance(spec, dict):
        return
    low, high = spec.get("minAvailable"), spec.get("maxUnavailable")
    if low is None and high is None:
        yield Finding(("spec",), "budget sets neither minAvailable nor maxUnavailable")
    if high in (0, "0", "0%"):
        yield Finding(
            ("spec", "maxUnavailable"), "maxUnavailable 0 blocks every voluntary eviction"
        )
    if low == "100%":
        yield Finding(("spec", "minAvailable"), "minAvailable 100% blocks every voluntary eviction")
    if isinstance(low, int):
        selector: Any = spec.get("selector")
        selector = selector if isinstance(selector, dict) else {}
        for workload in selected_workloads(ctx, namespace_of(obj.body), selector):
            replicas = dig(workload.body, "spec", "replicas")
            hpa = hpa_min(workload, ctx)
            count = hpa if hpa is not None else replicas if isinstance(replicas, int) else 1
            if low >= count:
                yield Finding(
                    ("spec", "minAvailable"),
                    f"minAvailable {low} is not below the {count} replica(s) of "
                    f"{workload.body.get('kind')}/{name_of(workload.body)}; no pod can be evicted",
                )
    if spec.get("unhealthyPodEvictionPolicy") is None:
        yield Finding(
            ("spec",),
            "budget has no unhealthyPodEvictionPolicy; AlwaysAllow lets drains evict crashing pods",
            "info",
        )
