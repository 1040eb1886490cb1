"""Loading with positions (and refusing what would hurt); deterministic dumping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator import yamlio
from generator.docpaths import format_path
from generator.errors import Location, UserError
from generator.yamlio import dump_all, load_all_plain, load_document, read_text
from tests.conftest import write


def refused(text: str) -> tuple[Location, str]:
    """The one problem load_document reports for `text`."""
    with pytest.raises(UserError) as caught:
        load_document(text, "f.yaml")
    (problem,) = caught.value.problems
    assert "\n" not in str(problem)
    return problem.location, problem.message


# --- positions -----------------------------------------------------------------------------


def test_keys_and_values_have_one_based_positions() -> None:
    text = "top:\n  name: acme\n  port:   8080\n"
    data, positions = load_document(text, "f.yaml")
    assert data == {"top": {"name": "acme", "port": 8080}}
    assert positions.keys[("top",)] == (1, 1)
    assert positions.keys[("top", "name")] == (2, 3)
    assert positions.values[("top", "name")] == (2, 9)
    assert positions.keys[("top", "port")] == (3, 3)
    assert positions.values[("top", "port")] == (3, 11)


def test_nested_lists_block_and_flow() -> None:
    text = "clusters:\n  - name: a\n    pools:\n      - {name: p, count: 3}\n      - [x, y]\n"
    data, positions = load_document(text, "f.yaml")
    assert data["clusters"][0]["pools"][1] == ["x", "y"]
    assert positions.values[("clusters", 0)] == (2, 5)
    assert positions.values[("clusters", 0, "name")] == (2, 11)
    assert positions.values[("clusters", 0, "pools", 0)] == (4, 9)
    assert positions.keys[("clusters", 0, "pools", 0, "count")] == (4, 19)
    assert positions.values[("clusters", 0, "pools", 0, "count")] == (4, 26)
    assert positions.values[("clusters", 0, "pools", 1, 1)] == (5, 13)


def test_at_falls_back_to_the_nearest_ancestor() -> None:
    _, positions = load_document("a:\n  b: 1\n", "f.yaml")
    assert positions.at(("a", "b", "missing", 3)) == Location("f.yaml", 2, 6)
    assert positions.at(("a", "b"), key=True) == Location("f.yaml", 2, 3)
    assert positions.at(("nothing",)) == Location("f.yaml", 1, 1)


def test_format_path() -> None:
    assert format_path(("spec", "clusters", 2, "nodePools", 0, "serverType")) == (
        "spec.clusters[2].nodePools[0].serverType"
    )
    assert format_path(()) == ""
    assert format_path((0, "a")) == "[0].a"


def test_merge_keys_load_and_fall_back_to_the_mapping_position() -> None:
    data, positions = load_document("base: &b {p: 1}\nuse:\n  <<: *b\n  q: 2\n", "f.yaml")
    assert data["use"] == {"p": 1, "q": 2}
    assert positions.at(("use", "q")) == Location("f.yaml", 4, 6)
    assert positions.at(("use", "p")).line in (2, 3)


def test_tagged_collections_load_without_positions_inside() -> None:
    data, positions = load_document("a: !custom [1, 2]\nb: !!omap [{k: v}]\n", "f.yaml")
    assert data == {"a": [1, 2], "b": {"k": "v"}}
    assert positions.at(("a", 1)) == Location("f.yaml", 1, 4)


# --- scalars -------------------------------------------------------------------------------


def test_dates_become_iso_strings() -> None:
    data, _ = load_document("day: 2024-03-01\nwhen: 2024-03-01T10:20:30Z\n", "f.yaml")
    assert data == {"day": "2024-03-01", "when": "2024-03-01T10:20:30+00:00"}


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("true", True),
        ("false", False),
        ("0o17", 15),
        ("017", 17),
        ("1.30", 1.3),
        ('"1.30"', "1.30"),
        ("~", None),
    ],
)
def test_yaml_1_2_scalars(written: str, value: Any) -> None:
    data, _ = load_document(f"v: {written}\n", "f.yaml")
    assert data == {"v": value}
    assert type(data["v"]) is type(value)


@pytest.mark.parametrize(
    "text",
    [
        "a:\n  b: 1\n? \n  c: [1]\n",  # found by test_cli_fuzz: ruamel failed to hash the key
        "? [a, b]\n: 1\n",
        "? {a: 1}\n: 2\n",
    ],
)
def test_collections_as_keys_are_refused_where_they_are(text: str) -> None:
    location, message = refused(text)
    assert location.line == (4 if text.startswith("a:") else 1)  # where the key starts
    assert message == "a mapping key must be a plain value, not a list or mapping"


def test_non_string_keys_become_strings() -> None:
    data, _ = load_document("1: a\n2.5: b\n~: c\n", "f.yaml")
    assert data == {"1": "a", "2.5": "b", "None": "c"}


# --- what is refused -----------------------------------------------------------------------


def test_aliases_that_stay_small_are_fine() -> None:
    data, _ = load_document("a: &a [1, 2]\nb: [*a, *a]\n", "f.yaml")
    assert data["b"] == [[1, 2], [1, 2]]


def test_alias_expansion_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: &b [*a, *a, *a, *a, *a]\n"
    # The list under b expands to 1 + 5 * 11 = 56 nodes; the whole document to 1 + 2 + 11 + 56.
    monkeypatch.setattr(yamlio, "MAX_EXPANDED_NODES", 70)
    load_document(text, "f.yaml")
    monkeypatch.setattr(yamlio, "MAX_EXPANDED_NODES", 55)
    location, message = refused(text)
    assert location == Location("f.yaml", 2, 4)  # the anchor of the list that blew up
    assert message == "document expands to more than 55 nodes through aliases; refusing to load it"


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    location, message = refused("a: &a [1, *a]\n")
    assert location.line == 1
    assert "cycle" in message


@pytest.mark.parametrize(
    ("text", "col"),
    [
        ("[" * 5000 + "]" * 5000, yamlio.MAX_DEPTH + 1),  # the first bracket too many
        ("{a: " * 5000 + "}" * 5000, 4 * yamlio.MAX_DEPTH + 1),
        ("- " * 5000 + "x", 2 * yamlio.MAX_DEPTH + 1),
    ],
)
def test_deep_nesting_is_refused_where_it_gets_too_deep(text: str, col: int) -> None:
    """Quickly, too: ruamel's scanner slows quadratically with bracket depth."""
    location, message = refused(text + "\n")
    assert location == Location("f.yaml", 1, col)
    assert message == f"document is nested more than {yamlio.MAX_DEPTH} levels deep"


def test_nesting_up_to_the_limit_is_fine() -> None:
    depth = yamlio.MAX_DEPTH - 1  # the top-level mapping is one level
    data, _ = load_document("a: " + "[" * depth + "]" * depth + "\n", "f.yaml")
    assert isinstance(data["a"], list)


def test_large_documents_without_aliases_are_not_blamed_on_aliases(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(yamlio, "MAX_EXPANDED_NODES", 10)
    _, message = refused("a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n")
    assert message == "document expands to more than 10 nodes; refusing to load it"


def test_ruamel_warnings_stay_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    """Valid input ruamel merely warns about; the warnings would be errors under pytest."""
    data, _ = load_document("%YAML 1.1\n---\na: &x 1e3\nb: &x 2\nc: *x\n", "f.yaml")
    assert data == {"a": 1000.0, "b": 2, "c": 2}
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("text", ["", " \n\t\n"])
def test_empty_input(text: str) -> None:
    assert refused(text) == (Location("f.yaml", 1, 1), "file is empty")


def test_only_comments() -> None:
    location, message = refused("# nothing yet\n")
    assert location == Location("f.yaml", 1, 1)
    assert "no YAML document" in message


def test_syntax_error_is_one_line_with_where_the_construct_began() -> None:
    location, message = refused("a: [1, 2\nb: 3\n")
    assert location == Location("f.yaml", 2, 2)
    assert message.startswith("YAML syntax error: ")
    assert "starts at line 1, column 4" in message


def test_duplicate_keys_are_refused_at_the_second() -> None:
    location, message = refused("a: 1\nb: 2\na: 3\n")
    assert location == Location("f.yaml", 3, 1)
    assert 'duplicate key "a"' in message


def test_a_second_document_is_refused() -> None:
    location, message = refused("a: 1\n---\nb: 2\n")
    assert location == Location("f.yaml", 2, 1)
    assert "one YAML document" in message


def test_undefined_alias() -> None:
    location, message = refused("a: *nope\n")
    assert location == Location("f.yaml", 1, 4)
    assert "undefined alias" in message


def test_control_character_is_located() -> None:
    location, message = refused("a: b\nc: d\x07e\n")
    assert location == Location("f.yaml", 2, 5)
    assert message == "character U+0007 is not allowed in YAML; remove it"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_lines_are_counted_as_yaml_counts_them(newline: str) -> None:
    text = newline.join(["a: 1", "b: 2", "c: \x01"]) + newline
    assert refused(text)[0] == Location("f.yaml", 3, 4)
    text = newline.join(["a: 1", "b: [2", "c: 3"]) + newline
    location, message = refused(text)
    assert location.line == 3
    assert "starts at line 2, column 4" in message


# --- reading files -------------------------------------------------------------------------


def test_read_text_reports_the_character_column_of_a_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    # Two two-byte characters precede the bad byte: column 6 in an editor, byte 8.
    path.write_bytes("a: b\nc: éé".encode() + b"\xfe\n")
    with pytest.raises(UserError) as caught:
        read_text(path)
    (problem,) = caught.value.problems
    assert problem.location == Location(str(path), 2, 6)
    assert problem.message == "byte 0xfe is not valid UTF-8; save the file as UTF-8"


def test_read_text_refuses_a_directory_and_a_missing_file(tmp_path: Path) -> None:
    for path, message in [
        (tmp_path, "is a directory, expected a YAML file"),
        (tmp_path / "nope.yaml", "no such file"),
    ]:
        with pytest.raises(UserError) as caught:
            read_text(path)
        assert str(caught.value) == f"{path}: {message}"


def test_read_text_refuses_large_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "MAX_BYTES", 10)
    assert read_text(write(tmp_path / "ok.yaml", "a: 123456\n")) == "a: 123456\n"
    big = write(tmp_path / "big.yaml", "a: 1234567\n")
    with pytest.raises(UserError, match="larger than the limit of 10 bytes"):
        read_text(big)


# --- dumping -------------------------------------------------------------------------------

DOCS: list[dict[str, Any]] = [
    {
        "spec": {"replicas": 2, "template": {"script": "set -e\necho hi\n"}},
        "status": {},
        "metadata": {"labels": {"app": "x"}, "namespace": "ns", "name": "x"},
        "kind": "Deployment",
        "apiVersion": "apps/v1",
    },
    {"data": {"yes": "yes", "version": "1.30"}, "kind": "ConfigMap", "apiVersion": "v1",
     "metadata": {"name": "c"}},
]  # fmt: skip


def test_dump_all_orders_the_usual_keys_first() -> None:
    text = dump_all(DOCS)
    first = text.split("---\n")[0]
    top = [line.split(":")[0] for line in first.splitlines() if line and not line[0].isspace()]
    assert top == ["apiVersion", "kind", "metadata", "spec", "status"]
    assert first.index("  name: x") < first.index("  namespace: ns") < first.index("  labels:")


def test_dump_all_writes_multi_line_strings_as_block_literals() -> None:
    text = dump_all(DOCS)
    assert "    script: |\n      set -e\n      echo hi\n" in text


def test_dump_all_is_deterministic_and_round_trips() -> None:
    text = dump_all(DOCS)
    assert dump_all(DOCS) == text
    assert text.count("---\n") == 1
    assert list(load_all_plain(text)) == DOCS
    # Strings that YAML would read as something else stay strings.
    assert "'yes': 'yes'" in text
    assert "version: '1.30'" in text


def test_dump_all_leaves_its_input_alone() -> None:
    before = repr(DOCS)
    dump_all(DOCS)
    assert repr(DOCS) == before


def test_a_collection_tag_on_the_wrong_kind_of_node_is_refused() -> None:
    for tag, needs in (("!!set", "a mapping"), ("!!omap", "a list"), ("!!pairs", "a list")):
        with pytest.raises(UserError, match=f"needs {needs}"):
            load_document(f"{tag} apiVersion: x\n", "c.yaml")


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("!!omap piVersion: gitops-gen/v1alpha1\nkind: Catalogue\n", (1, 1)),
        ("a:\n  b: !!set [1]\n", (2, 6)),
        ("a: !!int {x: 1}\n", (1, 4)),
        ("a: !!float x\n", (1, 1)),
        ("a: !!binary 'zz'\n", (1, 4)),
    ],
)
def test_a_tag_that_does_not_fit_its_value_is_a_user_error(text: str, at: tuple[int, int]) -> None:
    with pytest.raises(UserError) as raised:
        load_document(text, "c.yaml")
    (problem,) = raised.value.problems
    assert (problem.location.line, problem.location.col) == at


def test_a_lone_surrogate_names_its_line() -> None:
    with pytest.raises(UserError) as raised:
        load_document('a: 1\nb: ["ok", "x\\ud800"]\n', "c.yaml")
    (problem,) = raised.value.problems
    assert str(problem).startswith("c.yaml:2:11: b[1]: U+D800 is half of a UTF-16 surrogate")
