"""A pod's service account should be in the repository.

What it checks:
    Pod templates naming a `serviceAccountName` other than `default` when the input has no
    ServiceAccount of that name in the pod's namespace.

Why it matters:
    The pod is never created: the API server refuses pods whose service account does not exist.

Failing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
      labels: {app: web}
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

Passing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
      labels: {app: web}
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
    ---
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: web
      namespace: shop

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG517: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, namespace_of
from generator.rules.pods import WORKLOAD_KINDS, pod_spec

CODE = "GG517"
NAME = "service-account-exists"
FAMILY = "security"
SEVERITY = "warning"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    found = pod_spec(obj.body)
    if found is None:
        return
    path, spec = found
    account = spec.get("serviceAccountName") or spec.get("serviceAccount")
    if not account or account == "default":
        return
    if ctx.find("ServiceAccount", namespace_of(obj.body), str(account)) is None:
        yield Finding(
            (*path, "serviceAccountName"), f"ServiceAccount {account} is not in the input"
        )
