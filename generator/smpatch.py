"""Strategic-merge patches as kustomize applies them (its kyaml merge), where that is certain.

Reproduced: mappings merged key by key, a patch's scalar replacing the target's, a `null`
deleting a key (the merge also drops the nulls of a mapping the patch adds). Custom resources
have no OpenAPI data in kustomize, so a patch's list replaces theirs. On the workload kinds, the
pod template's containers, init containers and image pull secrets merge by name, and each
container's env by name and volume mounts by mount path, with `$patch: delete` on an item; the
merged list has the patch's items first, in the patch's order, then the target's other items.
Everything else — another list on a built-in kind, other `$patch` directives, a null in the
target (the merge would drop it), a value changing type — raises `Unsure` for the caller to hand
over to kustomize.
"""

from __future__ import annotations

import json
from typing import Any

# Where the pod spec sits, by apiVersion/kind.
_TEMPLATE_SPEC = ("spec", "template", "spec")
_POD_SPEC: dict[str, tuple[str, ...]] = {
    "apps/v1/Deployment": _TEMPLATE_SPEC,
    "apps/v1/StatefulSet": _TEMPLATE_SPEC,
    "apps/v1/DaemonSet": _TEMPLATE_SPEC,
    "apps/v1/ReplicaSet": _TEMPLATE_SPEC,
    "batch/v1/Job": _TEMPLATE_SPEC,
    "batch/v1/CronJob": ("spec", "jobTemplate", *_TEMPLATE_SPEC),
    "v1/Pod": ("spec",),
}
# Lists merged by key (Kubernetes' x-kubernetes-patch-merge-key), relative to the pod spec.
_POD_LISTS: dict[tuple[str, ...], str] = {
    ("containers",): "name",
    ("initContainers",): "name",
    ("imagePullSecrets",): "name",
    **{(c, "env"): "name" for c in ("containers", "initContainers")},
    **{(c, "volumeMounts"): "mountPath" for c in ("containers", "initContainers")},
}
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


class Unsure(Exception):
    """kustomize might do something else here (or fail): let it decide."""


def apply(target: dict[str, Any], patch: dict[str, Any], *, custom: bool) -> None:
    """Merge `patch` into `target` in place; `custom`: a kind kustomize has no OpenAPI data for."""
    if has_null(target) or (not custom and not _lists_kept(target)):
        raise Unsure
    if custom:
        lists: dict[tuple[str, ...], str] | None = None
    else:
        anchor = _POD_SPEC.get(f"{target['apiVersion']}/{target['kind']}")
        lists = {} if anchor is None else {anchor + k: v for k, v in _POD_LISTS.items()}
    _merge(target, patch, (), lists)


def has_null(value: Any) -> bool:
    if isinstance(value, dict):
        return any(v is None or has_null(v) for v in value.values())
    if isinstance(value, list):
        return any(has_null(v) for v in value)
    return False


def _merge(
    dest: dict[str, Any],
    patch: dict[str, Any],
    path: tuple[str, ...],
    lists: dict[tuple[str, ...], str] | None,
) -> None:
    """`lists`: the merge key of each list path; None: every list is replaced."""
    for key, value in patch.items():
        if key.startswith("$"):
            raise Unsure
        current = dest.get(key)
        here = (*path, key)
        if value is None:
            dest.pop(key, None)
        elif isinstance(value, dict):
            if not value:
                raise Unsure
            if current is None:
                dest[key] = {}
                _merge(dest[key], value, here, lists)
                if not dest[key]:
                    raise Unsure
            elif isinstance(current, dict):
                _merge(current, value, here, lists)
            else:
                raise Unsure
        elif isinstance(value, list):
            if not value or (current is not None and not isinstance(current, list)):
                raise Unsure
            if lists is None:
                if any(isinstance(item, dict | list) or item is None for item in value):
                    raise Unsure
                dest[key] = json.loads(json.dumps(value))
            elif here in lists:
                dest[key] = _merge_list(current or [], value, lists[here], here, lists)
            else:
                raise Unsure
        else:
            if isinstance(current, dict | list):
                raise Unsure
            dest[key] = value


def _merge_list(
    dest: list[Any],
    patch: list[Any],
    key: str,
    path: tuple[str, ...],
    lists: dict[tuple[str, ...], str],
) -> list[Any]:
    """Items merged by `key`: the patch's first, in its order, then the target's others."""
    patched: dict[str, dict[str, Any]] = {}
    for item in patch:
        if not isinstance(item, dict) or not isinstance(item.get(key), str) or not item[key]:
            raise Unsure
        if item[key] in patched or any(
            k.startswith("$") and (k, item[k]) != ("$patch", "delete") for k in item
        ):
            raise Unsure
        patched[item[key]] = item
    if not all(isinstance(item, dict) and isinstance(item.get(key), str) for item in dest):
        raise Unsure
    present = {item[key]: item for item in dest}
    order = [*patched, *(k for k in present if k not in patched)]
    merged = []
    for name in order:
        item, change = present.get(name), patched.get(name)
        if change is not None and "$patch" in change:
            if len(change) != 2:
                raise Unsure
            continue
        if change is None:
            merged.append(item)
            continue
        if item is None:
            item = {}
        _merge(item, change, path, lists)
        merged.append(item)
    if not merged:
        raise Unsure
    return merged


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
