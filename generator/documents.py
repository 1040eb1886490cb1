"""Multi-document YAML with the position of every node, for linting files people wrote.

libyaml composes the node graph (ten times faster than ruamel's pure Python) and keeps each
node's mark; the plain values are built from it here, so positions cost one dict entry per
node. Duplicate mapping keys, which PyYAML would silently collapse to the last value, are
recorded instead of lost.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.errors import Location
from generator.yamlio import DocPath, Positions


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
