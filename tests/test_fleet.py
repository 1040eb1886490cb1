"""Fleet mode end to end: ApplicationSets that Argo CD expands into what per-cluster
Applications would deploy, built, validated, linted and proven to converge by `render`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import appsets, inventory
from generator.errors import Location
from generator.manifests import Manifest, Origin
from generator.render.fleet import THRESHOLD
from generator.schema import SchemaStore
from generator.validate import manifest_errors
from tests.conftest import EXAMPLES, Result

FLEET = EXAMPLES / "fleet.yaml"


def _render(run: Callable[..., Result], tmp_path: Path, name: str, fleet: bool | None) -> Path:
    body = yaml.safe_load(FLEET.read_text())
    if fleet is None:
        del body["spec"]["fleet"]
    else:
        body["spec"]["fleet"] = fleet
    catalogue = tmp_path / f"{name}.yaml"
    catalogue.write_text(yaml.safe_dump(body))
    out = tmp_path / name
    result = run("render", catalogue, "-o", out, "--kustomize", "always")
    assert result.exit_code == 0, result.stderr
    return out


def _applications(out: Path, kustomize_cmd: list[str]) -> dict[str, dict[str, Any]]:
    """Every Application Argo CD would hold, generated ones included, by name."""
    files = {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and ".gitops-gen" not in p.parts
    }
    found = inventory.collect(
        inventory.Source(files, out),
        inventory.BuildCache(kustomize_cmd),
        repo_url="https://git.example.com/edge-fleet.git",
        repo_path="",
        cluster_of=lambda app: str(app["spec"]["destination"].get("name")),
        hub="hub",
    )
    assert found.errors == []
    return {k.name: o for k, o in found.objects.items() if k.kind == "Application"}


def _effective(app: dict[str, Any], out: Path) -> dict[str, Any]:
    """What a component Application deploys: destination, project, chart and values (read
    from `$values` files where the chart takes them from), and its git paths."""
    spec = app["spec"]
    sources = spec.get("sources") or [spec["source"]]
    chart = next((s for s in sources if "chart" in s), None)
    values: dict[str, Any] = {}
    if chart is not None:
        helm = chart.get("helm", {})
        values = dict(helm.get("valuesObject") or {})
        for path in appsets.value_files(app):
            values.update(yaml.safe_load((out / path).read_text()))
        # The hub's own cluster Secret carries fleet mode's labels besides.
        for credentials in values.get("configs", {}).get("clusterCredentials", {}).values():
            labels = credentials["labels"]
            credentials["labels"] = {k: v for k, v in labels.items() if "gitops-gen" not in k}
    return {
        "destination": spec["destination"],
        "project": spec["project"],
        "chart": None
        if chart is None
        else (
            chart["repoURL"],
            chart["chart"],
            chart["targetRevision"],
            chart["helm"]["releaseName"],
        ),
        "values": values,
        "paths": sorted(s["path"] for s in sources if "path" in s),
    }


def test_fleet_applicationsets_expand_to_what_per_cluster_applications_deploy(
    run: Callable[..., Result], tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    fleet = _render(run, tmp_path, "fleet", True)
    plain = _render(run, tmp_path, "plain", False)
    assert (fleet / "bootstrap/fleet/kustomization.yaml").is_file()
    assert not (plain / "bootstrap/fleet").exists()
    generated = _applications(fleet, kustomize_cmd)
    per_cluster = _applications(plain, kustomize_cmd)
    # Outside fleet mode the components Applications hold the others; in it, the sets do.
    parents = {n for n in per_cluster if n.startswith("components-")}
    assert set(generated) == set(per_cluster) - parents
    for name in sorted(
        set(generated) - {"root"} - {n for n in generated if n.startswith("cluster-")}
    ):
        assert _effective(generated[name], fleet) == _effective(per_cluster[name], plain), name
    # The memory-tuned values are per cluster, in plain files the chart source reads.
    traefik = yaml.safe_load((fleet / "clusters/edge-fsn1/values/traefik.yaml").read_text())
    assert traefik["resources"]["limits"]["memory"]


def test_fleet_objects_validate_strictly_and_the_sets_follow_argo_cd_rules(
    run: Callable[..., Result], tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    out = _render(run, tmp_path, "fleet", True)
    sets = [
        doc
        for path in sorted((out / "bootstrap/fleet").glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc["kind"] == "ApplicationSet"
    ]
    assert {s["metadata"]["name"] for s in sets} >= {"cert-manager", "cilium", "applications"}
    manifests = [
        (f"set {s['metadata']['name']}", Manifest(s, Origin(Location("x")), ("1.31",)))
        for s in sets
    ]
    assert list(manifest_errors(SchemaStore(), manifests)) == []
    for appset in sets:
        spec = appset["spec"]
        assert spec["goTemplateOptions"] == ["missingkey=error"]
        template = spec["template"]
        assert "{{ .name }}" in template["metadata"]["name"]  # unique per cluster
        assert template["spec"]["syncPolicy"]["retry"]["limit"] == -1
        for source in template["spec"].get("sources", []):
            if "chart" in source:
                assert source["helm"]["ignoreMissingValueFiles"] is False
    labels = yaml.safe_load((out / "bootstrap/argocd-values.yml").read_text())["configs"][
        "clusterCredentials"
    ]["hub"]["labels"]
    assert labels["gitops-gen.dev/component.cluster-api"] == "true"


def test_a_missing_values_file_or_an_unknown_label_is_a_problem() -> None:
    appset: dict[str, Any] = {
        "metadata": {"name": "web", "namespace": "argocd"},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"clusters": {"selector": {"matchLabels": {"web": "true"}}}}],
            "template": {
                "metadata": {"name": "web-{{ .name }}"},
                "spec": {
                    "project": "{{ .metadata.labels.tier }}",
                    "sources": [
                        {
                            "chart": "web",
                            "helm": {"valueFiles": ["$values/clusters/{{ .name }}/web.yaml"]},
                        }
                    ],
                },
            },
        },
    }
    secret = appsets.ClusterSecret(
        "a", "https://a", {appsets.CLUSTER_SECRET_LABEL: "cluster", "web": "true"}, {}
    )
    other = appsets.ClusterSecret("b", "https://b", {appsets.CLUSTER_SECRET_LABEL: "cluster"}, {})
    with pytest.raises(appsets.AppSetError, match='no entry for key "tier"'):
        appsets.expand(appset, [secret, other])
    appset["spec"]["template"]["spec"]["project"] = "{{ .name }}"
    (made,) = appsets.expand(appset, [secret, other])
    assert made.cluster == "a" and made.app["metadata"]["name"] == "web-a"
    assert appsets.missing_value_files(made.app, {"clusters/b/web.yaml"}.__contains__, "") == [
        "Application web-a: values file 'clusters/a/web.yaml' does not exist"
    ]


def test_fleet_mode_switches_on_past_the_threshold_unless_the_catalogue_says_no(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    out = _render(run, tmp_path, "auto", None)
    # Three workload clusters are below the threshold.
    assert THRESHOLD > 3 and not (out / "bootstrap/fleet").exists()


def test_with_a_spoke_failing_the_others_converge(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    # render proves every spoke failing in turn; its README lists the fleet's bootstrap.
    out = _render(run, tmp_path, "fleet", True)
    readme = (out / "README.md").read_text()
    assert "ApplicationSet" in readme
    assert "cilium-edge-fsn1 generated" in readme
