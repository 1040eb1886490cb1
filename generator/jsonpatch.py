"""JSON 6902 patches as kustomize applies them (its json-patch library, v4).

Only what that library does unambiguously is applied here; anything it treats in a way that is
easy to get wrong (negative or padded array indices, a missing `value`, `test` against a missing
key, a move into its own child) raises `Unsure`, and the caller hands the build to kustomize.
"""

from __future__ import annotations

import copy
import re
from typing import Any

_INDEX = re.compile(r"0|[1-9][0-9]*")
_OPS = frozenset({"add", "remove", "replace", "move", "copy", "test"})


class Unsure(Exception):
    """kustomize might do something else here (or fail): let it decide."""


def apply(doc: dict[str, Any], ops: list[Any]) -> None:
    """Apply `ops` to `doc` in place; raises Unsure when the result is not certain."""
    for op in ops:
        if not isinstance(op, dict) or op.get("op") not in _OPS:
            raise Unsure
        kind = op["op"]
        if kind in ("add", "replace", "test") and "value" not in op:
            raise Unsure
        parent, key = _locate(doc, op.get("path"))
        if kind == "add":
            _add(parent, key, copy.deepcopy(op["value"]))
        elif kind == "remove":
            _remove(parent, key)
        elif kind == "replace":
            # The library replaces a missing key of a mapping as if it were added.
            if isinstance(parent, list):
                parent[_index(parent, key, allow_end=False)] = copy.deepcopy(op["value"])
            else:
                parent[key] = copy.deepcopy(op["value"])
        elif kind == "test":
            if not same(_get(parent, key), op["value"]):
                raise Unsure
        else:
            source = op.get("from")
            path = op.get("path")
            if not isinstance(source, str) or path == source or str(path).startswith(source + "/"):
                raise Unsure
            src_parent, src_key = _locate(doc, source)
            value = _get(src_parent, src_key)
            if kind == "move":
                _remove(src_parent, src_key)
                parent, key = _locate(doc, path)
            _add(parent, key, copy.deepcopy(value))


def same(a: Any, b: Any) -> bool:
    """JSON equality: booleans are not numbers, mappings ignore order."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _locate(doc: dict[str, Any], path: Any) -> tuple[Any, str]:
    """The container the last token of `path` names a member of, and that token."""
    if not isinstance(path, str) or not path.startswith("/") or path == "/":
        raise Unsure
    *parts, last = [_unescape(p) for p in path[1:].split("/")]
    node: Any = doc
    for part in parts:
        node = _get(node, part)
    if not isinstance(node, dict | list):
        raise Unsure
    return node, last


def _unescape(token: str) -> str:
    # The library's order: "~1" first, then "~0".
    return token.replace("~1", "/").replace("~0", "~")


def _index(array: list[Any], key: str, *, allow_end: bool) -> int:
    if not _INDEX.fullmatch(key):
        raise Unsure
    index = int(key)
    if index > len(array) or (index == len(array) and not allow_end):
        raise Unsure
    return index


def _get(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        if key not in node:
            raise Unsure
        return node[key]
    if isinstance(node, list):
        return node[_index(node, key, allow_end=False)]
    raise Unsure


def _add(parent: Any, key: str, value: Any) -> None:
    if isinstance(parent, dict):
        parent[key] = value
    elif key == "-":
        parent.append(value)
    else:
        parent.insert(_index(parent, key, allow_end=True), value)


def _remove(parent: Any, key: str) -> None:
    if isinstance(parent, dict):
        if key not in parent:
            raise Unsure
        del parent[key]
    else:
        del parent[_index(parent, key, allow_end=False)]
