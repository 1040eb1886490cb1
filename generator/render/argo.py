"""Argo CD objects: Applications and AppProjects, built the same way everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from generator.model import ARGOCD_NAMESPACE, Catalogue

WAVE = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
# What the bootstrap simulation cannot see inside a chart (generator/convergence.py).
PROVIDES = "gitops-gen.dev/provides"
NODE_BOOTSTRAP = "gitops-gen.dev/node-bootstrap"
REGISTERS = "gitops-gen.dev/registers"
CLUSTER_SECRET = {"argocd.argoproj.io/secret-type": "cluster"}
MANAGED_BY = {"app.kubernetes.io/managed-by": "gitops-gen"}


def git_source(catalogue: Catalogue, path: str) -> dict[str, Any]:
    return {
        "repoURL": catalogue.repo_url,
        "targetRevision": catalogue.revision,
        "path": catalogue.repo_path_of(path),
    }


def chart_source(repo: str, chart: str, version: str, release: str, values: Any) -> dict[str, Any]:
    helm: dict[str, Any] = {"releaseName": release}
    if values:
        helm["valuesObject"] = values
    return {"repoURL": repo, "chart": chart, "targetRevision": version, "helm": helm}


def application(
    name: str,
    *,
    project: str,
    cluster: str,
    namespace: str | None,
    sources: list[dict[str, Any]],
    wave: int,
    prune: bool = True,
    server_side_apply: bool = False,
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An Application deploying to the cluster Argo CD knows as `cluster`."""
    destination: dict[str, Any] = {"name": cluster}
    if namespace:
        destination["namespace"] = namespace
    options = ["PruneLast=true"]
    if server_side_apply:
        options.append("ServerSideApply=true")
    spec: dict[str, Any] = {"project": project, "destination": destination}
    if len(sources) == 1:
        spec["source"] = sources[0]
    else:
        spec["sources"] = sources
    spec["syncPolicy"] = {
        "automated": {"prune": prune, "selfHeal": True},
        "syncOptions": options,
        # Retries with backoff ride out the cascading failures of a first sync (seed 002).
        "retry": {"limit": 5, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "3m"}},
    }
    body: dict[str, Any] = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": name,
            "namespace": ARGOCD_NAMESPACE,
            "labels": dict(MANAGED_BY),
            "annotations": {WAVE: str(wave), **(annotations or {})},
        },
        "spec": spec,
    }
    if prune:
        # Deleting the Application deletes what it deployed; never for Cluster API objects,
        # where that would delete the machines.
        body["metadata"]["finalizers"] = ["resources-finalizer.argocd.argoproj.io"]
    else:
        body["metadata"]["annotations"]["ignore.gitops-gen.dev/GG407"] = (
            "deleting this Application must not delete the machines of the clusters it manages"
        )
    return body


def project(
    name: str,
    description: str,
    *,
    source_repos: Iterable[str],
    destinations: Iterable[tuple[str, str]],  # (cluster name, namespace)
    cluster_resources: list[dict[str, str]],
) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {
            "name": name,
            "namespace": ARGOCD_NAMESPACE,
            "labels": dict(MANAGED_BY),
            "annotations": {WAVE: "-1", **_wildcard_reason(cluster_resources)},
        },
        "spec": {
            "description": description,
            "sourceRepos": sorted(set(source_repos)),
            "destinations": [
                {"name": name, "namespace": namespace}
                for name, namespace in sorted(set(destinations))
            ],
            "clusterResourceWhitelist": cluster_resources,
        },
    }


def _wildcard_reason(cluster_resources: list[dict[str, str]]) -> dict[str, str]:
    """The suppression of lint rule GG409 for projects that must allow every cluster kind."""
    if {"group": "*", "kind": "*"} not in cluster_resources:
        return {}
    return {
        "ignore.gitops-gen.dev/GG409": "the project installs charts whose cluster-scoped kinds "
        "(CRDs, cluster roles, webhooks) are only known once the charts are rendered"
    }
