"""YAML in and out.

Loading keeps the line and column of every node so errors can point at them, and refuses input
that would hurt: files too large, bytes that are not UTF-8, several documents, anchors whose
expansion explodes. Dumping is deterministic and writes manifests the way people do.
"""

from __future__ import annotations

import datetime
import io
import re
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, YAMLError, YAMLWarning
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scanner import RoundTripScanner

from generator.docpaths import MAX_DEPTH, DocPath, Positions, format_path
from generator.errors import Location, UserError

# ruamel parses roughly 150 KB/s; a catalogue of a thousand clusters is far below this.
MAX_BYTES = 1024 * 1024
# Expanded node count past which aliases are treated as an attack, not as reuse.
MAX_EXPANDED_NODES = 200_000

# What YAML (and ruamel's marks) count as a line break; a lone CR is one.
_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def _line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of `text[index]`, counting lines as YAML does."""
    line, start = 1, 0
    for found in _BREAK.finditer(text, 0, index):
        line, start = line + 1, found.end()
    return line, index - start + 1


def read_text(path: Path) -> str:
    """Read a file as UTF-8, refusing oversized and undecodable input with a precise location."""
    display = str(path)
    try:
        # Read one byte past the limit instead of trusting stat(): devices and pipes report 0.
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise UserError.at(Location(display), "is a directory, expected a YAML file") from None
    except FileNotFoundError:
        raise UserError.at(Location(display), "no such file") from None
    except OSError as exc:
        raise UserError.at(Location(display), f"cannot read: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise UserError.at(Location(display), f"file is larger than the limit of {MAX_BYTES} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Editors count characters, not bytes; everything before the bad byte decodes cleanly.
        before = raw[: exc.start].decode("utf-8")
        line, col = _line_col(before, len(before))
        raise UserError.at(
            Location(display, line, col),
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
        ) from None


class _Refused(Exception):
    """Input that parses but must not be loaded; carries ruamel's 0-based mark."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.line = int(mark.line) + 1
        self.col = int(mark.column) + 1
        self.message = message


class _Scanner(RoundTripScanner):
    """Stops at the first bracket past MAX_DEPTH: a few kilobytes of `[[[[…` would otherwise
    keep the scanner busy for minutes (it revisits every open level on every token)."""

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:
        if len(self.flow_context) >= MAX_DEPTH:
            raise _Refused(
                self.reader.get_mark(), f"document is nested more than {MAX_DEPTH} levels deep"
            )
        super().fetch_flow_collection_start(TokenClass, to_push)


# Standard tags that only fit one kind of node; ruamel crashes on some mismatches (`!!omap a: b`).
_TAG_KINDS = {
    **dict.fromkeys(("omap", "pairs", "seq"), SequenceNode),
    **dict.fromkeys(("set", "map"), MappingNode),
    **dict.fromkeys(("binary", "bool", "float", "int", "null", "timestamp"), ScalarNode),
}
_KIND_WORDS = {SequenceNode: "a list", MappingNode: "a mapping", ScalarNode: "a plain value"}


def _check_tag(node: Node) -> None:
    tag = str(getattr(node.tag, "value", node.tag) or "")
    wanted = _TAG_KINDS.get(tag.removeprefix("tag:yaml.org,2002:"))
    if wanted is not None and not isinstance(node, wanted):
        raise _Refused(
            node.start_mark,
            f"tag !!{tag.rpartition(':')[2]} needs {_KIND_WORDS[wanted]}, "
            f"not {_KIND_WORDS.get(type(node), 'this node')}",
        )


class _Size:
    """Counts the nodes of a composed document as if every alias were expanded, before it is
    constructed; refuses alias cycles, excessive depth and lists or mappings used as keys."""

    def __init__(self) -> None:
        self.memo: dict[int, int] = {}
        self.open: set[int] = set()
        self.reused = False  # whether an alias was followed, for the message

    def of(self, node: Node, depth: int = 0) -> int:
        if depth > MAX_DEPTH:
            raise _Refused(node.start_mark, f"document is nested more than {MAX_DEPTH} levels deep")
        key = id(node)
        if key in self.open:
            raise _Refused(node.start_mark, "an alias refers to a node that contains it (a cycle)")
        if key in self.memo:
            self.reused = True
            return self.memo[key]
        self.open.add(key)
        _check_tag(node)
        total = 1
        if isinstance(node, MappingNode):
            for key_node, _ in node.value:
                # No catalogue field has a list or mapping as its key, and ruamel cannot even
                # hash some of them (`? {a: [1]}`): refuse them here, where they are.
                if not isinstance(key_node, ScalarNode):
                    raise _Refused(
                        key_node.start_mark,
                        "a mapping key must be a plain value, not a list or mapping",
                    )
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, SequenceNode):
            children = list(node.value)
        else:
            children = []
        for child in children:
            total += self.of(child, depth + 1)
            if total > MAX_EXPANDED_NODES:
                how = " through aliases" if self.reused else ""
                raise _Refused(
                    node.start_mark,
                    f"document expands to more than {MAX_EXPANDED_NODES} nodes{how}; "
                    "refusing to load it",
                )
        self.open.discard(key)
        self.memo[key] = total
        return total


def _syntax_problem(display: str, exc: MarkedYAMLError) -> UserError:
    """One line for a parser error: where it was noticed, and where the construct began."""
    problem = " ".join((exc.problem or "").split())
    context = " ".join((exc.context or "").split())
    mark = exc.problem_mark or exc.context_mark
    where = Location(display) if mark is None else Location(display, mark.line + 1, mark.column + 1)
    if "another document" in problem:
        return UserError.at(where, "a catalogue is one YAML document; found a second one ('---')")
    message = problem or context or "invalid YAML"
    start = exc.context_mark
    # An unclosed bracket or quote is noticed lines later; name the line where it was opened.
    if problem and context and start is not None and (mark is None or start.line != mark.line):
        construct = context
        for prefix in ("while parsing ", "while scanning ", "while constructing "):
            construct = construct.removeprefix(prefix)
        message += (
            f" (in {construct} that starts at line {start.line + 1}, column {start.column + 1})"
        )
    return UserError.at(where, f"YAML syntax error: {message}")


def _reader_problem(display: str, text: str, exc: ReaderError) -> UserError:
    """Characters YAML forbids (NUL, most control codes), at their line and column."""
    line, col = _line_col(text, max(exc.position, 0))
    char = exc.character
    code = char if isinstance(char, int) else ord(char) if char else 0
    return UserError.at(
        Location(display, line, col),
        f"character U+{code:04X} is not allowed in YAML; remove it",
    )


def load_document(text: str, display: str) -> tuple[Any, Positions]:
    """Parse one YAML document into plain Python data plus the positions of its nodes."""
    if not text.strip():
        raise UserError.at(Location(display, 1, 1), "file is empty")
    loader = YAML(typ="rt")
    loader.Scanner = _Scanner
    # Block nesting (`- - - …`) is cheap to write; stop it before Python's stack runs out.
    loader.max_depth = MAX_DEPTH
    try:
        with warnings.catch_warnings():
            # ruamel warns, over many lines of stderr, about valid input (a reused anchor name,
            # a YAML 1.1 float without a dot); that would break the one-line-per-problem output.
            warnings.simplefilter("ignore", YAMLWarning)
            node = loader.compose(text)
            if node is None:
                raise UserError.at(
                    Location(display, 1, 1),
                    "file has no YAML document (only comments or directives)",
                )
            _Size().of(node)
            # Construct from the node already composed: parsing again would double the time.
            data = loader.constructor.construct_document(node)
    except _Refused as exc:
        raise UserError.at(Location(display, exc.line, exc.col), exc.message) from None
    except MaxDepthExceededError as exc:
        mark = exc.problem_mark
        raise UserError.at(
            Location(display, mark.line + 1, mark.column + 1) if mark else Location(display, 1, 1),
            f"document is nested more than {MAX_DEPTH} levels deep",
        ) from None
    except MarkedYAMLError as exc:
        raise _syntax_problem(display, exc) from None
    except ReaderError as exc:
        raise _reader_problem(display, text, exc) from None
    except YAMLError as exc:
        raise UserError.at(
            Location(display, 1, 1), f"YAML error: {' '.join(str(exc).split())}"
        ) from None
    except RecursionError:
        raise UserError.at(Location(display, 1, 1), "document is nested too deeply") from None
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
        # ruamel's constructors assume well-typed tagged values (`!!float x`); nothing here is
        # a bug of ours, and the document cannot be loaded.
        raise UserError.at(
            Location(display, 1, 1),
            f"YAML error: a tagged value cannot be loaded ({' '.join(str(exc).split())}); "
            "remove explicit tags such as !!float",
        ) from None
    positions = Positions(display)
    return _plain(data, (), positions), positions


def _spot(table: Any, key: Any, width: int) -> tuple[int, ...] | None:
    """ruamel's 0-based (line, col, ...) for a key or index, if it kept one.

    Keys pulled in by a merge (`<<: *base`) and the contents of explicitly tagged collections
    (`!!omap`, `!custom [..]`) have none; their position falls back to the enclosing node.
    """
    data = getattr(table, "data", None)
    if not isinstance(data, dict):
        return None
    found = data.get(key)
    if not isinstance(found, list | tuple) or len(found) < width:
        return None
    return tuple(int(n) for n in found[:width])


def _plain(value: Any, path: DocPath, positions: Positions) -> Any:
    """Turn ruamel's round-trip types into dicts, lists and scalars, recording positions."""
    if isinstance(value, CommentedMap):
        out: dict[str, Any] = {}
        for key in value:
            child = (*path, str(key))
            spot = _spot(value.lc, key, 4)
            if spot is not None:
                positions.keys[child] = (spot[0] + 1, spot[1] + 1)
                positions.values[child] = (spot[2] + 1, spot[3] + 1)
            out[_encodable(str(key), child, positions, key=True)] = _plain(
                value[key], child, positions
            )
        return out
    if isinstance(value, CommentedSeq):
        items = []
        for index, item in enumerate(value):
            child = (*path, index)
            spot = _spot(value.lc, index, 2)
            if spot is not None:
                positions.values[child] = (spot[0] + 1, spot[1] + 1)
            items.append(_plain(item, child, positions))
        return items
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _encodable(str(value), path, positions)


def _encodable(text: str, path: DocPath, positions: Positions, *, key: bool = False) -> str:
    """Text that can be written as UTF-8: a `"\\ud800"` escape yields a lone surrogate."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UserError.at(
            positions.at(path, key=key),
            f"U+{ord(text[exc.start]):04X} is half of a UTF-16 surrogate pair, not a character; "
            "remove the escape",
            format_path(path),
        ) from None
    return text


# --- dumping -------------------------------------------------------------------------------

_TOP_ORDER = ("apiVersion", "kind", "metadata", "spec", "data", "stringData", "type")
_META_ORDER = ("name", "generateName", "namespace", "labels", "annotations")


def _ordered(obj: Mapping[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    head = {k: obj[k] for k in order if k in obj}
    head.update({k: v for k, v in obj.items() if k not in head})
    return head


def canonical(obj: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level and metadata keys in the order people write them; the rest as built."""
    out = _ordered(obj, _TOP_ORDER)
    if isinstance(out.get("metadata"), Mapping):
        out["metadata"] = _ordered(out["metadata"], _META_ORDER)
    return out


# Generated and trusted YAML goes through libyaml: about ten times faster than ruamel's pure
# Python emitter and parser on rendered trees (benchmarks/render_examples.py).
_SafeDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Dumper(_SafeDumper):  # type: ignore[misc,valid-type]
    """Block style, no key sorting, multi-line strings as literal blocks."""

    # The emitter asks for the implicit tag of every scalar twice; the same few thousand
    # strings (keys, names, labels) recur in every object.
    _resolved: ClassVar[dict[tuple[str, bool, bool], str]] = {}

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        if kind is not yaml.ScalarNode:
            tag: str = super().resolve(kind, value, implicit)
            return tag
        key = (value, implicit[0], implicit[1])
        found = self._resolved.get(key)
        if found is None:
            if len(self._resolved) > 50_000:
                self._resolved.clear()
            found = self._resolved[key] = super().resolve(kind, value, implicit)
        return found


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_all(documents: list[Any]) -> str:
    """Deterministic multi-document YAML, each object in canonical key order."""
    stream = io.StringIO()
    dumper = _Dumper(
        stream, default_flow_style=False, allow_unicode=True, width=4096, sort_keys=False
    )
    try:
        dumper.open()
        for document in documents:
            dumper.serialize(
                _node(dumper, canonical(document) if isinstance(document, Mapping) else document)
            )
            dumper.represented_objects = {}
        dumper.close()
    finally:
        dumper.dispose()
    return stream.getvalue()


_STR = "tag:yaml.org,2002:str"


def _str_node(text: str) -> yaml.ScalarNode:
    return yaml.ScalarNode(_STR, text, style="|" if "\n" in text else None)


def _node(dumper: yaml.SafeDumper, value: Any) -> yaml.Node:
    """The node PyYAML's representer would make, built without its per-node dispatch (most of
    a render's dumping time): mappings with string keys, lists, strings, integers and booleans
    here; anything else through the representer itself."""
    kind = type(value)
    if kind is str:
        return _str_node(value)
    if kind is bool:
        return yaml.ScalarNode("tag:yaml.org,2002:bool", "true" if value else "false")
    if kind is int:
        return yaml.ScalarNode("tag:yaml.org,2002:int", str(value))
    if isinstance(value, Mapping):
        items = {str(k): v for k, v in value.items()}
        pairs = [(_str_node(k), _node(dumper, v)) for k, v in items.items()]
        return yaml.MappingNode("tag:yaml.org,2002:map", pairs, flow_style=False)
    if isinstance(value, list | tuple):
        members = [_node(dumper, v) for v in value]
        return yaml.SequenceNode("tag:yaml.org,2002:seq", members, flow_style=False)
    node: yaml.Node = dumper.represent_data(value)
    return node


class _PlainLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """YAML 1.1 resolves a bare `=` to a "value" tag no constructor handles; it is a string."""


_PlainLoader.add_constructor("tag:yaml.org,2002:value", yaml.SafeLoader.construct_yaml_str)


def load_all_plain(text: str) -> Iterator[Any]:
    """Documents of trusted YAML (kustomize output, our own files), without positions."""
    yield from yaml.load_all(text, Loader=_PlainLoader)
