"""Egress to the whole internet should not include the API server's ports.

What it checks:
    NetworkPolicy egress rules to `0.0.0.0/0` or `::/0` (without `except`) that allow all ports,
    or port 443 or 6443.

Why it matters:
    The Kubernetes API server listens on 443/6443 inside the cluster's address range; a blanket
    allow lets a compromised pod talk to it with a stolen token.

Failing example:
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: egress
      namespace: shop
    spec:
      podSelector: {}
      policyTypes: [Egress]
      egress:
        - to:
            - ipBlock:
                cidr: 0.0.0.0/0

Passing example:
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: egress
      namespace: shop
    spec:
      podSelector: {}
      policyTypes: [Egress]
      egress:
        - to:
            - ipBlock:
                cidr: 0.0.0.0/0
                except: [10.0.0.0/8]

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG308: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig

CODE = "GG308"
NAME = "egress-to-api-server"
FAMILY = "networking"
SEVERITY = "warning"
KINDS: frozenset[str] | None = frozenset({"NetworkPolicy"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    rules = dig(obj.body, "spec", "egress")
    for index, item in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(item, dict):
            continue
        ports = item.get("ports")
        numbers = (
            {p.get("port") for p in ports if isinstance(p, dict)}
            if isinstance(ports, list)
            else None
        )
        if numbers is not None and not numbers & _API_PORTS:
            continue
        for peer in item.get("to") or []:
            block = dig(peer, "ipBlock")
            if (
                isinstance(block, dict)
                and block.get("cidr") in _EVERYWHERE
                and not block.get("except")
            ):
                which = "all ports" if numbers is None else "port 443/6443"
                yield Finding(
                    ("spec", "egress", index),
                    f"egress to {block['cidr']} on {which} includes the Kubernetes API server",
                )


_API_PORTS = frozenset({443, 6443, "https"})
_EVERYWHERE = frozenset({"0.0.0.0/0", "::/0"})
