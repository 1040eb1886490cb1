"""A cluster's address ranges, apart from the model so the command line's defaults load fast."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClusterNetwork:
    """The cluster's address ranges: what node-level NetworkPolicy peers are named by."""

    node_cidr: str = "10.0.0.0/16"
    pod_cidr: str = "10.244.0.0/16"
    service_cidr: str = "10.96.0.0/12"
