"""Roles should grant named verbs on named resources; nobody should be bound to cluster-admin.

What it checks:
    Role and ClusterRole rules with `*` in verbs, resources or apiGroups, rules granting
    `pods/exec`, `pods/attach`, secrets, `escalate`, `bind` or `impersonate`; and bindings to the
    `cluster-admin` ClusterRole (error).

Why it matters:
    Wildcards grant everything future API versions add; exec and secrets access are the usual
    paths from one compromised pod to the whole cluster.

Failing example:
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: reader
      namespace: shop
    rules:
      - apiGroups: [""]
        resources: ["*"]
        verbs: ["get"]

Passing example:
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: reader
      namespace: shop
    rules:
      - apiGroups: [""]
        resources: [configmaps]
        verbs: [get, list]

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG513: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding

CODE = "GG513"
NAME = "rbac-wildcards"
FAMILY = "security"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset(
    {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}
)


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    body = obj.body
    if body.get("kind") in ("RoleBinding", "ClusterRoleBinding"):
        role = body.get("roleRef")
        if isinstance(role, dict) and role.get("name") == "cluster-admin":
            yield Finding(("roleRef", "name"), "binds the cluster-admin ClusterRole", "error")
        return
    rules = body.get("rules")
    for index, item in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(item, dict):
            continue
        for key in ("verbs", "resources", "apiGroups"):
            values = item.get(key)
            if isinstance(values, list) and "*" in values:
                yield Finding(("rules", index, key), f'wildcard "*" in {key}')
        resources = {str(r) for r in item.get("resources") or []}
        verbs = {str(v) for v in item.get("verbs") or []}
        risky = sorted(resources & _RISKY_RESOURCES) + sorted(verbs & _RISKY_VERBS)
        if risky and verbs & _WRITE_OR_READ:
            yield Finding(("rules", index), f"grants access to {', '.join(risky)}")


_RISKY_RESOURCES = frozenset({"pods/exec", "pods/attach", "secrets"})
_RISKY_VERBS = frozenset({"escalate", "bind", "impersonate"})
_WRITE_OR_READ = frozenset(
    {"get", "list", "watch", "create", "update", "patch", "escalate", "bind", "impersonate", "*"}
)
