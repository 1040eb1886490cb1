"""Planning: waves from provided and used CRD groups, values per cluster, JSON patches."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from generator import catalogue
from generator.blueprints import Library
from generator.plan import make_plan
from generator.render.clusters import value_ops
from tests.conftest import ROOT, Result, write

PLATFORM = ROOT / "tests" / "data" / "platform.yaml"


def user_blueprint(folder: Path, name: str, extra: str) -> Path:
    write(
        folder / name / "blueprint.yaml",
        f"name: {name}\ndescription: test\n"
        "chart: {repo: https://charts.example.com, name: thing, version: 1.0.0}\n" + extra,
    )
    return folder


def shadowed_service(tmp_path: Path, history_line: str) -> tuple[str | Path, ...]:
    """A copy of the service blueprint with its revisionHistoryLimit line replaced, and the
    render arguments that use it."""
    shutil.copytree(ROOT / "blueprints" / "service", tmp_path / "bp" / "service")
    template = tmp_path / "bp/service/base/deployment.yaml.j2"
    template.write_text(template.read_text().replace("revisionHistoryLimit: 5", history_line))
    return ("render", PLATFORM, "--blueprints", tmp_path / "bp", "--kustomize", "never")


def test_users_of_a_crd_group_sync_after_its_provider(tmp_path: Path) -> None:
    blueprints = user_blueprint(tmp_path / "bp", "issuer", "uses: [cert-manager.io]\n")
    text = PLATFORM.read_text().replace(
        "components: [cert-manager, ingress-nginx]\n  applications",
        "components: [issuer, cert-manager, ingress-nginx]\n  applications",
    )
    path = write(tmp_path / "c.yaml", text)
    library = Library([blueprints])
    plan = make_plan(catalogue.load(path, library.names()), library)
    staging = plan.cluster("staging")
    waves = {c.name: c.wave for c in staging.components}
    assert waves == {"issuer": 1, "cert-manager": 0, "ingress-nginx": 0}
    assert staging.applications_wave == 2


def test_a_used_group_nobody_provides_is_an_error(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    blueprints = user_blueprint(tmp_path / "bp", "dashboards", "uses: [monitoring.coreos.com]\n")
    text = PLATFORM.read_text().replace(
        "components: [cert-manager, ingress-nginx]\n  applications",
        "components: [dashboards, cert-manager, ingress-nginx]\n  applications",
    )
    path = write(tmp_path / "c.yaml", text)
    result = run("render", path, "-o", tmp_path / "out", "--blueprints", blueprints)
    assert result.exit_code == 2
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "components: [dashboards" in t)
    assert result.stderr.startswith(f"{path}:{line}:")
    assert "'dashboards' needs CRDs of monitoring.coreos.com" in result.stderr
    assert not (tmp_path / "out").exists()


def test_user_values_that_break_the_values_schema_are_errors(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    text = PLATFORM.read_text().replace(
        "components: [cert-manager, ingress-nginx]\n  applications",
        "components: [{name: cert-manager, values: {webhook: {resources: {limits: "
        "{memory: lots}}}}}, ingress-nginx]\n  applications",
    )
    path = write(tmp_path / "c.yaml", text)
    result = run("render", path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "values.webhook.resources.limits.memory: 'lots' does not match" in result.stderr


def test_value_ops_touch_only_what_differs() -> None:
    base = {"a": {"b": 1, "keep": True}, "gone": 1, "x/y": 0}
    final = {"a": {"b": 2, "keep": True, "new": {"deep": 1}}, "x/y": 1}
    assert value_ops(base, final, "/v") == [
        {"op": "replace", "path": "/v/a/b", "value": 2},
        {"op": "add", "path": "/v/a/new", "value": {"deep": 1}},
        {"op": "replace", "path": "/v/x~1y", "value": 1},
        {"op": "remove", "path": "/v/gone"},
    ]


def test_a_user_blueprint_shadows_the_built_in_one(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    out = tmp_path / "out"
    result = run(*shadowed_service(tmp_path, "revisionHistoryLimit: 2"), "-o", out)
    assert result.exit_code == 0, result.stderr
    assert (
        "revisionHistoryLimit: 2" in (out / "applications/base/redis/deployment.yaml").read_text()
    )


def test_a_blueprint_that_renders_invalid_objects_fails_and_writes_nothing(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    out = tmp_path / "out"
    result = run(*shadowed_service(tmp_path, "revisionHistoryLimt: 5"), "-o", out)
    assert result.exit_code == 1
    assert (
        "applications/base/redis/deployment.yaml: Deployment/redis/redis: spec: Additional "
        "properties are not allowed ('revisionHistoryLimt' was unexpected) (Kubernetes 1.30)"
    ) in result.stderr
    assert "nothing was written" in result.stderr
    assert not out.exists()


def test_template_errors_name_the_template_file_and_line(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    shutil.copytree(ROOT / "blueprints" / "service", tmp_path / "bp" / "service")
    template = tmp_path / "bp/service/base/service.yaml.j2"
    lines = template.read_text().splitlines()
    lines[4] = "  name: {{ app.nmae }}"
    template.write_text("\n".join(lines) + "\n")
    result = run("render", PLATFORM, "-o", tmp_path / "out", "--blueprints", tmp_path / "bp")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{template}:5: template error:")
    assert "nmae" in result.stderr


def test_an_environment_without_clusters_is_a_warning_not_an_error(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    path = write(
        tmp_path / "c.yaml",
        """\
apiVersion: gitops-gen/v1alpha1
kind: Catalogue
metadata: {name: early}
spec:
  repo: {url: https://git.example.com/platform.git}
  kubernetesVersion: "1.31"
  environments: [{name: dev}, {name: qa, promotesFrom: dev}]
  clusters:
    - name: dev
      environment: dev
      nodePools: [{name: all, role: control-plane, serverType: cpx31, count: 1}]
      components: [argocd]
  applications:
    - {name: api, image: "ghcr.io/acme/api:1.0.0", port: 8080, environments: {dev: {}, qa: {}}}
""",
    )
    out = tmp_path / "out"
    result = run("render", path, "-o", out, "--kustomize", "never")
    assert result.exit_code == 0, result.stderr
    assert f"{path}: environment 'qa' has no cluster yet; api not deployed there" in result.stderr
    assert not (out / "applications/overlays/qa").exists()
    assert (out / "applications/overlays/dev/kustomization.yaml").is_file()


def test_generated_application_names_that_collide_fail_the_render(
    tmp_path: Path, run: Callable[..., Result], kustomize_cmd: list[str]
) -> None:
    # A component named `cluster` on cluster `dev` becomes Application `cluster-dev`, the name
    # of the Application that deploys clusters/dev.
    text = PLATFORM.read_text().replace(
        "components: [cert-manager, ingress-nginx, {name: prometheus-operator-crds}]",
        "components: [cert-manager, ingress-nginx, {name: prometheus-operator-crds}, "
        "{name: cluster, chart: {repo: https://charts.example.com, name: c, version: 1.0.0}}]",
    )
    path = write(tmp_path / "c.yaml", text)
    result = run("render", path, "-o", tmp_path / "out", "--kustomize", "always")
    assert result.exit_code == 1
    assert "app-of-apps: Application cluster-dev: two different Applications share it" in (
        result.stderr
    )
    assert not (tmp_path / "out").exists()


def test_bootstrap_is_not_an_environment_name(tmp_path: Path, run: Callable[..., Result]) -> None:
    text = PLATFORM.read_text().replace(
        "- {name: dev}\n", "- {name: dev}\n    - {name: bootstrap}\n"
    )
    path = write(tmp_path / "c.yaml", text)
    result = run("render", path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    line = text.splitlines().index("    - {name: bootstrap}") + 1
    assert result.stderr.startswith(f"{path}:{line}:")
    assert "'bootstrap' is reserved" in result.stderr


def test_a_plain_chart_without_resources_gets_a_warning(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    chart = "chart: {repo: https://charts.example.com, name: thing, version: 1.2.3}"
    bare = PLATFORM.read_text().replace(
        "components: [cert-manager, ingress-nginx]\n  applications",
        f"components: [cert-manager, ingress-nginx, {{name: thing, {chart}}}]\n  applications",
    )
    sized = bare.replace(
        f"{{name: thing, {chart}}}",
        f"{{name: thing, {chart}, values: {{resources: {{limits: {{memory: 64Mi}}}}}}}}",
    )
    warned = run("render", write(tmp_path / "bare.yaml", bare), "-o", tmp_path / "a")
    assert warned.exit_code == 0
    assert "plain chart 'thing': gitops-gen cannot see its containers" in warned.stderr
    quiet = run("render", write(tmp_path / "sized.yaml", sized), "-o", tmp_path / "b")
    assert quiet.exit_code == 0
    assert "plain chart" not in quiet.stderr
