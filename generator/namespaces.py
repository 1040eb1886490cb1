"""Which component owns each namespace components run in, per cluster (DESIGN §2).

Several components may share a namespace; on each cluster exactly one of them writes the
Namespace object and its default-deny (the one named after the namespace, else the first
listed), the others only their own policies. Kubernetes owns its system namespaces: nobody
writes a Namespace or a default-deny there (a default-deny in kube-system would cut CoreDNS off).

A component's base is shared by every cluster that runs it, so a component that owns its
namespace on some clusters and not on others gets both variants of its namespace manifests,
and the clusters where it owns the namespace point its Application at the owner's variant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.plan import PlannedComponent

SYSTEM = ("default", "kube-system", "kube-public", "kube-node-lease")
MANIFESTS = "manifests"
OWNER_MANIFESTS = "manifests-owner"


@dataclass(frozen=True)
class NamespaceUse:
    owners: Mapping[str, str]  # cluster → the component owning the namespace there
    components: tuple[str, ...]  # every component placed in it, on any cluster

    @property
    def shared(self) -> bool:
        """Whether policies must select the component's own pods rather than the namespace."""
        return self.system or len(self.components) > 1

    @property
    def system(self) -> bool:
        return not self.owners

    def owns(self, component: str, cluster: str) -> bool:
        return self.owners.get(cluster) == component

    def folders(self, component: str, clusters: Sequence[str]) -> dict[bool, str]:
        """The manifests folder of each variant `component` needs (owner: True or False)."""
        roles = {self.owns(component, c) for c in clusters}
        if len(roles) == 1:
            return {roles.pop(): MANIFESTS}
        return {False: MANIFESTS, True: OWNER_MANIFESTS}


def plan_namespaces(clusters: Mapping[str, Sequence[PlannedComponent]]) -> dict[str, NamespaceUse]:
    owners: dict[str, dict[str, str]] = {}
    components: dict[str, list[str]] = {}
    for cluster, members in clusters.items():
        here: dict[str, list[str]] = {}
        for member in members:
            here.setdefault(member.namespace, []).append(member.name)
            listed = components.setdefault(member.namespace, [])
            if member.name not in listed:
                listed.append(member.name)
        for namespace, names in here.items():
            if namespace not in SYSTEM:
                owner = namespace if namespace in names else names[0]
                owners.setdefault(namespace, {})[cluster] = owner
    return {
        namespace: NamespaceUse(owners.get(namespace, {}), tuple(names))
        for namespace, names in components.items()
    }
