"""Every pod should be selected by a NetworkPolicy.

What it checks:
    Workloads whose pods no NetworkPolicy of their namespace selects, or none for one direction
    (ingress or egress, by `policyTypes`) (`podSelector: {}` selects
    all of them; CiliumNetworkPolicy `endpointSelector: {}` and Calico `selector: all()` count
    too), and Namespace objects of the input with no NetworkPolicy at all.

Why it matters:
    Without a policy selecting a pod, it accepts connections from every pod of the cluster and
    can reach anything; one compromised pod reaches them all.

Failing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: app
              image: nginx:1.27
              ports:
                - {name: http, containerPort: 8080}

Passing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: app
              image: nginx:1.27
              ports:
                - {name: http, containerPort: 8080}
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: default-deny
      namespace: shop
    spec:
      podSelector: {}
      policyTypes: [Ingress, Egress]

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG301: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, name_of, namespace_of
from generator.rules.network import POLICY_KINDS, directions, policy_selects
from generator.rules.pods import WORKLOAD_KINDS, template_labels

CODE = "GG301"
NAME = "network-policy"
FAMILY = "networking"
SEVERITY = "warning"
KINDS: frozenset[str] | None = WORKLOAD_KINDS | {"Namespace"}


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    namespace = namespace_of(obj.body) if obj.body.get("kind") != "Namespace" else name_of(obj.body)
    if obj.body.get("kind") == "Namespace":
        if not any(ctx.in_namespace(kind, namespace) for kind in POLICY_KINDS):
            yield Finding(
                ("metadata", "name"),
                f"namespace {namespace} has no NetworkPolicy; add a default-deny policy with "
                "podSelector: {}",
            )
        return
    labels = template_labels(obj.body)
    # Every workload of a namespace would list its policies again: a fleet's namespaces have
    # one per cluster, which made this rule grow with the square of the fleet.
    covered = ctx.shared(
        (CODE, namespace, frozenset(labels.items())),
        lambda: _covered(
            [p for kind in POLICY_KINDS for p in ctx.in_namespace(kind, namespace)], labels
        ),
    )
    if covered is None:
        yield Finding(
            ("metadata", "name"),
            f"no NetworkPolicy in namespace {namespace} selects these pods; add a default-deny "
            "policy with podSelector: {}",
        )
        return
    for missing in sorted({"Ingress", "Egress"} - covered):
        yield Finding(
            ("metadata", "name"),
            f"no NetworkPolicy in namespace {namespace} restricts {missing.lower()} of these pods",
        )


def _covered(policies: list[Manifest], labels: dict[str, str]) -> set[str] | None:
    """The directions the policies selecting pods with `labels` isolate; None if none selects."""
    selecting = [p for p in policies if policy_selects(p.body, labels)]
    if not selecting:
        return None
    return set().union(*(directions(p.body) for p in selecting))
