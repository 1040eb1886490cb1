"""No input makes `render` crash: any text, any bytes, any mangled catalogue.

Whatever comes in, the exit code is 0, 1 or 2 (never 3, the code for a bug), there is no
traceback, nothing is written unless the render succeeded, and every problem that names the
catalogue points at a line that exists.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from tests.conftest import Result

VALID = """\
apiVersion: gitops-gen/v1alpha1
kind: Catalogue
metadata: {name: acme}
spec:
  repo: {url: https://github.com/acme/infra.git, revision: main}
  kubernetesVersion: "1.30"
  environments:
    - {name: dev}
    - {name: prod, promotesFrom: dev}
  clusters:
    - name: hub
      environment: dev
      nodePools:
        - {name: all, role: control-plane, serverType: cpx31, count: 3}
      components: [argocd, cert-manager, ingress-nginx, external-secrets]
    - name: prod
      environment: prod
      server: https://prod.example.com:6443
      registration: {secretStore: vault, key: clusters/prod}
      nodePools:
        - {name: workers, serverType: cpx41, count: 2}
        - name: metal
          serverType: AX41
          count: 1
          bareMetal: true
      components:
        - ingress-nginx
  applications:
    - name: web
      image: ghcr.io/acme/web:1.0.0
      port: 8080
      environments:
        dev: {replicas: 1}
        prod: {replicas: 2, memory: {request: 128Mi, limit: 256Mi}}
      memory: {request: 64Mi, limit: 128Mi}
      ingress: {host: web.example.com}
      metrics: {path: /metrics}
      talksTo: [{app: db, port: 5432}, {name: api, cidr: 10.0.0.0/8, port: 443}]
    - name: db
      image: postgres:16.3
      port: 5432
      environments: {dev: {}, prod: {}}
      writablePaths: [/var/lib/postgresql/data]
"""

FUZZ = settings(
    max_examples=150,
    deadline=None,
    # `run` holds no state between calls; each example makes its own temporary folder.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Characters that change what YAML means, a few that names and values are made of, and
# constructs the loader has to handle specially (merges, tags, anchors, directives, odd breaks).
YAML_CHARS = st.sampled_from(list(":-[]{},&*!|><'\"#%@`?~ \n\t") + list("aZ09.-_/\\\x00é"))
YAML_TOKENS = st.sampled_from(
    ["&a ", "*a", "<<: *a", "!!omap ", "!t ", "!!set ", "!!binary ", "!!str ", "!!int ", "? ",
     "---\n", "...\n", "%YAML 1.1\n", "|\n", ">-\n", "\r", "\u2028", "\ufeff", "\x85", "\x07",
     "1e3", ".nan", "2024-01-01", "0o17", "yes", "~", "[[[[", "- - -"]
)  # fmt: skip
SNIPPETS = st.lists(YAML_CHARS | YAML_TOKENS, min_size=1, max_size=6).map("".join)
PROBLEM = re.compile(r"^(?P<file>.+?):(?P<line>[0-9]+):(?P<col>[0-9]+): ")
BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def render(run: Callable[..., Result], content: str | bytes) -> None:
    """Render `content` as a catalogue into a fresh folder and check the outcome is orderly."""
    with tempfile.TemporaryDirectory(prefix="gitops-gen-fuzz-") as scratch:
        catalogue = Path(scratch) / "catalogue.yaml"
        if isinstance(content, bytes):
            catalogue.write_bytes(content)
        else:
            catalogue.write_text(content, encoding="utf-8", newline="")
        out = Path(scratch) / "out"
        result = run("render", catalogue, "-o", out, "--kustomize", "never")
        written = out.exists()
        leftovers = {p.name for p in Path(scratch).iterdir()} - {"catalogue.yaml", "out"}
    output = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), output
    assert "Traceback" not in output
    assert "internal error" not in output
    assert not leftovers, "a staging folder was left behind"
    if result.exit_code != 0:
        assert not written, "something was written although the render failed"
    if result.exit_code == 2:
        assert result.stderr.strip(), "exit 2 without saying why"
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        # YAML counts a lone CR (and NEL, LS, PS) as a line break too.
        last_line = len(BREAK.findall(text)) + 1
        for line in result.stderr.splitlines():
            # One line per problem, each naming the catalogue; warnings may come before.
            assert line.startswith((f"{catalogue}:", "warning: ", "note: ")), line
            match = PROBLEM.match(line)
            if match and match["file"] == str(catalogue):
                assert 1 <= int(match["line"]) <= last_line, line
                assert int(match["col"]) >= 1, line


@st.composite
def mangled(draw: st.DrawFn) -> str:
    """VALID with a few characters or lines deleted, replaced, duplicated or moved."""
    text = VALID
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "replace", "insert", "line-delete", "line-dup",
                                   "line-swap", "line-replace"]))  # fmt: skip
        lines = text.split("\n")
        if op.startswith("line"):
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if op == "line-delete":
                del lines[i]
            elif op == "line-dup":
                lines.insert(j, lines[i])
            elif op == "line-swap":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines[i] = draw(SNIPPETS)
            text = "\n".join(lines)
            continue
        at = draw(st.integers(0, len(text)))
        width = draw(st.integers(1, 8))
        if op == "delete":
            text = text[:at] + text[at + width :]
        elif op == "replace":
            text = text[:at] + draw(SNIPPETS) + text[at + width :]
        else:
            text = text[:at] + draw(SNIPPETS) + text[at:]
    return text


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["", "../x", "a/b", "UPPER", "cpx99", "AX41", "argocd", "dev", "prod", "db",
                     "web", "hub", "1.12", "1.30", "0", "64Mi", "1Pi", "latest", "x:latest",
                     "control-plane", "k3s", "-1", "1e309"]),
)  # fmt: skip


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)


VALUES = st.recursive(SCALARS, _containers, max_leaves=6)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


PLAUSIBLE = st.sampled_from(
    ["dev", "prod", "hub", "db", "web", "api", "argocd", "cert-manager", "ingress-nginx",
     "prometheus-operator-crds", "cpx11", "cpx51", "cx22", "AX41", "AX102", "control-plane",
     "worker", "management", "monitoring", "workload", "k3s", "kubeadm", "flannel", "hel1",
     "1.25", "1.37", "1.30.5", "0", "1Ki", "512Mi", "4Gi", "64Gi", "1.5Gi", "redis:7",
     "ghcr.io/acme/x:2", "https://other.example.com:6443", "/", "/data", "10.0.0.0/32"]
)  # fmt: skip


def _similar(value: Any) -> st.SearchStrategy[Any]:
    """A value of the same kind, likely to pass the schema so later stages run too."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(0, 1001)
    if isinstance(value, str):
        return PLAUSIBLE | st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)
    if isinstance(value, list) and value:
        return st.sampled_from([value + value[:1], value[1:], value[::-1]])
    return st.just(value)


@st.composite
def reshaped(draw: st.DrawFn) -> str:
    """VALID, still well-formed YAML, with values changed, removed or added anywhere."""
    yaml = YAML(typ="safe", pure=True)
    data = yaml.load(VALID)
    for _ in range(draw(st.integers(1, 3))):
        # Deepest first: hypothesis favours early choices, and the top-level keys are dull.
        paths = sorted((p for p in _paths(data) if p), key=len, reverse=True)
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        op = draw(st.sampled_from(["similar", "similar", "similar", "set", "delete", "add"]))
        if op == "similar":
            parent[path[-1]] = draw(_similar(parent[path[-1]]))
        elif op == "set":
            parent[path[-1]] = draw(VALUES)
        elif op == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            key = draw(st.sampled_from(["name", "server", "x", "chart", "environment", "role"]))
            parent[key] = draw(VALUES | PLAUSIBLE)
        else:
            parent.append(draw(VALUES | PLAUSIBLE))
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


@FUZZ
@given(text=st.text(max_size=400))
def test_any_text(run: Callable[..., Result], text: str) -> None:
    render(run, text)


@FUZZ
@given(raw=st.binary(max_size=400))
def test_any_bytes(run: Callable[..., Result], raw: bytes) -> None:
    render(run, raw)


@FUZZ
@given(text=mangled())
def test_mangled_catalogue(run: Callable[..., Result], text: str) -> None:
    render(run, text)


@FUZZ
@given(text=reshaped())
def test_reshaped_catalogue(run: Callable[..., Result], text: str) -> None:
    render(run, text)


def test_the_valid_catalogue_renders(run: Callable[..., Result], tmp_path: Path) -> None:
    """The mutations start from a catalogue that works, so later stages get exercised too."""
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(VALID, encoding="utf-8")
    result = run("render", catalogue, "-o", tmp_path / "out", "--kustomize", "never")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    "text",
    [
        VALID.replace("count: 3", "count: 3.5"),
        VALID.replace("writablePaths: [", "writablePaths: &w [*w, "),
        VALID.replace("{name: dev}", "{name: dev, promotesFrom: [dev]}"),
        VALID + "\n" * 3 + "# trailing comment\n",
        "\ufeff" + VALID,
        VALID.replace("\n", "\r\n"),
    ],
)
def test_edge_cases_by_hand(run: Callable[..., Result], text: str) -> None:
    render(run, text)
