"""Ingresses should terminate TLS.

What it checks:
    Ingresses without a `tls` section.

Why it matters:
    Plain HTTP exposes credentials and cookies on the way in.

Failing example:
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: web
      namespace: shop
    spec:
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
    `ignore.gitops-gen.dev/GG311: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig

CODE = "GG311"
NAME = "ingress-tls"
FAMILY = "networking"
SEVERITY = "info"
KINDS: frozenset[str] | None = frozenset({"Ingress"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    if not dig(obj.body, "spec", "tls"):
        yield Finding(("spec",), "Ingress has no tls section")
