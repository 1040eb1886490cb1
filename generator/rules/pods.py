"""Pod templates of every workload kind, their containers, and inherited security settings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from generator.docpaths import DocPath

# Where the pod spec sits in each kind that carries one; CronJob nests a Job template.
SPEC_PATHS: dict[str, DocPath] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "DeploymentConfig": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
WORKLOAD_KINDS = frozenset(SPEC_PATHS)
# Workloads that run until stopped: what probes, replicas and budgets are about.
LONG_RUNNING_KINDS = WORKLOAD_KINDS - {"Job", "CronJob"}
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def _at(body: Any, path: DocPath) -> Any:
    for part in path:
        if not isinstance(body, dict):
            return None
        body = body.get(str(part))
    return body


def pod_spec(body: Mapping[str, Any]) -> tuple[DocPath, dict[str, Any]] | None:
    path = SPEC_PATHS.get(str(body.get("kind")))
    if path is None:
        return None
    spec = _at(body, path)
    return (path, spec) if isinstance(spec, dict) else None


def template_metadata(body: Mapping[str, Any]) -> dict[str, Any]:
    path = SPEC_PATHS.get(str(body.get("kind")))
    if path is None or len(path) == 1:
        found = body.get("metadata")
    else:
        found = _at(body, (*path[:-1], "metadata"))
    return found if isinstance(found, dict) else {}


def template_labels(body: Mapping[str, Any]) -> dict[str, str]:
    labels = template_metadata(body).get("labels")
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def containers(
    body: Mapping[str, Any], lists: tuple[str, ...] = CONTAINER_LISTS
) -> Iterator[tuple[DocPath, dict[str, Any], dict[str, Any]]]:
    """(path, container, pod spec) for every container of every list in `lists`."""
    found = pod_spec(body)
    if found is None:
        return
    base, spec = found
    for key in lists:
        items = spec.get(key)
        if not isinstance(items, list):
            continue
        for index, container in enumerate(items):
            if isinstance(container, dict):
                yield (*base, key, index), container, spec


def setting(container: Mapping[str, Any], spec: Mapping[str, Any], key: str) -> Any:
    """A securityContext field as Kubernetes applies it: the container's, else the pod's."""
    own = container.get("securityContext")
    if isinstance(own, dict) and own.get(key) is not None:
        return own[key]
    pod = spec.get("securityContext")
    return pod.get(key) if isinstance(pod, dict) else None


def label(container: Mapping[str, Any]) -> str:
    return f"container {container.get('name', '?')!r}"


def missing_probe(body: Mapping[str, Any], probe: str) -> Iterator[tuple[DocPath, str]]:
    """(path, message) for each regular container of `body` without a `probe`."""
    for path, container, _spec in containers(body, ("containers",)):
        if not isinstance(container.get(probe), dict):
            yield path, f"{label(container)} has no {probe}"
