from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.docpaths import DocPath
from generator.documents import Document, load_documents
from generator.errors import Location
from generator.exactdocs import exact_documents
from generator.textpositions import TextPositions
from tests.conftest import Result, gitops_gen, write

Run = Callable[..., Result]

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  labels:
    app.kubernetes.io/name: api
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
      - name: api
        image: "nginx:1.25"
        args: [--port, "8080"]
        ports:
        - containerPort: 8080
          protocol: TCP
        env:
        -   name: MODE
            value: |
              fast
      - name: sidecar
        image: busybox:1.36
"""


def _exact(text: str) -> list[Document]:
    """What libyaml's composer gives: the reading every fast answer must equal."""
    docs, error = exact_documents(text, "f.yaml")
    assert error is None
    return docs


def _paths(value: Any, path: DocPath = ()) -> Iterator[DocPath]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _assert_as_exact(text: str) -> list[Document]:
    docs, error = load_documents(text, "f.yaml")
    assert error is None
    exact = _exact(text)
    assert len(docs) == len(exact)
    for doc, want in zip(docs, exact, strict=True):
        assert _same(doc.body, want.body)
        assert doc.duplicates == want.duplicates
        if isinstance(want.body, dict):
            assert doc.line == want.line
        for path in [*_paths(want.body), ("nowhere",), (0, "x")]:
            for key in (False, True):
                assert doc.positions.at(path, key=key) == want.positions.at(path, key=key), path
    return docs


def test_plain_manifests_are_read_fast_and_every_position_is_the_composers() -> None:
    text = f"# built by kustomize\n{DEPLOYMENT}---\n{DEPLOYMENT.replace('api', 'web')}"
    docs = _assert_as_exact(text)
    assert all(isinstance(doc.positions, TextPositions) for doc in docs)
    assert [doc.line for doc in docs] == [2, 32]
    containers = ("spec", "template", "spec", "containers")
    assert docs[1].positions.at((*containers, 1, "image")) == Location("f.yaml", 60, 16)
    assert docs[0].positions.at((*containers, 0, "env", 0, "value")) == Location("f.yaml", 27, 20)


def test_yaml_1_1_scalars_keep_their_meaning_and_position() -> None:
    old = {"on": True, "0777": 511, "2024-01-01": "2024-01-01", "1e3": "1e3", "=": "="}
    parts = [f"kind: ConfigMap\ndata:\n  x: {text}\n" for text in ["plain", *old]]
    plain, *docs = _assert_as_exact("---\n".join(parts))
    assert isinstance(plain.positions, TextPositions)
    assert [doc.body["data"]["x"] for doc in docs] == list(old.values())
    assert docs[1].positions.at(("data", "x")) == Location("f.yaml", 11, 6)
    assert docs[2].positions.at(("data", "x"), key=True) == Location("f.yaml", 15, 3)


def test_keys_yaml_1_1_reads_as_booleans_or_numbers_stay_what_they_were() -> None:
    docs = _assert_as_exact("on:\n  push: {}\n80: http\n")
    assert list(docs[0].body) == ["True", "80"]


def test_duplicate_key_is_kept_with_its_position_in_a_file_of_fast_documents() -> None:
    text = f"{DEPLOYMENT}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"
    docs = _assert_as_exact(text)
    assert docs[1].duplicates == [(("metadata", "name"), Location("f.yaml", 35, 3))]


def test_syntax_error_reports_the_documents_before_it_and_where_it_is() -> None:
    text = f"{DEPLOYMENT}---\napiVersion: v1\nkind: ConfigMap\ndata: [oops\n"
    docs, error = load_documents(text, "f.yaml")
    assert [doc.body["kind"] for doc in docs] == ["Deployment"]
    assert error is not None
    assert error.location == Location("f.yaml", 34, 1)


def test_flow_collections_tabs_and_unfinished_last_lines_are_read_exactly() -> None:
    _assert_as_exact("a:\n  b: {c: [1, {d: e}], f: g}\n  h: [\n    i, j]\n")
    _assert_as_exact("a:\n  b: 'one\n    two'\n  c:\td\n")
    _assert_as_exact("a: |\n  no break at the end")
    _assert_as_exact("%YAML 1.1\n---\na: b\n...\n---\nc: d\n")


def test_nesting_hundreds_deep_is_left_to_the_composer() -> None:
    # yaml_rs reads nesting the composer refuses, and crashes past some ten thousand levels.
    for text in ["- " * 600 + "a\n", "".join(" " * i + "k:\n" for i in range(600))]:
        docs, error = load_documents(text, "f.yaml")
        assert (docs, error) == exact_documents(text, "f.yaml")
        assert not any(isinstance(doc.positions, TextPositions) for doc in docs)


_WORDS = ["x", "on", "no", "0777", "1e3", "12:30", "3", "-1", "0.5", "1.20.0", "=", "<<", "~"]
# Numbers yaml_rs reads and YAML 1.1 does not, or reads otherwise.
_WORDS += ["_1", "1e_3", "0X1F", "-.5", ".inf", "08", "1:2:3", "0e0", "yes", "9e9x"]
_SCALARS = st.sampled_from(
    [*_WORDS, "'on'", '"0777"', "nginx:1.25", "{}", "[]", "[a, b]", "{a: 1}", "a #c", "|\n  x"]
)


def test_a_document_met_before_is_placed_at_its_own_lines() -> None:
    _assert_as_exact(DEPLOYMENT)
    # The same text again: lower in another file, then twice in one file.
    _assert_as_exact(f"# header\n\n{DEPLOYMENT}")
    _assert_as_exact(f"{DEPLOYMENT}---\n{DEPLOYMENT}")


@st.composite
def _yaml(draw: st.DrawFn, indent: int = 0, depth: int = 0) -> str:
    pad = " " * indent
    kind = draw(st.sampled_from(["scalar", "mapping", "sequence"] if depth < 3 else ["scalar"]))
    if kind == "scalar":
        return " " + draw(_SCALARS).replace("\n", "\n" + pad)
    if kind == "mapping":
        keys = draw(st.lists(st.sampled_from(["a", "b", "c d", *_WORDS]), min_size=1, max_size=3))
        lines = [f"{pad}  {k}:{draw(_yaml(indent + 2, depth + 1))}" for k in keys]
        return "\n" + "\n".join(lines)
    step = draw(st.sampled_from([0, 2]))
    items = draw(st.lists(_yaml(indent + step, depth + 1), min_size=1, max_size=3))
    return "\n" + "\n".join(f"{' ' * (indent + step)}-{item}" for item in items)


@settings(max_examples=300, deadline=None)
@given(st.lists(_yaml(), min_size=1, max_size=3))
def test_any_document_reads_as_libyaml_composes_it(parts: list[str]) -> None:
    text = "---\n".join(f"kind:{part}\n" for part in parts)
    docs, error = load_documents(text, "f.yaml")
    exact_docs, exact_error = exact_documents(text, "f.yaml")
    assert error == exact_error
    assert len(docs) == len(exact_docs)
    for doc, want in zip(docs, exact_docs, strict=True):
        assert _same(doc.body, want.body)
        assert doc.duplicates == want.duplicates
        for path in _paths(want.body):
            for key in (False, True):
                assert doc.positions.at(path, key=key) == want.positions.at(path, key=key)


def test_lint_findings_in_a_fast_read_file_point_at_their_field(run: Run, tmp_path: Path) -> None:
    built = DEPLOYMENT.replace('"nginx:1.25"', "nginx:latest")
    path = write(tmp_path / "built.yaml", f"{DEPLOYMENT.replace('api', 'web')}---\n{built}")
    result = run("lint", path, "--fail-on", "info")
    assert f"{path}:49:16: GG601" in result.stdout, result.stdout


def test_lint_reports_duplicate_keys_and_old_booleans_beside_fast_documents(
    run: Run, tmp_path: Path
) -> None:
    text = (
        f"{DEPLOYMENT}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
        "  namespace: shop\n  name: b\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\nspec:\n"
        "  hostNetwork: yes\n  containers:\n  - name: c\n    image: busybox:1.36\n"
    )
    path = write(tmp_path / "mixed.yaml", text)
    result = run("lint", path, "--fail-on", "info")
    assert f"{path}:36:3: GG103 error key 'name' appears more than once" in result.stdout
    assert f"{path}:44:16: GG507" in result.stdout, result.stdout


def test_nesting_tens_of_thousands_deep_is_an_error_not_a_crash(tmp_path: Path) -> None:
    # libyaml's composer recurses in C: 30,000 brackets used to kill the process.
    deep = "[" * 30000 + "]" * 30000
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\ndata:\n  k: {deep}\n"
    write(tmp_path / "cm.yaml", text)
    result = gitops_gen("lint", tmp_path / "cm.yaml")
    assert result.returncode == 1, result.stderr
    assert "cm.yaml:5:204: GG100 error document is nested more than 200 levels deep" in (
        result.stdout
    )
