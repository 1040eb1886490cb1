"""The fast values loader reads every document exactly as the positioned YAML 1.2 loader does."""

from __future__ import annotations

import pytest

from generator.errors import UserError
from generator.fastyaml import load_plain
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
