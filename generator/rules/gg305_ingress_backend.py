"""An Ingress must point at a Service and port that exist.

What it checks:
    Ingress backends (default backend and every rule path) naming a Service that is not in the
    input's namespace, or a port name or number that Service does not have.

Why it matters:
    Requests for the path answer 503 from the ingress controller.

Failing example:
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: shop
    spec:
      selector: {app: web}
      ports:
        - {name: http, port: 80, targetPort: http}
    ---
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
                    name: website
                    port: {name: http}

Passing example:
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: shop
    spec:
      selector: {app: web}
      ports:
        - {name: http, port: 80, targetPort: http}
    ---
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
    `ignore.gitops-gen.dev/GG305: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.docpaths import DocPath
from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig, namespace_of

CODE = "GG305"
NAME = "ingress-backend"
FAMILY = "networking"
SEVERITY = "error"
KINDS: frozenset[str] | None = frozenset({"Ingress"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    spec = dig(obj.body, "spec")
    if not isinstance(spec, dict):
        return
    namespace = namespace_of(obj.body)
    backends: list[tuple[DocPath, Any]] = [(("spec", "defaultBackend"), spec.get("defaultBackend"))]
    for r, item in enumerate(spec.get("rules") or []):
        for p, path in enumerate(dig(item, "http", "paths") or []):
            backends.append(
                (("spec", "rules", r, "http", "paths", p, "backend"), dig(path, "backend"))
            )
    for where, backend in backends:
        service = dig(backend, "service")
        if not isinstance(service, dict) or not service.get("name"):
            continue
        found = ctx.find("Service", namespace, str(service["name"]))
        if found is None:
            yield Finding(
                (*where, "service", "name"),
                f"backend Service {service['name']} is not in the input",
            )
            continue
        port: Any = service.get("port")
        port = port if isinstance(port, dict) else {}
        ports = dig(found.body, "spec", "ports") or []
        if "name" in port and port["name"] not in {
            p.get("name") for p in ports if isinstance(p, dict)
        }:
            yield Finding(
                (*where, "service", "port"),
                f"Service {service['name']} has no port named {port['name']}",
            )
        if "number" in port and port["number"] not in {
            p.get("port") for p in ports if isinstance(p, dict)
        }:
            yield Finding(
                (*where, "service", "port"),
                f"Service {service['name']} has no port {port['number']}",
            )
