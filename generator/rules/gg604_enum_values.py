"""Fields with a fixed set of values must use one of them.

What it checks:
    `imagePullPolicy`, pod `restartPolicy`, container port `protocol`, Service `type` and
    `externalTrafficPolicy`: values the API server refuses but the published schemas accept.

Why it matters:
    A typo such as `imagePullPolicy: IfNotPresen` passes schema validation and fails the sync.

Failing example:
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      namespace: shop
    spec:
      containers:
        - name: app
          image: nginx:1.27
          imagePullPolicy: IfNotPresen

Passing example:
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      namespace: shop
    spec:
      containers:
        - name: app
          image: nginx:1.27
          imagePullPolicy: IfNotPresent

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG604: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig
from generator.rules.pods import WORKLOAD_KINDS, containers, pod_spec

CODE = "GG604"
NAME = "enum-values"
FAMILY = "images"
SEVERITY = "error"
KINDS: frozenset[str] | None = WORKLOAD_KINDS | {"Service"}


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body):
        policy = container.get("imagePullPolicy")
        if policy is not None and policy not in _PULL:
            yield Finding(
                (*path, "imagePullPolicy"),
                f"imagePullPolicy {policy!r} is not one of {', '.join(_PULL)}",
            )
        ports = container.get("ports")
        for index, port in enumerate(ports if isinstance(ports, list) else []):
            protocol = port.get("protocol") if isinstance(port, dict) else None
            if protocol is not None and protocol not in _PROTOCOLS:
                yield Finding(
                    (*path, "ports", index, "protocol"),
                    f"protocol {protocol!r} is not TCP, UDP or SCTP",
                )
    found = pod_spec(obj.body)
    if found is not None:
        restart = found[1].get("restartPolicy")
        if restart is not None and restart not in _RESTART:
            yield Finding(
                (*found[0], "restartPolicy"),
                f"restartPolicy {restart!r} is not one of {', '.join(_RESTART)}",
            )
    if obj.body.get("kind") == "Service":
        spec = dig(obj.body, "spec")
        spec = spec if isinstance(spec, dict) else {}
        kind = spec.get("type")
        if kind is not None and kind not in _SERVICE_TYPES:
            yield Finding(
                ("spec", "type"), f"Service type {kind!r} is not one of {', '.join(_SERVICE_TYPES)}"
            )
        for key in ("externalTrafficPolicy", "internalTrafficPolicy"):
            if spec.get(key) is not None and spec.get(key) not in ("Cluster", "Local"):
                yield Finding(("spec", key), f"{key} {spec.get(key)!r} is not Cluster or Local")
        ports = spec.get("ports")
        for index, port in enumerate(ports if isinstance(ports, list) else []):
            protocol = port.get("protocol") if isinstance(port, dict) else None
            if protocol is not None and protocol not in _PROTOCOLS:
                yield Finding(
                    ("spec", "ports", index, "protocol"),
                    f"protocol {protocol!r} is not TCP, UDP or SCTP",
                )


_PULL = ("Always", "IfNotPresent", "Never")
_RESTART = ("Always", "OnFailure", "Never")
_PROTOCOLS = ("TCP", "UDP", "SCTP")
_SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
