"""Pods must not share the host's network, PID or IPC namespace.

What it checks:
    Pod templates with `hostNetwork`, `hostPID` or `hostIPC` set to true.

Why it matters:
    A pod in the host's namespaces sees every process, socket or shared memory segment on the node
    and bypasses NetworkPolicies.

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
          hostNetwork: true
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
          hostNetwork: false
          containers:
            - name: agent
              image: agent:1.0

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG507: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, pod_spec

CODE = "GG507"
NAME = "host-namespaces"
FAMILY = "security"
SEVERITY = "error"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    found = pod_spec(obj.body)
    if found is None:
        return
    path, spec = found
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(key) is True:
            yield Finding((*path, key), f"pod uses the host's namespace: {key}: true")
