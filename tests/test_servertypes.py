"""The server-type table and the catalogue's overrides."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from generator import servertypes
from generator.pipeline import plan_catalogue
from generator.quantity import format_bytes, parse_bytes
from tests.conftest import Result, two_clusters, write

REQUIRED = [
    "cx22",
    "cx32",
    "cx42",
    "cx52",
    "cx23",
    "cx33",
    "cx43",
    "cx53",
    "cpx11",
    "cpx21",
    "cpx31",
    "cpx41",
    "cpx51",
    "cpx12",
    "cpx22",
    "cax11",
    "cax21",
    "cax31",
    "cax41",
    "ccx13",
    "ccx23",
    "ccx33",
    "ccx43",
    "ccx53",
    "ccx63",
    "AX41",
    "AX42",
    "AX52",
    "AX102",
]


def test_every_hetzner_type_has_cpu_memory_price_and_date() -> None:
    table = servertypes.builtin()
    assert sorted(table) == sorted(REQUIRED)
    for entry in table.values():
        assert entry.cpu > 0 and entry.memory_bytes >= 2 * 2**30
        assert entry.price_monthly > 0 and entry.currency == "EUR"
        assert len(entry.price_date) == 10
    assert table["cpx21"].memory_bytes == 4 * 2**30
    assert table["AX41"].dedicated and not table["cpx31"].dedicated
    assert table["cax21"].arch == "arm64"
    for entry in table.values():
        assert entry.source, f"{entry.name} has no price source"


def test_withdrawn_generations_name_their_successor() -> None:
    table = servertypes.builtin()
    withdrawn = sorted(name for name, entry in table.items() if entry.withdrawn)
    assert withdrawn == sorted(
        ["cx22", "cx32", "cx42", "cx52", "cpx11", "cpx21", "cpx31", "cpx41", "cpx51"]
    )
    assert table["cx22"].successor == "cx23" and table["cx23"].withdrawn == ""
    assert table["cpx21"].successor == "cpx22"


def test_a_withdrawn_type_is_a_warning_naming_its_successor(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    catalogue = write(
        tmp_path / "catalogue.yaml",
        """
apiVersion: gitops-gen/v1alpha1
kind: Catalogue
metadata: {name: old}
spec:
  repo: {url: https://example.com/repo.git}
  kubernetesVersion: "1.30"
  clusters:
    - name: hub
      nodePools: [{name: cp, role: control-plane, serverType: cx22, count: 1}]
      components: [argocd]
""",
    )
    result = run("render", catalogue, "-o", tmp_path / "out", "--kustomize", "never")
    assert result.exit_code == 0
    assert (
        "server type 'cx22' (used by hub) can no longer be ordered since 2026-01" in result.stderr
    )
    assert "its successor is cx23" in result.stderr


def test_overrides_keep_unset_fields_and_match_names_case_insensitively() -> None:
    table = servertypes.table(
        {"CPX21": {"priceMonthly": 7.55}, "gpu1": {"cpu": 8, "memory": "64Gi"}}
    )
    assert table["cpx21"].price_monthly == 7.55
    assert table["cpx21"].memory_bytes == 4 * 2**30
    assert "CPX21" not in table
    assert table["gpu1"].memory_bytes == 64 * 2**30
    assert servertypes.lookup(table, "ax41") is table["AX41"]


@given(st.integers(min_value=0, max_value=2**60))
@example(2**53 + 1)  # past float precision
def test_memory_quantities_round_trip(value: int) -> None:
    assert parse_bytes(format_bytes(value)) == value


def test_a_catalogue_may_add_a_dedicated_type_for_bare_metal_pools(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    catalogue = write(
        tmp_path / "c.yaml",
        """\
apiVersion: gitops-gen/v1alpha1
kind: Catalogue
metadata: {name: st}
spec:
  repo: {url: https://git.example.com/p.git}
  kubernetesVersion: "1.31"
  serverTypes:
    EX44: {cpu: 20, memory: 64Gi, priceMonthly: 44.0}
    gpu1: {priceMonthly: 100}
  clusters:
    - name: one
      nodePools:
        - {name: cp, role: control-plane, serverType: cpx31, count: 1}
        - {name: metal, serverType: EX44, count: 1, bareMetal: true}
      components: [argocd]
""",
    )
    result = run("render", catalogue, "-o", tmp_path / "out", "--kustomize", "never")
    assert result.exit_code == 2
    assert result.stderr == (
        f"{catalogue}:9:5: spec.serverTypes.gpu1: new server type 'gpu1' needs cpu and memory\n"
    )
    catalogue.write_text(catalogue.read_text().replace("    gpu1: {priceMonthly: 100}\n", ""))
    assert run("render", catalogue, "-o", tmp_path / "out", "--kustomize", "never").exit_code == 0


def test_a_withdrawn_type_used_across_a_fleet_names_the_first_clusters_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    spokes = "".join(
        f"    - {{name: e{i}, server: 'https://e{i}.example.com:6443', "
        f"registration: {{secretStore: vault, key: clusters/e{i}}}, "
        "nodePools: [{name: workers, serverType: cx53, count: 1}]}\n"
        for i in range(6)
    )
    text = two_clusters("[argocd, external-secrets]") + spokes
    catalogue = write(tmp_path / "catalogue.yaml", text.replace("cx53", "cx22"))
    (warning,) = [w for w in plan_catalogue(catalogue).warnings if "'cx22'" in w]
    assert "(used by hub, edge, e0, e1, e2 and 3 more) can no longer be ordered" in warning
