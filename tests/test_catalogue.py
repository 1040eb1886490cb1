"""Broken catalogues: exit 2, one `file:line:col: path: message` line per problem, nothing written.

Each case is the valid BASE catalogue with one small edit. Expected positions are computed from
the edited text (`where`), so the tests say *which* line is wrong rather than hard-coding it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator import yamlio
from generator.blueprints import Library
from generator.catalogue import load as load_catalogue
from tests.conftest import Result, write

BASE = """\
apiVersion: gitops-gen/v1alpha1
kind: Catalogue
metadata:
  name: acme
spec:
  repo:
    url: https://github.com/acme/infra.git
    revision: main
  kubernetesVersion: "1.30"
  environments:
    - name: management
    - name: dev
    - name: staging
      promotesFrom: dev
  clusters:
    - name: management
      role: management
      environment: management
      nodePools:
        - name: control-plane
          role: control-plane
          serverType: cpx41
          count: 3
      components: [argocd, cert-manager, external-secrets]
    - name: dev
      environment: dev
      server: https://dev.example.com:6443
      registration: {secretStore: vault, key: clusters/dev}
      nodePools:
        - name: dev-pool
          role: control-plane
          serverType: cpx31
          count: 3
      components: [ingress-nginx]
    - name: staging
      environment: staging
      server: https://staging.example.com:6443
      registration: {secretStore: vault, key: clusters/staging}
      nodePools:
        - name: staging-pool
          role: control-plane
          serverType: cpx21
          count: 3
  applications:
    - name: backend
      image: ghcr.io/acme/backend:1.4.2
      port: 8080
      environments:
        dev:
          replicas: 1
        staging:
          replicas: 2
      memory:
        request: 64Mi
        limit: 128Mi
      talksTo:
        - app: redis
          port: 6379
    - name: redis
      image: redis:7.2.5-alpine
      port: 6379
      environments:
        dev: {}
        staging: {}
"""

# `file:line:col: path: message`; the document path is absent for problems of the file itself
# (syntax, encoding, emptiness), which have no node to name.
LINE = re.compile(
    r"^(?P<file>.+?):(?P<line>[0-9]+):(?P<col>[0-9]+): "
    r"(?:(?P<path>\S+?): )?(?P<message>.+)$"
)


@dataclass(frozen=True)
class Reported:
    line: int
    col: int
    path: str | None
    message: str

    @property
    def at(self) -> tuple[int, int]:
        return (self.line, self.col)


def edit(*changes: tuple[str, str], base: str = BASE) -> str:
    """BASE with each `old` (which must occur exactly once) replaced by `new`."""
    text = base
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def where(text: str, before: str, value: str) -> tuple[int, int]:
    """1-based line and column of `value` in the one place it follows `before`."""
    needle = before + value
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    offset = text.index(needle) + len(before)
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def parse(stderr: str, catalogue: Path) -> list[Reported]:
    lines = stderr.splitlines()
    assert lines, "no problem reported"
    found = []
    for line in lines:
        match = LINE.match(line)
        assert match, f"not a `file:line:col: path: message` line: {line!r}"
        assert match["file"] == str(catalogue)
        found.append(
            Reported(int(match["line"]), int(match["col"]), match["path"], match["message"])
        )
    assert [p.at for p in found] == sorted(p.at for p in found), "problems not sorted"
    return found


def assert_refused(result: Result, tmp_path: Path, keep: set[str]) -> None:
    """Exit 2, no traceback, and nothing written beside the input (not even a staging folder)."""
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    assert {p.name for p in tmp_path.iterdir()} == keep


Broken = Callable[[str | bytes], list[Reported]]


@pytest.fixture
def broken(run: Callable[..., Result], tmp_path: Path) -> Broken:
    """Render a catalogue that must be refused; returns the problems it reported."""

    def render(text: str | bytes) -> list[Reported]:
        catalogue = tmp_path / "catalogue.yaml"
        if isinstance(text, bytes):
            catalogue.write_bytes(text)
        else:
            write(catalogue, text)
        result = run("render", catalogue, "-o", tmp_path / "out")
        assert_refused(result, tmp_path, {"catalogue.yaml"})
        return parse(result.stderr, catalogue)

    return render


def test_the_base_catalogue_is_valid(run: Callable[..., Result], tmp_path: Path) -> None:
    """Every case below is broken by its own edit, not by the base."""
    catalogue = write(tmp_path / "catalogue.yaml", BASE)
    result = run("render", catalogue, "-o", tmp_path / "out", "--kustomize", "never")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out").is_dir()


# --- values of the wrong kind --------------------------------------------------------------


def test_unknown_server_type_suggests_a_close_one(broken: Broken) -> None:
    text = edit(("serverType: cpx31", "serverType: cpx99"))
    (problem,) = broken(text)
    assert problem.at == where(text, "serverType: ", "cpx99")
    assert problem.path == "spec.clusters[1].nodePools[0].serverType"
    assert re.fullmatch(r"unknown server type 'cpx99'; did you mean 'cpx[0-9]+'\?", problem.message)


def test_count_must_be_an_integer(broken: Broken) -> None:
    text = edit(
        ("serverType: cpx31\n          count: 3", "serverType: cpx31\n          count: three")
    )
    (problem,) = broken(text)
    assert problem.at == where(text, "count: ", "three")
    assert problem.path == "spec.clusters[1].nodePools[0].count"
    assert problem.message == "expected an integer, got str 'three'"


def test_replicas_as_a_string(broken: Broken) -> None:
    text = edit(("replicas: 2", 'replicas: "2"'))
    (problem,) = broken(text)
    assert problem.at == where(text, "replicas: ", '"2"')
    assert problem.path == "spec.applications[0].environments.staging.replicas"
    assert problem.message == "expected an integer, got str '2'"


def test_unquoted_version_is_a_number_and_the_message_says_to_quote_it(broken: Broken) -> None:
    text = edit(('kubernetesVersion: "1.30"', "kubernetesVersion: 1.30"))
    (problem,) = broken(text)
    assert problem.at == where(text, "kubernetesVersion: ", "1.30")
    assert problem.path == "spec.kubernetesVersion"
    assert "got float 1.3" in problem.message
    assert "quotes" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "written", "path"),
    [
        ("      environment: dev\n",
         "      environment: dev\n      capacity: {memoryRequestsTarget: .nan}\n", ".nan",
         "spec.clusters[1].capacity.memoryRequestsTarget"),
        ('  kubernetesVersion: "1.30"\n',
         '  kubernetesVersion: "1.30"\n  serverTypes:\n    cpx31: {priceMonthly: .inf}\n', ".inf",
         "spec.serverTypes.cpx31.priceMonthly"),
    ],
)  # fmt: skip
def test_numbers_must_be_finite(
    broken: Broken, old: str, new: str, written: str, path: str
) -> None:
    """NaN passes every minimum and maximum of the schema, infinity an open-ended one; neither
    may reach the capacity and price arithmetic."""
    text = edit((old, new))
    (problem,) = broken(text)
    assert problem.at == where(text, ": ", written)
    assert problem.path == path
    assert problem.message.startswith("expected a finite number, got ")


# --- environments --------------------------------------------------------------------------


def test_cluster_in_an_undeclared_environment(broken: Broken) -> None:
    text = edit(("environment: staging", "environment: prod"))
    (problem,) = broken(text)
    assert problem.at == where(text, "environment: ", "prod")
    assert problem.path == "spec.clusters[2].environment"
    assert "environment 'prod' is not declared under spec.environments" in problem.message


def test_application_in_an_undeclared_environment(broken: Broken) -> None:
    text = edit(
        ("        staging:\n          replicas: 2", "        stagin:\n          replicas: 2")
    )
    # Only the environment itself is reported, not again through backend's talksTo.
    (problem,) = broken(text)
    assert problem.at == where(text, "        ", "stagin:")
    assert problem.path == "spec.applications[0].environments.stagin"
    assert "environment 'stagin' is not declared" in problem.message
    assert "did you mean 'staging'?" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "bad", "path"),
    [
        ("    - name: staging\n      environment", "    - name: ../x\n      environment", "../x",
         "spec.clusters[2].name"),
        ("    - name: staging\n      environment", "    - name: a/b\n      environment", "a/b",
         "spec.clusters[2].name"),
        ("    - name: staging\n      environment", "    - name: Staging\n      environment",
         "Staging", "spec.clusters[2].name"),
        ("- name: redis", "- name: ../x", "../x", "spec.applications[1].name"),
        ("- name: redis", "- name: a/b", "a/b", "spec.applications[1].name"),
        ("- name: redis", "- name: Redis", "Redis", "spec.applications[1].name"),
        ("    - name: dev\n    - name: staging", "    - name: ../x\n    - name: staging", "../x",
         "spec.environments[1].name"),
        ("    - name: dev\n    - name: staging", "    - name: a/b\n    - name: staging", "a/b",
         "spec.environments[1].name"),
        ("    - name: dev\n    - name: staging", "    - name: Dev\n    - name: staging", "Dev",
         "spec.environments[1].name"),
        ("name: dev-pool", "name: ../x", "../x", "spec.clusters[1].nodePools[0].name"),
        ("name: dev-pool", "name: a/b", "a/b", "spec.clusters[1].nodePools[0].name"),
        ("name: dev-pool", "name: Pool", "Pool", "spec.clusters[1].nodePools[0].name"),
    ],
)  # fmt: skip
def test_names_that_would_escape_or_clash_as_directories(
    broken: Broken, old: str, new: str, bad: str, path: str
) -> None:
    text = edit((old, new))
    (problem,) = broken(text)
    assert problem.at == where(text, "name: ", bad)
    assert problem.path == path
    assert problem.message.startswith(f"'{bad}' is not a valid name: use lower-case letters")


@pytest.mark.parametrize("bad", ["../x", "a/../b", ".", "/abs"])
def test_repo_path_stays_inside_the_repository(broken: Broken, bad: str) -> None:
    text = edit(("    revision: main", f"    revision: main\n    path: {bad}"))
    (problem,) = broken(text)
    assert problem.at == where(text, "path: ", bad)
    assert problem.path == "spec.repo.path"
    assert problem.message.startswith(f"'{bad}' is not valid: Folder inside the repository")


def test_environment_keys_of_an_application_are_names_too(broken: Broken) -> None:
    text = edit(("        dev: {}\n        staging: {}", "        dev: {}\n        ../x: {}"))
    (problem,) = broken(text)
    assert problem.at == where(text, "        ", "../x: {}")
    assert problem.path == "spec.applications[1].environments.../x"
    assert problem.message.startswith("'../x' is not a valid name")


# --- YAML itself ---------------------------------------------------------------------------


def test_bad_indentation(broken: Broken) -> None:
    text = edit(("    revision: main", "      revision: main"))
    (problem,) = broken(text)
    assert problem.line == where(text, "      ", "revision: main")[0]
    assert problem.path is None
    assert problem.message.startswith("YAML syntax error: ")


def test_a_key_indented_less_than_its_siblings(broken: Broken) -> None:
    text = edit(("      port: 8080", "     port: 8080"))
    (problem,) = broken(text)
    assert problem.at == where(text, "     ", "port: 8080")
    assert problem.message.startswith("YAML syntax error: ")


def test_unclosed_bracket_names_where_it_was_opened(broken: Broken) -> None:
    text = edit(("components: [ingress-nginx]", "components: [ingress-nginx"))
    (problem,) = broken(text)
    opened_line, opened_col = where(text, "components: ", "[ingress-nginx")
    # The parser only notices on the next line; the message points back at the bracket.
    assert problem.line == opened_line + 1
    assert problem.message.startswith("YAML syntax error: ")
    assert f"starts at line {opened_line}, column {opened_col}" in problem.message


def test_duplicate_keys(broken: Broken) -> None:
    text = edit(("      port: 8080", "      port: 8080\n      port: 8081"))
    (problem,) = broken(text)
    assert problem.at == where(text, "      ", "port: 8081")
    assert 'duplicate key "port"' in problem.message


def test_two_documents(broken: Broken) -> None:
    text = BASE + "---\n" + BASE
    (problem,) = broken(text)
    assert problem.at == where(text, "\n", "---\n")
    assert "one YAML document" in problem.message


def test_alias_bomb_is_refused(broken: Broken) -> None:
    """Billion laughs: each level holds ten aliases of the one before."""
    levels = ['lol1: &lol1 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(2, 10):
        refs = ", ".join([f"*lol{n - 1}"] * 10)
        levels.append(f"lol{n}: &lol{n} [{refs}]")
    text = "\n".join(levels) + "\n"
    (problem,) = broken(text)
    # Level n expands to 1 + 10 + ... + 10**n nodes; the anchor of the first over the limit
    # is named.
    size, level = 1, 0
    while size <= yamlio.MAX_EXPANDED_NODES:
        level += 1
        size = size * 10 + 1
    assert problem.at == where(text, f"lol{level}: ", f"&lol{level} ")
    assert problem.path is None
    assert "expands to more than" in problem.message
    assert "aliases" in problem.message


def test_empty_file(broken: Broken) -> None:
    (problem,) = broken("")
    assert problem.at == (1, 1)
    assert problem.message == "file is empty"


def test_whitespace_only_file(broken: Broken) -> None:
    (problem,) = broken("  \n\t\n   \n")
    assert problem.at == (1, 1)
    assert problem.message == "file is empty"


def test_comments_only_file(broken: Broken) -> None:
    (problem,) = broken("# a catalogue, one day\n")
    assert problem.at == (1, 1)
    assert "no YAML document" in problem.message


def test_bytes_that_are_not_utf8_are_located(broken: Broken) -> None:
    text = edit(("name: acme", "name: ac\udcffme"))
    (problem,) = broken(text.encode("utf-8", "surrogateescape"))
    assert problem.at == where(text, "name: ac", "\udcff")
    assert problem.path is None
    assert problem.message == "byte 0xff is not valid UTF-8; save the file as UTF-8"


def test_control_characters_are_located(broken: Broken) -> None:
    text = edit(("name: acme", "name: ac\x00me"))
    (problem,) = broken(text)
    assert problem.at == where(text, "name: ac", "\x00")
    assert "U+0000" in problem.message


def test_a_multi_line_value_in_a_message_stays_on_one_line(broken: Broken) -> None:
    text = edit(("serverType: cpx31", "serverType: |\n            cpx\n            99"))
    (problem,) = broken(text)
    assert problem.path == "spec.clusters[1].nodePools[0].serverType"
    assert "unknown server type 'cpx\\n99\\n'" in problem.message


def test_a_directory_is_one_problem_line(run: Callable[..., Result], tmp_path: Path) -> None:
    folder = tmp_path / "catalogue.yaml"
    folder.mkdir()
    result = run("render", folder, "-o", tmp_path / "out")
    assert_refused(result, tmp_path, {"catalogue.yaml"})
    assert result.stderr == f"{folder}: is a directory, expected a YAML file\n"


def test_a_missing_file_is_one_problem_line(run: Callable[..., Result], tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = run("render", missing, "-o", tmp_path / "out")
    assert_refused(result, tmp_path, set())
    # No line or column: there is no line 1 in a file that does not exist.
    assert result.stderr == f"{missing}: no such file\n"


# --- components, applications, clusters ----------------------------------------------------


def test_unknown_component_suggests_the_close_blueprint(broken: Broken) -> None:
    text = edit(("components: [ingress-nginx]", "components: [cert-manger]"))
    (problem,) = broken(text)
    assert problem.at == where(text, "components: [", "cert-manger")
    assert problem.path == "spec.clusters[1].components[0]"
    assert "unknown component 'cert-manger'" in problem.message
    assert problem.message.endswith("did you mean 'cert-manager'?")


def test_unknown_component_far_from_any_has_no_suggestion(broken: Broken) -> None:
    text = edit(("components: [ingress-nginx]", "components: [zzz]"))
    (problem,) = broken(text)
    assert problem.at == where(text, "components: [", "zzz")
    assert "unknown component 'zzz'" in problem.message
    assert "did you mean" not in problem.message


def test_duplicate_applications(broken: Broken) -> None:
    text = (
        BASE + "    - name: redis\n      image: redis:7.2.4\n      environments:\n        dev: {}\n"
    )
    # backend's talksTo still resolves against the first redis, which runs in staging too.
    (problem,) = broken(text)
    assert problem.at == where(text, "    - name: ", "redis\n      image: redis:7.2.4")
    assert problem.path == "spec.applications[2].name"
    assert problem.message == "duplicate application 'redis' (first defined at applications[1])"


def test_duplicate_clusters(broken: Broken) -> None:
    text = edit(("    - name: staging\n      environment", "    - name: dev\n      environment"))
    (problem,) = broken(text)
    assert problem.at == where(text, "    - name: ", "dev\n      environment: staging")
    assert problem.path == "spec.clusters[2].name"
    assert problem.message == "duplicate cluster 'dev' (first defined at clusters[1])"


def test_talks_to_an_application_that_does_not_exist(broken: Broken) -> None:
    text = edit(("- app: redis", "- app: rediss"))
    (problem,) = broken(text)
    assert problem.at == where(text, "- app: ", "rediss")
    assert problem.path == "spec.applications[0].talksTo[0].app"
    assert problem.message == "no application named 'rediss'; did you mean 'redis'?"


def test_talks_to_an_application_missing_from_its_environment(broken: Broken) -> None:
    text = edit(("        dev: {}\n        staging: {}\n", "        dev: {}\n"))
    (problem,) = broken(text)
    assert problem.at == where(text, "- app: ", "redis")
    assert problem.path == "spec.applications[0].talksTo[0].app"
    assert problem.message == (
        "'redis' is not deployed in environment(s) staging where 'backend' runs"
    )


def test_promotion_cycle_of_two(broken: Broken) -> None:
    text = edit(
        (
            "    - name: dev\n    - name: staging",
            "    - name: dev\n      promotesFrom: staging\n    - name: staging",
        )
    )
    first, second = broken(text)
    assert first.at == where(text, "promotesFrom: ", "staging")
    assert first.path == "spec.environments[1].promotesFrom"
    assert first.message == "promotion cycle: dev -> staging -> dev"
    assert second.at == where(text, "promotesFrom: ", "dev")
    assert second.message == "promotion cycle: staging -> dev -> staging"


def test_an_environment_promoting_from_itself(broken: Broken) -> None:
    text = edit(
        (
            "    - name: dev\n    - name: staging",
            "    - name: dev\n      promotesFrom: dev\n    - name: staging",
        )
    )
    (problem,) = broken(text)
    assert problem.at == where(text, "promotesFrom: ", "dev\n    - name: staging")
    assert problem.path == "spec.environments[1].promotesFrom"
    assert problem.message == "promotion cycle: dev -> dev"


@pytest.mark.parametrize(
    ("image", "written"),
    [("UPPER/x:1", "UPPER/x:1"), ("x::1", "x::1"), (":tag", '":tag"'), ("Redis:1", "Redis:1")],
)
def test_malformed_images(broken: Broken, image: str, written: str) -> None:
    text = edit(("image: redis:7.2.5-alpine", f"image: {written}"))
    (problem,) = broken(text)
    assert problem.at == where(text, "image: ", written)
    assert problem.path == "spec.applications[1].image"
    assert problem.message.startswith(f"'{image}' is not a valid image reference")


@pytest.mark.parametrize(
    ("image", "complaint"),
    [("redis", "has no tag or digest"), ("redis:latest", "uses the 'latest' tag")],
)
def test_images_must_pin_a_version(broken: Broken, image: str, complaint: str) -> None:
    text = edit(("image: redis:7.2.5-alpine", f"image: {image}"))
    (problem,) = broken(text)
    assert problem.at == where(text, "image: ", f"{image}\n")
    assert problem.path == "spec.applications[1].image"
    assert problem.message == f"image '{image}' {complaint}; pin a version"


def test_a_per_environment_image_is_checked_too(broken: Broken) -> None:
    text = edit(("          replicas: 2", "          replicas: 2\n          image: backend:latest"))
    (problem,) = broken(text)
    assert problem.at == where(text, "image: ", "backend:latest")
    assert problem.path == "spec.applications[0].environments.staging.image"


@pytest.mark.parametrize(
    ("old", "new", "path", "meant"),
    [
        ("      nodePools:\n        - name: dev-pool", "      nodepools:\n        - name: dev-pool",
         "spec.clusters[1].nodepools", "nodePools"),
        ("serverType: cpx31", "serverTyp: cpx31", "spec.clusters[1].nodePools[0].serverTyp",
         "serverType"),
        ("      memory:\n", "      memroy:\n", "spec.applications[0].memroy", "memory"),
        ("      talksTo:\n", "      talksto:\n", "spec.applications[0].talksto", "talksTo"),
        ("- app: redis", "- ap: redis", "spec.applications[0].talksTo[0].ap", "app"),
        ("  kubernetesVersion:", "  kubernetesversion:", "spec.kubernetesversion",
         "kubernetesVersion"),
    ],
)  # fmt: skip
def test_misspelt_fields_suggest_the_right_one(
    broken: Broken, old: str, new: str, path: str, meant: str
) -> None:
    text = edit((old, new))
    key = path.rsplit(".", 1)[1]
    # One problem: the missing required field is the misspelt one, so it is not reported again.
    (problem,) = broken(text)
    assert problem.at == where(text, "", f"{key}:")
    assert problem.path == path
    assert problem.message == f"unknown field '{key}'; did you mean '{meant}'?"


def test_no_hub(broken: Broken) -> None:
    text = edit(
        (
            "components: [argocd, cert-manager, external-secrets]",
            "components: [cert-manager, external-secrets]",
        )
    )
    # Only the missing hub: "management needs a server" would follow from it, so is not said.
    (problem,) = broken(text)
    assert problem.at == where(text, "  clusters:\n    ", "- name: management")
    assert problem.path == "spec.clusters"
    assert problem.message.startswith("no cluster runs ArgoCD")


def test_two_hubs(broken: Broken) -> None:
    text = edit(("components: [ingress-nginx]", "components: [argocd]"))
    (problem,) = broken(text)
    assert problem.at == where(text, "components: ", "[argocd]")
    assert problem.path == "spec.clusters[1].components"
    assert "more than one cluster runs ArgoCD ('management' and 'dev')" in problem.message


def test_a_cluster_other_than_the_hub_needs_a_server(broken: Broken) -> None:
    text = edit(("      server: https://dev.example.com:6443\n", ""))
    (problem,) = broken(text)
    assert problem.at == where(text, "    - ", "name: dev\n      environment: dev")
    assert problem.path == "spec.clusters[1]"
    assert problem.message.startswith("cluster 'dev' needs 'server'")


def test_memory_request_above_limit(broken: Broken) -> None:
    text = edit(("request: 64Mi", "request: 256Mi"))
    (problem,) = broken(text)
    assert problem.at == where(text, "      memory:\n        ", "request: 256Mi")
    assert problem.path == "spec.applications[0].memory"
    assert problem.message == "request 256Mi is larger than limit 128Mi"


def test_unsupported_kubernetes_version(broken: Broken) -> None:
    text = edit(('kubernetesVersion: "1.30"', 'kubernetesVersion: "1.12"'))
    (problem,) = broken(text)
    assert problem.at == where(text, "kubernetesVersion: ", '"1.12"')
    assert problem.path == "spec.kubernetesVersion"
    assert re.fullmatch(
        r"Kubernetes 1\.12 has no schemas here; supported: 1\.[0-9]+ to 1\.[0-9]+",
        problem.message,
    )


def test_dedicated_server_type_without_bare_metal(broken: Broken) -> None:
    text = edit(("serverType: cpx31", "serverType: AX41"))
    (problem,) = broken(text)
    assert problem.at == where(text, "serverType: ", "AX41")
    assert problem.path == "spec.clusters[1].nodePools[0].serverType"
    assert problem.message == "'AX41' is a dedicated server; set bareMetal: true on this pool"


def test_cluster_api_needs_kubeadm(broken: Broken) -> None:
    text = edit(
        (
            "      role: management\n",
            "      role: management\n      clusterAPI: true\n      distribution: k3s\n",
        )
    )
    (problem,) = broken(text)
    assert problem.at == where(text, "clusterAPI: ", "true")
    assert problem.path == "spec.clusters[0].clusterAPI"
    assert problem.message == "clusterAPI needs distribution 'kubeadm', the cluster says 'k3s'"


# --- several at once -----------------------------------------------------------------------


def test_every_schema_problem_is_reported_in_line_order(broken: Broken) -> None:
    text = edit(
        ("replicas: 2", "replicas: two"),  # last in the file, first edit
        ("name: dev-pool", "name: Dev-Pool"),
        ("serverType: cpx31\n          count: 3", "serverType: cpx31\n          count: 0"),
        ("    revision: main", "    revision: main\n    branch: main"),
    )
    problems = broken(text)
    assert [(p.at, p.path) for p in problems] == [
        (where(text, "    ", "branch: main"), "spec.repo.branch"),
        (where(text, "name: ", "Dev-Pool"), "spec.clusters[1].nodePools[0].name"),
        (where(text, "count: ", "0"), "spec.clusters[1].nodePools[0].count"),
        (where(text, "replicas: ", "two"), "spec.applications[0].environments.staging.replicas"),
    ]


def test_every_semantic_problem_is_reported_in_line_order(broken: Broken) -> None:
    text = edit(
        ("image: redis:7.2.5-alpine", "image: redis:latest"),  # last in the file, first edit
        ("environment: staging", "environment: prod"),
        ("serverType: cpx31", "serverType: cpx99"),
        ("request: 64Mi", "request: 1Gi"),
        ("promotesFrom: dev", "promotesFrom: qa"),
    )
    problems = broken(text)
    assert [(p.at, p.path) for p in problems] == [
        (where(text, "promotesFrom: ", "qa"), "spec.environments[2].promotesFrom"),
        (where(text, "serverType: ", "cpx99"), "spec.clusters[1].nodePools[0].serverType"),
        (where(text, "environment: ", "prod"), "spec.clusters[2].environment"),
        (where(text, "      memory:\n        ", "request: 1Gi"), "spec.applications[0].memory"),
        (where(text, "image: ", "redis:latest"), "spec.applications[1].image"),
    ]


# --- cluster network -------------------------------------------------------------------------


def test_network_ranges_must_be_address_ranges(broken: Broken) -> None:
    text = edit(
        (
            "      server: https://dev.example.com:6443\n",
            "      server: https://dev.example.com:6443\n      network: {nodeCIDR: 10.0.0.0/33}\n",
        )
    )
    (problem,) = broken(text)
    assert problem.at == where(text, "nodeCIDR: ", "10.0.0.0/33")
    assert problem.path == "spec.clusters[1].network.nodeCIDR"
    assert problem.message == "'10.0.0.0/33' is not an address range"


def test_network_defaults_per_distribution(tmp_path: Path) -> None:
    text = edit(
        (
            "      server: https://dev.example.com:6443\n",
            "      server: https://dev.example.com:6443\n      distribution: k3s\n",
        ),
        (
            "      server: https://staging.example.com:6443\n",
            "      server: https://staging.example.com:6443\n"
            "      network: {nodeCIDR: 192.168.0.0/24}\n",
        ),
    )
    loaded = load_catalogue(write(tmp_path / "catalogue.yaml", text), Library().names())
    management, dev, staging = (c.network for c in loaded.clusters)
    assert (management.node_cidr, management.pod_cidr, management.service_cidr) == (
        "10.0.0.0/16",
        "10.244.0.0/16",
        "10.96.0.0/12",
    )
    assert (dev.pod_cidr, dev.service_cidr) == ("10.42.0.0/16", "10.43.0.0/16")
    assert (staging.node_cidr, staging.pod_cidr) == ("192.168.0.0/24", "10.244.0.0/16")


def test_external_peer_ranges_must_be_address_ranges(broken: Broken) -> None:
    peer = "        - {name: db, cidr: .0.0.0/8, port: 5432}\n"
    text = edit(("          port: 6379\n", "          port: 6379\n" + peer))
    (problem,) = broken(text)
    assert problem.at == where(text, "cidr: ", ".0.0.0/8")
    assert problem.path == "spec.applications[0].talksTo[1].cidr"
    assert problem.message == "'.0.0.0/8' is not an address range"


# --- input from an untrusted branch --------------------------------------------------------


@pytest.mark.parametrize("bad", ['"backend\\n"', '"backend\\r\\n"', "|\n        backend"])
def test_a_name_with_a_final_line_break_is_refused(broken: Broken, bad: str) -> None:
    """Python's `$` matches before a final newline; the schema's `$` (ECMA-262) does not."""
    (problem,) = broken(edit(("- name: backend\n", f"- name: {bad}\n")))
    assert problem.path == "spec.applications[0].name"
    assert "is not a valid name" in problem.message


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:TOKEN123@github.com/acme/infra.git", "https://***@github.com/acme/infra.git"),
        ("https://TOKEN123@github.com/acme/infra.git", "https://***@github.com/acme/infra.git"),
        ("ssh://git:TOKEN123@github.com/acme/infra.git", "ssh://***@github.com/acme/infra.git"),
        ("https://user:TOKEN123@host/has space", "https://***@host/has space"),
    ],
)  # fmt: skip
def test_credentials_in_the_repo_url_are_refused_and_never_printed(
    run: Callable[..., Result], tmp_path: Path, url: str, shown: str
) -> None:
    catalogue = write(
        tmp_path / "catalogue.yaml",
        edit(("url: https://github.com/acme/infra.git", f"url: {url}")),
    )
    result = run("render", catalogue, "-o", tmp_path / "out")
    assert_refused(result, tmp_path, {"catalogue.yaml"})
    (problem,) = parse(result.stderr, catalogue)
    assert problem.at == (7, 10)
    assert problem.path == "spec.repo.url"
    assert f"the URL {shown} carries credentials" in problem.message
    assert "TOKEN123" not in result.stderr


def test_an_ssh_user_name_is_not_a_credential(run: Callable[..., Result], tmp_path: Path) -> None:
    catalogue = write(
        tmp_path / "catalogue.yaml",
        edit(("url: https://github.com/acme/infra.git", "url: ssh://git@github.com/acme/infra")),
    )
    result = run("render", catalogue, "-o", tmp_path / "out", "--kustomize", "never")
    assert result.exit_code == 0, result.stderr


def test_secret_looking_env_keys_are_a_warning_pointing_at_secret_env(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    env = (
        "      env: {DB_PASSWORD: x, API_TOKEN: y, client_secret: z, B2_KEY: k, LOG_LEVEL: info}\n"
    )
    catalogue = write(
        tmp_path / "catalogue.yaml",
        edit(("      port: 8080\n", "      port: 8080\n" + env)),
    )
    result = run("render", catalogue, "-o", tmp_path / "out", "--kustomize", "never")
    assert result.exit_code == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "looks like a secret" in line]
    assert [line.split("env '")[1].split("'")[0] for line in warned] == [
        "API_TOKEN", "B2_KEY", "DB_PASSWORD", "client_secret",
    ]  # fmt: skip
    assert all(line.startswith(f"warning: {catalogue}:") for line in warned)
    assert all("use secretEnv or externalSecrets" in line for line in warned)


@pytest.mark.parametrize("where", ["value", "key"])
def test_a_lone_surrogate_is_exit_2_at_its_line(broken: Broken, where: str) -> None:
    env = '{A: "x\\ud800"}' if where == "value" else '{"A\\udfff": x}'
    text = edit(("      port: 8080\n", f"      port: 8080\n      env: {env}\n"))
    (problem,) = broken(text)
    assert problem.line == text.split("\n").index(f"      env: {env}") + 1
    assert "half of a UTF-16 surrogate pair" in problem.message
