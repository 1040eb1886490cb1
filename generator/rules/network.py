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
