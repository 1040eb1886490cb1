"""The fast YAML writer gives, byte for byte, what libyaml's emitter gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.fastdump import dump_all
from generator.yamlio import dump_all as libyaml_dump_all

# Words YAML 1.1 reads as something else, indicators, and the layouts libyaml varies.
AWKWARD = [
    "yes", "No", "on", "~", "null", "", "0", "0x1F", "017", "1_000", "1:30", "1.30", ".inf",
    "2001-12-14", "<<", "=", "-", "---", "...", "a: b", "a:", "a #b", "#a", "@a", "`a", "%a",
    "!a", "&a", "*a", "|a", ">a", "'a", '"a', "?a", "- a", " a", "a ", "a\tb", "it's",
    "a\nb", "a\n", "a\n\n", "\n", "\na", " a\nb", "a \nb", "a\r\nb", "a\u2028b", "a\u2028b ",
    "ü", "a\x85b", "[a]", "{a}", "a, b", "$values/x/{{ .name }}", "https://example.com/x?y=1#z",
    "x" * 200, " ".join(["word"] * 300),
]  # fmt: skip


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_strings_as_values_keys_and_list_items(text: str) -> None:
    # One document per call: a document only libyaml may write takes the others with it.
    for document in (
        {"kind": "A", "value": text, "list": [text, [text], {"k": text}], "empty": {}, "no": []},
        {"a": {"b": {"c": text}}},
        {text or "k": {"nested": 1}},
        [text, {"k": [text]}],
    ):
        assert dump_all([document]) == libyaml_dump_all([document])


def test_other_scalars_and_a_long_key() -> None:
    documents: list[Any] = [
        {"f": 1.5, "n": None, "i": -3, "b": True, "t": (1, "a"), "inf": float("-inf")},
        {"k" * 129: 1},
        {},
        "text",
    ]
    assert dump_all(documents) == libyaml_dump_all(documents)


_scalars = st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none())
_data = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=8), _data, min_size=1, max_size=4), max_size=3))
def test_any_plain_data(documents: list[Any]) -> None:
    assert dump_all(documents) == libyaml_dump_all(documents)
