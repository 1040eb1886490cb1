"""No NetworkPolicy rule should open a workload to every peer on every port.

What it checks:
    Workloads selected by a NetworkPolicy of their namespace one of whose ingress (or egress)
    rules names no peer and no port: `ingress: [{}]` admits every source on every port, `egress:
    [{}]` reaches every destination. Host-network pods are skipped (policies do not apply to
    them). Workloads that no policy selects at all are GG301's.

Why it matters:
    Policies are additive: one empty rule anywhere in the namespace undoes the default-deny for
    every pod it selects, however carefully the other policies were written.

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
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: allow-everything
      namespace: shop
    spec:
      podSelector: {}
      policyTypes: [Ingress]
      ingress:
        - {}

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
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: web-from-ingress
      namespace: shop
    spec:
      podSelector:
        matchLabels: {app: web}
      policyTypes: [Ingress]
      ingress:
        - from:
            - namespaceSelector:
                matchLabels: {kubernetes.io/metadata.name: traefik}
          ports:
            - {port: 8080}

How to suppress:
    Annotate the workload (or its pod template) with
    `ignore.gitops-gen.dev/GG312: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig, name_of, namespace_of, selector_matches
from generator.rules.pods import WORKLOAD_KINDS, pod_spec, template_labels

CODE = "GG312"
NAME = "open-workload"
FAMILY = "networking"
SEVERITY = "warning"
KINDS: frozenset[str] | None = WORKLOAD_KINDS

_RULES = (("ingress", "from"), ("egress", "to"))


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    found = pod_spec(obj.body)
    if found is None or found[1].get("hostNetwork"):
        return
    namespace = namespace_of(obj.body)
    labels = template_labels(obj.body)
    messages = ctx.shared(
        (CODE, namespace, frozenset(labels.items())),
        lambda: list(_openings(ctx.in_namespace("NetworkPolicy", namespace), labels)),
    )
    for message in messages:
        yield Finding(("metadata", "name"), message)


def _openings(policies: Sequence[Manifest], labels: dict[str, str]) -> Iterator[str]:
    for policy in policies:
        selector = dig(policy.body, "spec", "podSelector")
        if not isinstance(selector, dict) or not selector_matches(selector, labels):
            continue
        for key, peers in _RULES:
            rules = dig(policy.body, "spec", key) or []
            if any(isinstance(r, dict) and not r.get(peers) and not r.get("ports") for r in rules):
                yield (
                    f"NetworkPolicy {name_of(policy.body)} opens these pods to all {key}: a rule "
                    f"with no '{peers}' and no 'ports' matches every peer on every port"
                )
