"""Which pods a NetworkPolicy (Kubernetes, Cilium or Calico) selects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.rules.base import dig, selector_matches

POLICY_KINDS = ("NetworkPolicy", "CiliumNetworkPolicy")


def policy_selects(body: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether a policy applies to pods with `labels`; an empty selector selects them all."""
    if str(body.get("apiVersion", "")).startswith("projectcalico.org"):
        selector = dig(body, "spec", "selector")
        return selector in (None, "", "all()")
    key = "endpointSelector" if body.get("kind") == "CiliumNetworkPolicy" else "podSelector"
    selector = dig(body, "spec", key)
    if not isinstance(selector, dict):
        return key == "podSelector" and selector is None and isinstance(dig(body, "spec"), dict)
    return selector_matches(selector, labels)


def directions(body: Mapping[str, Any]) -> set[str]:
    """The traffic directions a policy isolates: its policyTypes, else what it has rules for."""
    types = dig(body, "spec", "policyTypes") or dig(body, "spec", "types")
    if isinstance(types, list):
        return {str(t).capitalize() for t in types}
    spec = dig(body, "spec")
    spec = spec if isinstance(spec, dict) else {}
    found = {"Egress"} if "egress" in spec else set()
    if "ingress" in spec or body.get("kind") == "NetworkPolicy":
        found.add("Ingress")
    return found
