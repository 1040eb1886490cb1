"""Observability: where each cluster's metrics and logs go, and the monitoring blueprints."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator import catalogue, kustomize, model, observability
from generator.blueprints import Library
from generator.errors import Location
from generator.quantity import parse_bytes
from generator.yamlio import load_all_plain
from tests.conftest import Result, gitops_gen, write

MONITORING = (
    "kube-prometheus-stack",
    "grafana",
    "loki",
    "alloy",
    "promtail",
    "vector",
    "victoria-metrics",
    "vmagent",
    "tempo",
    "jaeger",
    "mimir",
    "thanos",
)

CATALOGUE = """\
apiVersion: gitops-gen/v1alpha1
kind: Catalogue
metadata: {name: watched}
spec:
  repo: {url: https://github.com/acme/infra.git}
  kubernetesVersion: "1.31.4"
  environments: [{name: management}, {name: monitoring}, {name: dev}]
  clusters:
    - name: management
      role: management
      environment: management
      distribution: kubeadm
      cni: cilium
      nodePools:
        - {name: cp, role: control-plane, serverType: cpx31, count: 1}
        - {name: workers, serverType: cpx41, count: 2}
      components: [argocd, ingress-nginx, kube-prometheus-stack, alloy, external-secrets]
    - name: monitoring
      role: monitoring
      environment: monitoring
      distribution: kubeadm
      cni: cilium
      server: https://monitoring.example.com:6443
      registration: {secretStore: vault, key: clusters/monitoring}
      nodePools:
        - {name: cp, role: control-plane, serverType: cpx31, count: 1}
        - {name: workers, serverType: cpx51, count: 3}
      components:
        - ingress-nginx
        - {name: victoria-metrics, profile: standard}
        - {name: vmagent, profile: standard}
        - {name: grafana, profile: standard}
        - {name: loki, profile: standard}
        - {name: tempo, profile: standard}
        - {name: jaeger, profile: small}
        - {name: thanos, profile: standard}
        - {name: mimir, profile: small}
        - {name: vector, profile: small}
    - name: dev
      role: workload
      environment: dev
      distribution: k3s
      cni: flannel
      server: https://dev.example.com:6443
      registration: {secretStore: vault, key: clusters/dev}
      nodePools:
        - {name: nodes, role: control-plane, serverType: cpx21, count: 1}
      components:
        - {name: kube-prometheus-stack, profile: tiny}
        - {name: vmagent, profile: tiny}
        - {name: promtail, profile: tiny}
  observability:
    metricsCluster: monitoring
    metricsHost: metrics.example.com
    logsCluster: monitoring
    logsHost: logs.example.com
"""


def _values(out: Path, cluster: str) -> dict[str, dict[str, Any]]:
    """The final Helm values of each chart of a cluster, after its overlay: what Argo CD uses."""
    command = kustomize.command()
    assert command is not None
    built = subprocess.run(
        [*command, str(out / "clusters" / cluster)],
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, dict[str, Any]] = {}
    for doc in load_all_plain(built.stdout):
        if doc and doc["kind"] == "Application":
            source = doc["spec"]["sources"][0]
            if "chart" in source:
                found[source["chart"]] = source["helm"]["valuesObject"]
    return found


def _seconds(duration: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    return int(duration[:-1]) * units[duration[-1]]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, kustomize_cmd: list[str]) -> Path:
    folder = tmp_path_factory.mktemp("observability")
    path = write(folder / "catalogue.yaml", CATALOGUE)
    out = folder / "repo"
    result = gitops_gen("render", path, "-o", out, "--kustomize", "always")
    assert result.returncode == 0, result.stderr
    return out


def test_every_monitoring_blueprint_is_in_the_rendered_catalogue(rendered: Path) -> None:
    bases = {p.name for p in (rendered / "infrastructure" / "base").iterdir()}
    assert set(MONITORING) <= bases
    for name in MONITORING:
        blueprint = Library().get(name)
        assert blueprint.chart is not None
        assert set(blueprint.containers) == set(blueprint.profiles["tiny"])


def test_tiny_prometheus_keeps_seed_000_knobs(rendered: Path) -> None:
    values = _values(rendered, "dev")
    spec = values["kube-prometheus-stack"]["prometheus"]["prometheusSpec"]
    assert parse_bytes(spec["resources"]["limits"]["memory"]) <= parse_bytes("512Mi")
    assert _seconds(spec["retention"]) <= _seconds("7d")
    assert _seconds(spec["scrapeInterval"]) >= 60
    assert _seconds(values["victoria-metrics-agent"]["config"]["global"]["scrape_interval"]) >= 60
    # K3s runs its control plane in one process: no monitors for endpoints it lacks.
    assert values["kube-prometheus-stack"]["kubeEtcd"] == {"enabled": False}


def test_other_clusters_remote_write_to_the_metrics_cluster(rendered: Path) -> None:
    url = "https://metrics.example.com/api/v1/write"
    management = _values(rendered, "management")
    kps = management["kube-prometheus-stack"]
    assert kps["prometheus"]["prometheusSpec"]["remoteWrite"] == [{"url": url}]
    # dashboards and alerts live on the metrics cluster only
    assert kps["grafana"]["enabled"] is False
    assert kps["alertmanager"]["enabled"] is False
    assert f'url = "{url}"' in management["alloy"]["alloy"]["configMap"]["content"]
    assert (
        'url = "https://logs.example.com/loki/api/v1/push"'
        in (management["alloy"]["alloy"]["configMap"]["content"])
    )
    dev = _values(rendered, "dev")
    assert dev["victoria-metrics-agent"]["remoteWrite"] == [{"url": url}]
    assert dev["promtail"]["config"]["clients"][0]["url"] == (
        "https://logs.example.com/loki/api/v1/push"
    )


def test_the_metrics_cluster_receives_and_keeps_its_own(rendered: Path) -> None:
    values = _values(rendered, "monitoring")
    ingress = values["victoria-metrics-single"]["server"]["ingress"]
    assert ingress["enabled"] is True
    assert ingress["hosts"][0]["name"] == "metrics.example.com"
    local = "http://victoria-metrics.monitoring.svc:8428/api/v1/write"
    assert values["victoria-metrics-agent"]["remoteWrite"] == [{"url": local}]
    assert values["loki"]["ingress"]["hosts"] == ["logs.example.com"]
    sources = values["grafana"]["datasources"]["datasources.yaml"]["datasources"]
    assert {s["url"] for s in sources} == {
        "http://victoria-metrics.monitoring.svc:8428",
        "http://loki.monitoring.svc:3100",
    }


def test_an_external_receiver_gets_the_token_from_a_secret(
    tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    text = CATALOGUE.split("  observability:")[0] + (
        "  observability:\n"
        "    remoteWrite:\n"
        "      url: https://obs.example.com/api/v1/write\n"
        "      bearerTokenSecret: {name: obs-token, key: token}\n"
        "    logs: {url: https://obs.example.com/loki/api/v1/push}\n"
    )
    path = write(tmp_path / "c.yaml", text)
    out = tmp_path / "repo"
    result = gitops_gen("render", path, "-o", out, "--kustomize", "always")
    assert result.returncode == 0, result.stderr
    dev = _values(out, "dev")
    assert dev["victoria-metrics-agent"]["remoteWrite"] == [
        {
            "url": "https://obs.example.com/api/v1/write",
            "bearerTokenFile": "/etc/vmagent/token/token",
        }
    ]
    assert dev["victoria-metrics-agent"]["extraVolumes"][0]["secret"]["secretName"] == "obs-token"
    spec = _values(out, "management")["kube-prometheus-stack"]["prometheus"]["prometheusSpec"]
    assert spec["remoteWrite"][0]["authorization"] == {
        "type": "Bearer",
        "credentials": {"name": "obs-token", "key": "token"},
    }
    # the monitoring cluster's own Prometheus-compatible store is not a receiver any more
    assert "ingress" not in _values(out, "monitoring")["victoria-metrics-single"]["server"]


def test_a_shipper_with_nowhere_to_ship_is_an_error(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    path = write(tmp_path / "c.yaml", CATALOGUE.split("  observability:")[0])
    result = run("render", path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "values.config.clients: has nowhere to ship" in result.stderr
    # dev's vmagent writes to dev's own Prometheus, which then receives
    assert "values.remoteWrite" not in result.stderr
    assert not (tmp_path / "out").exists()


def _catalogue(spec: model.Observability, names: tuple[str, ...]) -> model.Catalogue:
    clusters = tuple(
        model.Cluster(
            name=name,
            role="workload",
            environment=name,
            distribution="k3s",
            cni="flannel",
            kubernetes_version="1.31",
            server="",
            cluster_api=False,
            region="fsn1",
            ssh_key="",
            node_pools=(),
            memory_requests_target=0.75,
            components=(),
            is_hub=False,
            location=Location("c.yaml"),
        )
        for name in names
    )
    return model.Catalogue(
        name="c",
        source="c.yaml",
        repo_url="",
        revision="HEAD",
        repo_path="",
        kubernetes_version="1.31",
        environments=(),
        clusters=clusters,
        applications=(),
        observability=spec,
    )


def test_a_metrics_cluster_without_a_host_leaves_the_others_without_a_destination() -> None:
    cat = _catalogue(model.Observability(metrics_cluster="mon"), ("mon", "dev"))
    dev = observability.resolve(cat, cat.clusters[1], {"vmagent": "monitoring"})
    assert dev.metrics == observability.Signal()
    mon = observability.resolve(cat, cat.clusters[0], {"victoria-metrics": "obs"})
    assert mon.metrics.url == "http://victoria-metrics.obs.svc:8428/api/v1/write"
    assert mon.metrics.host is None and not mon.metrics.remote


def test_a_metrics_cluster_without_a_host_is_a_warning(tmp_path: Path) -> None:
    text = (
        CATALOGUE.split("  observability:")[0].replace(
            "        - {name: vmagent, profile: tiny}\n", ""
        )
        + "  observability: {metricsCluster: monitoring, logs: {url: https://l.example.com/push}}\n"
    )
    path = write(tmp_path / "c.yaml", text)
    result = gitops_gen("render", path, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (
        "observability.metricsCluster 'monitoring' has no metricsHost: the other clusters "
        "cannot reach its receiver and keep their metrics"
    ) in result.stderr
    assert "runs no receiver" not in result.stderr


def test_a_logs_cluster_without_loki_is_a_warning(tmp_path: Path) -> None:
    text = CATALOGUE.replace("        - {name: loki, profile: standard}\n", "").replace(
        "        - {name: vector, profile: small}\n", ""
    )
    path = write(tmp_path / "c.yaml", text)
    result = gitops_gen("render", path, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "observability.logsCluster 'monitoring' runs no receiver (add loki" in result.stderr


def test_without_settings_a_cluster_ships_to_its_own_receivers() -> None:
    cat = _catalogue(model.Observability(), ("solo",))
    solo = observability.resolve(
        cat, cat.clusters[0], {"kube-prometheus-stack": "monitoring", "loki": "logs"}
    )
    assert solo.metrics.receiver == "kube-prometheus-stack"
    assert solo.logs.url == "http://loki.logs.svc:3100/loki/api/v1/push"
    nothing = observability.resolve(cat, cat.clusters[0], {"promtail": "monitoring"})
    assert nothing.logs.url is None


@pytest.mark.parametrize(
    ("observability_yaml", "message"),
    [
        (
            "{metricsCluster: monitoring, remoteWrite: {url: https://o.example.com/api/v1/write}}",
            "give metricsCluster or remoteWrite, not both",
        ),
        ("{logsHost: logs.example.com}", "logsHost names the Ingress of logsCluster: set it"),
        ("{logsCluster: monitorin}", "no cluster named 'monitorin'; did you mean 'monitoring'?"),
        ("{logs: {url: logs.example.com}}", "'logs.example.com' is not valid"),
    ],
)
def test_observability_mistakes_are_reported_at_their_line(
    tmp_path: Path, run: Callable[..., Result], observability_yaml: str, message: str
) -> None:
    text = CATALOGUE.split("  observability:")[0] + f"  observability: {observability_yaml}\n"
    path = write(tmp_path / "c.yaml", text)
    result = run("render", path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    line = len(text.splitlines())
    assert result.stderr.startswith(f"{path}:{line}:"), result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_parsed_catalogue_keeps_every_observability_field(tmp_path: Path) -> None:
    text = CATALOGUE.split("  observability:")[0] + (
        "  observability:\n"
        "    metricsCluster: monitoring\n"
        "    metricsHost: metrics.example.com\n"
        "    logs: {url: https://logs.example.com/loki/api/v1/push,"
        " bearerTokenSecret: {name: logs, key: t}}\n"
    )
    path = write(tmp_path / "c.yaml", text)
    parsed = catalogue.load(path, Library().names()).observability
    assert parsed == model.Observability(
        metrics_cluster="monitoring",
        metrics_host="metrics.example.com",
        logs=model.Endpoint(
            "https://logs.example.com/loki/api/v1/push", model.SecretKey("logs", "t")
        ),
    )
