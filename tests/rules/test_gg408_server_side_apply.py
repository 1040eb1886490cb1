from __future__ import annotations

from pathlib import Path

from generator.lint import lint
from generator.lintconfig import LintConfig
from generator.schema import SchemaStore

CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: bigs.example.com
{annotations}spec:
  group: example.com
  scope: Namespaced
  names: {{kind: Big, plural: bigs}}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          description: "{filler}"
"""
SSA = "  annotations:\n    argocd.argoproj.io/sync-options: ServerSideApply=true\n"


def _codes(tmp_path: Path, annotations: str, size: int) -> list[str]:
    (tmp_path / "crd.yaml").write_text(CRD.format(annotations=annotations, filler="x" * size))
    report = lint([tmp_path], LintConfig(select=("GG408",)), None, SchemaStore())
    return [f"{f.location.line} {f.message}" for f in report.findings]


def test_a_crd_over_256_kib_needs_server_side_apply(tmp_path: Path) -> None:
    assert _codes(tmp_path, "", 300_000) == [
        "4 CRD is 293 KiB; annotate argocd.argoproj.io/sync-options: ServerSideApply=true"
    ]


def test_server_side_apply_or_a_small_crd_passes(tmp_path: Path) -> None:
    assert _codes(tmp_path, SSA, 300_000) == []
    assert _codes(tmp_path, "", 1_000) == []
