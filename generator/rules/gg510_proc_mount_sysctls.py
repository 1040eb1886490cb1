"""No unmasked /proc and no unsafe sysctls.

What it checks:
    Containers with a `procMount` other than `Default` (`Unmasked`), and pods setting sysctls
    outside Kubernetes' safe set.

Why it matters:
    An unmasked /proc exposes kernel interfaces; unsafe sysctls change the kernel for every pod on
    the node.

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
            procMount: Unmasked

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
            procMount: Default

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG510: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label, pod_spec, setting

CODE = "GG510"
NAME = "proc-mount-sysctls"
FAMILY = "security"
SEVERITY = "warning"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body):
        if setting(container, {}, "procMount") not in (None, "Default"):
            yield Finding(
                (*path, "securityContext", "procMount"),
                f"{label(container)} has procMount: {setting(container, {}, 'procMount')}",
            )
    found = pod_spec(obj.body)
    if found is None:
        return
    base, spec = found
    sysctls = (
        (spec.get("securityContext") or {}).get("sysctls")
        if isinstance(spec.get("securityContext"), dict)
        else None
    )
    for index, item in enumerate(sysctls if isinstance(sysctls, list) else []):
        name = str(item.get("name", "")) if isinstance(item, dict) else ""
        if name not in _SAFE and not name.startswith("net.ipv4.ip_local_reserved"):
            yield Finding((*base, "securityContext", "sysctls", index), f"unsafe sysctl {name}")


_SAFE = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)
