"""Planning: which components run where, in which sync wave, with which memory and values.

Pure: catalogue and blueprints in, plan out. The memory budget and flow synthesis slot in here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any

from generator import budget, credentials, model, observability, valuesschema
from generator.blueprints import Blueprint, Library, NetworkRule
from generator.catalogue_apps import unserved
from generator.datacopy import copied
from generator.errors import Problem, UserError
from generator.fastyaml import load_plain
from generator.namespaces import SYSTEM, NamespaceUse, plan_namespaces
from generator.spokes import bootstrap_problems
from generator.templating import render
from generator.wording import listed

RESERVED_NAMESPACES = SYSTEM


@dataclass(frozen=True)
class PlannedComponent:
    """One component on one cluster, ready to render."""

    name: str
    namespace: str
    release_name: str
    chart: model.Chart
    blueprint: Blueprint | None
    profile: str
    wave: int
    server_side_apply: bool
    base_values: Mapping[str, Any]
    values: Mapping[str, Any]
    memory: Mapping[str, model.Memory]
    network: tuple[NetworkRule, ...]
    origin: model.Component


@dataclass(frozen=True)
class ClusterPlan:
    cluster: model.Cluster
    components: tuple[PlannedComponent, ...]
    applications_wave: int

    @property
    def component_names(self) -> set[str]:
        return {c.name for c in self.components}

    def provides(self, group: str) -> bool:
        return any(group in (c.blueprint.provides if c.blueprint else ()) for c in self.components)

    @property
    def ingress_controller(self) -> PlannedComponent | None:
        return next((c for c in self.components if c.blueprint and c.blueprint.ingress_class), None)

    @property
    def ingress_class(self) -> str | None:
        controller = self.ingress_controller
        return controller.blueprint.ingress_class if controller and controller.blueprint else None

    @property
    def ingress_namespace(self) -> str | None:
        controller = self.ingress_controller
        return controller.namespace if controller else None


@dataclass(frozen=True)
class EnvironmentPlan:
    environment: model.Environment
    clusters: tuple[str, ...]
    minors: tuple[str, ...]
    applications: tuple[model.Application, ...]
    ingress_class: str
    service_monitors: bool


@dataclass(frozen=True)
class Plan:
    catalogue: model.Catalogue
    clusters: tuple[ClusterPlan, ...]
    environments: tuple[EnvironmentPlan, ...]
    library: Library
    # Things the user should know that do not stop the render.
    warnings: tuple[str, ...] = ()
    # Every namespace components run in, with the component that owns it on each cluster.
    namespaces: Mapping[str, NamespaceUse] = field(default_factory=dict)

    def cluster(self, name: str) -> ClusterPlan:
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, ClusterPlan]:
        return {c.cluster.name: c for c in self.clusters}

    @property
    def hub(self) -> ClusterPlan:
        return next(c for c in self.clusters if c.cluster.is_hub)


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """A new mapping: `base` with `over` merged in, sharing nothing mutable with either."""
    out = {}
    for key, value in base.items():
        if key not in over:
            out[key] = copied(value)
        elif isinstance(over[key], Mapping) and isinstance(value, Mapping):
            out[key] = deep_merge(value, over[key])
        else:
            out[key] = copied(over[key])
    for key, value in over.items():
        if key not in out:
            out[key] = copied(value)
    return out


def set_path(values: dict[str, Any], dotted: str, value: Any) -> None:
    """Set `a.b.c` in nested mappings, creating the mappings on the way."""
    *parents, leaf = dotted.split(".")
    node = values
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def make_plan(catalogue: model.Catalogue, library: Library) -> Plan:
    problems: list[Problem] = []
    warnings = list(_warnings(catalogue))
    clusters = tuple(_plan_cluster(c, catalogue, library, problems) for c in catalogue.clusters)
    warnings.extend(_deprecations(clusters))
    members: dict[str, list[ClusterPlan]] = {}
    for planned in clusters:
        members.setdefault(planned.cluster.environment, []).append(planned)
    environments = tuple(
        _plan_environment(e, catalogue, members.get(e.name, []), problems, warnings)
        for e in catalogue.environments
    )
    by_name = {c.cluster.name: c for c in clusters}
    problems.extend(unserved(catalogue, lambda cluster, group: by_name[cluster].provides(group)))
    namespaces = plan_namespaces({c.cluster.name: c.components for c in clusters})
    problems.extend(bootstrap_problems(clusters))
    if problems:
        raise UserError(problems)
    clusters = tuple(_after_owners(c, namespaces) for c in clusters)
    return Plan(catalogue, clusters, environments, library, tuple(warnings), namespaces)


def _after_owners(plan: ClusterPlan, namespaces: Mapping[str, NamespaceUse]) -> ClusterPlan:
    """Components sync after the owner of their namespace, which creates it."""
    waves = {c.name: c.wave for c in plan.components}
    components = []
    for component in plan.components:
        owner = namespaces[component.namespace].owners.get(plan.cluster.name)
        if owner is not None and owner != component.name:
            component = replace(component, wave=max(component.wave, waves[owner] + 1))
        components.append(component)
    last = max((c.wave for c in components), default=-1)
    return replace(
        plan,
        components=tuple(components),
        applications_wave=max(plan.applications_wave, last + 1),
    )


def _withdrawn_warnings(catalogue: model.Catalogue) -> Iterator[str]:
    """One line per withdrawn server type in use, naming the clusters that use it."""
    users: dict[str, dict[str, None]] = {}  # in order, once each
    types = {}
    for cluster in catalogue.clusters:
        for pool in cluster.node_pools:
            if pool.server_type.withdrawn:
                types[pool.server_type.name] = pool.server_type
                users.setdefault(pool.server_type.name, {})[cluster.name] = None
    for name, clusters in users.items():
        server = types[name]
        successor = f"; its successor is {server.successor}" if server.successor else ""
        used_by = listed(list(clusters), 5)
        yield (
            f"{catalogue.source}: server type '{name}' (used by {used_by}) can no "
            f"longer be ordered since {server.withdrawn}{successor}; its price is the last list "
            f"price, of {server.price_date}"
        )


def _warnings(catalogue: model.Catalogue) -> Iterator[str]:
    yield from observability.warnings(catalogue)
    yield from _withdrawn_warnings(catalogue)
    for app in catalogue.applications:
        for key in sorted(filter(credentials.secret_looking, app.env)):
            yield (
                f"{app.location}: application '{app.name}': env '{key}' looks like a secret, "
                "and env is written to git in plain text; use secretEnv or externalSecrets"
            )
    for cluster in catalogue.clusters:
        for component in cluster.components:
            if component.chart is not None and not _mentions(component.values, "resources"):
                yield (
                    f"{component.location}: plain chart '{component.name}': gitops-gen cannot "
                    "see its containers; give them memory requests and limits in 'values'"
                )
        if cluster.distribution == "kubeadm" and cluster.cni == "flannel":
            yield (
                f"{cluster.location}: cluster '{cluster.name}': flannel does not enforce "
                "NetworkPolicies on kubeadm; the generated policies document intent only "
                "(use cni: cilium, or k3s whose policy controller enforces them)"
            )


def _deprecations(clusters: tuple[ClusterPlan, ...]) -> Iterator[str]:
    for plan in clusters:
        for component in plan.components:
            if component.blueprint is not None and component.blueprint.deprecated:
                yield (
                    f"{component.origin.location}: '{component.name}' is deprecated: "
                    f"{component.blueprint.deprecated}"
                )


def _plan_cluster(
    cluster: model.Cluster, catalogue: model.Catalogue, library: Library, problems: list[Problem]
) -> ClusterPlan:
    blueprints = {c.name: library.get(c.name) for c in cluster.components if c.chart is None}
    provided: dict[str, str] = {}
    for name, provider in blueprints.items():
        for group in provider.provides:
            provided.setdefault(group, name)
    depends: dict[str, set[str]] = {}
    for component in cluster.components:
        blueprint = blueprints.get(component.name)
        if blueprint is None:
            depends[component.name] = set()
            continue
        if blueprint.kind != "component":
            problems.append(
                _at(component, f"'{component.name}' is an application blueprint, not a component")
            )
        if blueprint.hub_only and not cluster.is_hub:
            problems.append(_at(component, f"'{component.name}' runs only on the hub cluster"))
        needs = set()
        for group in blueprint.uses:
            if group not in provided:
                problems.append(
                    _at(
                        component,
                        f"'{component.name}' needs CRDs of {group}, which no component of "
                        f"cluster '{cluster.name}' provides",
                    )
                )
            elif provided[group] != component.name:
                needs.add(provided[group])
        depends[component.name] = needs
    if cluster.cluster_api and not cluster.is_hub:
        # A new cluster's nodes are Ready only once its CNI and cloud controller run: they go
        # first, and what needs Ready nodes (or the CNI's policy kinds) waits for them.
        readying = {n for n, b in blueprints.items() if b.node_bootstrap}
        for name in set(depends) - readying:
            depends[name] |= readying
    waves = _waves(depends)
    namespaces = {
        c.name: c.namespace or (blueprints[c.name].namespace if c.name in blueprints else c.name)
        for c in cluster.components
    }
    telemetry = observability.resolve(catalogue, cluster, namespaces)
    profile = budget.choose_profile(cluster, catalogue, blueprints)
    planned = []
    for component in cluster.components:
        blueprint = blueprints.get(component.name)
        found = _plan_component(
            component,
            blueprint,
            cluster,
            catalogue,
            telemetry,
            waves[component.name],
            profile,
            problems,
        )
        if found is not None:
            planned.append(found)
    last = max(waves.values(), default=-1)
    return ClusterPlan(cluster, tuple(planned), applications_wave=last + 1)


def _waves(depends: Mapping[str, set[str]]) -> dict[str, int]:
    """Wave = length of the longest chain of providers below a component (providers first)."""
    waves: dict[str, int] = {}

    def wave(name: str, stack: tuple[str, ...]) -> int:
        if name in waves:
            return waves[name]
        if name in stack:  # a provider cycle: keep them in one wave rather than loop
            return 0
        result = 1 + max((wave(d, (*stack, name)) for d in depends[name]), default=-1)
        waves[name] = result
        return result

    for name in sorted(depends):
        wave(name, ())
    return waves


def _plan_component(
    component: model.Component,
    blueprint: Blueprint | None,
    cluster: model.Cluster,
    catalogue: model.Catalogue,
    telemetry: observability.ClusterObservability,
    wave: int,
    fitting_profile: str,
    problems: list[Problem],
) -> PlannedComponent | None:
    profile = component.profile or fitting_profile
    memory: Mapping[str, model.Memory] = {}
    if blueprint is None:
        # A plain chart: the user's chart, values and namespace, as given.
        assert component.chart is not None
        chart, base, values = component.chart, {}, dict(component.values)
        # Server-side apply harms no chart and is what charts shipping CRDs need (a CRD's
        # client-side last-applied annotation passes the 256 KiB limit); without the chart at
        # hand nobody can tell, so plain charts get it unless the catalogue says otherwise.
        ssa = True if component.server_side_apply is None else component.server_side_apply
        namespace, release = component.namespace or component.name, component.name
        network: tuple[NetworkRule, ...] = (NetworkRule("egress", "apiserver", ()),)
    elif blueprint.chart is None:
        if blueprint.kind == "component":  # application blueprints were reported already
            problems.append(_at(component, f"blueprint '{blueprint.name}' installs no chart"))
        return None
    else:
        chart, base = blueprint.chart, blueprint.base_values
        namespace = component.namespace or blueprint.namespace
        release, network = blueprint.release_name, blueprint.network
        ssa = (
            blueprint.server_side_apply
            if component.server_side_apply is None
            else component.server_side_apply
        )
        memory = blueprint.profiles[profile]
        values = _blueprint_values(
            blueprint, component, cluster, catalogue, telemetry, profile, problems
        )
    return PlannedComponent(
        name=component.name,
        namespace=namespace,
        release_name=release,
        chart=chart,
        blueprint=blueprint,
        profile=profile,
        wave=wave,
        server_side_apply=ssa,
        base_values=base,
        values=values,
        memory=memory,
        network=network,
        origin=component,
    )


def _blueprint_values(
    blueprint: Blueprint,
    component: model.Component,
    cluster: model.Cluster,
    catalogue: model.Catalogue,
    telemetry: observability.ClusterObservability,
    profile: str,
    problems: list[Problem],
) -> dict[str, Any]:
    """Base values, then the cluster's, then memory for the profile, then the user's."""
    values = blueprint.base_values
    template = blueprint.cluster_values_template
    if template is not None:
        context = {
            "cluster": cluster,
            "catalogue": catalogue,
            "profile": profile,
            "component": component,
            "observability": telemetry,
        }
        text = render(blueprint.folder, template, context)
        cluster_values = _parsed_values(text, str(blueprint.folder / template))
        values = deep_merge(values, cluster_values or {})
    memory = blueprint.profiles[profile]
    missing = sorted(set(blueprint.containers) - set(memory))
    if missing:
        problems.append(
            _at(
                component,
                f"blueprint '{blueprint.name}' has no '{profile}' memory for {', '.join(missing)}",
            )
        )
    sized: dict[str, Any] = {}
    for container, path in sorted(blueprint.containers.items()):
        if container in memory:
            limits = memory[container]
            resources = {"requests": {"memory": limits.request}, "limits": {"memory": limits.limit}}
            set_path(sized, path, resources)
    values = deep_merge(deep_merge(values, sized), component.values)
    problems.extend(_values_problems(blueprint, component, values))
    return values


# Many clusters of a fleet render a component's template to the same text. The data is shared
# between them: deep_merge copies it and nothing modifies it.
@lru_cache(maxsize=256)
def _parsed_values(text: str, display: str) -> Any:
    return load_plain(text, display)


def _mentions(values: Any, key: str) -> bool:
    """Whether `key` appears anywhere in nested values."""
    if isinstance(values, Mapping):
        return key in values or any(_mentions(v, key) for v in values.values())
    if isinstance(values, list):
        return any(_mentions(v, key) for v in values)
    return False


def get_path(values: Mapping[str, Any], dotted: str) -> Any:
    node: Any = values
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _values_problems(
    blueprint: Blueprint, component: model.Component, values: Mapping[str, Any]
) -> Iterator[Problem]:
    """Every container keeps memory requests and limits; values fit the blueprint's schema."""
    for container, path in sorted(blueprint.containers.items()):
        resources = get_path(values, path)
        memory = [get_path(resources or {}, f"{kind}.memory") for kind in ("requests", "limits")]
        if not all(memory):
            yield _at(
                component,
                f"values.{path}: container '{container}' of '{blueprint.name}' must keep "
                "memory requests and limits",
            )
    schema_path = blueprint.values_schema
    if schema_path is None:
        return
    for where, message in valuesschema.findings(schema_path, values):
        yield _at(
            component, f"values.{where}: {message} ({schema_path.name} of '{blueprint.name}')"
        )


def _plan_environment(
    environment: model.Environment,
    catalogue: model.Catalogue,
    members: list[ClusterPlan],
    problems: list[Problem],
    warnings: list[str],
) -> EnvironmentPlan:
    apps = catalogue.applications_in(environment.name)
    if apps and not members:
        # An environment may be declared before its clusters exist: nothing to deploy yet.
        names = ", ".join(a.name for a in apps)
        warnings.append(
            f"{catalogue.source}: environment '{environment.name}' has no cluster yet; "
            f"{names} not deployed there"
        )
        apps = ()
    classes = {c.ingress_class for c in members}
    ingress_apps = [a for a in apps if a.ingress_host]
    if ingress_apps and (None in classes or len(classes) != 1):
        for app in ingress_apps:
            problems.append(
                Problem(
                    app.location,
                    "",
                    f"'{app.name}' asks for ingress, but not every cluster of "
                    f"environment '{environment.name}' runs the same ingress controller "
                    "(add traefik)",
                )
            )
    namespaces = {c.namespace: c.name for plan in members for c in plan.components}
    for app in apps:
        if app.namespace in namespaces or app.namespace in RESERVED_NAMESPACES:
            owner = namespaces.get(app.namespace, "Kubernetes")
            problems.append(
                Problem(
                    app.location,
                    "",
                    f"application '{app.name}' would share namespace "
                    f"'{app.namespace}' with {owner}; rename it",
                )
            )
    service_monitors = bool(members) and all(c.provides("monitoring.coreos.com") for c in members)
    scraped = [a.name for a in apps if a.metrics_port]
    if scraped and not service_monitors:
        # A ServiceMonitor without its CRD fails the whole sync; annotations harm nothing.
        warnings.append(
            f"{catalogue.source}: environment '{environment.name}': not every cluster has the "
            "ServiceMonitor CRD (add prometheus-operator-crds); only prometheus.io scrape "
            f"annotations for {', '.join(scraped)}"
        )
    return EnvironmentPlan(
        environment=environment,
        clusters=tuple(c.cluster.name for c in members),
        minors=tuple(sorted({c.cluster.minor for c in members})),
        applications=apps,
        ingress_class=(next(iter(classes)) or "") if len(classes) == 1 else "",
        service_monitors=service_monitors,
    )


def _at(component: model.Component, message: str) -> Problem:
    return Problem(component.location, "", message)
