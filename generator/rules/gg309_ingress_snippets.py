"""Ingresses should not carry nginx configuration snippets.

What it checks:
    Ingress annotations ending in `-snippet` (`nginx.ingress.kubernetes.io/configuration-snippet`,
    `server-snippet`, …).

Why it matters:
    Snippets inject raw nginx configuration: CVE-2021-25742 read every Secret of the cluster
    through them, and ingress-nginx disables them by default since 1.9.

Failing example:
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: web
      namespace: shop
      annotations:
        nginx.ingress.kubernetes.io/server-snippet: "return 200;"
    spec:
      tls:
        - hosts: [shop.example.com]
          secretName: shop-tls
      rules:
        - host: shop.example.com
          http:
            paths:
              - path: /
                pathType: Prefix
                backend:
                  service:
                    name: web
                    port: {name: http}

Passing example:
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: web
      namespace: shop
    spec:
      tls:
        - hosts: [shop.example.com]
          secretName: shop-tls
      rules:
        - host: shop.example.com
          http:
            paths:
              - path: /
                pathType: Prefix
                backend:
                  service:
                    name: web
                    port: {name: http}

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG309: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, annotations_of

CODE = "GG309"
NAME = "ingress-snippets"
FAMILY = "networking"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset({"Ingress"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for key in annotations_of(obj.body):
        if key.endswith("-snippet"):
            yield Finding(
                ("metadata", "annotations", key),
                f"annotation {key} injects raw nginx configuration",
            )
