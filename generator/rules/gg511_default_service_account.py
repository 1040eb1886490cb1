"""Pods should run under their own service account.

What it checks:
    Pod templates without `serviceAccountName`, or with `default`, that mount the service account
    token (`automountServiceAccountToken` not false).

Why it matters:
    Every pod of the namespace shares the default account: any RBAC granted to it goes to all
    of them.

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
          serviceAccountName: default
          containers:
            - name: app
              image: nginx:1.27

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

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG511: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, pod_spec

CODE = "GG511"
NAME = "default-service-account"
FAMILY = "security"
SEVERITY = "warning"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    found = pod_spec(obj.body)
    if found is None:
        return
    path, spec = found
    account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    # Without the token mounted, the account's permissions are out of the pod's reach.
    if account == "default" and spec.get("automountServiceAccountToken") is not False:
        yield Finding(path, "pod runs under the namespace's default service account")
