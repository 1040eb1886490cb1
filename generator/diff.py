"""Two sets of objects → what changed, field by field, with the changes that hurt on apply.

Objects are matched by cluster, API group, kind, namespace and name (inventory.Key); what is
left over on both sides of one kind is paired by content when it looks like a rename. Before
comparing, generated noise is removed, lists Kubernetes merges by name become maps (so a
reordered env list is no change), Secret values are masked (a changed value stays visible as
changed, never readable) and certificate material becomes a stable token.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from deepdiff import DeepDiff

from generator.inventory import Key
from generator.quantity import parse_bytes
from generator.yamlio import load_all_plain

ADDED, REMOVED, CHANGED, RENAMED = "added", "removed", "changed", "renamed"
SECRET_KINDS = {("", "Secret"), ("bitnami.com", "SealedSecret")}
# Ordering of the change types in every report.
ORDER = {REMOVED: 0, RENAMED: 1, CHANGED: 2, ADDED: 3}


class _Missing:
    def __repr__(self) -> str:
        return "(none)"


MISSING: Any = _Missing()

_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----.*?-----END \1-----", re.DOTALL)
_NOISE_METADATA = ("managedFields", "resourceVersion", "uid", "generation", "creationTimestamp")
_NOISE_ANNOTATIONS = re.compile(
    r"^(kubectl\.kubernetes\.io/last-applied-configuration|argocd\.argoproj\.io/tracking-id"
    r"|deployment\.kubernetes\.io/revision|checksum/.*)$"
)
_CERT_KEYS = {"caBundle", "ca.crt", "tls.crt"}
_RENAME_THRESHOLD = 0.5


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any
    new: Any


@dataclass
class Change:
    key: Key
    type: str
    fields: list[FieldChange] = field(default_factory=list)
    danger: list[str] = field(default_factory=list)
    old_key: Key | None = None
    # The object as it is after the change (before it, for removals), masked: for details.
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def routine(self) -> bool:
        """Only image tags and chart versions moved."""
        return (
            self.type == CHANGED
            and not self.danger
            and bool(self.fields)
            and all(_is_version_field(f.path) for f in self.fields)
        )


@dataclass(frozen=True)
class ChartBump:
    key: Key
    chart: str
    old: str
    new: str

    @property
    def major(self) -> bool:
        return _major(self.old) != _major(self.new)


def compare(base: Mapping[Key, dict[str, Any]], head: Mapping[Key, dict[str, Any]]) -> list[Change]:
    """Every difference between the two sides, sorted by cluster, kind, namespace, name."""
    changes: list[Change] = []
    removed = {k: base[k] for k in base.keys() - head.keys()}
    added = {k: head[k] for k in head.keys() - base.keys()}
    for old_key, new_key in _renames(removed, added):
        change = _changed(new_key, base[old_key], head[new_key])
        change.type, change.old_key = RENAMED, old_key
        change.danger.extend(_rename_danger(new_key))
        changes.append(change)
        del removed[old_key], added[new_key]
    for key in sorted(base.keys() & head.keys()):
        change = _changed(key, base[key], head[key])
        if change.fields:
            changes.append(change)
    for key, obj in removed.items():
        body = _normalise(obj, None)
        changes.append(Change(key, REMOVED, danger=list(_removal_danger(key, obj)), body=body))
    for key, obj in added.items():
        changes.append(Change(key, ADDED, body=_normalise(obj, None)))
    changes.sort(
        key=lambda c: (c.key.cluster, c.key.kind, c.key.namespace, c.key.name, ORDER[c.type])
    )
    return changes


def chart_bumps(
    base: Mapping[Key, dict[str, Any]], head: Mapping[Key, dict[str, Any]]
) -> list[ChartBump]:
    bumps = []
    for key in sorted(base.keys() & head.keys()):
        if key.kind != "Application":
            continue
        old = {s.get("chart"): str(s.get("targetRevision", "")) for s in _app_sources(base[key])}
        new = {s.get("chart"): str(s.get("targetRevision", "")) for s in _app_sources(head[key])}
        for chart in sorted(c for c in old.keys() & new.keys() if c):
            if old[chart] != new[chart]:
                bumps.append(ChartBump(key, str(chart), old[chart], new[chart]))
    return bumps


def _changed(key: Key, old: dict[str, Any], new: dict[str, Any]) -> Change:
    old_n, new_n = _normalise(old, new, "before"), _normalise(new, old, "after")
    fields = list(_field_changes(old_n, new_n))
    change = Change(key, CHANGED, fields, body=new_n)
    change.danger.extend(_change_danger(key, old, new, fields))
    return change


# --- normalisation --------------------------------------------------------------------------


def _normalise(
    obj: Mapping[str, Any], other: Mapping[str, Any] | None, side: str = ""
) -> dict[str, Any]:
    """The object without noise, with named lists as maps, secrets masked against `other`."""
    out = copy.deepcopy(dict(obj))
    out.pop("status", None)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        for name in _NOISE_METADATA:
            meta.pop(name, None)
        annotations = meta.get("annotations")
        if isinstance(annotations, dict):
            for name in [a for a in annotations if _NOISE_ANNOTATIONS.match(str(a))]:
                del annotations[name]
            if not annotations:
                del meta["annotations"]
    if _is_secret(out):
        _mask_secret(out, other or {}, side)
    if out.get("kind") == "Application":
        _parse_helm_values(out)
    normal: dict[str, Any] = _keyed(_tokenise(out))
    return normal


def _parse_helm_values(app: dict[str, Any]) -> None:
    """Helm values given as YAML text, as a mapping: a change then reads as values paths."""
    for source in _app_sources(app):
        helm = source.get("helm")
        if isinstance(helm, dict) and isinstance(helm.get("values"), str):
            try:
                docs = list(load_all_plain(helm["values"]))
            except yaml.YAMLError:
                continue
            if len(docs) == 1 and isinstance(docs[0], dict):
                helm["values"] = docs[0]


def _is_secret(obj: Mapping[str, Any]) -> bool:
    api = str(obj.get("apiVersion", ""))
    group = api.rpartition("/")[0] if "/" in api else ""
    return (group, str(obj.get("kind", ""))) in SECRET_KINDS


def _secret_maps(obj: Mapping[str, Any]) -> Iterator[tuple[tuple[str, ...], Mapping[str, Any]]]:
    for name in ("data", "stringData"):
        if isinstance(obj.get(name), Mapping):
            yield (name,), obj[name]
    spec = obj.get("spec")
    if isinstance(spec, Mapping) and isinstance(spec.get("encryptedData"), Mapping):
        yield ("spec", "encryptedData"), spec["encryptedData"]
    template = spec.get("template") if isinstance(spec, Mapping) else None
    if isinstance(template, Mapping):
        for name in ("data", "stringData"):
            if isinstance(template.get(name), Mapping):
                yield ("spec", "template", name), template[name]


def _lookup(obj: Mapping[str, Any], path: tuple[str, ...]) -> Mapping[str, Any]:
    node: Any = obj
    for part in path:
        node = node.get(part) if isinstance(node, Mapping) else None
    found: Mapping[str, Any] = node if isinstance(node, Mapping) else {}
    return found


def _mask_secret(obj: dict[str, Any], other: Mapping[str, Any], side: str) -> None:
    """Replace every value by its size; a value that differs from the other side's says so, so
    a changed key stays visible while neither value can be read."""
    for path, values in list(_secret_maps(obj)):
        theirs = _lookup(other, path)
        masked: dict[str, str] = {}
        for name, value in values.items():
            size = len(str(value).encode("utf-8"))
            differs = name in theirs and theirs[name] != value
            masked[str(name)] = f"<secret: {size} bytes{f', {side}' if differs else ''}>"
        parent: Any = obj
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = masked


def _token(kind: str, text: str) -> str:
    return f"<{kind} sha256:{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}>"


def _tokenise(value: Any, key: str = "") -> Any:
    """Certificate material as stable tokens: equal when equal, short when shown."""
    if isinstance(value, dict):
        return {k: _tokenise(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_tokenise(v, key) for v in value]
    if isinstance(value, str):
        if key in _CERT_KEYS and len(value) > 64:
            return _token(key, value)
        if "-----BEGIN" in value:
            return _PEM.sub(
                lambda m: _token(m.group(1).lower().replace(" ", "-"), m.group(0)), value
            )
    return value


def _item_id(item: Mapping[str, Any]) -> str | None:
    if isinstance(item.get("name"), str):
        return str(item["name"])
    for port_key in ("containerPort", "port"):
        if isinstance(item.get(port_key), int):
            return f"{item[port_key]}/{item.get('protocol', 'TCP')}"
    return None


def _keyed(value: Any) -> Any:
    """Lists of named items (containers, env, volumes, ports…) as maps keyed `[name]`:
    Kubernetes merges them by name, so their order is no change."""
    if isinstance(value, dict):
        return {k: _keyed(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_keyed(v) for v in value]
        ids = [_item_id(v) if isinstance(v, dict) else None for v in items]
        if items and None not in ids and len(set(ids)) == len(ids):
            return {f"[{i}]": v for i, v in zip(ids, items, strict=True)}
        return items
    return value


# --- field changes --------------------------------------------------------------------------


def _path(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.startswith("["):
            out += part
        elif isinstance(part, str) and re.fullmatch(r"[A-Za-z0-9_-]+", part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


def _field_changes(old: Any, new: Any) -> Iterator[FieldChange]:
    diff = DeepDiff(old, new, view="tree", verbose_level=2)
    found = []
    for report in diff.values():
        for level in report:
            path = _path(level.path(output_format="list"))
            before = MISSING if _absent(level.t1) else level.t1
            after = MISSING if _absent(level.t2) else level.t2
            found.append(FieldChange(path, before, after))
    yield from sorted(found, key=lambda f: f.path)


def _absent(value: Any) -> bool:
    return type(value).__name__ == "NotPresent"


# --- danger ---------------------------------------------------------------------------------

_WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
_STATEFULSET_UPDATABLE = (
    "spec.replicas",
    "spec.template",
    "spec.updateStrategy",
    "spec.persistentVolumeClaimRetentionPolicy",
    "spec.minReadySeconds",
    "spec.ordinals",
    "spec.revisionHistoryLimit",
)
_STATEFUL_KINDS = {"PersistentVolumeClaim", "PersistentVolume", "StatefulSet", "Namespace"}


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def _change_danger(
    key: Key, old: Mapping[str, Any], new: Mapping[str, Any], fields: list[FieldChange]
) -> Iterator[str]:
    paths = [f.path for f in fields]
    if key.kind in _WORKLOADS and any(_under(p, "spec.selector") for p in paths):
        yield "spec.selector is immutable: the sync fails until the object is deleted and recreated"
    if key.kind == "StatefulSet":
        frozen = sorted(
            {
                p.split("[")[0]
                for p in paths
                if p.startswith("spec.")
                and not any(_under(p, allowed) for allowed in _STATEFULSET_UPDATABLE)
                and not _under(p, "spec.selector")
            }
        )
        if frozen:
            yield (
                f"StatefulSet fields other than replicas, template and updateStrategy cannot be "
                f"updated ({', '.join(frozen)}): the sync fails"
            )
    if key.kind == "Job" and any(_under(p, "spec.template") for p in paths):
        yield "a Job's spec.template is immutable: the sync fails unless the Job is replaced"
    if key.kind == "Service" and any(
        _under(p, "spec.clusterIP") or _under(p, "spec.clusterIPs") for p in paths
    ):
        yield "spec.clusterIP is immutable: the Service must be deleted and recreated"
    if key.kind == "PersistentVolumeClaim":
        yield from _pvc_danger(old, new, paths)
    if key.kind in ("RoleBinding", "ClusterRoleBinding") and any(
        _under(p, "roleRef") for p in paths
    ):
        yield "roleRef is immutable: the binding must be deleted and recreated"
    if _is_machine_template(key) and any(_under(p, "spec") for p in paths):
        yield (
            "Cluster API machine templates are immutable: give the changed template a new name "
            "and point the MachineDeployment at it"
        )
    if key.kind == "Application":
        for bump in chart_bumps({key: dict(old)}, {key: dict(new)}):
            if bump.major:
                yield (
                    f"major chart version bump {bump.chart} {bump.old} → {bump.new}: "
                    "read its upgrade notes"
                )


def _pvc_danger(old: Mapping[str, Any], new: Mapping[str, Any], paths: list[str]) -> Iterator[str]:
    def size(obj: Mapping[str, Any]) -> Any:
        return ((obj.get("spec") or {}).get("resources") or {}).get("requests", {}).get("storage")

    before, after = size(old), size(new)
    if before and after:
        try:
            if parse_bytes(str(after)) < parse_bytes(str(before)):
                yield f"a PersistentVolumeClaim cannot shrink ({before} → {after}): the sync fails"
        except ValueError:
            pass
    if any(p.startswith("spec.") and not _under(p, "spec.resources") for p in paths):
        yield "a bound PersistentVolumeClaim's spec is immutable except its size: the sync fails"


def _is_machine_template(key: Key) -> bool:
    return (
        key.group == "infrastructure.cluster.x-k8s.io" and key.kind.endswith("MachineTemplate")
    ) or (key.group == "bootstrap.cluster.x-k8s.io" and key.kind.endswith("ConfigTemplate"))


def _removal_danger(key: Key, obj: Mapping[str, Any]) -> Iterator[str]:
    if key.kind in _STATEFUL_KINDS:
        yield f"pruning this {key.kind} deletes the data it holds"
    finalizers = (obj.get("metadata") or {}).get("finalizers") or []
    if key.kind == "Application" and "resources-finalizer.argocd.argoproj.io" in finalizers:
        yield "removing this Application deletes every object it deployed (resources finalizer)"


def _rename_danger(key: Key) -> Iterator[str]:
    if key.kind in _STATEFUL_KINDS:
        yield f"a renamed {key.kind} is a new one: the old one and its data are pruned"


# --- renames and versions -------------------------------------------------------------------


def _leaves(value: Any, prefix: str = "") -> set[tuple[str, str]]:
    if isinstance(value, dict):
        return {leaf for k, v in value.items() for leaf in _leaves(v, f"{prefix}.{k}")}
    if isinstance(value, list):
        return {leaf for i, v in enumerate(value) for leaf in _leaves(v, f"{prefix}[{i}]")}
    return {(prefix, repr(value))}


def _similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    def content(obj: Mapping[str, Any]) -> set[tuple[str, str]]:
        body = {k: v for k, v in obj.items() if k != "metadata"}
        return _leaves(_keyed(body))

    left, right = content(a), content(b)
    union = left | right
    return len(left & right) / len(union) if union else 1.0


def _renames(
    removed: Mapping[Key, dict[str, Any]], added: Mapping[Key, dict[str, Any]]
) -> list[tuple[Key, Key]]:
    """Pairs (old, new) of one cluster, group and kind whose content is at least half shared,
    best first; each object in at most one pair."""
    scored = []
    for old_key, old in removed.items():
        for new_key, new in added.items():
            if (old_key.cluster, old_key.group, old_key.kind) != (
                new_key.cluster,
                new_key.group,
                new_key.kind,
            ):
                continue
            score = _similarity(old, new)
            if score >= _RENAME_THRESHOLD:
                scored.append((-score, old_key, new_key))
    pairs, used = [], set()
    for _, old_key, new_key in sorted(scored):
        if old_key not in used and new_key not in used:
            used |= {old_key, new_key}
            pairs.append((old_key, new_key))
    return pairs


def _app_sources(app: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    spec = app.get("spec") or {}
    listed = spec.get("sources") or ([spec["source"]] if spec.get("source") else [])
    return [s for s in listed if isinstance(s, Mapping)]


def _major(version: str) -> str:
    return version.lstrip("v").split(".")[0]


def _is_version_field(path: str) -> bool:
    if re.search(r"(containers|initContainers|ephemeralContainers)\[[^]]+\]\.image$", path):
        return True
    return bool(re.fullmatch(r"spec\.(source|sources\[\d+\])\.targetRevision", path))
