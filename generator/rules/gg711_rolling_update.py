"""Deployments should roll out gradually.

What it checks:
    Deployments (and OpenShift DeploymentConfigs) whose `strategy.type` is set to anything but
    `RollingUpdate` (`Rolling`), and DaemonSets whose `updateStrategy.type` is `OnDelete`.

Why it matters:
    Recreate stops every pod before starting new ones: each rollout is an outage.

Failing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      replicas: 2
      strategy: {type: Recreate}
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
    `ignore.gitops-gen.dev/GG711: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig

CODE = "GG711"
NAME = "rolling-update"
FAMILY = "availability"
SEVERITY = "info"
KINDS: frozenset[str] | None = frozenset({"Deployment", "DeploymentConfig", "DaemonSet"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    if obj.body.get("kind") == "DaemonSet":
        if dig(obj.body, "spec", "updateStrategy", "type") == "OnDelete":
            yield Finding(
                ("spec", "updateStrategy", "type"), "updateStrategy OnDelete never updates pods"
            )
        return
    kind = dig(obj.body, "spec", "strategy", "type")
    if kind is not None and kind not in ("RollingUpdate", "Rolling"):
        yield Finding(("spec", "strategy", "type"), f"strategy {kind} is not a rolling update")
