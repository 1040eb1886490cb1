"""A workload's selector must match its pod template's labels.

What it checks:
    Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs (with a selector) whose
    `spec.selector` does not match `spec.template.metadata.labels`.

Why it matters:
    The API server refuses the object; if it did not, the controller would create pods forever.

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
          labels: {app: website}
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
    `ignore.gitops-gen.dev/GG708: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig, selector_matches
from generator.rules.pods import template_labels

CODE = "GG708"
NAME = "selector-match"
FAMILY = "availability"
SEVERITY = "error"
KINDS: frozenset[str] | None = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
)


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    selector = dig(obj.body, "spec", "selector")
    if not isinstance(selector, dict) or not selector:
        return
    labels = template_labels(obj.body)
    if not selector_matches(selector, labels):
        yield Finding(("spec", "selector"), "selector does not match the pod template's labels")
