"""The fast values loader reads every document exactly as the positioned YAML 1.2 loader does."""

from __future__ import annotations

import pytest

from generator import fastyaml
from generator.errors import UserError
from generator.fastyaml import load_plain, load_positioned
from generator.yamlio import load_document

DOCUMENTS = [
    "a: 1\nb: [x, 512Mi, 100m, -Xmx1g]\nc: {d: true, e: ~, f: 1.5, g: ''}\n",
    "flags: [yes, no, on, off, y, n, Yes, NO]\n",
    "numbers: [010, 0o17, 0x1F, 1_000, 1e3, 1.0e+3, .5, 1., .inf, -.Inf, .nan, 1:30]\n",
    "when: 2024-01-02\nat: 2024-01-02T03:04:05Z\n",
    "quoted: ['true', \"1\", '010', 'yes']\n",
    "base: &b {x: 1}\nother: *b\nmerged: {<<: *b, y: 2}\n",
    "tagged: !!binary aGk=\nset: !!set {a: null}\n",
    "keys: {2: two, true: yes, null: nothing}\n",
    "text: |\n  line one\n  line two\nfolded: >\n  a\n  b\n",
    "%YAML 1.1\n---\nflag: yes\n",
    "~\n",
    "- 1\n- two\n",
    "nested: {a: {b: {c: [1, {d: -1}]}}}\n",
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_reads_like_the_positioned_loader(text: str) -> None:
    assert load_plain(text, "v.yaml") == load_document(text, "v.yaml")[0]


@pytest.mark.parametrize(
    ("text", "where"),
    [("a: 1\na: 2\n", "v.yaml:2:1"), ("a: [1\n", "v.yaml:2:1"), ("", "v.yaml:1:1")],
    ids=["duplicate-key", "syntax", "empty"],
)
def test_errors_carry_the_positioned_loaders_line_and_column(text: str, where: str) -> None:
    with pytest.raises(UserError) as caught:
        load_plain(text, "v.yaml")
    with pytest.raises(UserError) as expected:
        load_document(text, "v.yaml")
    assert str(caught.value) == str(expected.value)
    assert where in str(caught.value)


POSITIONED = [
    *DOCUMENTS,
    "# a comment\n---\nspec:\n  clusters:\n    - {name: a, count: 3}\n    - name: b\n"
    "      pools: [{name: p, size: '1'}]\n",
    "a:\nb: 1\n",
    "x:\n  a:\nb: {c: , d}\n",
    "a: 1\r\nb:\r\n  - 'x'\r\n  - \"y\\tz\"\r\n",
    "text: a\n  folded\n\n  plain\nnext: |-\n    kept\n",
    "ü: ✓\nlong: " + "x" * 5000 + "\n",
    "? explicit\n: key\n",
    "line\u2028break: 1\n",
]


@pytest.mark.parametrize("text", POSITIONED)
def test_positions_are_the_positioned_loaders(text: str) -> None:
    data, positions = load_positioned(text, "c.yaml")
    expected, where = load_document(text, "c.yaml")
    assert data == expected
    assert [type(v) for v in _leaves(data)] == [type(v) for v in _leaves(expected)]
    assert (positions.values, positions.keys) == (where.values, where.keys)


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


@pytest.mark.parametrize(
    "text",
    ["a: 1\na: 2\n", "a: [1\n", "", "# only\n", "a: 1\n---\nb: 2\n", "[" * 100_000, "tab:\t1\n"],
    ids=["duplicate-key", "syntax", "empty", "no-document", "two-documents", "deep", "tab"],
)
def test_refusals_are_the_positioned_loaders(text: str) -> None:
    with pytest.raises(UserError) as caught:
        load_positioned(text, "c.yaml")
    with pytest.raises(UserError) as expected:
        load_document(text, "c.yaml")
    assert str(caught.value) == str(expected.value)


def test_a_plain_catalogue_is_read_without_the_slow_loader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(text: str, display: str) -> None:
        raise AssertionError("the positioned loader ran")

    monkeypatch.setattr(fastyaml, "load_document", refuse)
    text = POSITIONED[len(DOCUMENTS)]
    data, positions = load_positioned(text, "c.yaml")
    assert data["spec"]["clusters"][1]["pools"][0]["size"] == "1"
    assert positions.at(("spec", "clusters", 1, "pools", 0, "size")).line == 7
