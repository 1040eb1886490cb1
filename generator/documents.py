"""Multi-document YAML with the position of every node, for linting files people wrote.

The exact reading is libyaml's YAML 1.1 (PyYAML's safe loader, as `kubectl` and most tools
read manifests): libyaml composes the node graph and keeps each node's mark; the plain values
are built from it here, so positions cost one dict entry per node. Duplicate mapping keys, which
PyYAML would silently collapse to the last value, are recorded instead of lost.

Composing is most of the cost of `lint`, so documents are first read with yaml_rs (Rust, a
tenth of the time) and their positions looked up in the text only when a finding needs them
(generator/textpositions.py). yaml_rs reads YAML 1.2, so a document whose text holds a plain
scalar the two versions may read differently (`on`, `0777`, `1e3`, a date, `=`, `<<`), an
anchor, a tag or a non-text key is read the exact way; a file yaml_rs refuses (a syntax error,
a duplicate key) is read the exact way as a whole, which reports the error or the duplicate.
"""

from __future__ import annotations

import datetime
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

import yaml
import yaml_rs
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.errors import Location
from generator.textpositions import TextPositions
from generator.yamlio import MAX_DEPTH, DocPath, Positions


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML 1.1 resolves a bare `=` to a "value" tag no constructor handles; it is a string."""


_Loader.add_constructor("tag:yaml.org,2002:value", yaml.SafeLoader.construct_yaml_str)


@dataclass
class Document:
    """One YAML document of a file: its value, where its nodes are, and its duplicate keys."""

    body: Any
    positions: Positions
    line: int
    duplicates: list[tuple[DocPath, Location]] = field(default_factory=list)


@dataclass(frozen=True)
class ParseError:
    location: Location
    message: str


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, positions: Positions) -> None:
        self.loader = loader
        self.positions = positions
        self.duplicates: list[tuple[DocPath, Location]] = []
        self.depth = 0

    def build(self, node: Node, path: DocPath) -> Any:
        mark = node.start_mark
        self.positions.values[path] = (mark.line + 1, mark.column + 1)
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        value = self._scalar(node)
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, bytes):
            return node.value
        return value

    def _scalar(self, node: Node) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:
            # A local tag (`!secret x`) is for some other tool; the text is what Kubernetes sees.
            return node.value

    def _mapping(self, node: MappingNode, path: DocPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = self.build(value_node, path)
                sources = merged if isinstance(merged, list) else [merged]
                for source in sources:
                    if isinstance(source, dict):
                        for k, v in source.items():
                            out.setdefault(k, v)
                continue
            if not isinstance(key_node, ScalarNode):
                # `{{ value }}` is a mapping keyed by a mapping in YAML: an unrendered template.
                raise yaml.MarkedYAMLError(
                    problem="a list or mapping used as a key (an unrendered template?)",
                    problem_mark=key_node.start_mark,
                )
            key = self._scalar(key_node)
            name = str(key)
            child = (*path, name)
            mark = key_node.start_mark
            if name in out:
                self.duplicates.append(
                    (child, Location(self.positions.file, mark.line + 1, mark.column + 1))
                )
            self.positions.keys[child] = (mark.line + 1, mark.column + 1)
            out[name] = self.build(value_node, child)
        return out


def load_documents(text: str, display: str) -> tuple[list[Document], ParseError | None]:
    """Every document up to the first syntax error, and that error if there is one."""
    docs = _fast_documents(text, display)
    if docs is None:
        return exact_documents(text, display)
    return docs, None


# libyaml's composer recurses in C once per nesting level and kills the process some ten
# thousand levels down. Brackets, deep indentation and runs of compact entries are the only
# ways to nest that far; text with few of them is bounded far below it and composed at once.
_NESTING = re.compile(r"^ {128}|(?:[-?] ){16}", re.M)


def too_deep(text: str) -> tuple[int, int] | None:
    """The line and column where `text` first nests collections more than MAX_DEPTH levels,
    if it does; the parser's events are counted, which does not recurse."""
    if text.count("[") + text.count("{") <= MAX_DEPTH and _NESTING.search(text) is None:
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                mark = event.start_mark
                if depth > MAX_DEPTH and mark is not None:
                    return mark.line + 1, mark.column + 1
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass  # the composer reports the error itself, from the same place
    return None


def exact_documents(text: str, display: str) -> tuple[list[Document], ParseError | None]:
    """`load_documents` through libyaml's composer alone, every position recorded up front."""
    deep = too_deep(text)
    if deep is not None:
        where = Location(display, *deep)
        return [], ParseError(where, f"document is nested more than {MAX_DEPTH} levels deep")
    docs: list[Document] = []
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            positions = Positions(display)
            builder = _Builder(loader, positions)
            body = builder.build(node, ())
            docs.append(Document(body, positions, node.start_mark.line + 1, builder.duplicates))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (
            Location(display, mark.line + 1, mark.column + 1) if mark else Location(display, 1, 1)
        )
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        return docs, ParseError(where, f"YAML syntax error: {problem}")
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        return docs, ParseError(
            Location(display, 1, 1), f"YAML error: {' '.join(str(exc).split())}"
        )
    finally:
        loader.dispose()
    return docs, None


# Lines that open or end a document, or hold a directive. The text is searched with a line break
# in front, so that every line, the first too, follows one: a literal start is what the
# regular-expression engine finds fastest.
_MARKS = re.compile(r"\n---([^\n]*)")
_ENDS = re.compile(r"\n(?:\.\.\.(?:[ \t\n]|$)|%)")
# Line breaks YAML 1.1 knows and YAML 1.2 does not, a byte-order mark, and characters libyaml
# refuses (yaml_rs takes them): such text is read the exact way.
_FOREIGN = re.compile(
    "[\\x85\\u2028\\u2029\\ufeff]|[^\\t\\n\\x20-\\x7e\\xa0-\\ud7ff\\ue000-\\ufffd\\U00010000-\\U0010ffff]"
)
_PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\n"
# A plain scalar that YAML 1.1 and yaml_rs may read differently, or that is a key but not text:
# a 1.1 boolean, anything shaped like a number in any base, with exponents or underscores
# (yaml_rs reads `_1` and `1e_3` as numbers), sexagesimals, infinities and NaN, a date, `=`,
# `<<`; also anchors, aliases, tags and complex keys. Only the numbers both read alike (`3`,
# `-1`, `0.5`) and dotted versions (`1.20.0`, text to both) pass, and numbers only as values.
_END = r" *(?:#|:(?: |$)|[,\]}]|$)"
_AGREED = r"-?(?:0|[1-9][0-9]{0,15})(?:\.[0-9]{1,15})?"
_TOKEN = (
    r"(?=[-+._0-9yYnNoOtTfF=<~&*!?:])(?:"
    rf"(?:[yY]es|YES|[nN]o|NO|[oO]n|ON|[oO]ff|OFF|=|<<){_END}"
    rf"|(?!(?:{_AGREED}|[0-9]+(?:\.[0-9]+){{2,}}) *(?:#|[,\]}}]|$))"
    rf"[-+]?(?:[._]*[0-9](?:[xX][0-9a-fA-F_.]*|[0-9_:.oObBeE+-]*)|\.(?:[iI]nf|INF|[nN]a[nN]|NAN)){_END}"
    r"|[0-9]{4}-[0-9]"
    rf"|(?:{_AGREED}|[tT]rue|TRUE|[fF]alse|FALSE|[nN]ull|NULL|~)? *:(?: |$)"
    r"|[&*!]|\?(?: |$))"
)
# Where a plain scalar can start: after a key, an entry, a line break, or inside a flow
# collection; and a flow collection used as a key. Lines indented 100 columns or opening eight
# lists read as nesting hundreds deep, which the composer refuses (and yaml_rs, past some ten
# thousand levels, crashes on): flow nesting alone stops at 256 levels in yaml_rs.
_DISPUTED = tuple(
    re.compile(pattern, re.M)
    for pattern in (
        rf": ++{_TOKEN}",
        rf"- ++(?:{_TOKEN}|(?:- +){{7}}-)",
        rf"\n(?: {{100}}| *+{_TOKEN})",
        rf"\[(?<=[ \n\[{{,]\[) *{_TOKEN}",
        rf"\{{(?<=[ \n\[{{,]\{{)(?: *{_TOKEN}|\s*[\[{{])",
        rf",(?: *{_TOKEN}|\s*[\[{{])",
        r"\] *:(?: |$)",
        r"\} *:(?: |$)",
        r"\t",
    )
)
_CONTENT = re.compile(r"\n *[^ \n#]")


def _foreign(text: str) -> bool:
    if text.isascii():
        return bool(text.encode().translate(None, _PRINTABLE))
    return _FOREIGN.search(text) is not None


def _fast_documents(text: str, display: str) -> list[Document] | None:
    """The documents as the exact reading gives them, or None to read the file that way."""
    if _foreign(text):
        return None
    lined = "\n" + text  # offset i of `text` is offset i + 1 of `lined`
    if ("\n..." in lined or "\n%" in lined) and _ENDS.search(lined):
        return None
    spans: list[tuple[int, int]] = []
    start = 0
    for mark in _MARKS.finditer(lined):
        if mark.group(1).strip(" "):
            return None
        spans.append((start, mark.start()))
        start = mark.end()
    spans.append((start, len(text)))
    # A match's last character is on the line of what it found, inside that line's document.
    disputed = sorted(m.end() - 2 for pattern in _DISPUTED for m in pattern.finditer(lined))
    docs: list[Document] = []
    line = 1
    previous = 0
    for index, (start, end) in enumerate(spans):
        line += text.count("\n", previous, start)
        previous = start
        content = _CONTENT.search(lined, start, end + 1)
        if content is None and index == 0:
            continue  # comments before the first `---` are no document
        span = (start, end, line)
        first = bisect_left(disputed, start)
        # A block scalar that ends the file without a line break loses its last break in
        # YAML 1.1 and keeps it in YAML 1.2.
        unended = end == len(text) and not text.endswith("\n")
        if content is None or unended or (first < len(disputed) and disputed[first] < end):
            doc = _exact_document(text, span, display)
            if doc is None:
                return None
            docs.append(doc)
            continue
        try:
            body = yaml_rs.loads(text[start:end], parse_datetime=False)
        except (yaml_rs.YAMLDecodeError, ValueError, RecursionError):
            return None

        def exact(span: tuple[int, int, int] = span) -> Positions:
            doc = _exact_document(text, span, display)
            return doc.positions if doc is not None else Positions(display)

        positions = TextPositions(display, text, span, body, exact)
        docs.append(Document(body, positions, line + text.count("\n", start, content.start())))
    return docs


def _exact_document(text: str, span: tuple[int, int, int], display: str) -> Document | None:
    """One document read the exact way, at its lines in the file; None if that fails."""
    start, end, line = span
    docs, error = exact_documents("\n" * (line - 1) + text[start:end], display)
    return docs[0] if len(docs) == 1 and error is None else None
