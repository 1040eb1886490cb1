"""`render --charts DIR`: render each Helm Application's chart with its final values and check
what it really runs, instead of trusting the blueprint's list of containers.

DIR holds chart sources or archives named `<chart>-<version>` (`helm pull` makes
`<chart>-<version>.tgz`). helm runs as a subprocess on local files only: no repository, no
dependency update, its cache and configuration in a throw-away folder. Every container and init
container of every pod template must carry memory requests and limits, and every object must
pass schema validation (objects of a kind whose CRD the chart itself renders are left to it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import Location, UserError
from generator.manifests import object_ref
from generator.plan import Plan
from generator.rules.pods import pod_spec
from generator.schema import SchemaStore
from generator.yamlio import load_all_plain


@dataclass(frozen=True)
class Report:
    problems: list[str]
    missing: list[str]  # `cluster/component: chart-version`, not in DIR


def find(folder: Path, name: str, version: str) -> Path | None:
    for candidate in (folder / f"{name}-{version}.tgz", folder / f"{name}-{version}"):
        if candidate.exists():
            return candidate
    return None


def container_problems(objects: list[dict[str, Any]]) -> Iterator[str]:
    """`Kind/ns/name: container 'c' has no memory request` for every gap."""
    for body in objects:
        found = pod_spec(body)
        if found is None:
            continue
        _, spec = found
        for field in ("initContainers", "containers"):
            for container in spec.get(field) or []:
                resources = container.get("resources") or {}
                missing = [
                    kind
                    for kind, key in (("request", "requests"), ("limit", "limits"))
                    if not (resources.get(key) or {}).get("memory")
                ]
                if missing:
                    word = "init container" if field == "initContainers" else "container"
                    yield (
                        f"{object_ref(body)}: {word} '{container.get('name')}' has no memory "
                        f"{' and no memory '.join(missing)}"
                    )


def _crd_groups(objects: list[dict[str, Any]]) -> set[str]:
    return {
        str(o.get("spec", {}).get("group"))
        for o in objects
        if o.get("kind") == "CustomResourceDefinition"
    }


def schema_problems(objects: list[dict[str, Any]], store: SchemaStore, minor: str) -> Iterator[str]:
    own = _crd_groups(objects)
    for body in objects:
        group = str(body.get("apiVersion", "")).rpartition("/")[0]
        if (
            group in own
            and store.validator(minor, str(body["apiVersion"]), str(body["kind"])) is None
        ):
            continue
        for error in store.validate(body, minor):
            yield f"{object_ref(body)}: {error} (Kubernetes {minor})"


def helm_template(
    helm: str,
    chart: Path,
    release: str,
    namespace: str,
    values: Mapping[str, Any],
    minor: str,
    home: Path,
) -> tuple[list[dict[str, Any]], str | None]:
    """The chart's objects, or the error helm printed."""
    values_file = home / "values.json"
    values_file.write_text(json.dumps(values), encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "HELM_CACHE_HOME": str(home / "cache"),
        "HELM_CONFIG_HOME": str(home / "config"),
        "HELM_DATA_HOME": str(home / "data"),
    }
    result = subprocess.run(
        [
            helm,
            "template",
            release,
            str(chart),
            "--namespace",
            namespace,
            "--values",
            str(values_file),
            "--kube-version",
            f"v{minor}.0",
            "--include-crds",
            "--skip-tests",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        return [], result.stderr.strip() or f"helm exited with {result.returncode}"
    return [o for o in load_all_plain(result.stdout) if isinstance(o, dict)], None


def check(plan: Plan, folder: Path, store: SchemaStore) -> Report:
    """Render every chart found in `folder` with each cluster's final values."""
    if not folder.is_dir():
        raise UserError.at(Location(str(folder)), "chart folder does not exist")
    helm = shutil.which("helm")
    if helm is None:
        raise UserError.at(Location(str(folder)), "--charts needs helm on PATH")
    problems: list[str] = []
    missing: list[str] = []
    done: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="gitops-gen-helm-") as scratch:
        for cluster_plan in plan.clusters:
            minor = cluster_plan.cluster.minor
            for component in cluster_plan.components:
                where = f"{cluster_plan.cluster.name}/{component.name}"
                chart = component.chart
                path = find(folder, chart.name, chart.version)
                if path is None:
                    missing.append(f"{where}: {chart.name}-{chart.version}")
                    continue
                key = json.dumps(
                    [
                        str(path),
                        component.release_name,
                        component.namespace,
                        component.values,
                        minor,
                    ],
                    sort_keys=True,
                )
                if key not in done:
                    objects, error = helm_template(
                        helm,
                        path,
                        component.release_name,
                        component.namespace,
                        component.values,
                        minor,
                        Path(scratch),
                    )
                    if error is not None:
                        done[key] = [f"helm template failed: {error}"]
                    else:
                        done[key] = [
                            *container_problems(objects),
                            *schema_problems(objects, store, minor),
                        ]
                problems += [f"{where} ({chart.name}-{chart.version}): {p}" for p in done[key]]
    return Report(problems, missing)
