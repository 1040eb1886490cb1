"""applications/: each application's base from its blueprint, and one overlay per environment
with its replicas, image, memory and sizes, plus what only some environments get (PDB, HPA,
monitors)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from generator.catalogue_apps import config_dir
from generator.datacopy import copied
from generator.errors import UserError
from generator.fastdump import dump_all
from generator.flows import (
    CILIUM_FOLDER,
    app_cluster_plans,
    app_subject,
    fabric,
    owns_namespace,
    split_cilium,
)
from generator.manifests import Manifest, Origin, Tree, kustomization
from generator.model import AppEnvironment, Application, Autoscaling, Memory
from generator.netpol import namespace_object, subject_policies
from generator.plan import EnvironmentPlan, Plan
from generator.render.infrastructure import add_cilium_folder
from generator.templating import render
from generator.yamlio import load_all_plain

POD_TEMPLATE = "_pod.yaml.j2"
BASE_TEMPLATES = (
    "deployment.yaml.j2",
    "statefulset.yaml.j2",
    "cronjob.yaml.j2",
    "persistentvolumeclaim.yaml.j2",
    "configmap.yaml.j2",
    "externalsecret.yaml.j2",
    "service.yaml.j2",
    "ingress.yaml.j2",
)
ENV_TEMPLATES = ("pdb.yaml.j2", "horizontalpodautoscaler.yaml.j2", "servicemonitor.yaml.j2")
CONFIG_HASH = "gitops-gen.dev/config-hash"
WORKLOAD_GROUP = {"Deployment": "apps", "StatefulSet": "apps", "CronJob": "batch"}


def _labels(app: Application) -> tuple[dict[str, str], dict[str, str]]:
    selector = {"app.kubernetes.io/name": app.name}
    return selector, {**selector, "app.kubernetes.io/managed-by": "gitops-gen"}


def main_port_name(app: Application) -> str:
    """`http` where the port is known to speak HTTP, else `tcp` (redis is not HTTP)."""
    speaks_http = app.ingress_host or app.health_path or app.metrics_port == app.port
    return "http" if speaks_http else "tcp"


def _ports(app: Application) -> list[dict[str, Any]]:
    ports = []
    if app.port:
        ports.append({"name": main_port_name(app), "number": app.port})
    if app.metrics_port and app.metrics_port != app.port:
        ports.append({"name": "metrics", "number": app.metrics_port})
    return ports


def _resources(memory: Memory, autoscaling: Autoscaling | None) -> dict[str, Any]:
    # CPU utilisation is measured against the request; without one the HPA sees nothing.
    # Otherwise a floor, so the scheduler counts the pod; memory is what the budget plans.
    cpu = autoscaling.cpu_request if autoscaling is not None else "10m"
    requests: dict[str, str] = {"cpu": cpu, "memory": memory.request}
    return {"requests": requests, "limits": {"memory": memory.limit}}


def _claim(app: Application) -> dict[str, Any] | None:
    persistence = app.persistence
    if persistence is None:
        return None
    spec: dict[str, Any] = {
        "accessModes": ["ReadWriteMany" if persistence.shared else "ReadWriteOnce"],
        "resources": {"requests": {"storage": persistence.size}},
    }
    if persistence.storage_class:
        spec["storageClassName"] = persistence.storage_class
    name = "data" if app.kind == "StatefulSet" else f"{app.name}-data"
    return {"metadata": {"name": name}, "spec": spec}


def _volumes(app: Application) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The pod's volumes and the container's mounts: scratch space, config, data."""
    volumes: list[dict[str, Any]] = []
    mounts: list[dict[str, Any]] = []
    for index, path in enumerate(app.writable_paths):
        volumes.append({"name": f"writable-{index}", "emptyDir": {}})
        mounts.append({"name": f"writable-{index}", "mountPath": path})
    if app.config_files:
        volumes.append({"name": "config", "configMap": {"name": f"{app.name}-config"}})
        mounts.append({"name": "config", "mountPath": config_dir(app.name), "readOnly": True})
    if app.persistence is not None:
        if app.kind != "StatefulSet":
            claim = {"claimName": f"{app.name}-data"}
            volumes.append({"name": "data", "persistentVolumeClaim": claim})
        mounts.append({"name": "data", "mountPath": app.persistence.mount_path})
    return volumes, mounts


def config_hash(files: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(files), sort_keys=True).encode()).hexdigest()


def _pod_annotations(app: Application) -> dict[str, str]:
    annotations = {}
    if app.metrics_port:
        annotations = {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": str(app.metrics_port),
            "prometheus.io/path": str(app.metrics_path),
        }
    if app.config_files:
        # A new hash changes the pod template, so a config change rolls the pods.
        annotations[CONFIG_HASH] = config_hash(app.config_files)
    return annotations


def _objects(
    plan: Plan, app: Application, folder: str, name: str, context: dict[str, Any]
) -> list[dict[str, Any]]:
    blueprint = plan.library.get(app.blueprint)
    text = render(blueprint.folder, f"{folder}/{name}", context)
    return [copied(doc) for doc in _documents(text)]


# The environments of a fleet mostly render an application's templates to the same text.
@lru_cache(maxsize=256)
def _documents(text: str) -> tuple[Any, ...]:
    """The non-empty documents of `text`; shared, so copied before use."""
    return tuple(doc for doc in load_all_plain(text) if doc)


def _base_context(plan: Plan, app: Application, envs: list[EnvironmentPlan]) -> dict[str, Any]:
    selector, labels = _labels(app)
    first = app.environments[envs[0].environment.name]
    volumes, mounts = _volumes(app)
    persistence = app.persistence
    context: dict[str, Any] = {
        "app": app,
        "namespace": app.namespace,
        "labels": labels,
        "selector": selector,
        "ports": _ports(app),
        "main_port": main_port_name(app),
        "resources": _resources(first.memory, first.autoscaling),
        "pod_annotations": _pod_annotations(app),
        "volumes": volumes,
        "mounts": mounts,
        "claim": _claim(app),
        "autoscaled": any(s.autoscaling for s in app.environments.values()),
        "single_writer": persistence is not None and not persistence.shared,
        "headless_service": f"{app.name}-headless",
        "config_map": f"{app.name}-config",
        "tls_secret": f"{app.name}-tls",
        "ingress_class": sorted({e.ingress_class for e in envs})[0],
    }
    blueprint = plan.library.get(app.blueprint)
    context["pod"] = render(blueprint.folder, f"base/{POD_TEMPLATE}", context).rstrip("\n")
    return context


def _policies(
    plan: Plan, app: Application, owner: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The app's flows, and the Cilium policies only its Cilium clusters apply; in a shared
    namespace only its owner carries the baseline."""
    cluster_plans = app_cluster_plans(plan, app)
    where = fabric([cp.cluster for cp in cluster_plans])
    subject = app_subject(app, plan.catalogue.applications, cluster_plans, owner)
    return split_cilium(subject_policies(subject, where), where)


def render_applications(plan: Plan, tree: Tree) -> None:
    envs_of = {
        app.name: [e for e in plan.environments if app in e.applications]
        for app in plan.catalogue.applications
    }
    for app in plan.catalogue.applications:
        envs = envs_of[app.name]
        if not envs:
            continue
        owner = owns_namespace(plan, app)
        minors = tuple(sorted({m for e in envs for m in e.minors}))
        origin = Origin(app.location, f"blueprint {app.blueprint}")
        context = _base_context(plan, app, envs)
        folder = f"applications/base/{app.name}"
        files = ["networkpolicies.yaml"]
        if owner:
            files.append("namespace.yaml")
            namespace = namespace_object(app.namespace)
            tree.add(f"{folder}/namespace.yaml", Manifest(namespace, origin, minors))
        policies, cilium_only = _policies(plan, app, owner)
        add_cilium_folder(tree, f"{folder}/{CILIUM_FOLDER}", cilium_only, origin, minors)
        tree.add(f"{folder}/networkpolicies.yaml", *(Manifest(p, origin, minors) for p in policies))
        for template in BASE_TEMPLATES:
            objects = _objects(plan, app, "base", template, context)
            if objects:
                filename = template.removesuffix(".j2")
                files.append(filename)
                tree.add(f"{folder}/{filename}", *(Manifest(o, origin, minors) for o in objects))
        tree.add(f"{folder}/kustomization.yaml", Manifest(kustomization(files), origin))

    # Once per application, not once per environment it runs in.
    autoscaled = {
        a.name: any(s.autoscaling for s in a.environments.values())
        for a in plan.catalogue.applications
    }
    for env in plan.environments:
        if env.applications:
            _render_overlay(plan, env, tree, autoscaled)


def _render_overlay(
    plan: Plan, env: EnvironmentPlan, tree: Tree, autoscaled: Mapping[str, bool]
) -> None:
    name = env.environment.name
    folder = f"applications/overlays/{name}"
    resources = []
    patches = []
    images = []
    for app in env.applications:
        settings = app.environments[name]
        origin = Origin(app.location, f"environment {name}")
        selector, labels = _labels(app)
        resources.append(f"../../base/{app.name}")
        if f"applications/base/{app.name}/{CILIUM_FOLDER}/kustomization.yaml" in tree.objects:
            cilium = {plan.cluster(c).cluster.cni == "cilium" for c in env.clusters}
            if len(cilium) > 1:
                raise UserError.at(
                    app.location,
                    f"environment '{name}' mixes Cilium and other CNIs; the Cilium policies of "
                    f"'{app.name}' cannot go to only some of its clusters: give them one cni",
                )
            if cilium == {True}:
                resources.append(f"../../base/{app.name}/{CILIUM_FOLDER}")
        context = {
            "app": app,
            "settings": settings,
            "fewest": settings.autoscaling.min if settings.autoscaling else settings.replicas,
            "namespace": app.namespace,
            "labels": labels,
            "selector": selector,
            "main_port": main_port_name(app),
            "service_monitors": env.service_monitors,
        }
        extras = [o for t in ENV_TEMPLATES for o in _objects(plan, app, "environment", t, context)]
        if extras:
            tree.add(
                f"{folder}/{app.name}.yaml", *(Manifest(o, origin, env.minors) for o in extras)
            )
            resources.append(f"{app.name}.yaml")
        for suffix, target, operations in _patches(app, settings, autoscaled[app.name]):
            path = f"patches/{app.name}{suffix}.yaml"
            patches.append({"path": path, "target": target})
            # JSON patches, not partial objects: every file that looks like an object is one.
            tree.text(f"{folder}/{path}", dump_all([operations]))
        if settings.image != app.image:
            images.append(_image_override(app.image, settings.image))
    body = kustomization(resources, patches=patches, extra={"images": images} if images else None)
    origin = Origin(env.applications[0].location, "environment overlay")
    tree.add(f"{folder}/kustomization.yaml", Manifest(body, origin))


def _patches(
    app: Application, settings: AppEnvironment, any_autoscaled: bool
) -> list[tuple[str, dict[str, str], list[dict[str, Any]]]]:
    """(file suffix, kustomize target, JSON patch) for what differs per environment."""
    workload = {"group": WORKLOAD_GROUP[app.kind], "kind": app.kind, "name": app.name}
    pod = "/spec/jobTemplate/spec/template/spec" if app.kind == "CronJob" else "/spec/template/spec"
    resources = _resources(settings.memory, settings.autoscaling)
    operations: list[dict[str, Any]] = []
    if app.kind != "CronJob" and settings.autoscaling is None:
        # `add` sets the field whether or not the base has it (an autoscaled base has none).
        op = "add" if any_autoscaled else "replace"
        operations.append({"op": op, "path": "/spec/replicas", "value": settings.replicas})
    operations.append(
        {"op": "replace", "path": f"{pod}/containers/0/resources", "value": resources}
    )
    resized = app.persistence is not None and settings.persistence_size != app.persistence.size
    size = settings.persistence_size
    if resized and app.kind == "StatefulSet":
        claim = "/spec/volumeClaimTemplates/0/spec/resources/requests/storage"
        operations.append({"op": "replace", "path": claim, "value": size})
    out = [("", workload, operations)]
    if resized and app.kind != "StatefulSet":
        target = {"kind": "PersistentVolumeClaim", "name": f"{app.name}-data"}
        out.append(
            (
                "-data",
                target,
                [{"op": "replace", "path": "/spec/resources/requests/storage", "value": size}],
            )
        )
    if settings.ingress_host and settings.ingress_host != app.ingress_host:
        host = [{"op": "replace", "path": "/spec/rules/0/host", "value": settings.ingress_host}]
        if app.tls is not None:
            host.append(
                {"op": "replace", "path": "/spec/tls/0/hosts/0", "value": settings.ingress_host}
            )
        target = {"group": "networking.k8s.io", "kind": "Ingress", "name": app.name}
        out.append(("-ingress", target, host))
    return out


def _split_image(image: str) -> tuple[str, str | None, str | None]:
    """`reg/name:tag@digest` → (reg/name, tag, digest)."""
    name, _, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag, digest or None


def _image_override(base: str, wanted: str) -> dict[str, str]:
    base_name, _, _ = _split_image(base)
    name, tag, digest = _split_image(wanted)
    entry = {"name": base_name}
    if name != base_name:
        entry["newName"] = name
    if digest:
        entry["digest"] = digest
    elif tag:
        entry["newTag"] = tag
    return entry
