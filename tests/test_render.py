"""Rendering a whole catalogue: the layout, the invariants of DESIGN §3, determinism."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.yamlio import load_all_plain
from tests.conftest import ROOT, Result, gitops_gen

PLATFORM = ROOT / "tests" / "data" / "platform.yaml"


def docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in load_all_plain(path.read_text()) if d]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("render") / "repo"
    result = gitops_gen("render", PLATFORM, "-o", out, "--kustomize", "always")
    assert result.returncode == 0, result.stderr
    return out


def all_objects(root: Path) -> list[tuple[Path, dict[str, Any]]]:
    return [
        (path, doc)
        for path in sorted(root.rglob("*.yaml"))
        if path.name != "kustomization.yaml" and "patches" not in path.parts
        for doc in docs(path)
    ]


def test_layout_has_every_part_of_the_design(rendered: Path) -> None:
    for relative in [
        "bootstrap/root.yaml",
        "bootstrap/projects/dev.yaml",
        "bootstrap/clusters/management/cluster.yaml",
        "infrastructure/base/cert-manager/application.yaml",
        "infrastructure/base/cert-manager/manifests/networkpolicies.yaml",
        "infrastructure/overlays/staging/kustomization.yaml",
        "applications/base/todo-backend/deployment.yaml",
        "applications/overlays/staging/kustomization.yaml",
        "clusters/dev/kustomization.yaml",
        "README.md",
    ]:
        assert (rendered / relative).is_file(), relative


def test_every_kustomization_builds(rendered: Path, kustomize_cmd: list[str]) -> None:
    folders = sorted(p.parent for p in rendered.rglob("kustomization.yaml"))
    assert len(folders) > 10
    for folder in folders:
        result = subprocess.run([*kustomize_cmd, str(folder)], capture_output=True, text=True)
        assert result.returncode == 0, f"{folder}: {result.stderr}"


def test_applications_are_pinned_and_projects_allow_them(
    rendered: Path, kustomize_cmd: list[str]
) -> None:
    projects = {
        d["metadata"]["name"]: d["spec"]
        for _, d in all_objects(rendered)
        if d["kind"] == "AppProject"
    }
    built = subprocess.run(
        [*kustomize_cmd, str(rendered / "clusters" / "staging")], capture_output=True, text=True
    )
    apps = [d for d in load_all_plain(built.stdout) if d]
    assert {a["metadata"]["name"] for a in apps} == {
        "cert-manager-staging",
        "ingress-nginx-staging",
        "applications-staging",
    }
    for app in apps:
        spec = app["spec"]
        assert spec["project"] == "staging"
        assert spec["destination"]["name"] == "staging"
        project = projects[spec["project"]]
        assert {"name": spec["destination"]["name"], "namespace": "*"} in project["destinations"]
        for source in spec.get("sources") or [spec["source"]]:
            assert source["repoURL"] in project["sourceRepos"]
            if "chart" in source:
                assert source["targetRevision"][0].isdigit() or source["targetRevision"][0] == "v"
                assert "*" not in source["targetRevision"] and "^" not in source["targetRevision"]
            else:
                assert (rendered / source["path"] / "kustomization.yaml").is_file()


def test_cluster_patch_tunes_memory_per_cluster(rendered: Path, kustomize_cmd: list[str]) -> None:
    built = subprocess.run(
        [*kustomize_cmd, str(rendered / "clusters" / "management")], capture_output=True, text=True
    )
    argocd = next(
        d for d in load_all_plain(built.stdout) if d["metadata"]["name"] == "argocd-management"
    )
    values = argocd["spec"]["sources"][0]["helm"]["valuesObject"]
    # three cpx41 workers leave room for the standard profile
    assert values["repoServer"]["resources"]["limits"]["memory"] == "2Gi"
    assert values["configs"]["params"]["reposerver.parallelism.limit"] == 2
    # base values survive the patch
    assert values["dex"] == {"enabled": False}
    assert "resource.customizations.health.argoproj.io_Application" in values["configs"]["cm"]


def test_service_blueprint_is_hardened(rendered: Path) -> None:
    (deployment,) = docs(rendered / "applications/base/todo-backend/deployment.yaml")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == 1000
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (container,) = pod["containers"]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert container["resources"]["limits"]["memory"] == "128Mi"
    assert "readinessProbe" in container and "livenessProbe" in container
    assert deployment["spec"]["strategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}
    (redis,) = docs(rendered / "applications/base/redis/deployment.yaml")
    mounts = redis["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert [m["mountPath"] for m in mounts] == ["/data"]
    assert not (rendered / "applications/base/worker/service.yaml").exists()
    assert not (rendered / "applications/base/worker/ingress.yaml").exists()


def test_pdb_only_where_replicas_exceed_one(rendered: Path) -> None:
    staging = [
        d["kind"] for d in docs(rendered / "applications/overlays/staging/todo-backend.yaml")
    ]
    dev = [d["kind"] for d in docs(rendered / "applications/overlays/dev/todo-backend.yaml")]
    assert "PodDisruptionBudget" in staging
    assert "PodDisruptionBudget" not in dev
    # dev runs the prometheus-operator CRDs, staging does not: a ServiceMonitor only in dev
    assert "ServiceMonitor" in dev and "ServiceMonitor" not in staging


def test_every_generated_namespace_denies_by_default(rendered: Path) -> None:
    objects = all_objects(rendered)
    namespaces = {d["metadata"]["name"] for _, d in objects if d["kind"] == "Namespace"}
    policies: dict[str, set[str]] = {}
    for _, d in objects:
        if d["kind"] == "NetworkPolicy":
            policies.setdefault(d["metadata"]["namespace"], set()).add(d["metadata"]["name"])
    assert namespaces
    for namespace in namespaces:
        assert {"default-deny", "allow-dns"} <= policies.get(namespace, set()), namespace


def test_capi_machine_templates_are_named_by_their_spec(rendered: Path) -> None:
    objects = docs(rendered / "bootstrap/clusters/management/cluster.yaml")
    kinds = {d["kind"] for d in objects}
    assert {
        "Cluster",
        "HetznerCluster",
        "KubeadmControlPlane",
        "MachineDeployment",
        "HCloudMachineTemplate",
        "HetznerBareMetalMachineTemplate",
        "KubeadmConfigTemplate",
        "MachineHealthCheck",
    } <= kinds
    templates = {d["metadata"]["name"] for d in objects if d["kind"].endswith("MachineTemplate")}
    references = {
        d["spec"]["template"]["spec"]["infrastructureRef"]["name"]
        for d in objects
        if d["kind"] == "MachineDeployment"
    }
    assert references <= templates
    assert all(len(name.rsplit("-", 1)[1]) == 8 for name in templates)


def test_changing_a_server_type_renames_its_template(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    original = PLATFORM.read_text()
    first, second = tmp_path / "a", tmp_path / "b"
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        original.replace("serverType: cpx41, count: 3", "serverType: cpx51, count: 3")
    )
    assert run("render", PLATFORM, "-o", first, "--kustomize", "never").exit_code == 0
    assert run("render", changed, "-o", second, "--kustomize", "never").exit_code == 0

    def names(root: Path) -> set[str]:
        return {
            d["metadata"]["name"]
            for d in docs(root / "bootstrap/clusters/management/cluster.yaml")
            if d["kind"] == "HCloudMachineTemplate"
        }

    assert len(names(first) ^ names(second)) == 2  # only the workers' template changed


def test_renders_are_byte_identical_across_hash_seed_locale_and_time(tmp_path: Path) -> None:
    outputs = []
    for index, (seed, tz, lang) in enumerate(
        [("0", "UTC", "C"), ("4242", "Asia/Tokyo", "de_DE.UTF-8")]
    ):
        out = tmp_path / f"out{index}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": tz, "LANG": lang, "LC_ALL": lang}
        result = gitops_gen("render", PLATFORM, "-o", out, "--kustomize", "never", env=env)
        assert result.returncode == 0, result.stderr
        outputs.append(
            {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
        )
    assert outputs[0] == outputs[1]
