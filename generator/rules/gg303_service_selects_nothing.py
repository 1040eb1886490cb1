"""A Service's selector must match some pod.

What it checks:
    Services with a selector that matches no pod template of their namespace in the input.

Why it matters:
    The Service has no endpoints: every connection to it is refused, and the Ingress in front of
    it answers 503.

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
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: shop
    spec:
      selector: {app: website}
      ports:
        - {name: http, port: 80, targetPort: http}

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
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: shop
    spec:
      selector: {app: web}
      ports:
        - {name: http, port: 80, targetPort: http}

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG303: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig, namespace_of

CODE = "GG303"
NAME = "service-selects-nothing"
FAMILY = "networking"
SEVERITY = "error"
KINDS: frozenset[str] | None = frozenset({"Service"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    selector = dig(obj.body, "spec", "selector")
    if (
        not isinstance(selector, dict)
        or not selector
        or dig(obj.body, "spec", "type") == "ExternalName"
    ):
        return
    if not ctx.pods_selected(namespace_of(obj.body), selector):
        shown = ", ".join(f"{k}={v}" for k, v in selector.items())
        yield Finding(("spec", "selector"), f"selector {shown} matches no pod in the input")
