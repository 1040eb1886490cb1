"""Load a catalogue: YAML with positions → JSON Schema → semantic checks → frozen model.

Every problem is reported, each as `file:line:col: path: message`, before anything is rendered.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import math
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from generator import credentials, model, servertypes, strictschema
from generator.docpaths import DocPath, Positions, format_path
from generator.errors import Problem, UserError
from generator.fastyaml import load_positioned
from generator.quantity import format_bytes, parse_bytes
from generator.resources import shipped
from generator.yamlio import read_text

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
# As in Docker's reference parsing, a first component is a registry only when it looks like a
# host (a dot, a port or `localhost`); otherwise `UPPER/x:1` would silently pull from a host
# named UPPER instead of being flagged as an upper-case repository name.
_DOMAIN = rf"(?:{_LABEL}(?:\.{_LABEL})+(?::[0-9]+)?|{_LABEL}:[0-9]+|localhost)"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
IMAGE = re.compile(
    rf"^(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$"
)
DEFAULT_MEMORY = model.Memory(request="64Mi", limit="128Mi")
DEFAULT_CAPACITY_TARGET = 0.75


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (shipped("schemas") / "catalogue.schema.json").read_text(encoding="utf-8")
    )
    return loaded


def load(path: Path, blueprint_names: Collection[str]) -> model.Catalogue:
    """Read, check and model the catalogue at `path`; raises UserError with every problem.

    `blueprint_names` are the blueprints a component may name (built-in and the user's).
    """
    display = str(path)
    data, positions = load_positioned(read_text(path), display)
    # First and alone: any later message might quote the value.
    leaks = list(credentials.url_problems(data, positions))
    if leaks:
        raise UserError(leaks)
    problems = list(_schema_problems(data, positions))
    if problems:
        raise UserError(problems)
    checker = _Checker(data, positions, sorted(blueprint_names))
    catalogue = checker.build()
    if checker.problems:
        raise UserError(checker.problems)
    return catalogue


# --- schema --------------------------------------------------------------------------------


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate `word` was most likely meant to be, if any is close."""
    pool = list(candidates)
    match = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not match:
        lowered = {c.lower(): c for c in pool}
        match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
        match = [lowered[m] for m in match]
    return match[0] if match else None


def address_range_problem(value: str) -> str | None:
    """What is wrong with a CIDR the schema's pattern let through (`.0.0.0/8`, `/33`)."""
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return f"'{value}' is not an address range"
    return None


def suggest(word: str, candidates: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the closest candidate, or nothing."""
    match = closest(word, candidates)
    return f"; did you mean '{match}'?" if match else ""


def _schema_problems(data: Any, positions: Positions) -> Iterator[Problem]:
    validator = strictschema.validator(schema())
    reported: set[str] = set()
    for error in validator.iter_errors(data):
        if error.validator == "oneOf" and error.context:
            error = _closest_branch(error)
        for problem in _explain(error, positions):
            reported.add(problem.path)
            yield problem
    # Once per value: `count: .nan` already has "expected an integer".
    yield from (p for p in _non_finite(data, (), positions) if p.path not in reported)


def _non_finite(value: Any, path: DocPath, positions: Positions) -> Iterator[Problem]:
    """`.nan` and `.inf`: YAML has them, JSON Schema cannot bound them (NaN passes every
    minimum and maximum), and they would flow into capacity and price arithmetic."""
    if isinstance(value, float) and not math.isfinite(value):
        yield Problem(
            positions.at(path), format_path(path), f"expected a finite number, got {value}"
        )
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, (*path, key), positions)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _non_finite(item, (*path, index), positions)


def _closest_branch(error: ValidationError) -> ValidationError:
    """For a oneOf failure, the branch whose shape the value took (same type, most keys known)."""
    instance = error.instance
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context or []:
        branch = sub.schema_path[0] if sub.schema_path else 0
        branches.setdefault(int(branch), []).append(sub)
    scored = []
    for index, errs in branches.items():
        wrong_type = any(e.validator == "type" and not e.relative_path for e in errs)
        required = set(_node(error)["oneOf"][index].get("required", []))
        overlap = len(required & set(instance)) if isinstance(instance, dict) else 0
        scored.append((wrong_type, -overlap, len(errs), index))
    scored.sort()
    chosen = branches[scored[0][3]]
    picked = best_match(chosen)
    return picked if picked is not None else error


def _explain(error: ValidationError, positions: Positions) -> Iterator[Problem]:
    path: DocPath = tuple(error.absolute_path)
    value = error.instance
    kind = error.validator
    node = _node(error)
    expected: Any = error.validator_value
    on_key = "propertyNames" in error.absolute_schema_path
    if on_key:
        # A bad mapping key: point at the key itself, not at the mapping that holds it.
        path = (*path, str(value))
    shown = format_path(path)
    where = positions.at(path, key=on_key)
    if kind == "additionalProperties" and isinstance(value, dict):
        known = node.get("properties", {})
        for key in sorted(set(value) - set(known)):
            field_path = (*path, key)
            yield Problem(
                positions.at(field_path, key=True),
                format_path(field_path),
                f"unknown field '{key}'{suggest(key, known)}",
            )
        return
    if kind == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        name = missing[0] if missing else error.message
        if isinstance(value, dict):
            known = node.get("properties", {})
            if any(closest(k, known) == name for k in set(value) - set(known)):
                return  # a misspelling of it is reported as an unknown field, with the fix
        yield Problem(where, shown, f"missing required field '{name}'")
        return
    if kind == "enum":
        options = [str(o) for o in expected]
        yield Problem(
            where,
            shown,
            f"{value!r} is not one of {', '.join(options)}{suggest(str(value), options)}",
        )
        return
    if kind == "const":
        yield Problem(where, shown, f"expected {expected!r}, got {value!r}")
        return
    if kind == "type":
        hint = ""
        if expected == "string" and isinstance(value, int | float) and not isinstance(value, bool):
            # YAML read `1.30` as the number 1.3; only quotes keep the text.
            hint = "; put the value in quotes"
        yield Problem(
            where,
            shown,
            f"expected {_type_words(expected)}, got {_describe(value)}{hint}",
        )
        return
    if kind in ("maxLength", "minLength"):
        wrong, bound = ("long", "most") if kind == "maxLength" else ("short", "least")
        yield Problem(
            where, shown, f"{value!r} is too {wrong}: use at {bound} {expected} characters"
        )
        return
    if kind == "pattern":
        if expected == schema()["$defs"]["name"]["pattern"]:
            message = (
                f"{value!r} is not a valid name: use lower-case letters, digits and '-', "
                "starting and ending with a letter or digit"
            )
        else:
            hint = node.get("description", f"it must match {expected}")
            message = f"{value!r} is not valid: {hint}"
        yield Problem(where, shown, message)
        return
    yield Problem(where, shown, error.message)


def _node(error: ValidationError) -> dict[str, Any]:
    """The schema node that failed (jsonschema types it loosely)."""
    return error.schema if isinstance(error.schema, dict) else {}


def _type_words(expected: Any) -> str:
    words = {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "integer": "an integer",
    }
    if isinstance(expected, list):
        return " or ".join(words.get(str(e), str(e)) for e in expected)
    return words.get(expected, str(expected))


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    return f"{type(value).__name__} {value!r}"


# --- semantics -----------------------------------------------------------------------------


class _Checker:
    """Cross-references the schema cannot express; collects problems instead of stopping."""

    def __init__(
        self,
        data: dict[str, Any],
        positions: Positions,
        component_names: list[str],
    ) -> None:
        self.spec: dict[str, Any] = data["spec"]
        self.name: str = data["metadata"]["name"]
        self.positions = positions
        self.component_names = component_names
        self.problems: list[Problem] = []

    def fail(self, path: DocPath, message: str, *, key: bool = False) -> None:
        spec_path = ("spec", *path)
        self.problems.append(
            Problem(self.positions.at(spec_path, key=key), format_path(spec_path), message)
        )

    def unique(self, items: list[dict[str, Any]], prefix: DocPath, what: str) -> None:
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            name = item["name"]
            if name in seen:
                self.fail(
                    (*prefix, index, "name"),
                    f"duplicate {what} '{name}' (first defined at {prefix[-1]}[{seen[name]}])",
                )
            else:
                seen[name] = index

    def build(self) -> model.Catalogue:
        spec = self.spec
        version = spec["kubernetesVersion"]
        self.check_version(version, ("kubernetesVersion",))
        environments = self.environments()
        server_types = self.server_types(spec.get("serverTypes", {}))
        clusters = self.clusters(environments, server_types, version)
        env_names = [e.name for e in environments]
        applications = self.applications(env_names)
        observability = self.observability(
            spec.get("observability", {}), [c.name for c in clusters]
        )
        repo = spec["repo"]
        return model.Catalogue(
            name=self.name,
            source=self.positions.file,
            repo_url=repo["url"],
            revision=repo.get("revision", "HEAD"),
            repo_path=repo.get("path", "").strip("/"),
            kubernetes_version=version,
            environments=tuple(environments),
            clusters=tuple(clusters),
            applications=tuple(applications),
            observability=observability,
            server_types=server_types,
            fleet=spec.get("fleet"),
        )

    def observability(
        self, raw: Mapping[str, Any], cluster_names: list[str]
    ) -> model.Observability:
        at = ("observability",)
        for kind, external in (("metrics", "remoteWrite"), ("logs", "logs")):
            cluster = raw.get(f"{kind}Cluster")
            if cluster is not None and cluster not in cluster_names:
                self.fail(
                    (*at, f"{kind}Cluster"),
                    f"no cluster named '{cluster}'{suggest(cluster, cluster_names)}",
                )
            if cluster is not None and external in raw:
                self.fail(
                    (*at, external),
                    f"give {kind}Cluster or {external}, not both",
                    key=True,
                )
            if f"{kind}Host" in raw and cluster is None:
                self.fail(
                    (*at, f"{kind}Host"), f"{kind}Host names the Ingress of {kind}Cluster: set it"
                )

        def endpoint(entry: Mapping[str, Any] | None) -> model.Endpoint | None:
            if entry is None:
                return None
            secret = entry.get("bearerTokenSecret")
            return model.Endpoint(entry["url"], model.SecretKey(**secret) if secret else None)

        return model.Observability(
            metrics_cluster=raw.get("metricsCluster"),
            metrics_host=raw.get("metricsHost"),
            remote_write=endpoint(raw.get("remoteWrite")),
            logs_cluster=raw.get("logsCluster"),
            logs_host=raw.get("logsHost"),
            logs=endpoint(raw.get("logs")),
        )

    def server_types(
        self, overrides: Mapping[str, Mapping[str, Any]]
    ) -> dict[str, servertypes.ServerType]:
        known = {name.lower() for name in servertypes.builtin()}
        for name, entry in overrides.items():
            missing = [key for key in ("cpu", "memory") if key not in entry]
            if name.lower() not in known and missing:
                self.fail(
                    ("serverTypes", name),
                    f"new server type '{name}' needs {' and '.join(missing)}",
                    key=True,
                )
        return servertypes.table(overrides)

    def check_version(self, version: str, path: DocPath) -> None:
        from generator.schema import supported_versions

        supported = supported_versions()
        if ".".join(version.split(".")[:2]) not in supported:
            self.fail(
                path,
                f"Kubernetes {version} has no schemas here; supported: "
                f"{supported[0]} to {supported[-1]}",
            )

    def environments(self) -> list[model.Environment]:
        raw: list[dict[str, Any]] = self.spec.get("environments", [])
        self.unique(raw, ("environments",), "environment")
        for index, env in enumerate(raw):
            if env["name"] == model.BOOTSTRAP_PROJECT:
                self.fail(
                    ("environments", index, "name"),
                    f"'{model.BOOTSTRAP_PROJECT}' is reserved: it names the project of the root "
                    "Application",
                )
        names = [e["name"] for e in raw]
        # Clusters without an environment get one of their own, named after them.
        for cluster in self.spec["clusters"]:
            if "environment" not in cluster and cluster["name"] not in names:
                names.append(cluster["name"])
                raw = [*raw, {"name": cluster["name"]}]
        parents: dict[str, str] = {}
        for index, env in enumerate(raw):
            parent = env.get("promotesFrom")
            if parent is None:
                continue
            if parent not in names:
                self.fail(
                    ("environments", index, "promotesFrom"),
                    f"no environment named '{parent}'{suggest(parent, names)}",
                )
            else:
                parents[env["name"]] = parent
        for index, env in enumerate(raw):
            seen = [env["name"]]
            step = parents.get(env["name"])
            while step is not None and step not in seen:
                seen.append(step)
                step = parents.get(step)
            if step is not None and step == env["name"]:
                cycle = " -> ".join([*seen, step])
                self.fail(("environments", index, "promotesFrom"), f"promotion cycle: {cycle}")
        return [model.Environment(e["name"], e.get("promotesFrom")) for e in raw]

    def clusters(
        self,
        environments: list[model.Environment],
        types: Mapping[str, servertypes.ServerType],
        default_version: str,
    ) -> list[model.Cluster]:
        raw: list[dict[str, Any]] = self.spec["clusters"]
        self.unique(raw, ("clusters",), "cluster")
        env_names = [e.name for e in environments]
        hubs = [i for i, c in enumerate(raw) if "argocd" in _component_names(c)]
        if not hubs:
            self.fail(
                ("clusters",),
                "no cluster runs ArgoCD: add 'argocd' to the components of the hub "
                "(management) cluster",
            )
        for index in hubs[1:]:
            self.fail(
                ("clusters", index, "components"),
                f"more than one cluster runs ArgoCD ('{raw[hubs[0]]['name']}' and "
                f"'{raw[index]['name']}'); exactly one cluster is the hub",
            )
        out = []
        for index, cluster in enumerate(raw):
            out.append(
                self.cluster(
                    index,
                    cluster,
                    env_names,
                    types,
                    default_version,
                    bool(hubs and hubs[0] == index),
                    bool(hubs),
                )
            )
        return out

    def cluster(
        self,
        index: int,
        raw: dict[str, Any],
        env_names: list[str],
        types: Mapping[str, servertypes.ServerType],
        default_version: str,
        is_hub: bool,
        has_hub: bool,
    ) -> model.Cluster:
        at: DocPath = ("clusters", index)
        name = raw["name"]
        environment = raw.get("environment", name)
        if environment not in env_names:
            self.fail(
                (*at, "environment"),
                f"environment '{environment}' is not declared under spec.environments"
                f"{suggest(environment, env_names)}",
            )
        version = raw.get("kubernetesVersion", default_version)
        if "kubernetesVersion" in raw:
            self.check_version(version, (*at, "kubernetesVersion"))
        server = raw.get("server")
        # Without any hub the missing-hub error already says what to do; demanding `server`
        # from every cluster too would bury it.
        cluster_api = bool(raw.get("clusterAPI", False))
        if server is None and not is_hub and has_hub and not cluster_api:
            self.fail(
                at,
                f"cluster '{name}' needs 'server' (its API server URL): only the hub "
                "and Cluster API clusters may go without",
            )
        registration = raw.get("registration")
        if registration is not None and (is_hub or cluster_api):
            self.fail(
                (*at, "registration"),
                f"cluster '{name}' is {'the hub' if is_hub else 'made by Cluster API'}: "
                "Argo CD learns it from git, drop 'registration'",
            )

        distribution = raw.get("distribution", "kubeadm")
        if cluster_api and distribution != "kubeadm":
            self.fail(
                (*at, "clusterAPI"),
                f"clusterAPI needs distribution 'kubeadm', the cluster says '{distribution}'",
            )
        pools = self.node_pools(at, raw["nodePools"], types, cluster_api)
        components = self.components(at, raw.get("components", []))
        return model.Cluster(
            name=name,
            role=raw.get("role", "workload"),
            environment=environment,
            distribution=distribution,
            cni=raw.get("cni", "cilium"),
            kubernetes_version=version,
            server=server or model.IN_CLUSTER,
            cluster_api=cluster_api,
            region=raw.get("region", "fsn1"),
            ssh_key=raw.get("sshKey", "cluster-admin"),
            node_pools=tuple(pools),
            memory_requests_target=raw.get("capacity", {}).get(
                "memoryRequestsTarget", DEFAULT_CAPACITY_TARGET
            ),
            components=tuple(components),
            is_hub=is_hub,
            location=self.positions.at(("spec", *at)),
            registration=model.Registration(registration["secretStore"], registration["key"])
            if registration
            else None,
            network=self.network(at, raw.get("network", {}), distribution),
        )

    def network(self, at: DocPath, raw: dict[str, str], distribution: str) -> model.ClusterNetwork:
        defaults = model.NETWORK_DEFAULTS[distribution]
        for key, value in raw.items():
            problem = address_range_problem(value)
            if problem:
                self.fail((*at, "network", key), problem)
        return model.ClusterNetwork(
            node_cidr=raw.get("nodeCIDR", defaults.node_cidr),
            pod_cidr=raw.get("podCIDR", defaults.pod_cidr),
            service_cidr=raw.get("serviceCIDR", defaults.service_cidr),
        )

    def node_pools(
        self,
        at: DocPath,
        raw: list[dict[str, Any]],
        types: Mapping[str, servertypes.ServerType],
        cluster_api: bool,
    ) -> list[model.NodePool]:
        self.unique(raw, (*at, "nodePools"), "node pool")
        all_control = all(p.get("role", "worker") == "control-plane" for p in raw)
        pools = []
        control_planes = 0
        for index, pool in enumerate(raw):
            here = (*at, "nodePools", index)
            role = pool.get("role", "worker")
            control_planes += role == "control-plane"
            wanted = pool["serverType"]
            server_type = servertypes.lookup(types, wanted)
            bare_metal = bool(pool.get("bareMetal", False))
            if server_type is None:
                self.fail(
                    (*here, "serverType"),
                    f"unknown server type '{wanted}'{suggest(wanted, types)}",
                )
                server_type = servertypes.ServerType(wanted, 1, 0, 0.0, "EUR", "", "cloud", "amd64")
            elif server_type.dedicated and not bare_metal:
                self.fail(
                    (*here, "serverType"),
                    f"'{wanted}' is a dedicated server; set bareMetal: true on this pool",
                )
            elif bare_metal and server_type.family == "cloud":
                self.fail(
                    (*here, "bareMetal"),
                    f"bareMetal is set but '{wanted}' is a cloud server type",
                )
            if cluster_api and bare_metal and role == "control-plane":
                self.fail(
                    (*here, "bareMetal"),
                    "control planes on bare metal are not supported with clusterAPI",
                )
            reserved = parse_bytes(pool["reserved"]) if "reserved" in pool else None
            if (
                reserved is not None
                and server_type.memory_bytes
                and (reserved >= server_type.memory_bytes)
            ):
                self.fail(
                    (*here, "reserved"),
                    f"reserved {pool['reserved']} leaves no memory for pods on "
                    f"'{server_type.name}' ({format_bytes(server_type.memory_bytes)})",
                )
            schedulable = pool.get("schedulable", role == "worker" or all_control)
            pools.append(
                model.NodePool(
                    pool["name"],
                    role,
                    server_type,
                    pool["count"],
                    bare_metal,
                    schedulable,
                    reserved,
                )
            )
        if cluster_api and control_planes != 1:
            self.fail(
                (*at, "nodePools"),
                f"clusterAPI clusters need exactly one control-plane pool, found {control_planes}",
            )
        return pools

    def components(self, at: DocPath, raw: list[Any]) -> list[model.Component]:
        out = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(raw):
            here = (*at, "components", index)
            entry = {"name": entry} if isinstance(entry, str) else entry
            name = entry["name"]
            if name in seen:
                self.fail(here, f"component '{name}' is listed twice (also at [{seen[name]}])")
                continue
            seen[name] = index
            chart = entry.get("chart")
            if chart is None and name not in self.component_names:
                self.fail(
                    here if isinstance(raw[index], str) else (*here, "name"),
                    f"unknown component '{name}': no blueprint of that name, and no 'chart' "
                    f"given for a plain-chart component{suggest(name, self.component_names)}",
                )
            if chart is not None and "namespace" not in entry:
                entry = {**entry, "namespace": name}
            out.append(
                model.Component(
                    name=name,
                    profile=entry.get("profile"),
                    values=entry.get("values", {}),
                    chart=model.Chart(**chart) if chart else None,
                    namespace=entry.get("namespace"),
                    location=self.positions.at(("spec", *here)),
                    server_side_apply=entry.get("serverSideApply"),
                )
            )
        return out

    def applications(self, env_names: list[str]) -> list[model.Application]:
        # Imported here: catalogue_apps builds on this module's image pattern and suggestions.
        from generator import catalogue_apps

        return catalogue_apps.applications(self, self.spec.get("applications", []), env_names)


def _component_names(cluster: dict[str, Any]) -> list[str]:
    return [c if isinstance(c, str) else c["name"] for c in cluster.get("components", [])]
