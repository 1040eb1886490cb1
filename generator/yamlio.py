"""YAML in and out.

Loading keeps the line and column of every node so errors can point at them, and refuses input
that would hurt: files too large, bytes that are not UTF-8, several documents, anchors whose
expansion explodes. Dumping is deterministic and writes manifests the way people do.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from generator.errors import Location, UserError

MAX_BYTES = 4 * 1024 * 1024
# Expanded node count past which aliases are treated as an attack, not as reuse.
MAX_EXPANDED_NODES = 200_000

DocPath = tuple[str | int, ...]


@dataclass
class Positions:
    """Where each value (and each mapping key) of a loaded document stands in its file."""

    file: str
    values: dict[DocPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[DocPath, tuple[int, int]] = field(default_factory=dict)

    def at(self, path: DocPath, *, key: bool = False) -> Location:
        """The location of `path`, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        probe = path
        while True:
            if probe in table:
                line, col = table[probe]
                return Location(self.file, line, col)
            if probe in self.values:
                line, col = self.values[probe]
                return Location(self.file, line, col)
            if not probe:
                return Location(self.file, 1, 1)
            probe = probe[:-1]


def format_path(path: DocPath) -> str:
    """`("clusters", 2, "nodePools")` → `clusters[2].nodePools`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def read_text(path: Path) -> str:
    """Read a file as UTF-8, refusing oversized and undecodable input with a precise location."""
    display = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise UserError.at(
                Location(display), f"file is {size} bytes; the limit is {MAX_BYTES} bytes"
            )
        raw = path.read_bytes()
    except IsADirectoryError:
        raise UserError.at(Location(display), "is a directory, expected a YAML file") from None
    except FileNotFoundError:
        raise UserError.at(Location(display), "no such file") from None
    except OSError as exc:
        raise UserError.at(Location(display), f"cannot read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UserError.at(
            Location(display, line, col),
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
        ) from None


def _expanded_size(node: Node, memo: dict[int, int], depth: int = 0) -> int:
    if depth > 200:
        return MAX_EXPANDED_NODES + 1
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_EXPANDED_NODES + 1  # a cycle counts as infinite
    total = 1
    if isinstance(node, MappingNode):
        for k, v in node.value:
            total += _expanded_size(k, memo, depth + 1) + _expanded_size(v, memo, depth + 1)
            if total > MAX_EXPANDED_NODES:
                break
    elif isinstance(node, SequenceNode):
        for item in node.value:
            total += _expanded_size(item, memo, depth + 1)
            if total > MAX_EXPANDED_NODES:
                break
    memo[key] = total
    return total


def _mark_location(display: str, exc: MarkedYAMLError) -> Location:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return Location(display)
    return Location(display, mark.line + 1, mark.column + 1)


def load_document(text: str, display: str) -> tuple[Any, Positions]:
    """Parse one YAML document into plain Python data plus the positions of its nodes."""
    if not text.strip():
        raise UserError.at(Location(display, 1, 1), "file is empty")
    yaml = YAML(typ="rt")
    try:
        node = yaml.compose(text)
        if node is not None and _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            raise UserError.at(
                Location(display, node.start_mark.line + 1, node.start_mark.column + 1),
                f"document expands to more than {MAX_EXPANDED_NODES} nodes through aliases; "
                "refusing to load it",
            )
        data = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise UserError.at(_mark_location(display, exc), f"YAML syntax error: {problem}") from None
    except YAMLError as exc:
        raise UserError.at(Location(display, 1, 1), f"YAML error: {exc}") from None
    except RecursionError:
        raise UserError.at(Location(display, 1, 1), "document is nested too deeply") from None
    positions = Positions(display)
    return _plain(data, (), positions), positions


def _plain(value: Any, path: DocPath, positions: Positions) -> Any:
    """Turn ruamel's round-trip types into dicts, lists and scalars, recording positions."""
    if isinstance(value, CommentedMap):
        out: dict[str, Any] = {}
        for key in value:
            child = (*path, str(key))
            kline, kcol = value.lc.key(key)
            vline, vcol = value.lc.value(key)
            positions.keys[child] = (kline + 1, kcol + 1)
            positions.values[child] = (vline + 1, vcol + 1)
            out[str(key)] = _plain(value[key], child, positions)
        return out
    if isinstance(value, CommentedSeq):
        items = []
        for index, item in enumerate(value):
            child = (*path, index)
            line, col = value.lc.item(index)
            positions.values[child] = (line + 1, col + 1)
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
    return str(value)


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


def _dumper() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=2, offset=0)
    yaml.width = 4096
    yaml.default_flow_style = False

    def represent_str(representer: Any, data: str) -> Any:
        style = "|" if "\n" in data else None
        return representer.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    yaml.representer.add_representer(str, represent_str)
    return yaml


_DUMPER = _dumper()


def dump_all(documents: list[Any]) -> str:
    """Deterministic multi-document YAML, each object in canonical key order."""
    stream = io.StringIO()
    for index, doc in enumerate(documents):
        if index:
            stream.write("---\n")
        _DUMPER.dump(_to_builtin(canonical(doc) if isinstance(doc, Mapping) else doc), stream)
    return stream.getvalue()


def _to_builtin(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _to_builtin(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_builtin(v) for v in value]
    return value


def load_all_plain(text: str) -> Iterator[Any]:
    """Documents of trusted YAML (kustomize output, our own files), without positions."""
    yaml = YAML(typ="safe", pure=False)
    yield from yaml.load_all(text)
