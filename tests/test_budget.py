"""The memory budget: allocatable per node, profile choice, the failure table, `budget` output.

Expected figures are worked out by hand from the model in generator/budget.py: every node
holds back 100Mi (eviction) + 275 MB (kubelet, containerd), a control-plane node another
1331 MB.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from generator import budget
from generator.blueprints import Library
from generator.catalogue import load
from generator.plan import Plan, make_plan
from generator.quantity import parse_bytes
from tests.conftest import ROOT, Result, write

BLUEPRINTS = ROOT / "tests" / "data" / "blueprints"
MI = 2**20
GI = 2**30
WORKER_RESERVED = 100 * MI + 275_000_000  # 379_857_600
CONTROL_RESERVED = WORKER_RESERVED + 1_331_000_000  # 1_710_857_600


def catalogue_text(pools: str, components: str, apps: str = "", capacity: str = "") -> str:
    """A hub running Argo CD and external-secrets (to register `edge`); `edge` is under test."""
    return f"""
apiVersion: gitops-gen/v1alpha1
kind: Catalogue
metadata: {{name: budget-test}}
spec:
  repo: {{url: https://example.com/repo.git}}
  kubernetesVersion: "1.30"
  environments: [{{name: hub}}, {{name: edge}}]
  clusters:
    - name: hub
      environment: hub
      nodePools: [{{name: workers, serverType: cx53, count: 2}}]
      components: [{{name: argocd, profile: tiny}}, external-secrets]
    - name: edge
      environment: edge
      server: https://edge.example.com:6443
      registration: {{secretStore: vault, key: clusters/edge}}
      nodePools: {pools}
      {capacity}
      components: {components}
  applications: {apps or "[]"}
"""


def app(memory: str, replicas: int = 1) -> str:
    return (
        f"[{{name: web, image: 'ghcr.io/acme/web:1.0.0', port: 8080, "
        f"memory: {{request: {memory}, limit: {memory}}}, "
        f"environments: {{edge: {{replicas: {replicas}}}}}}}]"
    )


def edge_budget(tmp_path: Path, text: str) -> budget.ClusterBudget:
    library = Library([BLUEPRINTS])
    catalogue = load(write(tmp_path / "catalogue.yaml", text), library.names())
    plan = make_plan(catalogue, library)
    return next(b for b in budget.compute(plan) if b.name == "edge")


def test_allocatable_counts_schedulable_pools_and_the_control_plane_only_where_it_runs(
    tmp_path: Path,
) -> None:
    pools = (
        "[{name: cp, role: control-plane, serverType: cx33, count: 1},"
        " {name: workers, serverType: cx33, count: 2}]"
    )
    found = edge_budget(tmp_path, catalogue_text(pools, "[test-stack]"))
    cp, workers = found.pools
    assert (cp.reserved_bytes, cp.schedulable) == (CONTROL_RESERVED, False)
    assert workers.reserved_bytes == WORKER_RESERVED
    assert workers.allocatable_bytes == 8 * GI - 379_857_600
    # Only the two workers count: 2 x 8_210_076_992.
    assert found.allocatable_bytes == 16_420_153_984


def test_a_pool_may_override_the_reservation(tmp_path: Path) -> None:
    pools = "[{name: workers, serverType: cx33, count: 2, reserved: 1Gi}]"
    found = edge_budget(tmp_path, catalogue_text(pools, "[test-stack]"))
    assert found.allocatable_bytes == 2 * 7 * GI


def test_the_largest_profile_that_fits_is_chosen(tmp_path: Path) -> None:
    single = "[{name: node, role: control-plane, serverType: cx23, count: 1}]"
    # 4Gi - 1_710_857_600 = 2_584_109_696 allocatable; 75% = 1_938_082_272 (about 1848Mi).
    # standard: 2 x 4Gi, no. small: 1Gi + 64Mi = 1088Mi, fits.
    found = edge_budget(tmp_path, catalogue_text(single, "[test-stack]"))
    assert found.allocatable_bytes == 2_584_109_696
    assert [(c.name, c.profile, c.requests_bytes) for c in found.consumers] == [
        ("test-stack", "small", 1088 * MI)
    ]
    assert found.fits
    # An 800Mi application: small needs 1888Mi, too much; tiny needs 256 + 32 + 800 = 1088Mi.
    found = edge_budget(tmp_path, catalogue_text(single, "[test-stack]", app("800Mi")))
    assert [(c.name, c.profile) for c in found.consumers] == [
        ("test-stack", "tiny"),
        ("web", ""),
    ]
    assert found.requests_bytes == 1088 * MI
    assert found.limits_bytes == (512 + 64 + 800) * MI


def test_big_workers_get_the_standard_profile(tmp_path: Path) -> None:
    pools = "[{name: workers, serverType: cx53, count: 3}]"
    found = edge_budget(tmp_path, catalogue_text(pools, "[test-stack]"))
    # standard: 2 x 4Gi for the server, 128Mi on each of the 3 nodes for the agent.
    assert found.consumers[0].profile == "standard"
    assert found.requests_bytes == 8 * GI + 3 * 128 * MI
    assert found.limits_bytes == 16 * GI + 3 * 256 * MI


def test_per_node_containers_count_once_per_schedulable_node(tmp_path: Path) -> None:
    pools = (
        "[{name: cp, role: control-plane, serverType: cx33, count: 3},"
        " {name: workers, serverType: cx33, count: 4}]"
    )
    found = edge_budget(tmp_path, catalogue_text(pools, "[{name: test-stack, profile: small}]"))
    assert found.requests_bytes == 1 * GI + 4 * 64 * MI
    assert found.limits_bytes == 2 * GI + 4 * 128 * MI
    assert found.per_node_bytes == 64 * MI


def test_pinned_profiles_stay_and_user_values_win(tmp_path: Path) -> None:
    pools = "[{name: workers, serverType: cx53, count: 3}]"
    components = (
        "[{name: test-stack, profile: tiny},"
        " {name: test-crds, values: {resources: {requests: {memory: 100Mi}}}}]"
    )
    found = edge_budget(tmp_path, catalogue_text(pools, components))
    stack, crds = found.consumers
    assert (stack.profile, stack.requests_bytes) == ("tiny", 256 * MI + 3 * 32 * MI)
    # The unpinned one still gets the largest profile; its request comes from the values.
    assert (crds.profile, crds.requests_bytes, crds.limits_bytes) == (
        "standard",
        100 * MI,
        128 * MI,
    )


def test_plain_charts_count_the_resources_their_values_give(tmp_path: Path) -> None:
    pools = "[{name: workers, serverType: cx33, count: 1}]"
    components = (
        "[{name: extra, chart: {repo: https://charts.example.com, name: extra, version: 1.0.0},"
        " values: {a: {resources: {requests: {memory: 64Mi}, limits: {memory: 128Mi}}},"
        " b: [{resources: {requests: {memory: 32Mi}, limits: {memory: 64Mi}}}]}}]"
    )
    found = edge_budget(tmp_path, catalogue_text(pools, components))
    assert [(c.name, c.profile, c.requests_bytes, c.limits_bytes) for c in found.consumers] == [
        ("extra", "", 96 * MI, 192 * MI)
    ]


def test_render_fails_with_the_biggest_consumers_when_nothing_fits(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    # cpx11: 2Gi - 1_710_857_600 = 436_626_048 allocatable (416.4Mi), 75% = 327_469_536.
    # tiny 256 + 32 and the 1536Mi app ask 1824Mi = 1_912_602_624: 1_585_133_088 (1511.7Mi)
    # missing. Shown rounded up.
    single = "[{name: node, role: control-plane, serverType: cpx11, count: 1}]"
    text = catalogue_text(single, "[test-stack]", app("1536Mi"))
    catalogue = write(tmp_path / "catalogue.yaml", text)
    out = tmp_path / "out"
    result = run("render", catalogue, "-o", out, "--blueprints", BLUEPRINTS, "--kustomize", "never")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("cluster 'edge'"))
    assert lines[start] == (
        "cluster 'edge': memory requests 1824Mi exceed 75% of allocatable 417Mi (313Mi); "
        "1512Mi missing. Biggest consumers:"
    )
    assert lines[start + 2].split() == ["web", "application", "-", "1536Mi", "1536Mi"]
    assert lines[start + 3].split() == ["test-stack", "component", "tiny", "288Mi", "576Mi"]
    assert lines[-1] == "memory budget exceeded; nothing was written"
    assert not out.exists()


def test_budget_json_has_the_documented_shape(run: Callable[..., Result], tmp_path: Path) -> None:
    single = "[{name: node, role: control-plane, serverType: cx23, count: 1}]"
    catalogue = write(tmp_path / "c.yaml", catalogue_text(single, "[test-stack]", app("800Mi")))
    result = run("budget", catalogue, "--format", "json", "--blueprints", BLUEPRINTS)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    hub, edge = document["clusters"]
    assert edge["name"] == "edge"
    assert edge["allocatableBytes"] == 2_584_109_696
    assert edge["requestsBytes"] == 1088 * MI
    assert edge["limitsBytes"] == 1376 * MI
    assert (edge["target"], edge["fits"]) == (0.75, True)
    assert edge["monthlyCost"] == {"amount": 5.49, "currency": "EUR"}
    assert edge["components"] == [
        {
            "name": "test-stack",
            "profile": "tiny",
            "requestsBytes": 288 * MI,
            "limitsBytes": 576 * MI,
        }
    ]
    assert edge["applications"] == [
        {"name": "web", "requestsBytes": 800 * MI, "limitsBytes": 800 * MI}
    ]
    assert edge["pools"][0]["reservedBytes"] == CONTROL_RESERVED
    assert edge["pools"][0]["daemonSetBytes"] == 32 * MI
    assert edge["pools"][0]["priceDate"] == "2026-06-15"
    # hub: two cx53 at 29.49
    assert hub["monthlyCost"]["amount"] == 58.98
    assert document["total"]["monthlyCost"] == {"amount": 64.47, "currency": "EUR"}


def test_budget_markdown_and_text_and_the_exit_code_when_over(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    single = "[{name: node, role: control-plane, serverType: cpx11, count: 1}]"
    catalogue = write(tmp_path / "c.yaml", catalogue_text(single, "[test-stack]", app("1536Mi")))
    markdown = run("budget", catalogue, "--format", "markdown", "--blueprints", BLUEPRINTS)
    assert markdown.exit_code == 1
    lines = markdown.stdout.splitlines()
    edge = lines.index("## edge (kubeadm)")
    assert lines[edge + 2].startswith("| allocatable | requests | % alloc | limits |")
    assert "| node | cpx11 (withdrawn) | 1 | yes | 2048Mi | 1632Mi | 417Mi |" in markdown.stdout
    assert "| web | application | - | 1536Mi | 1536Mi |" in markdown.stdout
    assert lines[-1] == "**Total monthly cost: 62.83 EUR**"
    text = run("budget", catalogue, "--blueprints", BLUEPRINTS)
    assert text.exit_code == 1
    assert "cluster edge (kubeadm)" in text.stdout
    assert text.stdout.splitlines()[-1] == "total monthly cost: 62.83 EUR"
    assert "server type 'cpx11' (used by edge) can no longer be ordered" in text.stderr


# The acceptance catalogues, on the built-in blueprints.
ACCEPTANCE = ROOT / "tests" / "data" / "acceptance"


def plan_of(path: Path) -> Plan:
    library = Library()
    return make_plan(load(path, library.names()), library)


def test_one_cpx21_runs_argocd_monitoring_and_an_app_with_tiny(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    catalogue = ACCEPTANCE / "one-node-cpx21.yaml"
    rendered = run("render", catalogue, "-o", tmp_path / "out")
    assert rendered.exit_code == 0, rendered.stderr
    (cluster,) = plan_of(catalogue).clusters
    assert {c.profile for c in cluster.components} == {"tiny"}
    prometheus = next(c for c in cluster.components if c.name == "kube-prometheus-stack")
    spec = prometheus.values["prometheus"]["prometheusSpec"]
    assert parse_bytes(spec["resources"]["limits"]["memory"]) <= 512 * MI
    assert spec["retention"] == "7d" and spec["scrapeInterval"] == "60s"
    result = run("budget", catalogue, "--format", "json")
    assert result.exit_code == 0
    (single,) = json.loads(result.stdout)["clusters"]
    assert single["fits"] is True
    assert single["requestsBytes"] <= single["target"] * single["allocatableBytes"]
    assert single["allocatableBytes"] < 4 * GI


def test_the_same_stack_and_a_big_app_on_a_2gb_node_writes_nothing(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run("render", ACCEPTANCE / "two-gb-node.yaml", "-o", out)
    assert result.exit_code == 1
    assert "cluster 'single': memory requests" in result.stderr
    consumers = result.stderr.split("Biggest consumers:")[1].splitlines()[2:5]
    assert [line.split()[0] for line in consumers] == ["todo", "argocd", "kube-prometheus-stack"]
    assert not out.exists()


def test_cpx51_workers_get_more_than_tiny() -> None:
    plan = plan_of(ACCEPTANCE / "multi-cluster-cpx51.yaml")
    monitoring = plan.cluster("monitoring")
    assert "tiny" not in {c.profile for c in monitoring.components}


def test_a_reservation_must_leave_memory_for_pods(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    pools = "[{name: workers, serverType: cx33, count: 2, reserved: 8Gi}]"
    catalogue = write(tmp_path / "c.yaml", catalogue_text(pools, "[test-stack]"))
    result = run("budget", catalogue, "--blueprints", BLUEPRINTS)
    assert result.exit_code == 2
    assert "reserved 8Gi leaves no memory for pods on 'cx33' (8Gi)" in result.stderr
