"""Where a render spends its time, per stage, for each example and for a growing fleet.

Usage: python benchmarks/render_examples.py [--no-kustomize]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from generator import kustomize, writer
from generator.pipeline import render_catalogue, verify
from generator.schema import SchemaStore

ROOT = Path(__file__).resolve().parents[1]


def fleet(clusters: int, apps: int) -> str:
    """A catalogue of `clusters` workload clusters (one environment each) and `apps` apps."""
    lines = [
        "apiVersion: gitops-gen/v1alpha1",
        "kind: Catalogue",
        "metadata: {name: fleet}",
        "spec:",
        "  repo: {url: https://git.example.com/fleet.git}",
        '  kubernetesVersion: "1.31.4"',
        "  environments:",
        "    - {name: hub}",
        *(f"    - {{name: env{i}}}" for i in range(clusters)),
        "  clusters:",
        "    - {name: hub, environment: hub, nodePools: [{name: cp, role: control-plane, "
        "serverType: cpx31, count: 3}], "
        "components: [argocd, cert-manager, cluster-api, external-secrets]}",
    ]
    for i in range(clusters):
        lines.append(
            f"    - {{name: c{i}, environment: env{i}, server: 'https://c{i}.example.com:6443', "
            "clusterAPI: true, nodePools: [{name: cp, role: control-plane, serverType: cpx31, "
            "count: 3}, {name: w, serverType: cpx41, count: 3}], "
            "components: [cilium, hcloud-ccm, cert-manager, traefik]}"
        )
    envs = ", ".join(f"env{i}: {{replicas: 2}}" for i in range(clusters))
    lines.append("  applications:")
    for a in range(apps):
        lines.append(
            f"    - {{name: app{a}, image: 'ghcr.io/acme/app{a}:1.0.{a}', port: 8080, "
            f"ingress: {{host: app{a}.example.com}}, environments: {{{envs}}}}}"
        )
    return "\n".join(lines) + "\n"


def measure(label: str, catalogue: Path, build: list[str] | None) -> None:
    times = {}
    start = time.perf_counter()
    rendered = render_catalogue(catalogue)
    times["render"] = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "repo"
        with writer.staging(out) as staged:
            start = time.perf_counter()
            writer.stage(staged, rendered.files)
            times["stage"] = time.perf_counter() - start
            start = time.perf_counter()
            verify(rendered, staged, build, SchemaStore())
            times["validate+build"] = time.perf_counter() - start
    objects = sum(1 for _ in rendered.tree.manifests())
    stages = "  ".join(f"{k} {v:6.2f}s" for k, v in times.items())
    dirs = len(rendered.tree.kustomize_dirs())
    files = len(rendered.files)
    print(f"{label:<28} {files:>5} files {objects:>5} objects {dirs:>4} builds  {stages}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-kustomize", action="store_true")
    args = parser.parse_args()
    build = None if args.no_kustomize else kustomize.command()
    print(f"kustomize: {' '.join(build) if build else 'skipped'}")
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        measure(example.name, example, build)
    with tempfile.TemporaryDirectory() as scratch:
        for clusters, apps in [(2, 5), (4, 10), (8, 20), (16, 40)]:
            path = Path(scratch) / f"fleet-{clusters}.yaml"
            path.write_text(fleet(clusters, apps))
            measure(f"fleet {clusters} clusters x {apps} apps", path, build)


if __name__ == "__main__":
    main()
