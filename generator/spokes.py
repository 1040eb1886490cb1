"""What a cluster needs before the bootstrap can reach it, checked on the plan.

A spoke not made by Cluster API is registered from the user's secret store (`registration`).
A Cluster API spoke's nodes stay NotReady until its CNI runs, and tainted `uninitialized` until a
cloud controller initialises them: both come as components of that spoke. The hub must run the
Cluster API providers to make spokes at all, and External Secrets to register them with Argo CD.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from generator.errors import Problem

if TYPE_CHECKING:  # the plan calls these checks
    from generator.plan import ClusterPlan

CAPI_GROUP = "cluster.x-k8s.io"
EXTERNAL_SECRETS_GROUP = "external-secrets.io"


def _roles(cluster_plan: ClusterPlan) -> dict[str, set[str]]:
    """Node-bootstrap role → names of the cluster's components that fill it."""
    roles: dict[str, set[str]] = {}
    for component in cluster_plan.components:
        role = component.blueprint.node_bootstrap if component.blueprint else None
        if role:
            roles.setdefault(role, set()).add(component.name)
    return roles


def bootstrap_problems(clusters: Iterable[ClusterPlan]) -> Iterator[Problem]:
    plans = list(clusters)
    hub = next((c for c in plans if c.cluster.is_hub), None)
    if hub is None:
        return
    spokes = [c for c in plans if not c.cluster.is_hub]
    for cluster_plan in spokes:
        cluster = cluster_plan.cluster
        if not cluster.cluster_api:
            if cluster.registration is None:
                yield Problem(
                    cluster.location,
                    "",
                    f"cluster '{cluster.name}' needs 'registration: {{secretStore, key}}': where "
                    "Argo CD's credentials for it live, so that Argo CD learns it from git",
                )
            continue
        roles = _roles(cluster_plan)
        if cluster.cni not in roles.get("cni", set()):
            yield Problem(
                cluster.location,
                "",
                f"Cluster API cluster '{cluster.name}' has no CNI component: its nodes never "
                f"become Ready; add '{cluster.cni}' (its `cni`) to its components",
            )
        if not roles.get("cloud-controller"):
            yield Problem(
                cluster.location,
                "",
                f"Cluster API cluster '{cluster.name}' has no cloud controller component: its "
                "nodes stay tainted uninitialized; add 'hcloud-ccm' to its components",
            )
    needs = [
        (CAPI_GROUP, "make the Cluster API clusters", "cluster-api", any(
            c.cluster.cluster_api for c in plans
        )),
        (EXTERNAL_SECRETS_GROUP, "register the other clusters with Argo CD", "external-secrets",
         bool(spokes)),
    ]  # fmt: skip
    for group, why, component, needed in needs:
        if needed and not hub.provides(group):
            yield Problem(
                hub.cluster.location,
                "",
                f"hub '{hub.cluster.name}' needs a component providing {group} to {why}; "
                f"add '{component}' to its components",
            )
