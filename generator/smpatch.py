"""Strategic-merge patches as kustomize applies them (its kyaml merge), where that is certain.

Reproduced: mappings merged key by key, a patch's scalar or list replacing the target's, a
`null` deleting a key (kustomize's merge also drops the nulls of a mapping the patch adds). Lists
are merged by key only on Kubernetes' own kinds, from the OpenAPI data kustomize bundles; custom
resources have none, so a patch's list replaces the target's. Everything else — a list in a
patch on a built-in kind, `$patch` and the other directives, a null in the target (the merge
would drop it), a value changing type — raises `Unsure` for the caller to hand over to kustomize.
"""

from __future__ import annotations

import json
from typing import Any


class Unsure(Exception):
    """kustomize might do something else here (or fail): let it decide."""


def apply(target: dict[str, Any], patch: dict[str, Any], *, lists_replace: bool) -> None:
    """Merge `patch` into `target` in place; `lists_replace`: the kind has no OpenAPI data in
    kustomize, so its lists are replaced, not merged by key."""
    if has_null(target) or (not lists_replace and not _lists_kept(target)):
        raise Unsure
    _merge(target, patch, lists_replace)


# Keys kustomize may merge a built-in kind's lists by (from its OpenAPI data, or inferred).
_MERGE_KEYS = (
    "name",
    "containerPort",
    "port",
    "mountPath",
    "devicePath",
    "ip",
    "topologyKey",
    "type",
)


def _lists_kept(value: Any) -> bool:
    """kustomize's merge walks the whole target and rebuilds the lists it merges by key: they
    come out unchanged only without duplicates (it would fold them) and without items that lack
    a key their siblings have (it would drop them)."""
    if isinstance(value, dict):
        return all(_lists_kept(v) for v in value.values())
    if not isinstance(value, list):
        return True
    if all(not isinstance(v, dict | list) for v in value):
        return len({json.dumps(v) for v in value}) == len(value)
    for key in _MERGE_KEYS:
        present = [json.dumps(v.get(key)) for v in value if isinstance(v, dict) and key in v]
        if present and (len(present) != len(value) or len(set(present)) != len(present)):
            return False
    return all(_lists_kept(v) for v in value)


def _merge(dest: dict[str, Any], patch: dict[str, Any], lists_replace: bool) -> None:
    for key, value in patch.items():
        if key.startswith("$"):
            raise Unsure
        current = dest.get(key)
        if value is None:
            dest.pop(key, None)
        elif isinstance(value, dict):
            if not value:
                raise Unsure
            if current is None:
                dest[key] = {}
                _merge(dest[key], value, lists_replace)
                if not dest[key]:
                    raise Unsure
            elif isinstance(current, dict):
                _merge(current, value, lists_replace)
            else:
                raise Unsure
        elif isinstance(value, list):
            if (
                not lists_replace
                or not value
                or (current is not None and not isinstance(current, list))
            ):
                raise Unsure
            if any(isinstance(item, dict | list) or item is None for item in value):
                raise Unsure
            dest[key] = json.loads(json.dumps(value))
        else:
            if isinstance(current, dict | list):
                raise Unsure
            dest[key] = value


def has_null(value: Any) -> bool:
    if isinstance(value, dict):
        return any(v is None or has_null(v) for v in value.values())
    if isinstance(value, list):
        return any(has_null(v) for v in value)
    return False
