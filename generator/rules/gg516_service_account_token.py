"""Pods that do not call the Kubernetes API should not mount its token.

What it checks:
    Pod templates without `automountServiceAccountToken: false` (pod or service account).

Why it matters:
    A mounted token is a credential waiting in every pod's filesystem.

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
          automountServiceAccountToken: false
          containers:
            - name: app
              image: nginx:1.27

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG516: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, namespace_of
from generator.rules.pods import WORKLOAD_KINDS, pod_spec

CODE = "GG516"
NAME = "service-account-token"
FAMILY = "security"
SEVERITY = "info"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    found = pod_spec(obj.body)
    if found is None:
        return
    path, spec = found
    if spec.get("automountServiceAccountToken") is False:
        return
    account = spec.get("serviceAccountName") or "default"
    namespace = namespace_of(obj.body)
    sa = ctx.find("ServiceAccount", namespace, str(account))
    # The pod's own setting wins over its service account's.
    if (
        spec.get("automountServiceAccountToken") is None
        and sa is not None
        and sa.body.get("automountServiceAccountToken") is False
    ):
        return
    yield Finding(
        path, "pod mounts a service account token; set automountServiceAccountToken: false"
    )
