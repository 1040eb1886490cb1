"""Pods should not mount directories of the host.

What it checks:
    `hostPath` volumes: a warning, and an error for container runtime sockets
    (docker.sock, containerd.sock, crio.sock) or the host's root `/`.

Why it matters:
    A hostPath volume reaches outside the container; the runtime socket hands over every container
    on the node.

Failing example:
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: agent
      namespace: monitoring
    spec:
      selector:
        matchLabels: {app: agent}
      template:
        metadata:
          labels: {app: agent}
        spec:
          volumes:
            - name: logs
              hostPath:
                path: /var/log
          containers:
            - name: agent
              image: agent:1.0

Passing example:
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: agent
      namespace: monitoring
    spec:
      selector:
        matchLabels: {app: agent}
      template:
        metadata:
          labels: {app: agent}
        spec:
          volumes:
            - name: logs
              emptyDir: {}
          containers:
            - name: agent
              image: agent:1.0

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG508: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, pod_spec

CODE = "GG508"
NAME = "host-path"
FAMILY = "security"
SEVERITY = "warning"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    found = pod_spec(obj.body)
    if found is None:
        return
    base, spec = found
    volumes = spec.get("volumes")
    for index, volume in enumerate(volumes if isinstance(volumes, list) else []):
        host = volume.get("hostPath") if isinstance(volume, dict) else None
        if not isinstance(host, dict):
            continue
        target = str(host.get("path", ""))
        critical = target.rstrip("/") == "" or target.endswith(_SOCKETS)
        yield Finding(
            (*base, "volumes", index, "hostPath"),
            f"volume {volume.get('name')!r} mounts hostPath {target}",
            "error" if critical else None,
        )


_SOCKETS = ("docker.sock", "containerd.sock", "crio.sock", "/var/run", "/run")
