"""YAML 1.2 documents read at libyaml's speed when that gives what the positioned loader gives.

The positioned loader (yamlio.load_document, ruamel) reads YAML 1.2, refuses duplicate keys and
keeps positions for error messages, at a tenth of libyaml's speed. Rendered values templates
are read once per cluster and component, so they go through libyaml first with a resolver that
only accepts the plain scalars both YAML versions read alike; anything else (a 1.1-only
boolean, a number with leading zeros, a date, an alias, a tag, a duplicate key, a syntax error)
goes to the positioned loader, which gives the answer or the error with its line and column.
The catalogue is read the same way, its positions taken from libyaml's event marks.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
import yaml.cyaml
from yaml.constructor import SafeConstructor
from yaml.resolver import BaseResolver

from generator.docpaths import MAX_DEPTH, DocPath, Positions
from generator.yamlio import MAX_EXPANDED_NODES, load_document

_DOUBT = "tag:gitops-gen:doubt"


class _Resolver(BaseResolver):
    """YAML 1.2 core-schema scalars whose reading no YAML version disputes; the rest is doubt."""


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9]+\.[0-9]+$"),
    list("-+0123456789"),
)
# Plain scalars one of the two versions may read as something other than the text: anything
# shaped like a number in any base or with exponents, sexagesimals, infinities and NaN, dates,
# YAML 1.1 booleans, merge and value keys. Quantities such as 512Mi stay text in both.
_Resolver.add_implicit_resolver(
    _DOUBT,
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9a-fA-FxXoO_:.]*|\.[0-9a-zA-Z_]*)(?:[eE][-+]?[0-9]+)?"
        r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*"
        r"|<<|=|[yY]es|YES|[nN]o|NO|[oO]n|ON|[oO]ff|OFF|[yYnN])$",
        re.S,
    ),
    [*"-+.0123456789<=", *"yYnNoO"],
)
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")
)


_STR = "tag:yaml.org,2002:str"


class _Doubt(Exception):
    pass


class _Constructor(SafeConstructor):
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # An alias is the same node again: the positioned loader guards against alias bombs.
        seen: set[int] = self.__dict__.setdefault("_seen", set())
        if id(node) in seen or node.tag not in _PLAIN_TAGS:
            raise _Doubt
        seen.add(id(node))
        return super().construct_object(node, deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [k.value for k, _ in node.value]
        if len(keys) != len(set(keys)) or any(k.tag != _STR for k, _ in node.value):
            raise _Doubt
        return super().construct_mapping(node, deep)


# Without libyaml there is nothing to gain over the positioned loader.
_Parser: Any = yaml.cyaml.CParser if yaml.__with_libyaml__ else None  # type: ignore[attr-defined]


class _Loader(_Parser or _Doubt, _Constructor, _Resolver):  # type: ignore[misc]
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


def load_plain(text: str, display: str) -> Any:
    """One document's plain data, as `load_document(text, display)[0]` gives it."""
    if _Parser is None or text.lstrip().startswith("%"):
        return load_document(text, display)[0]
    try:
        loader = _Loader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except (_Doubt, yaml.YAMLError, ValueError, TypeError, RecursionError):
        return load_document(text, display)[0]
    if data is None:
        return load_document(text, display)[0]
    return data


# What the positioned loader reads differently or refuses, left to it: characters YAML does
# not allow, line breaks YAML 1.1 counts and 1.2 does not, a byte-order mark, tabs (libyaml
# lets some pass where ruamel stops), explicit keys (`? k`, whose missing value each places
# elsewhere).
_TO_POSITIONED = re.compile(
    "[^\n\r -~\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    r"|(?:^|[\s\[{,])\?(?:\s|$)",
    re.M,
)
# Well inside the positioned loader's limits, so that it, not this reader, refuses a document.
_MAX_DEPTH = MAX_DEPTH // 2
_MAX_NODES = MAX_EXPANDED_NODES // 2


def load_positioned(text: str, display: str) -> tuple[Any, Positions]:
    """`load_document(text, display)`, libyaml's events read into the same data and positions
    when the document is plain (no tag, anchor, alias, directive, duplicate key, omitted
    value, or scalar the two YAML versions read differently); the positioned loader itself
    otherwise."""
    found = None
    if _Parser is not None and text.strip() and not _TO_POSITIONED.search(text):
        try:
            found = _from_events(_Parser(text), display)
        except (_Doubt, yaml.YAMLError, ValueError, TypeError):
            found = None
    return found if found is not None else load_document(text, display)


def _from_events(parser: Any, display: str) -> tuple[Any, Positions] | None:
    """One document built from parser events without recursion (libyaml's composer recurses
    in C, where a deep enough document crashes the interpreter); None when in doubt."""
    positions = Positions(display)
    resolver = _Resolver()
    # Each open collection: its value, its path, and for a mapping the key awaiting a value.
    stack: list[tuple[Any, DocPath, list[str | None]]] = []
    root: Any = None
    done = False
    nodes = 0
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, yaml.DocumentStartEvent):
                if done or event.version or event.tags:
                    return None
                continue
            if isinstance(event, yaml.StreamStartEvent | yaml.DocumentEndEvent):
                done = done or isinstance(event, yaml.DocumentEndEvent)
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                value, _, _ = stack.pop()
                if not stack:
                    root = value
                continue
            if isinstance(event, yaml.AliasEvent) or event.anchor is not None or event.tag:
                return None
            nodes += 1
            if nodes > _MAX_NODES or len(stack) > _MAX_DEPTH:
                return None
            mark = event.start_mark
            spot = (mark.line + 1, mark.column + 1)
            if stack:
                parent, parent_path, pending = stack[-1]
                if isinstance(parent, dict) and pending[0] is None:
                    # A mapping key: only plain text, once.
                    if not isinstance(event, yaml.ScalarEvent):
                        return None
                    key = _scalar(event, resolver)
                    if not isinstance(key, str) or key in parent:
                        return None
                    pending[0] = key
                    positions.keys[(*parent_path, key)] = spot
                    continue
                if isinstance(parent, dict):
                    path: DocPath = (*parent_path, pending[0] or "")
                else:
                    path = (*parent_path, len(parent))
                positions.values[path] = spot
            else:
                path = ()
            if isinstance(event, yaml.ScalarEvent):
                value = _scalar(event, resolver)
            else:
                value = {} if isinstance(event, yaml.MappingStartEvent) else []
            if stack:
                parent, _, pending = stack[-1]
                if isinstance(parent, dict):
                    parent[pending[0]] = value
                    pending[0] = None
                else:
                    parent.append(value)
            elif isinstance(event, yaml.ScalarEvent):
                root = value
            if not isinstance(event, yaml.ScalarEvent):
                stack.append((value, path, [None]))
    finally:
        parser.dispose()
    if not done:
        return None
    return root, positions


def _scalar(event: yaml.ScalarEvent, resolver: _Resolver) -> Any:
    """The value of an untagged scalar as YAML 1.2 reads it; raises _Doubt when YAML 1.1 may
    read it otherwise."""
    if not event.implicit[0]:
        return event.value
    if not event.value:
        # An omitted value (`key:`): ruamel places it at the next token, libyaml where it
        # would have been.
        raise _Doubt
    tag = resolver.resolve(yaml.ScalarNode, event.value, (True, False))  # type: ignore[no-untyped-call]
    text = event.value
    if tag == _STR:
        return text
    if tag == "tag:yaml.org,2002:int":
        return int(text)
    if tag == "tag:yaml.org,2002:float":
        return float(text)
    if tag == "tag:yaml.org,2002:bool":
        return text.lower() == "true"
    if tag == "tag:yaml.org,2002:null":
        return None
    raise _Doubt
