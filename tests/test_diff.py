"""`gitops-gen diff` on real git repositories and real kustomize builds."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.diff import ADDED, CHANGED, REMOVED, RENAMED, compare
from generator.diffreport import MARKER, Report, markdown
from generator.inventory import Key
from tests.conftest import Result

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}

CATALOGUE = """\
apiVersion: gitops-gen/v1alpha1
kind: Catalogue
metadata: {name: shop}
spec:
  repo: {url: https://github.com/acme/shop-gitops.git, revision: main}
  kubernetesVersion: "1.31"
  environments: [{name: prod}]
  clusters:
    - name: prod
      environment: prod
      # Big enough for the memory budget of the 300-application case.
      nodePools: [{name: all, role: control-plane, serverType: cx53, count: 3}]
      components:
        - argocd
        - name: podinfo
          namespace: podinfo
          chart: {repo: https://stefanprodan.github.io/podinfo, name: podinfo, version: 6.5.0}
          values: {resources: {requests: {memory: 32Mi}, limits: {memory: 64Mi}}}
  applications:
{apps}
"""

APP = """\
    - name: {name}
      image: ghcr.io/acme/{name}:{tag}
      port: 8080
      environments: {{prod: {{replicas: {replicas}}}}}
      memory: {{request: 64Mi, limit: {limit}}}
"""


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    result = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def catalogue(apps: list[dict[str, object]], chart: str = "6.5.0") -> str:
    body = "".join(
        APP.format(**{"tag": "1.0.0", "replicas": 1, "limit": "128Mi", **app}) for app in apps
    )
    return CATALOGUE.replace("{apps}", body.rstrip("\n")).replace("6.5.0", chart)


def repository(tmp_path: Path, text: str) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "catalogue.yaml").write_text(text)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    return repo


def commit(repo: Path, text: str, message: str = "head") -> None:
    (repo / "catalogue.yaml").write_text(text)
    git(repo, "commit", "-qam", message)


def state(repo: Path) -> dict[str, str]:
    """Everything a diff must leave alone."""
    index = repo / ".git" / "index"
    return {
        "status": git(repo, "status", "--porcelain", "--untracked-files=all"),
        "head": git(repo, "rev-parse", "HEAD"),
        "ref": git(repo, "symbolic-ref", "HEAD"),
        "index": hashlib.sha256(index.read_bytes()).hexdigest() if index.exists() else "",
        "stash": git(repo, "stash", "list"),
        "worktrees": git(repo, "worktree", "list", "--porcelain"),
        "files": "\n".join(sorted(str(p.relative_to(repo)) for p in repo.rglob("*"))),
    }


@pytest.fixture
def diff(run: Callable[..., Result], kustomize_cmd: list[str]) -> Callable[..., Result]:
    def invoke(*args: str | Path) -> Result:
        return run("diff", *args)

    return invoke


def test_a_pull_request_shows_each_change_with_old_and_new_values(
    tmp_path: Path, diff: Callable[..., Result]
) -> None:
    repo = repository(tmp_path, catalogue([{"name": "web"}, {"name": "api"}]))
    commit(
        repo,
        catalogue(
            [{"name": "web", "replicas": 3}, {"name": "api", "limit": "256Mi"}, {"name": "cart"}]
        ),
    )
    before = state(repo)
    cat = repo / "catalogue.yaml"

    md = diff(cat, "--base", "HEAD~1", "--head", "HEAD", "--format", "markdown")
    assert md.exit_code == 0, md.stderr
    assert md.stdout.startswith(MARKER)
    assert "Deployment/web/web on prod" in md.stdout
    assert "spec.replicas: 1 → 3" in md.stdout
    assert "Deployment/api/api on prod" in md.stdout
    assert 'resources.limits.memory: "128Mi" → "256Mi"' in md.stdout
    assert "+ Deployment/cart/cart on prod" in md.stdout
    assert len(md.stdout.encode()) < 65_536

    data = json.loads(diff(cat, "--base", "HEAD~1", "--head", "HEAD", "--format", "json").stdout)
    by_name = {(c["kind"], c["name"]): c for c in data["changes"]}
    assert by_name[("Deployment", "web")]["change"] == CHANGED
    assert {"path": "spec.replicas", "old": 1, "new": 3} in by_name[("Deployment", "web")]["fields"]
    assert by_name[("Deployment", "cart")]["change"] == ADDED
    assert by_name[("Namespace", "cart")]["cluster"] == "prod"
    # web 1 → 3 replicas (+2 x 64Mi), cart added (+64Mi); limits: web +2 x 128Mi,
    # api 128Mi → 256Mi, cart +128Mi; the nodes, and so the cost, stay the same.
    (prod,) = data["budget"]
    mi = 1024 * 1024
    assert prod["head"]["requestsBytes"] - prod["base"]["requestsBytes"] == 192 * mi
    assert prod["head"]["limitsBytes"] - prod["base"]["limitsBytes"] == 512 * mi
    assert prod["head"]["monthlyCost"] == prod["base"]["monthlyCost"]
    assert "(+192Mi)" in md.stdout and "(+512Mi)" in md.stdout
    assert state(repo) == before


def test_without_head_the_work_tree_is_the_head_side(
    tmp_path: Path, diff: Callable[..., Result]
) -> None:
    repo = repository(tmp_path, catalogue([{"name": "web"}]))
    (repo / "catalogue.yaml").write_text(catalogue([{"name": "web", "replicas": 2}]))
    before = state(repo)
    result = diff(repo / "catalogue.yaml", "--base", "HEAD", "--exit-code")
    assert result.exit_code == 1
    assert "spec.replicas: 1 → 2" in result.stdout
    assert state(repo) == before
    clean = diff(repo / "catalogue.yaml", "--base", "HEAD", "--head", "HEAD", "--exit-code")
    assert clean.exit_code == 0
    assert "no changes" in clean.stdout


def test_removing_an_application_warns_that_its_namespace_is_pruned(
    tmp_path: Path, diff: Callable[..., Result]
) -> None:
    repo = repository(tmp_path, catalogue([{"name": "web"}, {"name": "legacy"}]))
    commit(repo, catalogue([{"name": "web"}]))
    data = json.loads(
        diff(
            repo / "catalogue.yaml", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"
        ).stdout
    )
    removed = {c["kind"]: c for c in data["changes"] if c["change"] == REMOVED}
    assert set(removed) >= {"Deployment", "Namespace", "Service"}
    assert any("deletes the data" in d for d in removed["Namespace"]["danger"])


def test_chart_bumps_are_listed_and_routine_only_when_nothing_else_moved(
    tmp_path: Path, diff: Callable[..., Result]
) -> None:
    repo = repository(tmp_path, catalogue([{"name": "web"}]))
    commit(repo, catalogue([{"name": "web", "tag": "1.0.1"}], chart="6.5.4"), "minor")
    commit(repo, catalogue([{"name": "web", "tag": "1.0.1"}], chart="7.0.0"), "major")
    cat = repo / "catalogue.yaml"

    minor = json.loads(diff(cat, "--base", "HEAD~2", "--head", "HEAD~1", "--format", "json").stdout)
    assert minor["routine"] is True
    assert [(b["chart"], b["old"], b["new"]) for b in minor["chartBumps"]] == [
        ("podinfo", "6.5.0", "6.5.4")
    ]
    md = diff(cat, "--base", "HEAD~2", "--head", "HEAD~1", "--format", "markdown").stdout
    assert "routine" in md
    assert "podinfo on prod: 6.5.0 → 6.5.4" in md

    major = json.loads(diff(cat, "--base", "HEAD~1", "--head", "HEAD", "--format", "json").stdout)
    assert major["routine"] is False
    (app,) = [c for c in major["changes"] if c["kind"] == "Application"]
    assert any("major chart version bump" in d for d in app["danger"])


def test_bad_revisions_and_links_in_git_are_exit_2(
    tmp_path: Path, diff: Callable[..., Result]
) -> None:
    repo = repository(tmp_path, catalogue([{"name": "web"}]))
    bad = diff(repo / "catalogue.yaml", "--base", "no-such-branch")
    assert bad.exit_code == 2
    assert "no-such-branch: no such git revision" in bad.stderr
    (repo / "blueprints").mkdir()
    (repo / "blueprints" / "evil").symlink_to("/etc")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "link")
    linked = diff(repo / "catalogue.yaml", "--base", "HEAD", "--blueprints", repo / "blueprints")
    assert linked.exit_code == 2
    assert "blueprints/evil: is a symbolic link" in linked.stderr


def _manifest(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


SECRET = """\
apiVersion: v1
kind: Secret
metadata: {{name: db, namespace: shop}}
stringData: {{password: {password}, user: admin}}
"""
HPA = """\
apiVersion: {api}
kind: HorizontalPodAutoscaler
metadata: {{name: web, namespace: shop}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}
  minReplicas: 1
  maxReplicas: 3
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: {label}}}}}
  template:
    metadata: {{labels: {{app: {label}}}}}
    spec:
      containers:
        - name: web
          image: nginx:1.27.0
          env: {env}
"""


def test_folders_secrets_masked_api_versions_matched_selectors_flagged(
    tmp_path: Path, diff: Callable[..., Result]
) -> None:
    env_a = "[{name: A, value: '1'}, {name: B, value: '2'}]"
    env_b = "[{name: B, value: '2'}, {name: A, value: '1'}]"
    a, b = tmp_path / "a", tmp_path / "b"
    _manifest(a, "secret.yaml", SECRET.format(password="hunter2-old"))
    _manifest(b, "secret.yaml", SECRET.format(password="hunter2-new"))
    _manifest(a / "k", "hpa.yaml", HPA.format(api="autoscaling/v2beta2"))
    _manifest(b / "k", "hpa.yaml", HPA.format(api="autoscaling/v2"))
    for folder in (a / "k", b / "k"):
        _manifest(folder, "kustomization.yaml", "resources: [hpa.yaml, deployment.yaml]\n")
    _manifest(a / "k", "deployment.yaml", DEPLOYMENT.format(label="web", env=env_a))
    _manifest(b / "k", "deployment.yaml", DEPLOYMENT.format(label="web-v2", env=env_b))

    result = diff(a, b, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "hunter2" not in result.stdout
    text = diff(a, b).stdout + diff(a, b, "--format", "markdown").stdout
    assert "hunter2" not in text
    data = json.loads(result.stdout)
    by_kind = {c["kind"]: c for c in data["changes"]}
    secret_paths = [f["path"] for f in by_kind["Secret"]["fields"]]
    assert secret_paths == ["stringData.password"]
    hpa = by_kind["HorizontalPodAutoscaler"]
    assert hpa["change"] == CHANGED
    assert hpa["fields"] == [
        {"path": "apiVersion", "old": "autoscaling/v2beta2", "new": "autoscaling/v2"}
    ]
    deployment = by_kind["Deployment"]
    assert any("spec.selector is immutable" in d for d in deployment["danger"])
    # env was only reordered: Kubernetes merges env by name, so that is no change
    assert not any(".env" in f["path"] for f in deployment["fields"])


def test_a_change_to_hundreds_of_applications_is_cut_cleanly(
    tmp_path: Path, diff: Callable[..., Result]
) -> None:
    names = [f"svc-{i:03d}" for i in range(300)]
    repo = repository(tmp_path, catalogue([{"name": n} for n in names]))
    commit(repo, catalogue([{"name": n, "replicas": 2, "limit": "192Mi"} for n in names]))
    md = diff(repo / "catalogue.yaml", "--base", "HEAD~1", "--head", "HEAD", "--format", "markdown")
    assert md.exit_code == 0, md.stderr
    body = md.stdout
    assert len(body.encode("utf-8")) <= 65_536
    assert "object details left out" in body
    assert body.count("<details>") == body.count("</details>") > 0
    _assert_fences_balanced(body)
    assert "| prod | Deployment | 0 | 300 | 0 |" in body


def _assert_fences_balanced(body: str) -> None:
    open_fence: str | None = None
    for line in body.splitlines():
        match = re.match(r"^(`{3,})", line)
        if not match:
            continue
        if open_fence is None:
            open_fence = match.group(1)
        elif line.strip() == open_fence:
            open_fence = None
    assert open_fence is None, "a code fence is left open"


def test_markdown_keeps_fences_closed_when_values_hold_backticks() -> None:
    key = Key("prod", "", "ConfigMap", "shop", "notes")
    base = {key: {"apiVersion": "v1", "kind": "ConfigMap", "data": {"md": "a"}}}
    head = {key: {"apiVersion": "v1", "kind": "ConfigMap", "data": {"md": "```\nrm -rf /\n```"}}}
    body = markdown(Report(compare(base, head), [], {}, {}))
    _assert_fences_balanced(body)
    assert "````" in body


def test_certificates_become_stable_tokens_and_renames_are_paired() -> None:
    pem = "-----BEGIN CERTIFICATE-----\nMIIB" + "A" * 80 + "\n-----END CERTIFICATE-----\n"
    old_key = Key("prod", "", "ConfigMap", "shop", "ca")
    new_key = Key("prod", "", "ConfigMap", "shop", "ca-bundle")
    data = {"ca.pem": pem, "a": "1", "b": "2", "c": "3"}
    base = {old_key: {"apiVersion": "v1", "kind": "ConfigMap", "data": data}}
    head = {new_key: {"apiVersion": "v1", "kind": "ConfigMap", "data": {**data, "d": "4"}}}
    (change,) = compare(base, head)
    assert change.type == RENAMED
    assert change.old_key == old_key
    assert "MIIB" not in json.dumps(change.body)
    assert re.search(r"<certificate sha256:[0-9a-f]{12}>", json.dumps(change.body))
