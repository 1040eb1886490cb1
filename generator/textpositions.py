"""Positions of a document's nodes found in its text when a finding asks, not recorded up front.

Recording every node's line and column means composing the whole node graph, which costs ten
times what reading the values costs. A finding names a path, and the document's value already
says which keys and items exist and in which order; in block-style YAML the n-th key of a mapping
indented k columns is the n-th line indented exactly k columns inside it. So a path is located
with a few regular-expression searches. Anything this does not model (flow collections, quoted
scalars that span lines, tabs, quoted or non-text keys, a count that does not add up) is handed
to `exact`, which composes the document as the positioned loader does: the answer is the same
either way, only the cost differs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from generator.docpaths import DocPath, Positions
from generator.errors import Location

# Text in which lines do not tell the structure: tabs, a quoted scalar or a flow collection left
# open at the end of its line, a comment-like `#` or bracket inside one (all over-approximated).
_UNMODELLED = re.compile(
    r"\t"
    r"""|(?:^|[ :\[{,])"(?:[^"\\\n]|\\.)*\\?$"""
    r"|(?:^|[ :\[{,])'(?:[^'\n]|'')*$"
    r"|[\[{][^\n\]}]*$",
    re.M,
)
# Every branch of `_UNMODELLED` needs one of these characters and stays within one line, so only
# the lines holding one are searched: scanning whole documents with it was most of the cost.
_SUSPECT = re.compile(r"[\t\"'\[{]")
_CONTENT_LINE = re.compile(r"^( *)(?=[^ \n#])", re.M)


def _modelled(text: str, start: int, end: int) -> bool:
    """Whether `_UNMODELLED` finds nothing between `start` and `end`."""
    checked = start
    for hit in _SUSPECT.finditer(text, start, end):
        if hit.start() < checked:
            continue
        line_end = text.find("\n", hit.start(), end)
        checked = end if line_end < 0 else line_end + 1
        line_start = max(start, text.rfind("\n", 0, hit.start()) + 1)
        if _UNMODELLED.search(text, line_start, checked):
            return False
    return True


@cache
def _keys_at(indent: int) -> re.Pattern[str]:
    """Lines that start a key of a block mapping indented `indent` columns."""
    return re.compile(rf"^ {{{indent}}}(?=[^ \n#])(?!-(?: |$))", re.M)


@cache
def _mapping_end(indent: int) -> re.Pattern[str]:
    """The first line of content indented less than `indent` columns."""
    return re.compile(rf"^ {{0,{indent - 1}}}[^ \n#]", re.M)


@cache
def _entries_at(indent: int) -> re.Pattern[str]:
    """Lines that start an entry of a block sequence indented `indent` columns."""
    return re.compile(rf"^ {{{indent}}}-(?= |$)", re.M)


@cache
def _sequence_end(indent: int) -> re.Pattern[str]:
    """The first line of content indented less than `indent`, or as much but not an entry."""
    less = rf" {{0,{indent - 1}}}[^ \n#]|" if indent else ""
    return re.compile(rf"^(?:{less} {{{indent}}}(?!-(?: |$))[^ \n#])", re.M)


# Where the line model placed each path, by document text: overlays of many clusters repeat
# documents word for word, and a document's text alone decides where its nodes stand
# (counted from its first line). Bounded: a long-lived process reads many inputs.
_ANSWERS: dict[str, dict[tuple[DocPath, bool], tuple[int, int]]] = {}
_MAX_TEXTS = 4096


def _answers(document: str) -> dict[tuple[DocPath, bool], tuple[int, int]]:
    found = _ANSWERS.get(document)
    if found is None:
        if len(_ANSWERS) >= _MAX_TEXTS:
            _ANSWERS.clear()
        found = _ANSWERS[document] = {}
    return found


class _Unmodelled(Exception):
    """The text does not have the shape the line model reads; compose it instead."""


class TextPositions(Positions):
    """`Positions` of one document of `text` (offsets `start` to `end`, first line `line`)."""

    def __init__(
        self,
        file: str,
        text: str,
        span: tuple[int, int, int],
        body: Any,
        exact: Callable[[], Positions],
    ) -> None:
        super().__init__(file)
        self.text = text
        self.start, self.end, self.line = span
        self.body = body
        self.exact = exact
        self.composed: Positions | None = None
        self.modelled: bool | None = None
        self.answers: dict[tuple[DocPath, bool], tuple[int, int]] | None = None
        self.nodes: dict[DocPath, tuple[int | None, int]] = {}
        self.children: dict[int, list[int]] = {}

    def at(self, path: DocPath, *, key: bool = False) -> Location:
        if self.composed is None:
            if self.answers is None:
                self.answers = _answers(self.text[self.start : self.end])
            found = self.answers.get((path, key))
            if found is not None:
                return Location(self.file, self.line + found[0], found[1])
            if self.modelled is None:
                self.modelled = _modelled(self.text, self.start, self.end)
            if self.modelled:
                try:
                    key_at, value_at = self._node(self._deepest(path))
                    lines, col = self._relative(key_at if key and key_at is not None else value_at)
                    self.answers[(path, key)] = (lines, col)
                    return Location(self.file, self.line + lines, col)
                except _Unmodelled:
                    pass
            self.composed = self.exact()
        return self.composed.at(path, key=key)

    def _deepest(self, path: DocPath) -> DocPath:
        """The longest prefix of `path` that names a node of the document."""
        value = self.body
        for depth, part in enumerate(path):
            named = isinstance(value, dict) and isinstance(part, str) and part in value
            if not named and not (
                isinstance(value, list) and type(part) is int and 0 <= part < len(value)
            ):
                return path[:depth]
            value = value[part]
        return path

    def _relative(self, offset: int) -> tuple[int, int]:
        """(lines below the document's first line, column) of `offset`."""
        text = self.text
        return text.count("\n", self.start, offset), offset - text.rfind("\n", 0, offset)

    def _node(self, path: DocPath) -> tuple[int | None, int]:
        """(offset of its key if a mapping holds it, offset of the node) for an existing path."""
        found = self.nodes.get(path)
        if found is not None:
            return found
        if not path:
            match = _CONTENT_LINE.search(self.text, self.start, self.end)
            if match is None:
                raise _Unmodelled
            found = (None, match.end())
        else:
            parent = self._value(path[:-1])
            _, at = self._node(path[:-1])
            part = path[-1]
            if isinstance(parent, dict):
                found = self._in_mapping(at, parent, str(part))
            else:
                found = (None, self._in_sequence(at, parent, int(part)))
        self.nodes[path] = found
        return found

    def _value(self, path: DocPath) -> Any:
        value = self.body
        for part in path:
            value = value[part]
        return value

    def _column(self, offset: int) -> int:
        return offset - self.text.rfind("\n", 0, offset) - 1

    def _line_end(self, offset: int) -> int:
        found = self.text.find("\n", offset, self.end)
        return self.end if found < 0 else found + 1

    def _in_mapping(self, at: int, mapping: dict[str, Any], name: str) -> tuple[int, int]:
        text = self.text
        if text[at] in "{[":
            raise _Unmodelled
        index = list(mapping).index(name)
        if index == 0:
            key_at = at
        else:
            indent = self._column(at)
            end = _mapping_end(indent) if indent else None
            key_at = self._later(at, len(mapping), end, _keys_at(indent), 0)[index - 1]
        colon = key_at + len(name)
        if not text.startswith(name, key_at) or not text.startswith(":", colon):
            raise _Unmodelled
        if colon + 1 < len(text) and text[colon + 1] not in " \n":
            raise _Unmodelled
        return key_at, self._after_indicator(colon, mapping[name], self._column(key_at), True)

    def _in_sequence(self, at: int, items: list[Any], index: int) -> int:
        text = self.text
        if text[at] != "-":
            raise _Unmodelled
        indent = self._column(at)
        if index == 0:
            entry = at
        else:
            ends = _sequence_end(indent)
            entry = self._later(at, len(items), ends, _entries_at(indent), -1)[index - 1]
        return self._after_indicator(entry, items[index], indent, False)

    def _later(
        self,
        at: int,
        count: int,
        end: re.Pattern[str] | None,
        starts: re.Pattern[str],
        shift: int,
    ) -> list[int]:
        """Offsets of the children after the first of the `count` of a collection at `at`: the
        lines `starts` finds below its first line and before the line `end` finds."""
        found = self.children.get(at)
        if found is None:
            after = self._line_end(at)
            stop = end.search(self.text, after, self.end) if end else None
            until = stop.start() if stop else self.end
            found = [m.end() + shift for m in starts.finditer(self.text, after, until)]
            if len(found) != count - 1:
                raise _Unmodelled
            self.children[at] = found
        return found

    def _after_indicator(self, indicator: int, value: Any, indent: int, in_mapping: bool) -> int:
        """Where the node after a `:` or `-` at `indicator` starts, on its line or below."""
        text = self.text
        line_end = self._line_end(indicator)
        inline = indicator + 1
        while inline < line_end and text[inline] == " ":
            inline += 1
        if inline < line_end and text[inline] not in "#\n":
            if isinstance(value, dict | list) and text[inline] not in "{[" and in_mapping:
                raise _Unmodelled
            return inline
        below = _CONTENT_LINE.search(text, line_end, self.end)
        if below is not None:
            depth = len(below.group(1))
            # A mapping's sequence may stand at the mapping's own indentation.
            level = in_mapping and isinstance(value, list)
            level = level and _entries_at(indent).match(text, below.start()) is not None
            if depth > indent or (depth == indent and level):
                return below.end()
        if value is None:
            return indicator + 1
        raise _Unmodelled
