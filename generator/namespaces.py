"""Which component owns each namespace components run in (DESIGN §2).

Several components may share a namespace; exactly one of them then writes the Namespace object
and its default-deny, the others only their own policies. Kubernetes owns its system
namespaces: nobody writes a Namespace or a default-deny there (a default-deny in kube-system
would cut CoreDNS off).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.errors import Problem

if TYPE_CHECKING:
    from generator.plan import PlannedComponent

SYSTEM = ("default", "kube-system", "kube-public", "kube-node-lease")


@dataclass(frozen=True)
class NamespaceUse:
    owner: str | None  # writes the Namespace and the default-deny; None in system namespaces
    components: tuple[str, ...]

    @property
    def shared(self) -> bool:
        """Whether policies must select the component's own pods rather than the namespace."""
        return self.owner is None or len(self.components) > 1


def plan_namespaces(
    clusters: Mapping[str, Sequence[PlannedComponent]],
) -> tuple[dict[str, NamespaceUse], list[Problem]]:
    """Per namespace its owner: of the components running on every cluster that uses the
    namespace, the one named after it, else the first listed. Without such a component some
    cluster would miss the Namespace object: that is a problem to report."""
    order: dict[str, list[PlannedComponent]] = {}
    where: dict[str, set[str]] = {}
    for cluster, members in clusters.items():
        for member in members:
            listed = order.setdefault(member.namespace, [])
            if member.name not in (m.name for m in listed):
                listed.append(member)
            where.setdefault(member.name, set()).add(cluster)
    uses: dict[str, NamespaceUse] = {}
    problems: list[Problem] = []
    for namespace, members in order.items():
        names = tuple(m.name for m in members)
        if namespace in SYSTEM:
            uses[namespace] = NamespaceUse(None, names)
            continue
        everywhere = set().union(*(where[n] for n in names))
        candidates = [m for m in members if where[m.name] == everywhere]
        named = [m for m in candidates if m.name == namespace]
        chosen = named[0] if named else candidates[0] if candidates else None
        if chosen is None:
            problems.extend(_unowned(namespace, members, where, everywhere))
        uses[namespace] = NamespaceUse(chosen.name if chosen else None, names)
    return uses, problems


def _unowned(
    namespace: str,
    members: Iterable[PlannedComponent],
    where: Mapping[str, set[str]],
    everywhere: set[str],
) -> Iterable[Problem]:
    for member in members:
        missing = sorted(everywhere - where[member.name])
        yield Problem(
            member.origin.location,
            "",
            f"namespace '{namespace}' is shared, but no component sharing it runs on every "
            f"cluster that uses it; '{member.name}' is missing on {', '.join(missing)}: run one "
            "of them everywhere (it then owns the namespace) or give them their own namespaces",
        )
