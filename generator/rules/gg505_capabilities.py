"""Containers should drop all capabilities and add no dangerous ones.

What it checks:
    Containers that do not drop `ALL` capabilities (warning), and containers that add a
    dangerous capability: SYS_ADMIN, ALL or NET_ADMIN are errors, NET_RAW, SYS_PTRACE, SYS_MODULE
    and other additions warnings.

Why it matters:
    Capabilities are slices of root. The defaults include NET_RAW (spoofing); added ones such as
    SYS_ADMIN are close to full root on the node.

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
          securityContext:
            capabilities:
              add: [SYS_ADMIN]

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
          securityContext:
            capabilities:
              drop: [ALL]
              add: [NET_BIND_SERVICE]

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG505: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label, setting

CODE = "GG505"
NAME = "capabilities"
FAMILY = "security"
SEVERITY = "warning"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body):
        caps = setting(container, {}, "capabilities")
        caps = caps if isinstance(caps, dict) else {}
        where = (*path, "securityContext", "capabilities")
        drops = {str(c).upper() for c in caps.get("drop") or [] if c is not None}
        if "ALL" not in drops:
            yield Finding(
                where if caps else path, f"{label(container)} does not drop ALL capabilities"
            )
        for cap in caps.get("add") or []:
            name = str(cap).upper().removeprefix("CAP_")
            if name in _HARMLESS:
                continue
            yield Finding(
                (*where, "add"),
                f"{label(container)} adds capability {name}",
                "error" if name in _CRITICAL else None,
            )


_CRITICAL = frozenset({"SYS_ADMIN", "ALL", "NET_ADMIN"})
_HARMLESS = frozenset({"NET_BIND_SERVICE"})
