from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from generator import rules
from generator.errors import Location
from generator.lint import rendered_errors
from generator.manifests import Manifest, Origin
from generator.schema import SchemaStore
from tests.conftest import ROOT, Result, write

DATA = ROOT / "tests" / "data" / "lint"
Run = Callable[..., Result]


def _codes(result: Result) -> set[tuple[str, str, str]]:
    """(file:line, rule, object) of every text finding."""
    found = set()
    for line in result.stdout.splitlines():
        match = re.match(r"^(.+?:\d+):\d+: (GG\d{3}) \w+ .*\((.+)\)$", line)
        if match:
            found.add((match.group(1), match.group(2), match.group(3)))
    return found


def test_hardened_deployment_with_default_deny_probes_limits_and_pdb_is_clean(run: Run) -> None:
    result = run("lint", DATA / "hardened.yaml", "--fail-on", "info")
    assert result.exit_code == 0, result.stdout
    assert "0 error(s), 0 warning(s), 0 info" in result.stdout


@pytest.mark.parametrize(
    ("line", "rule", "ref"),
    [
        (7, "GG101", "Deployment/shop/api"),  # unknown field `replica`
        (14, "GG507", "Deployment/shop/api"),  # hostNetwork
        (17, "GG508", "Deployment/shop/api"),  # hostPath
        (19, "GG202", "Deployment/shop/api"),  # no memory limit
        (20, "GG601", "Deployment/shop/api"),  # :latest
        (26, "GG601", "Deployment/shop/api"),  # untagged
        (22, "GG501", "Deployment/shop/api"),  # privileged
        (22, "GG502", "Deployment/shop/api"),  # privilege escalation
        (22, "GG503", "Deployment/shop/api"),  # root user
        (24, "GG505", "Deployment/shop/api"),  # added capability
        (19, "GG701", "Deployment/shop/api"),  # no readiness probe
        (28, "GG801", "Ingress/shop/api"),  # removed Ingress API
        (36, "GG801", "PodSecurityPolicy/open"),  # removed PSP API
        (49, "GG514", "Secret/shop/db"),  # plaintext Secret
        (57, "GG303", "Service/shop/nobody"),  # selects nothing
        (64, "GG104", "Secret/shop/db"),  # duplicate object
        (4, "GG301", "Deployment/shop/api"),  # no NetworkPolicy
    ],
)
def test_each_problem_is_found_at_its_line(run: Run, line: int, rule: str, ref: str) -> None:
    result = run("lint", DATA / "bad.yaml")
    assert result.exit_code == 1
    assert (f"{DATA / 'bad.yaml'}:{line}", rule, ref) in _codes(result)


def test_application_its_project_forbids_and_unpinned_chart(run: Run) -> None:
    found = _codes(run("lint", DATA / "argo.yaml"))
    path = DATA / "argo.yaml"
    assert (f"{path}:19", "GG403", "Application/argocd/forbidden") in found
    assert (f"{path}:25", "GG403", "Application/argocd/forbidden") in found
    assert (f"{path}:21", "GG404", "Application/argocd/forbidden") in found


def test_text_output_is_sorted_and_ends_with_a_summary(run: Run) -> None:
    lines = run("lint", DATA / "bad.yaml").stdout.splitlines()
    findings = [line for line in lines if re.match(r"^\S+:\d+:\d+: GG", line)]

    def key(line: str) -> tuple[int, int]:
        _, row, col = line.split(":", 3)[:3]
        return int(row), int(col)

    assert [key(f) for f in findings] == sorted(key(f) for f in findings)
    assert lines[-1].startswith("15 error(s), 17 warning(s), 3 info, 0 suppressed")


def test_json_format(run: Run) -> None:
    body = json.loads(run("lint", DATA / "bad.yaml", "--format", "json").stdout)
    first = body["findings"][0]
    assert set(first) == {
        "rule", "name", "family", "severity", "message", "file", "line", "column",
        "kind", "namespace", "objectName",
    }  # fmt: skip
    assert body["summary"]["error"] == 15


def test_sarif_format_has_runs_rules_and_locations(run: Run) -> None:
    sarif = json.loads(run("lint", DATA / "bad.yaml", "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0"
    (only,) = sarif["runs"]
    rules = only["tool"]["driver"]["rules"]
    assert any(r["id"] == "GG501" for r in rules)
    region = only["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1


def test_junit_format_is_xml_with_failures(run: Run) -> None:
    root = ElementTree.fromstring(run("lint", DATA / "bad.yaml", "--format", "junit").stdout)
    assert root.tag == "testsuites"
    assert int(root.attrib["failures"]) == 35


def test_github_format_prints_workflow_commands(run: Run) -> None:
    out = run("lint", DATA / "bad.yaml", "--format", "github").stdout.splitlines()
    assert any(line.startswith("::error file=") and ",line=22," in line for line in out)
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in out)


def test_fail_on_sets_the_threshold(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
    assert run("lint", path).exit_code == 0  # only an info finding (no namespace)
    assert run("lint", path, "--fail-on", "info").exit_code == 1


def test_unparseable_yaml_is_an_error_finding_not_a_traceback(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "broken.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: [oops\n")
    result = run("lint", path)
    assert result.exit_code == 1
    assert f"{path}:4:1: GG100 error YAML syntax error" in result.stdout


def test_duplicate_keys_are_findings_with_their_line(run: Run, tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: b\n  name: c\n"
    result = run("lint", write(tmp_path / "dup.yaml", text))
    assert f"{tmp_path / 'dup.yaml'}:6:3: GG103 error key 'name' appears more than once" in (
        result.stdout
    )


def test_missing_path_is_exit_2(run: Run, tmp_path: Path) -> None:
    result = run("lint", tmp_path / "nope")
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr


def test_helm_charts_and_other_yaml_are_skipped_with_a_note(run: Run, tmp_path: Path) -> None:
    write(tmp_path / "chart" / "Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n")
    write(tmp_path / "chart" / "templates" / "d.yaml", "kind: {{ .Values.kind }}\n")
    write(tmp_path / "ci.yaml", "on: [push]\njobs: {}\n")
    result = run("lint", tmp_path)
    assert result.exit_code == 0
    assert f"note: {tmp_path / 'chart'}: skipped: a Helm chart" in result.stdout
    assert f"note: {tmp_path / 'ci.yaml'}: skipped: not Kubernetes YAML" in result.stdout


def test_overlays_are_built_and_findings_point_at_the_base_file(
    run: Run, tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    base = tmp_path / "base"
    write(base / "kustomization.yaml", "resources: [pod.yaml]\n")
    write(
        base / "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "    - name: app\n      image: nginx:1.27\n      securityContext:\n"
        "        privileged: true\n",
    )
    write(tmp_path / "prod" / "kustomization.yaml", "namePrefix: prod-\nresources: [../base]\n")
    result = run("lint", tmp_path)
    privileged = [line for line in result.stdout.splitlines() if " GG501 " in line]
    # Built once, through the overlay (the base is not linted alone), found at the base's line.
    assert privileged == [
        f"{base / 'pod.yaml'}:10:21: GG501 error container 'app' runs privileged (Pod/prod-web)"
    ]


def test_failing_build_is_a_finding_at_the_kustomization(
    run: Run, tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    write(tmp_path / "kustomization.yaml", "resources: [missing.yaml]\n")
    result = run("lint", tmp_path)
    assert result.exit_code == 1
    assert f"{tmp_path / 'kustomization.yaml'}:1:1: GG410 error kustomize build failed" in (
        result.stdout
    )
    assert f"{tmp_path / 'kustomization.yaml'}:1:13: GG412 error missing.yaml does not exist" in (
        result.stdout
    )


PRIVILEGED = """apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: kube-system
  annotations:
    ignore.gitops-gen.dev/GG501: "{reason}"
    ignore.gitops-gen.dev/GG601: "the image is pinned elsewhere"
spec:
  containers:
    - name: agent
      image: agent:1.0
      securityContext: {{privileged: true}}
"""


def test_suppression_with_reason_is_counted_and_unused_ones_are_reported(
    run: Run, tmp_path: Path
) -> None:
    path = write(tmp_path / "pod.yaml", PRIVILEGED.format(reason="the CNI needs it"))
    result = run("lint", path, "--fail-on", "warning")
    assert " GG501 " not in result.stdout
    assert "1 suppressed" in result.stdout
    assert f"{path}:8:5: GG901 warning suppression of GG601 is unused (Pod/kube-system/agent)" in (
        result.stdout
    )


def test_suppression_without_reason_does_not_suppress(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "pod.yaml", PRIVILEGED.format(reason=""))
    result = run("lint", path)
    assert " GG501 error" in result.stdout
    assert f"{path}:7:5: GG902 error suppression of GG501 has no reason" in result.stdout


def test_suppression_on_the_pod_template(run: Run, tmp_path: Path) -> None:
    text = (
        (DATA / "bad.yaml")
        .read_text()
        .split("---")[0]
        .replace(
            "      labels: {app: api}\n",
            "      labels: {app: api}\n      annotations:\n"
            '        ignore.gitops-gen.dev/GG507: "a CNI"\n',
        )
    )
    result = run("lint", write(tmp_path / "d.yaml", text))
    assert " GG507 " not in result.stdout and "1 suppressed" in result.stdout


def test_config_selects_ignores_and_relevels_rules(run: Run, tmp_path: Path) -> None:
    write(
        tmp_path / ".gitops-gen.yaml",
        "select: [GG5, GG6]\nignore: [GG50]\nseverity: {GG601: warning, GG512: off}\n"
        "ignorePaths: ['skipped/*']\n",
    )
    write(tmp_path / "skipped" / "x.yaml", "not: [valid\n")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "bad.yaml").write_text((DATA / "bad.yaml").read_text())
    result = run("lint", tmp_path / "m")
    rules = {rule for _, rule, _ in _codes(result)}
    # GG50x ignored, GG512 off, GG7xx not selected, the broken file under ignorePaths unread.
    assert rules == {"GG511", "GG514", "GG516", "GG601"}
    assert " GG601 warning " in result.stdout


def test_config_errors_are_usage_errors(run: Run, tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "severity: {GG501: loud}\n")
    result = run("lint", DATA / "hardened.yaml", "--config", config)
    assert result.exit_code == 2
    assert "'loud' is not a severity" in result.stderr


def test_kubernetes_version_decides_removed_and_deprecated(run: Run, tmp_path: Path) -> None:
    path = write(
        tmp_path / "cj.yaml",
        "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: c\n  namespace: n\n"
        "spec:\n  schedule: '* * * * *'\n  jobTemplate: {spec: {template: {spec: "
        "{restartPolicy: Never, containers: [{name: c, image: 'c:1'}]}}}}\n",
    )
    old = run("lint", path, "--kubernetes-version", "1.24").stdout
    new = run("lint", path, "--kubernetes-version", "1.25").stdout
    assert " GG802 warning " in old and " GG801 " not in old
    assert " GG801 error CronJob batch/v1beta1 was removed in Kubernetes 1.25" in new


CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
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
                size: {type: integer}
"""
WIDGET = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: n\n"


def test_missing_schema_is_a_finding_and_crd_flag_supplies_one(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "w.yaml", WIDGET + "spec:\n  size: big\n")
    assert " GG102 warning no schema for Widget" in run("lint", path).stdout
    crd = write(tmp_path / "crds" / "widget.yaml", CRD)
    result = run("lint", path, "--crd", crd.parent)
    assert " GG102 " not in result.stdout
    assert f'{path}:7:9: GG101 error spec.size: "big" is not of type "integer"' in (result.stdout)


def test_a_crd_referring_to_a_url_is_an_error_and_nothing_is_fetched(
    run: Run, tmp_path: Path
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        url = f"http://127.0.0.1:{server.getsockname()[1]}/schema.json"
        crd = CRD.replace("size: {type: integer}", f'size: {{$ref: "{url}"}}')
        path = write(tmp_path / "w.yaml", crd + "---\n" + WIDGET + "spec:\n  size: 1\n")
        result = run("lint", path)
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()  # no connection is waiting: lint never tried
    assert result.exit_code == 1
    assert "GG101 error (root): the CustomResourceDefinition of Widget in example.com/v1 " in (
        result.stdout
    )
    assert f"cannot fetch {url}" in result.stdout


def test_a_crd_whose_schema_is_not_one_is_an_error_not_a_crash(run: Run, tmp_path: Path) -> None:
    crd = CRD.replace("size: {type: integer}", "size: {type: 5}")
    path = write(tmp_path / "w.yaml", crd + "---\n" + WIDGET + "spec:\n  size: 1\n")
    result = run("lint", path)
    assert result.exit_code == 1
    assert "has a schema that cannot be used" in result.stdout


def test_rules_lists_every_rule_and_explain_prints_docs(run: Run) -> None:
    listing = run("rules").stdout
    assert re.search(r"^GG203\s+off\s+resources", listing, re.M)
    assert re.search(r"^GG501\s+error\s+security\s+privileged", listing, re.M)
    text = run("explain", "GG501").stdout
    for section in ("What it checks:", "Failing example:", "How to suppress:"):
        assert section in text
    assert run("explain", "GG000").exit_code == 2


def test_a_namespace_without_network_policy(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")
    assert f"{path}:4:9: GG301 warning namespace shop has no NetworkPolicy" in (
        run("lint", path).stdout
    )


def test_render_refuses_objects_with_error_findings() -> None:
    body = yaml.safe_load(
        PRIVILEGED.format(reason="x").replace('    ignore.gitops-gen.dev/GG501: "x"\n', "")
    )
    pod = Manifest(body, Origin(Location("catalogue.yaml", 3, 1)), ("1.33",))
    lines = rendered_errors([("apps/pod.yaml", pod)], {}, SchemaStore())
    assert (
        "apps/pod.yaml: GG501 error container 'agent' runs privileged (Pod/kube-system/agent)"
        in lines
    )
    assert all(" error " in line for line in lines)


def test_an_object_in_a_file_and_in_builds_is_refused_at_each_place() -> None:
    body = yaml.safe_load(
        PRIVILEGED.format(reason="x").replace('    ignore.gitops-gen.dev/GG501: "x"\n', "")
    )
    pod = Manifest(body, Origin(Location("catalogue.yaml", 3, 1)), ("1.33",))
    # The builds hold the very body of the file's object, the way builds of a render do.
    lines = rendered_errors(
        [("apps/pod.yaml", pod)], {"apps": [body], "edge": [body]}, SchemaStore()
    )
    privileged = [line for line in lines if "GG501" in line]
    assert [line.partition(":")[0] for line in privileged] == [
        "apps/kustomization.yaml",
        "apps/pod.yaml",
        "edge/kustomization.yaml",
    ]


def test_one_body_twice_in_a_build_is_a_duplicate_object() -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "a"}}
    lines = rendered_errors([], {"apps": [body, body]}, SchemaStore())
    assert lines == [
        "apps/kustomization.yaml: GG104 error duplicate object; first defined at "
        "apps/kustomization.yaml (ConfigMap/a/c)"
    ]


def test_rules_that_read_where_an_object_came_from_are_run_for_each_object() -> None:
    # The engine shares a rule's findings among objects of one body unless the rule says
    # that it reads more than the body and the context.
    where = re.compile(r"\.origin\b|ctx\.(identity_of|first_of|duplicate_keys|directories)")
    for module in rules.REGISTRY:
        reads_origin = bool(where.search(Path(module.__file__ or "").read_text()))
        assert getattr(module, "BY_ORIGIN", False) == reads_origin, module.CODE
