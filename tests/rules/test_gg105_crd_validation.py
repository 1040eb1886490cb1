from __future__ import annotations

from pathlib import Path

from generator.lint import lint
from generator.lintconfig import LintConfig
from generator.rules import gg105_crd_validation
from generator.schema import SchemaStore
from tests.rules.helpers import assert_examples


def test_gg105_crd_validation_examples() -> None:
    assert_examples(gg105_crd_validation)


_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                label: {type: string}
                nested:
                  type: object
                  properties:
                    plain: {type: object, properties: {note: {type: string}}}
                    ports:
                      type: array
                      x-kubernetes-list-type: map
                      x-kubernetes-list-map-keys: [port]
                      items: {type: object, properties: {port: {type: integer}}}
              additionalProperties: {type: string, format: date}
---
"""


def _findings(tmp_path: Path, spec: str) -> list[str]:
    case = tmp_path / "case"
    case.mkdir()
    text = (
        f"{_CRD}apiVersion: example.com/v1\nkind: Gadget\nmetadata: {{name: g, namespace: shop}}\n"
    )
    (case / "gadget.yaml").write_text(f"{text}spec: {spec}\n", encoding="utf-8")
    report = lint([case], LintConfig(select=("GG105",)), None, SchemaStore())
    return [f.message for f in report.findings]


def test_a_named_property_without_checks_is_not_judged_as_an_additional_one(
    tmp_path: Path,
) -> None:
    found = _findings(tmp_path, "{label: not-a-date, when: not-a-date}")
    assert found == ["'not-a-date' is not a valid date"]


def test_checks_deep_in_a_schema_are_applied_beside_parts_without_any(tmp_path: Path) -> None:
    spec = "{nested: {plain: {note: x}, ports: [{port: 80}, {port: 80}]}}"
    assert _findings(tmp_path, spec) == ["duplicate entry port=80 in a list keyed by port"]
