"""A Service's targetPort must be a port its pods declare.

What it checks:
    Service ports whose `targetPort` name is not a container port name of the selected pods
    (error); and, as info, numbers the pods do not declare (only when they declare ports: an
    undeclared port still works when the process listens on it).

Why it matters:
    Traffic to a port the pods do not serve is refused; a named targetPort that matches nothing
    leaves the Service without endpoints.

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
      selector: {app: web}
      ports:
        - {name: http, port: 80, targetPort: metrics}

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
    `ignore.gitops-gen.dev/GG304: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig, namespace_of

CODE = "GG304"
NAME = "target-port"
FAMILY = "networking"
SEVERITY = "error"
KINDS: frozenset[str] | None = frozenset({"Service"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    spec = dig(obj.body, "spec")
    selector = dig(obj.body, "spec", "selector")
    if not isinstance(spec, dict) or not isinstance(selector, dict) or not selector:
        return
    namespace = namespace_of(obj.body)
    pods = ctx.pods_selected(namespace, selector)
    if not pods:
        return
    names, numbers = ctx.shared((CODE, namespace, repr(selector)), lambda: _declared(pods))
    ports = spec.get("ports")
    for index, port in enumerate(ports if isinstance(ports, list) else []):
        if not isinstance(port, dict):
            continue
        target = port.get("targetPort", port.get("port"))
        if isinstance(target, str) and not target.isdigit() and target not in names:
            yield Finding(
                ("spec", "ports", index, "targetPort"),
                f"targetPort {target!r} is not a port name of the selected pods",
            )
        elif isinstance(target, int) and numbers - {None} and target not in numbers:
            yield Finding(
                ("spec", "ports", index),
                f"targetPort {target} is not declared by the selected pods",
                "info",
            )


def _declared(pods: list[dict[str, Any]]) -> tuple[set[Any], set[Any]]:
    """The port names and numbers the containers of `pods` declare."""
    names, numbers = set(), set()
    for pod in pods:
        for key in ("containers", "initContainers"):
            for container in pod.get(key) or []:
                for port in (container.get("ports") or []) if isinstance(container, dict) else []:
                    if isinstance(port, dict):
                        names.add(port.get("name"))
                        numbers.add(port.get("containerPort"))
    return names, numbers
