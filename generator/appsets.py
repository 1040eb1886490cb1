"""What Argo CD's ApplicationSet controller makes of the ApplicationSets fleet mode emits.

A cluster generator lists the Argo CD cluster Secrets (label `argocd.argoproj.io/secret-type:
cluster` in Argo CD's namespace) that match its selector, and renders the template once per
Secret. gitops-gen's trees define those Secrets in two places: the ExternalSecrets that
register spokes (their target template) and the `clusterCredentials` of the by-hand Argo CD
install (`bootstrap/argocd-values.yml`), which registers the hub.

Only the subset gitops-gen emits is modelled, and anything outside it is an error rather than
a guess: one `clusters` generator with `selector.matchLabels`, `goTemplate: true` with
`missingkey=error`, and template expressions `{{ .name }}`, `{{ .server }}` and
`{{ .metadata.labels.<key> }}` / `{{ .metadata.annotations.<key> }}` (a missing key is an
error, as Go's templates make it under missingkey=error; `index` would silently give "").

Pure: objects in, Applications out. Used by the bootstrap proof (generator/convergence.py via
generator/inventory.py), the app-graph checks (generator/appgraph.py) and diff.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from generator.yamlio import load_all_plain

KIND = "ApplicationSet"
INSTALL_VALUES = "bootstrap/argocd-values.yml"
CLUSTER_SECRET_LABEL = "argocd.argoproj.io/secret-type"
VALUES_REF = "$values/"
_EXPRESSION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_FIELD = re.compile(r"^\.(name|server|metadata\.(labels|annotations)\.([A-Za-z_][A-Za-z0-9_]*))$")


class AppSetError(ValueError):
    """An ApplicationSet outside the modelled subset, or one Argo CD would refuse."""


@dataclass(frozen=True)
class ClusterSecret:
    """An Argo CD cluster Secret as the cluster generator sees it."""

    name: str
    server: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]


@dataclass(frozen=True)
class Generated:
    """One Application an ApplicationSet creates, and the cluster Secret it was made from."""

    app: dict[str, Any]
    cluster: str


def secrets_of(objects: Iterable[Mapping[str, Any]]) -> list[ClusterSecret]:
    """The cluster Secrets that ExternalSecrets among `objects` write."""
    found = []
    for obj in objects:
        if obj.get("kind") != "ExternalSecret":
            continue
        template = ((obj.get("spec") or {}).get("target") or {}).get("template") or {}
        meta = template.get("metadata") or {}
        labels = meta.get("labels") or {}
        data = template.get("data") or {}
        if labels.get(CLUSTER_SECRET_LABEL) != "cluster" or "name" not in data:
            continue
        found.append(
            ClusterSecret(
                str(data["name"]),
                str(data.get("server", "")),
                {str(k): str(v) for k, v in labels.items()},
                {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()},
            )
        )
    return found


def install_secrets(text: str | None) -> list[ClusterSecret]:
    """The cluster Secrets the Argo CD chart's `configs.clusterCredentials` creates."""
    if not text:
        return []
    try:
        docs = list(load_all_plain(text))
    except yaml.YAMLError:
        return []
    values = docs[0] if docs and isinstance(docs[0], Mapping) else {}
    credentials = (values.get("configs") or {}).get("clusterCredentials") or {}
    return [
        ClusterSecret(
            str(name),
            str(entry.get("server", "")),
            {CLUSTER_SECRET_LABEL: "cluster", **{str(k): str(v) for k, v in labels.items()}},
            {str(k): str(v) for k, v in (entry.get("annotations") or {}).items()},
        )
        for name, entry in sorted(credentials.items())
        if isinstance(entry, Mapping)
        for labels in [entry.get("labels") or {}]
    ]


def _selector(appset: Mapping[str, Any]) -> Mapping[str, str]:
    spec = appset.get("spec") or {}
    if spec.get("goTemplate") is not True or "missingkey=error" not in (
        spec.get("goTemplateOptions") or []
    ):
        raise AppSetError("needs goTemplate: true and goTemplateOptions [missingkey=error]")
    generators = spec.get("generators") or []
    if len(generators) != 1 or set(generators[0]) != {"clusters"}:
        raise AppSetError("needs exactly one generator, a clusters generator")
    selector = (generators[0]["clusters"] or {}).get("selector") or {}
    if set(selector) - {"matchLabels"}:
        raise AppSetError("the clusters generator's selector may only use matchLabels")
    return {str(k): str(v) for k, v in (selector.get("matchLabels") or {}).items()}


def _value(expression: str, secret: ClusterSecret) -> str:
    match = _FIELD.match(expression)
    if match is None:
        raise AppSetError(f"template expression '{{{{ {expression} }}}}' is not modelled")
    if match.group(1) == "name":
        return secret.name
    if match.group(1) == "server":
        return secret.server
    table = secret.labels if match.group(2) == "labels" else secret.annotations
    key = match.group(3)
    if key not in table:
        raise AppSetError(
            f'cluster {secret.name}: map has no entry for key "{key}" ({expression}, '
            "missingkey=error)"
        )
    return table[key]


def _render(node: Any, secret: ClusterSecret) -> Any:
    if isinstance(node, str):
        # Most strings hold no expression: a thousand clusters' templates are mostly those.
        if "{{" not in node:
            return node
        return _EXPRESSION.sub(lambda m: _value(m.group(1), secret), node)
    if type(node) is dict or isinstance(node, Mapping):
        return {_render(k, secret): _render(v, secret) for k, v in node.items()}
    if isinstance(node, list):
        return [_render(v, secret) for v in node]
    return copy.copy(node)


def expand(appset: Mapping[str, Any], secrets: Sequence[ClusterSecret]) -> list[Generated]:
    """The Applications `appset` makes, one per matching cluster Secret, sorted by cluster."""
    selector = _selector(appset)
    template = (appset.get("spec") or {}).get("template") or {}
    out = []
    for secret in sorted(secrets, key=lambda s: s.name):
        if CLUSTER_SECRET_LABEL not in secret.labels or any(
            secret.labels.get(k) != v for k, v in selector.items()
        ):
            continue
        body = _render(template, secret)
        meta = dict(body.get("metadata") or {})
        meta.setdefault("namespace", (appset.get("metadata") or {}).get("namespace", "argocd"))
        out.append(
            Generated(
                {
                    "apiVersion": "argoproj.io/v1alpha1",
                    "kind": "Application",
                    "metadata": meta,
                    "spec": body.get("spec") or {},
                },
                secret.name,
            )
        )
    return out


def expand_all(
    appsets: Iterable[Mapping[str, Any]], secrets: Sequence[ClusterSecret]
) -> tuple[list[Generated], list[str]]:
    """Every Application of every ApplicationSet, and one problem per set that cannot expand."""
    apps: list[Generated] = []
    problems = []
    for appset in appsets:
        name = (appset.get("metadata") or {}).get("name", "?")
        try:
            apps.extend(expand(appset, secrets))
        except AppSetError as exc:
            problems.append(f"ApplicationSet {name}: {exc}")
    return apps, problems


def value_files(app: Mapping[str, Any]) -> list[str]:
    """Repository paths of the `$values/…` files a generated Application's charts read."""
    spec = app.get("spec") or {}
    sources = spec.get("sources") or ([spec["source"]] if spec.get("source") else [])
    return [
        str(f)[len(VALUES_REF) :]
        for s in sources
        if isinstance(s, Mapping)
        for f in ((s.get("helm") or {}).get("valueFiles") or [])
        if str(f).startswith(VALUES_REF)
    ]


def missing_value_files(
    app: Mapping[str, Any], exists: Callable[[str], bool], repo_path: str
) -> list[str]:
    """`$values` files of `app` that are not in the repository (`exists(path)` decides);
    fleet mode sets ignoreMissingValueFiles false, so Argo CD fails such an Application."""
    name = (app.get("metadata") or {}).get("name", "?")
    prefix = f"{repo_path}/" if repo_path else ""
    return [
        f"Application {name}: values file '{path}' does not exist"
        for path in value_files(app)
        if not path.startswith(prefix) or not exists(path[len(prefix) :])
    ]
