"""Kustomizations inflating Helm charts need `--enable-helm`.

What it checks:
    Kustomization files with `helmCharts` (info), and charts there without an exact `version`
    (a warning: the newest chart is pulled at every build).

Why it matters:
    They build only with `kustomize build --enable-helm`, which Argo CD enables only through
    `kustomize.buildOptions` in argocd-cm; otherwise the application fails to build.

Failing example:
    # kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    helmCharts:
      - name: redis
        repo: https://charts.example.com
        version: 1.2.3

Passing example:
    # kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources: []

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG416: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.argo import is_pinned
from generator.rules.base import Context, Finding

CODE = "GG416"
NAME = "kustomize-helm-charts"
FAMILY = "argocd-kustomize"
SEVERITY = "info"
KINDS: frozenset[str] | None = frozenset({"Kustomization"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    if obj.body.get("helmCharts") and str(obj.body.get("apiVersion", "")).startswith(
        "kustomize.config"
    ):
        yield Finding(
            ("helmCharts",),
            "helmCharts needs kustomize --enable-helm (Argo CD: kustomize.buildOptions)",
        )
        for index, chart in enumerate(obj.body["helmCharts"]):
            if isinstance(chart, dict) and not is_pinned(chart.get("version")):
                yield Finding(
                    ("helmCharts", index),
                    f"chart {chart.get('name')} is not pinned to an exact version",
                    "warning",
                )
