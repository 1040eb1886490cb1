"""Where one cluster's metrics and logs go: `spec.observability` resolved for that cluster.

Observability lives outside the cluster it watches. The metrics (logs) cluster runs the receiver
and keeps its own data; every other cluster ships to the receiver's Ingress, or to an external
endpoint. A cluster with no such setting ships to a receiver of its own, when it runs one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from generator import model

# Receiver component -> (Service, port, write path) inside its namespace. The Service names
# follow from each blueprint's release name and base values (fullnameOverride).
METRICS_RECEIVERS = {
    "victoria-metrics": ("victoria-metrics", 8428, "/api/v1/write"),
    "kube-prometheus-stack": ("kube-prometheus-stack-prometheus", 9090, "/api/v1/write"),
}
LOGS_RECEIVERS = {"loki": ("loki", 3100, "/loki/api/v1/push")}


@dataclass(frozen=True)
class Signal:
    """One kind of telemetry (metrics or logs) for one cluster, as the value templates see it."""

    # Where this cluster's shippers send; None: nowhere (no receiver and no endpoint).
    url: str | None = None
    # The Secret holding the token for `url`, in the shipper's namespace; never its value.
    bearer_token_secret: model.SecretKey | None = None
    # The component of this cluster that receives (the first of the receivers it runs that
    # other clusters, or its own shippers, send to).
    receiver: str | None = None
    # On the metrics (logs) cluster: the host of the receiver's Ingress for the other clusters.
    host: str | None = None

    @property
    def remote(self) -> bool:
        """Whether shippers send out of the cluster (so a local receiver does not ship on)."""
        return self.url is not None and self.receiver is None


@dataclass(frozen=True)
class ClusterObservability:
    metrics: Signal
    logs: Signal


def resolve(
    catalogue: model.Catalogue, cluster: model.Cluster, namespaces: Mapping[str, str]
) -> ClusterObservability:
    """`namespaces`: the namespace of each component of `cluster`, by component name."""
    spec = catalogue.observability
    return ClusterObservability(
        metrics=_signal(
            cluster.name,
            namespaces,
            METRICS_RECEIVERS,
            spec.metrics_cluster,
            spec.metrics_host,
            spec.remote_write,
            "/api/v1/write",
        ),
        logs=_signal(
            cluster.name,
            namespaces,
            LOGS_RECEIVERS,
            spec.logs_cluster,
            spec.logs_host,
            spec.logs,
            "/loki/api/v1/push",
        ),
    )


def warnings(catalogue: model.Catalogue) -> Iterator[str]:
    """A metrics (logs) cluster without a receiver, or that the other clusters cannot reach."""
    spec = catalogue.observability
    for kind, home, host, receivers in (
        ("metrics", spec.metrics_cluster, spec.metrics_host, METRICS_RECEIVERS),
        ("logs", spec.logs_cluster, spec.logs_host, LOGS_RECEIVERS),
    ):
        cluster = next((c for c in catalogue.clusters if c.name == home), None)
        if cluster is None:
            continue
        if not any(c.name in receivers for c in cluster.components):
            yield (
                f"{catalogue.source}: observability.{kind}Cluster '{home}' runs no receiver "
                f"(add {' or '.join(receivers)} to its components)"
            )
        if host is None and len(catalogue.clusters) > 1:
            yield (
                f"{catalogue.source}: observability.{kind}Cluster '{home}' has no {kind}Host: "
                f"the other clusters cannot reach its receiver and keep their {kind}"
            )


def _signal(
    cluster: str,
    namespaces: Mapping[str, str],
    receivers: Mapping[str, tuple[str, int, str]],
    home: str | None,
    host: str | None,
    endpoint: model.Endpoint | None,
    path: str,
) -> Signal:
    if endpoint is not None:
        return Signal(url=endpoint.url, bearer_token_secret=endpoint.bearer_token_secret)
    if home is not None and home != cluster:
        return Signal(url=f"https://{host}{path}" if host else None)
    receiver = next((name for name in receivers if name in namespaces), None)
    if receiver is None:
        return Signal()
    service, port, write = receivers[receiver]
    return Signal(
        url=f"http://{service}.{namespaces[receiver]}.svc:{port}{write}",
        receiver=receiver,
        host=host if home == cluster else None,
    )
