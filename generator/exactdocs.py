"""The exact reading of a file of manifests: libyaml's YAML 1.1, every position recorded.

PyYAML's safe loader reads manifests as `kubectl` and most tools do: libyaml composes the node
graph and keeps each node's mark; the plain values are built from it here, so positions cost one
dict entry per node. Duplicate mapping keys, which PyYAML would silently collapse to the last
value, are recorded instead of lost. generator/documents.py reads most documents faster and
comes here for those whose reading it cannot vouch for.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.docpaths import MAX_DEPTH, DocPath, Positions
from generator.documents import Document, ParseError
from generator.errors import Location


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML 1.1 resolves a bare `=` to a "value" tag no constructor handles; it is a string."""


_Loader.add_constructor("tag:yaml.org,2002:value", yaml.SafeLoader.construct_yaml_str)


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
