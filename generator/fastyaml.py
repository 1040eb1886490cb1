"""YAML 1.2 documents read at libyaml's speed when that gives what the positioned loader gives.

The positioned loader (yamlio.load_document, ruamel) reads YAML 1.2, refuses duplicate keys and
keeps positions for error messages, at a tenth of libyaml's speed. Rendered values templates
are read once per cluster and component, so they go through libyaml first with a resolver that
only accepts the plain scalars both YAML versions read alike; anything else (a 1.1-only
boolean, a number with leading zeros, a date, an alias, a tag, a duplicate key, a syntax error)
goes to the positioned loader, which gives the answer or the error with its line and column.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
import yaml.cyaml
from yaml.constructor import SafeConstructor
from yaml.resolver import BaseResolver

from generator.yamlio import load_document

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
