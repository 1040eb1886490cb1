from __future__ import annotations

from pathlib import Path

from generator.lint import lint
from generator.lintconfig import LintConfig
from generator.rules import gg301_network_policy
from generator.schema import SchemaStore
from tests.rules.helpers import assert_examples


def test_gg301_network_policy_examples() -> None:
    assert_examples(gg301_network_policy)


def _deployment(namespace: str, app: str) -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {app}, namespace: {namespace}}}
spec:
  selector: {{matchLabels: {{app: {app}}}}}
  template:
    metadata: {{labels: {{app: {app}}}}}
    spec: {{containers: [{{name: c, image: "nginx:1.27"}}]}}
"""


_POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
"""


def test_copies_of_a_workload_are_judged_by_their_own_namespace_and_labels(
    tmp_path: Path,
) -> None:
    # Overlays of many clusters repeat namespaces and workloads; each copy keeps its verdict.
    docs = [_POLICY, _deployment("shop", "web"), _deployment("shop", "api")]
    docs += [_deployment("store", "web")]
    for overlay in range(3):
        (tmp_path / f"overlay{overlay}.yaml").write_text("---\n".join(docs), encoding="utf-8")
    report = lint([tmp_path], LintConfig(select=("GG301",)), None, SchemaStore())
    flagged = {(f.namespace, f.name) for f in report.findings}
    assert flagged == {("shop", "api"), ("store", "web")}
