"""Multi-document YAML with the position of every node, for linting files people wrote.

The exact reading is libyaml's YAML 1.1 (generator/exactdocs.py), as `kubectl` and most tools
read manifests. Composing is most of the cost of `lint`, so documents are first read with
yaml_rs (Rust, a tenth of the time) and their positions looked up in the text only when a
finding needs them (generator/textpositions.py). yaml_rs reads YAML 1.2, so a document whose
text holds a plain scalar the two versions may read differently (`on`, `0777`, `1e3`, a date,
`=`, `<<`), an anchor, a tag or a non-text key is read the exact way; a file yaml_rs refuses (a
syntax error, a duplicate key) is read the exact way as a whole, which reports the error or the
duplicate.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

import yaml_rs

from generator.docpaths import DocPath, Positions
from generator.errors import Location
from generator.textpositions import TextPositions


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


def load_documents(text: str, display: str) -> tuple[list[Document], ParseError | None]:
    """Every document up to the first syntax error, and that error if there is one."""
    docs = _fast_documents(text, display)
    if docs is None:
        from generator.exactdocs import exact_documents  # libyaml: loaded when a file needs it

        return exact_documents(text, display)
    return docs, None


# Lines that open or end a document, or hold a directive. The text is searched with a line break
# in front, so that every line, the first too, follows one: a literal start is what the
# regular-expression engine finds fastest.
_MARKS = re.compile(r"\n---([^\n]*)")
_ENDS = re.compile(r"\n(?:\.\.\.(?:[ \t\n]|$)|%)")
# Line breaks YAML 1.1 knows and YAML 1.2 does not, a byte-order mark, and characters libyaml
# refuses (yaml_rs takes them): such text is read the exact way. Compiled only when a text is
# not ASCII: its ranges take 3 ms to compile, which most lint runs need not spend.
_FOREIGN = (
    "[\\x85\\u2028\\u2029\\ufeff]"
    "|[^\\t\\n\\x20-\\x7e\\xa0-\\ud7ff\\ue000-\\ufffd\\U00010000-\\U0010ffff]"
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
    return re.search(_FOREIGN, text) is not None  # re keeps the compiled pattern


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
    from generator.exactdocs import exact_documents

    start, end, line = span
    docs, error = exact_documents("\n" * (line - 1) + text[start:end], display)
    return docs[0] if len(docs) == 1 and error is None else None
