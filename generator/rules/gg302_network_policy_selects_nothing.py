"""A NetworkPolicy should select some pod.

What it checks:
    NetworkPolicies whose non-empty `podSelector` matches no pod template of their namespace in
    the input.

Why it matters:
    A policy that selects nothing protects nothing; usually a label was renamed on one side only.

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
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: default-deny
      namespace: shop
    spec:
      podSelector:
        matchLabels: {app: website}
      policyTypes: [Ingress, Egress]

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
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: default-deny
      namespace: shop
    spec:
      podSelector:
        matchLabels: {app: web}
      policyTypes: [Ingress, Egress]

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG302: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig, namespace_of, selector_matches

CODE = "GG302"
NAME = "network-policy-selects-nothing"
FAMILY = "networking"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset({"NetworkPolicy"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    selector = dig(obj.body, "spec", "podSelector")
    namespace = namespace_of(obj.body)
    if not isinstance(selector, dict) or not selector:
        return
    pods = [labels for _, _, labels, _ in ctx.pods_in(namespace)]
    if not any(selector_matches(selector, labels) for labels in pods):
        yield Finding(
            ("spec", "podSelector"), f"podSelector matches no pod in namespace {namespace}"
        )
