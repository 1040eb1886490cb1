"""The catalogue as frozen data: what the planner and the renderer work from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

# Part of the model; kept in its own module so the command line loads without the model.
from generator.clusternetwork import ClusterNetwork as ClusterNetwork
from generator.errors import Location
from generator.servertypes import ServerType

ARGOCD_NAMESPACE = "argocd"
IN_CLUSTER = "https://kubernetes.default.svc"
# The AppProject of the root Application; each environment's project is named after the
# environment, so no environment may take this name.
BOOTSTRAP_PROJECT = "bootstrap"


@dataclass(frozen=True)
class Environment:
    name: str
    promotes_from: str | None = None


@dataclass(frozen=True)
class NodePool:
    name: str
    role: str  # control-plane | worker
    server_type: ServerType
    count: int
    bare_metal: bool
    schedulable: bool
    # Memory per node held back from pods, when the catalogue overrides the budget's estimate.
    reserved_bytes: int | None = None


@dataclass(frozen=True)
class Chart:
    repo: str
    name: str
    version: str


@dataclass(frozen=True)
class Component:
    """A component as the catalogue asks for it: a blueprint, or a plain chart."""

    name: str
    profile: str | None
    values: Mapping[str, Any]
    chart: Chart | None
    namespace: str | None
    location: Location
    server_side_apply: bool | None = None  # None: the default for its kind


# Each distribution's own defaults; nodes sit on the Hetzner private network.
NETWORK_DEFAULTS = {
    "kubeadm": ClusterNetwork(),
    "k3s": ClusterNetwork(pod_cidr="10.42.0.0/16", service_cidr="10.43.0.0/16"),
}


@dataclass(frozen=True)
class Registration:
    """Where Argo CD's credentials for a cluster not made by Cluster API live."""

    secret_store: str
    key: str


@dataclass(frozen=True)
class Cluster:
    name: str
    role: str
    environment: str
    distribution: str
    cni: str
    kubernetes_version: str
    server: str
    cluster_api: bool
    region: str
    ssh_key: str
    node_pools: tuple[NodePool, ...]
    memory_requests_target: float
    components: tuple[Component, ...]
    is_hub: bool
    location: Location
    network: ClusterNetwork = field(default_factory=ClusterNetwork)
    registration: Registration | None = None

    @property
    def minor(self) -> str:
        """ "1.30" for "1.30" or "1.30.5": what selects the validation schemas."""
        return ".".join(self.kubernetes_version.split(".")[:2])


@dataclass(frozen=True)
class Memory:
    request: str
    limit: str
    # Pods running this container (per node for DaemonSets); what the memory budget multiplies.
    replicas: int = 1


@dataclass(frozen=True)
class Autoscaling:
    min: int
    max: int
    cpu: int  # target average utilisation, percent of the CPU request
    cpu_request: str


@dataclass(frozen=True)
class AppEnvironment:
    replicas: int
    image: str
    memory: Memory
    autoscaling: Autoscaling | None = None
    persistence_size: str | None = None
    ingress_host: str | None = None


@dataclass(frozen=True)
class Peer:
    """One `talksTo` entry: another application, or an external endpoint."""

    port: int
    app: str | None = None
    name: str | None = None
    cidr: str | None = None


@dataclass(frozen=True)
class Persistence:
    size: str
    mount_path: str
    storage_class: str | None
    # The storage class lets several pods mount the volume at once (ReadWriteMany).
    shared: bool


@dataclass(frozen=True)
class ExternalSecret:
    """A Secret the external-secrets operator makes from a store; gitops-gen names, never holds,
    its values."""

    name: str
    store: str
    store_kind: str
    keys: tuple[str, ...]
    path: str | None
    location: Location


@dataclass(frozen=True)
class Tls:
    issuer: str
    location: Location


@dataclass(frozen=True)
class Application:
    name: str
    blueprint: str
    image: str
    port: int | None
    environments: Mapping[str, AppEnvironment]
    ingress_host: str | None
    ingress_path: str
    metrics_path: str | None
    metrics_port: int | None
    health_path: str | None
    env: Mapping[str, str]
    talks_to: tuple[Peer, ...]
    writable_paths: tuple[str, ...]
    location: Location
    namespace: str = ""  # empty: the application's name
    kind: str = "Deployment"  # Deployment | StatefulSet | CronJob
    schedule: str | None = None
    image_pull_secrets: tuple[str, ...] = ()
    secret_env: tuple[str, ...] = ()
    external_secrets: tuple[ExternalSecret, ...] = ()
    persistence: Persistence | None = None
    ingress_paths: tuple[str, ...] = ()
    tls: Tls | None = None
    config_files: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.namespace:
            object.__setattr__(self, "namespace", self.name)
        if not self.ingress_paths:
            object.__setattr__(self, "ingress_paths", (self.ingress_path,))


@dataclass(frozen=True)
class SecretKey:
    name: str
    key: str


@dataclass(frozen=True)
class Endpoint:
    """An external receiver: a URL and, optionally, where its bearer token lives."""

    url: str
    bearer_token_secret: SecretKey | None = None


@dataclass(frozen=True)
class Observability:
    """`spec.observability`: where metrics and logs go (a cluster of the catalogue, or a URL)."""

    metrics_cluster: str | None = None
    metrics_host: str | None = None
    remote_write: Endpoint | None = None
    logs_cluster: str | None = None
    logs_host: str | None = None
    logs: Endpoint | None = None


@dataclass(frozen=True)
class Catalogue:
    name: str
    source: str
    repo_url: str
    revision: str
    repo_path: str
    kubernetes_version: str
    environments: tuple[Environment, ...]
    clusters: tuple[Cluster, ...]
    applications: tuple[Application, ...]
    observability: Observability
    server_types: Mapping[str, ServerType] = field(default_factory=dict)
    # Fleet mode (ApplicationSets, generator/render/fleet.py): None leaves it to the cluster count.
    fleet: bool | None = None

    @property
    def hub(self) -> Cluster:
        return next(c for c in self.clusters if c.is_hub)

    def clusters_in(self, environment: str) -> tuple[Cluster, ...]:
        return self._clusters_by_environment.get(environment, ())

    @cached_property
    def _clusters_by_environment(self) -> dict[str, tuple[Cluster, ...]]:
        """Once: a fleet asks for each of its environments, and scanning every cluster each
        time made the plan quadratic in the cluster count."""
        grouped: dict[str, list[Cluster]] = {}
        for cluster in self.clusters:
            grouped.setdefault(cluster.environment, []).append(cluster)
        return {name: tuple(members) for name, members in grouped.items()}

    def applications_in(self, environment: str) -> tuple[Application, ...]:
        return tuple(a for a in self.applications if environment in a.environments)

    def repo_path_of(self, relative: str) -> str:
        """A path inside the rendered tree as ArgoCD sees it in the git repository."""
        return f"{self.repo_path}/{relative}" if self.repo_path else relative
