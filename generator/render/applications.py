"""applications/: each application's base from its blueprint, and one overlay per environment
with its replicas, image and memory, plus what only some environments get (PDB, monitors)."""

from __future__ import annotations

from typing import Any

from generator.manifests import Manifest, Origin, Tree, kustomization
from generator.model import Application, Memory
from generator.netpol import app_policies, namespace_object
from generator.plan import EnvironmentPlan, Plan
from generator.templating import render
from generator.yamlio import dump_all, load_all_plain

BASE_TEMPLATES = ("deployment.yaml.j2", "service.yaml.j2", "ingress.yaml.j2")
ENV_TEMPLATES = ("pdb.yaml.j2", "servicemonitor.yaml.j2")


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


def _writable(app: Application) -> list[dict[str, str]]:
    return [
        {"name": f"writable-{index}", "path": path} for index, path in enumerate(app.writable_paths)
    ]


def _objects(
    plan: Plan, app: Application, folder: str, name: str, context: dict[str, Any]
) -> list[dict[str, Any]]:
    blueprint = plan.library.get(app.blueprint)
    text = render(blueprint.folder, f"{folder}/{name}", context)
    return [doc for doc in load_all_plain(text) if doc]


def render_applications(plan: Plan, tree: Tree) -> None:
    envs_of = {
        app.name: [e for e in plan.environments if app in e.applications]
        for app in plan.catalogue.applications
    }
    callers: dict[str, list[tuple[str, int]]] = {}
    for app in plan.catalogue.applications:
        for peer in app.talks_to:
            if peer.app:
                callers.setdefault(peer.app, []).append((app.name, peer.port))
    for app in plan.catalogue.applications:
        envs = envs_of[app.name]
        if not envs:
            continue
        minors = tuple(sorted({m for e in envs for m in e.minors}))
        origin = Origin(app.location, f"blueprint {app.blueprint}")
        selector, labels = _labels(app)
        ingress_classes = {e.ingress_class for e in envs}
        context = {
            "app": app,
            "namespace": app.name,
            "labels": labels,
            "selector": selector,
            "ports": _ports(app),
            "main_port": main_port_name(app),
            "writable": _writable(app),
            "memory": app.environments[envs[0].environment.name].memory,
            "ingress_class": sorted(ingress_classes)[0],
        }
        folder = f"applications/base/{app.name}"
        files = ["namespace.yaml", "networkpolicies.yaml"]
        tree.add(f"{folder}/namespace.yaml", Manifest(namespace_object(app.name), origin, minors))
        ingress_namespaces = {plan.cluster(c).ingress_namespace for e in envs for c in e.clusters}
        policies = app_policies(
            app.name,
            selector,
            ingress_namespace=next(iter(ingress_namespaces))
            if app.ingress_host and len(ingress_namespaces) == 1
            else None,
            port=app.port,
            metrics_port=app.metrics_port,
            callers=callers.get(app.name, []),
            app_targets=[(p.app, p.port) for p in app.talks_to if p.app],
            external_targets=[(p.name, p.cidr, p.port) for p in app.talks_to if p.name and p.cidr],
        )
        tree.add(f"{folder}/networkpolicies.yaml", *(Manifest(p, origin, minors) for p in policies))
        for template in BASE_TEMPLATES:
            objects = _objects(plan, app, "base", template, context)
            if objects:
                filename = template.removesuffix(".j2")
                files.append(filename)
                tree.add(f"{folder}/{filename}", *(Manifest(o, origin, minors) for o in objects))
        tree.add(f"{folder}/kustomization.yaml", Manifest(kustomization(files), origin))

    for env in plan.environments:
        if env.applications:
            _render_overlay(plan, env, tree)


def _render_overlay(plan: Plan, env: EnvironmentPlan, tree: Tree) -> None:
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
        context = {
            "app": app,
            "settings": settings,
            "namespace": app.name,
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
        patches.append(
            {
                "path": f"patches/{app.name}.yaml",
                "target": {"group": "apps", "kind": "Deployment", "name": app.name},
            }
        )
        # JSON patches, not partial Deployments: every file that looks like an object is one.
        tree.text(
            f"{folder}/patches/{app.name}.yaml",
            dump_all([_deployment_patch(settings.replicas, settings.memory)]),
        )
        if settings.image != app.image:
            images.append(_image_override(app.image, settings.image))
    body = kustomization(resources, patches=patches, extra={"images": images} if images else None)
    origin = Origin(env.applications[0].location, "environment overlay")
    tree.add(f"{folder}/kustomization.yaml", Manifest(body, origin))


def _deployment_patch(replicas: int, memory: Memory) -> list[dict[str, Any]]:
    resources = {"requests": {"memory": memory.request}, "limits": {"memory": memory.limit}}
    return [
        {"op": "replace", "path": "/spec/replicas", "value": replicas},
        {"op": "replace", "path": "/spec/template/spec/containers/0/resources", "value": resources},
    ]


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
