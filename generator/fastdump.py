"""Rendered YAML written byte for byte as yamlio.dump_all's libyaml emitter writes it, without
building a node object per value.

libyaml itself is fast; the node per value and the tag resolution it asks for are not, and
dumping was the largest part of rendering a fleet. Rendered objects are mappings, lists and
scalars in block style, where the layout is fixed: two spaces per level, a list inside a
mapping not indented, an empty collection as `{}` or `[]`, a multi-line string as a literal
block. Only a scalar's own spelling varies, and YAML's quoting rules and the YAML 1.1 resolver
are subtle: words that are plain by construction are written as they are, every other scalar
is spelled once by libyaml. A document outside that shape (a key too long to be a simple key,
a literal block needing an indentation or keep indicator, a line that could reach libyaml's
4096-column width, a type other than those) is written by libyaml whole.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml
from yaml.resolver import Resolver

from generator.yamlio import canonical
from generator.yamlio import dump_all as libyaml_dump_all

# Characters and shapes libyaml writes plain in block context (its analyze_scalar): printable
# ASCII, no indicator first, no `: `, ` #`, or trailing `:` or space. Whether the resolver reads
# the word back as a string is asked separately; if not, it goes in single quotes.
_PLAIN = re.compile(r"[A-Za-z0-9_./=+~()$^;<\\][ -~]*")
_STR = "tag:yaml.org,2002:str"
_RESOLVER = Resolver()
# Longer spellings and deeper nesting could reach the emitter's width, where it folds lines.
_MAX_SPELLING = 1000
_MAX_COLUMN = 1600
# libyaml's simple-key limit, in UTF-8 bytes.
_MAX_KEY_BYTES = 128
# What libyaml counts as line breaks; inside a literal block it would keep all but \n as they are.
_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")
# Spellings seen, shared between files: most strings recur in every cluster's objects.
_MAX_CACHED = 50_000


class _Fallback(Exception):
    """The document is not one this writer knows libyaml's layout for."""


class _Literal:
    """A multi-line string libyaml writes as a literal block: its header and its lines."""

    __slots__ = ("header", "lines")

    def __init__(self, header: str, lines: list[str]) -> None:
        self.header = header
        self.lines = lines


# A string only libyaml may write, with the rest of its document.
_WHOLE = _Literal("", [])
_spelled: dict[str, str | _Literal] = {}
_keys: dict[str, str] = {}  # "": a key only libyaml may write
_others: dict[tuple[type, Any], str] = {}


def dump_all(documents: list[Any]) -> str:
    """What yamlio.dump_all returns for `documents`."""
    try:
        out: list[str] = []
        for index, document in enumerate(documents):
            if index:
                out.append("---")
            if isinstance(document, Mapping) and document:
                _mapping(canonical(document), 0, "", out)
            elif isinstance(document, list) and document:
                _sequence(document, 0, "", out)
            else:
                raise _Fallback
    except _Fallback:
        return libyaml_dump_all(documents)
    out.append("")
    return "\n".join(out)


def _mapping(value: Mapping[Any, Any], column: int, first: str, out: list[str]) -> None:
    """A non-empty block mapping whose keys start at `column`; `first` is what precedes the
    first key on its line (the indentation, or a list item's dash)."""
    if column > _MAX_COLUMN:
        raise _Fallback
    pad = " " * column
    for key, item in value.items():
        if type(key) is not str:  # keys that str() could make equal: libyaml's way
            raise _Fallback
        _item(item, f"{first}{_keys.get(key) or _key(key)}:", column, False, out)
        first = pad


def _sequence(value: list[Any] | tuple[Any, ...], column: int, first: str, out: list[str]) -> None:
    """A non-empty block sequence whose dashes are at `column`."""
    if column > _MAX_COLUMN:
        raise _Fallback
    pad = " " * column
    for item in value:
        _item(item, f"{first}-", column, True, out)
        first = pad


def _item(item: Any, head: str, column: int, listed: bool, out: list[str]) -> None:
    """`item` after `head`, a key and its colon or (`listed`) a list item's dash, at `column`.
    A list item's collection starts on the dash's line, a mapping value's on the next; a list
    in a mapping is not indented."""
    kind = _KINDS.get(type(item)) or _kind(item)
    if kind == "str":
        _scalar(_spelling(item), head, column, out)
    elif kind == "map" or kind == "seq":
        if not item:
            out.append(f"{head} {{}}" if kind == "map" else f"{head} []")
            return
        if not listed:
            out.append(head)
        if kind == "map":
            _mapping(item, column + 2, f"{head} " if listed else " " * (column + 2), out)
        else:
            inner = column + 2 if listed else column
            _sequence(item, inner, f"{head} " if listed else " " * column, out)
    elif kind == "bool":
        out.append(f"{head} {'true' if item else 'false'}")
    elif kind == "int":
        out.append(f"{head} {item}")
    else:
        _scalar(_other(item), head, column, out)


# How yamlio's representer treats each type: by exact type, as it does for scalars.
_KINDS = {str: "str", dict: "map", list: "seq", tuple: "seq", bool: "bool", int: "int"}


def _kind(item: Any) -> str:
    return "map" if isinstance(item, Mapping) else "other"


def _scalar(spelled: str | _Literal, head: str, column: int, out: list[str]) -> None:
    if type(spelled) is str:
        out.append(f"{head} {spelled}")
        return
    assert isinstance(spelled, _Literal)
    out.append(f"{head} {spelled.header}")
    pad = " " * (column + 2)
    out.extend(pad + line if line else "" for line in spelled.lines)


def _key(text: str) -> str:
    found = _keys.get(text)
    if found is None:
        if len(_keys) > _MAX_CACHED:
            _keys.clear()
        spelled = _spelling(text) if len(text.encode("utf-8")) <= _MAX_KEY_BYTES else _WHOLE
        # libyaml writes a key with any line break as a complex key (`? key`).
        found = _keys[text] = spelled if type(spelled) is str and not _BREAKS.search(text) else ""
    if not found:
        raise _Fallback
    return found


def _spelling(text: str) -> str | _Literal:
    found = _spelled.get(text)
    if found is None:
        if len(_spelled) > _MAX_CACHED:
            _spelled.clear()
        found = _spelled[text] = _spell(text)
    if found is _WHOLE:
        raise _Fallback
    return found


def _spell(text: str) -> str | _Literal:
    if (
        len(text) <= _MAX_SPELLING
        and _PLAIN.fullmatch(text)
        and not text.endswith((" ", ":"))
        and ": " not in text
        and " #" not in text
        and not text.startswith("...")
    ):
        if _resolves_to_str(text):
            return text
        if "'" not in text:
            return f"'{text}'"
    written = libyaml_dump_all([[text]])
    body = written[2:-1]  # "- " … "\n"
    if "\n" not in body:
        # Outside double quotes libyaml writes a line break as it is, then indents.
        fixed = body.startswith('"') or not _BREAKS.search(text)
        return body if fixed and len(body) <= _MAX_SPELLING else _WHOLE
    header, _, _ = body.partition("\n")
    if header not in ("|", "|-") or _OTHER_BREAKS.search(text):
        return _WHOLE
    lines = (text[:-1] if header == "|" else text).split("\n")
    return _Literal(header, lines)


def _resolves_to_str(text: str) -> bool:
    """Whether YAML 1.1 reads `text`, written plain, back as a string (not `yes`, `1.30`, `~`)."""
    resolve: Any = _RESOLVER.resolve  # untyped in PyYAML
    return bool(resolve(yaml.ScalarNode, text, (True, False)) == _STR)


def _other(value: Any) -> str:
    """A float or null as libyaml spells it; any other type goes to libyaml whole."""
    if type(value) not in (float, type(None)):
        raise _Fallback
    key = (type(value), value)
    found = _others.get(key)
    if found is None:
        written = libyaml_dump_all([[value]])
        found = _others[key] = written[2:-1]
    return found
