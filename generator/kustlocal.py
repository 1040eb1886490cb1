"""kustomize's output computed here, for the kustomizations whose result is certain.

A kustomization is built here when it lists only local files and folders of such, and
transforms them only with what is reproduced exactly: `patches`, `patchesJson6902` and
`patchesStrategicMerge` (JSON 6902 operations on targets chosen by selector; strategic merges
within smpatch's limits), `namespace`, `namePrefix`, `nameSuffix` and `images`. Whenever
kustomize could do something else — another field, a file its YAML reader reads differently, a
rename another object may refer to, an id clash — `NotLocal` is raised and the caller runs the
real kustomize, which also names every error.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from generator import jsonpatch, smpatch
from generator.datacopy import copied

# kustomize's legacy output order (its resid package): these kinds first and last, in this order;
# every other kind in between; ties by group_version_kind, then "namespace|name" with "~X" for
# no namespace (as kustomize spells it).
_FIRST = (
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
    "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap",
    "Secret", "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume",
    "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
)  # fmt: skip
_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
_KIND_RANK = {
    **{kind: i - len(_FIRST) for i, kind in enumerate(_FIRST)},
    **{kind: i + 1 for i, kind in enumerate(_LAST)},
}
_KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_API = "kustomize.config.k8s.io/v1beta1"
# Annotation prefixes kustomize acts on (local-config objects are dropped, for one).
_KUSTOMIZE_ANNOTATIONS = ("config.kubernetes.io/", "internal.config.kubernetes.io/",
                          "kustomize.config.k8s.io/", "config.k8s.io/")  # fmt: skip
_FIELDS = frozenset(
    {"apiVersion", "kind", "resources", "bases", "patches", "patchesJson6902", "namespace"}
    | {"namePrefix", "nameSuffix", "images", "patchesStrategicMerge"}
)

# Kinds kustomize's nameReference follows references to: renaming one of them rewrites other
# objects, which is not reproduced here (matched by kind alone, whatever the group).
_REFERABLE = frozenset(
    {"ConfigMap", "Secret", "Service", "ServiceAccount", "Role", "ClusterRole", "Deployment"}
    | {"StatefulSet", "ReplicaSet", "ReplicationController", "PersistentVolumeClaim"}
    | {"PersistentVolume", "StorageClass", "PriorityClass", "IngressClass"}
    | {"ValidatingAdmissionPolicy"}
)
# Kinds the prefix and suffix transformers leave alone (APIService only in its own group).
_KEEP_NAME = frozenset({"CustomResourceDefinition", "Namespace"})
# Kinds whose namespace change kustomize follows into other fields (role binding subjects,
# webhook services, the Namespace's own name): not reproduced here.
_NAMESPACE_SENSITIVE = frozenset(
    {"Namespace", "RoleBinding", "ClusterRoleBinding", "APIService", "CustomResourceDefinition"}
)
# Scope of the built-in kinds kustomize knows (its bundled OpenAPI data); any other kind of a
# built-in group has a scope this module does not know. Kinds of other groups are namespaced
# for kustomize, whatever their CRD says.
_CLUSTER_SCOPED = frozenset(
    {"Namespace", "Node", "PersistentVolume", "ComponentStatus", "ClusterRole"}
    | {"ClusterRoleBinding", "CustomResourceDefinition", "APIService", "StorageClass"}
    | {"CSIDriver", "CSINode", "VolumeAttachment", "PriorityClass", "IngressClass"}
    | {"RuntimeClass", "PodSecurityPolicy", "CertificateSigningRequest", "FlowSchema"}
    | {"PriorityLevelConfiguration", "MutatingWebhookConfiguration"}
    | {"ValidatingWebhookConfiguration"}
)
_NAMESPACED = frozenset(
    {"v1/ConfigMap", "v1/Secret", "v1/Service", "v1/ServiceAccount", "v1/Pod", "v1/Endpoints"}
    | {"v1/PersistentVolumeClaim", "v1/ReplicationController", "v1/ResourceQuota"}
    | {"v1/LimitRange", "v1/PodTemplate", "v1/Event", "apps/v1/Deployment"}
    | {"apps/v1/StatefulSet", "apps/v1/DaemonSet", "apps/v1/ReplicaSet"}
    | {"apps/v1/ControllerRevision", "batch/v1/Job", "batch/v1/CronJob"}
    | {"networking.k8s.io/v1/Ingress", "networking.k8s.io/v1/NetworkPolicy"}
    | {"policy/v1/PodDisruptionBudget", "autoscaling/v1/HorizontalPodAutoscaler"}
    | {"rbac.authorization.k8s.io/v1/Role", "rbac.authorization.k8s.io/v1/RoleBinding"}
    | {"coordination.k8s.io/v1/Lease", "discovery.k8s.io/v1/EndpointSlice"}
)
_BUILTIN_GROUPS = frozenset(
    {"", "apps", "batch", "policy", "autoscaling", "extensions", "events"}
    | {"apiextensions.k8s.io", "apiregistration.k8s.io", "admissionregistration.k8s.io"}
)
_SELECTOR_KEYS = frozenset(
    {"group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"}
)
# Patterns that Go's RE2 and Python's re read alike: no escapes, flags, repetition counts.
_SAFE_PATTERN = re.compile(r"[A-Za-z0-9_.\-|*+?()\[\]^$]*")
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_LABEL_TERM = re.compile(rf"(!?)((?:[a-z0-9.-]+/)?{_NAME})(?:(==|=|!=)((?:{_NAME})?))?")
_NOT_NAMESPACEABLE = "_non_namespaceable_"
# JSON numbers kustomize keeps exactly through its float64 round trip.
_EXACT_INT = 2**53


class NotLocal(Exception):
    """The kustomization needs the real kustomize."""


@dataclass(frozen=True)
class Res:
    """An object of a build, with the name and namespace it had in its file (its "original id",
    which kustomize's target selectors also match). `owned`: the body is this build's own copy,
    free to change; otherwise it is shared with other builds and with the files read."""

    body: dict[str, Any]
    org_name: str
    org_namespace: str
    owned: bool = False


def _own(objects: list[Res], index: int) -> dict[str, Any]:
    """The body of `objects[index]`, copied first unless this build already owns it: only the
    objects a transformer changes are copied."""
    res = objects[index]
    if not res.owned:
        res = objects[index] = replace(res, body=copied(res.body), owned=True)
    return res.body


@dataclass(frozen=True)
class Files:
    """Where builds read files: the documents a caller already holds for some of them (absolute
    path → the objects whose `yamlio.dump_all` is that file's text), the disk for the rest.
    Documents held are taken as they are only when their text certainly reads back as them
    here and in kustomize; otherwise the text is read and checked as usual."""

    parsed: Mapping[Path, Sequence[Any]] = field(default_factory=dict)

    def documents(self, path: Path) -> list[Any] | None:
        """The documents held for `path` as its text reads back, or None to read the text."""
        from generator.docpaths import MAX_DEPTH  # not needed to resolve the command

        held = self.parsed.get(path)
        if held is None or not all(
            type(d) is dict and _reads_back(d, MAX_DEPTH // 2) for d in held
        ):
            return None
        return [_canonical(d) for d in held]


DISK = Files()


def _reads_back(value: Any, levels: int) -> bool:
    """Whether the dump of `value` reads back as `value`, alike for kustomize: the types YAML
    writes without a tag and reads back alike (no floats, tuples or subclasses), printable
    strings none written plain that YAML 1.2 takes for a number, integers kustomize keeps,
    nesting within `levels`. Anything else is left to the text and its checks.

    Walked without recursion, and strings checked together: a fleet's objects hold a million
    values."""
    strings: list[str] = []
    numbers: list[int] = []
    pending: list[tuple[Any, int]] = [(value, levels)]
    while pending:
        node, left = pending.pop()
        if left <= 0:
            return False
        if type(node) is dict:
            strings.extend(node)  # the keys; any other type fails the join below
            items = node.values()
        else:
            items = node
        for item in items:
            kind = type(item)
            if kind is str:
                strings.append(item)
            elif kind is dict or kind is list:
                pending.append((item, left - 1))
            elif kind is int:
                numbers.append(item)
            elif kind is not bool and item is not None:
                return False
    try:
        if not "".join(strings).replace("\n", "").isprintable():
            return False
    except TypeError:
        return False
    return all(
        not _NUMBER_12.fullmatch(text) or _quoted(text)
        for text in strings
        if text[:1] in _NUMBER_START
    ) and all(abs(number) < _STRICT_INT_LIMIT for number in numbers)


@lru_cache(maxsize=4096)
def _quoted(text: str) -> bool:
    """Whether the dump quotes this string: YAML 1.1 would read it plain as another type."""
    import yaml

    resolver: Any = yaml.resolver.Resolver()
    return bool(resolver.resolve(yaml.ScalarNode, text, (True, False)) != _PLAIN_STR)


def _canonical(body: dict[str, Any]) -> dict[str, Any]:
    """The object with its keys in the order its dump writes them: the object itself when they
    are (it is then shared, not copied), else a new top level and metadata."""
    from generator.yamlio import canonical

    ordered = canonical(body)
    if list(ordered) == list(body) and (
        not isinstance(body.get("metadata"), dict)
        or list(ordered["metadata"]) == list(body["metadata"])
    ):
        return body
    return ordered


def legacy_key(obj: dict[str, Any]) -> tuple[int, str, str]:
    group, _, version = obj["apiVersion"].rpartition("/")
    gvk = f"{group or '~G'}_{version or '~V'}_{obj['kind']}"
    meta = obj["metadata"]
    return _KIND_RANK.get(obj["kind"], 0), gvk, f"{meta.get('namespace') or '~X'}|{meta['name']}"


def build(
    directory: Path, memo: dict[Path, list[Res]], stack: frozenset[Path], files: Files = DISK
) -> list[Res]:
    """kustomize's objects for the kustomization in `directory` (unsorted), or NotLocal.
    The lists in `memo` and their objects are shared: callers copy before they change one."""
    if directory in memo:
        return memo[directory]
    if directory in stack or directory.is_symlink():
        raise NotLocal
    present = [n for n in _KUSTOMIZATION_FILES if (directory / n).exists()]
    if present != ["kustomization.yaml"]:
        raise NotLocal
    (body,) = _docs(directory / "kustomization.yaml", files)
    if not isinstance(body, dict) or set(body) - _FIELDS:
        raise NotLocal
    if body.get("kind", "Kustomization") != "Kustomization" or body.get("apiVersion", _API) != _API:
        raise NotLocal
    objects: list[Res] = []
    for ref in _list(body, "resources") + _list(body, "bases"):
        if not isinstance(ref, str) or "://" in ref or ref.startswith(("/", "git@", "github.com")):
            raise NotLocal
        target = Path(os.path.normpath(directory / ref))
        if target.is_symlink():
            raise NotLocal
        if target.is_dir():
            objects.extend(build(target, memo, stack | {directory}, files))
        elif target.is_file() and target.parent.is_relative_to(directory):
            found = _file(target, files)
            objects.extend(Res(o, o["metadata"]["name"], _namespace(o)) for o in found)
        else:
            raise NotLocal
    _check_ids(objects)
    if set(body) & (_FIELDS - {"apiVersion", "kind", "resources", "bases"}):
        objects = _transform(directory, body, objects, files)
    memo[directory] = objects
    return objects


def _transform(directory: Path, body: dict[str, Any], shared: list[Res], files: Files) -> list[Res]:
    """The kustomization's transformers, in kustomize's order: the deprecated strategic-merge
    patches, patches, namespace, name prefix, name suffix, the deprecated JSON 6902 patches,
    then images."""
    objects = [replace(r, owned=False) for r in shared]
    for path in _list(body, "patchesStrategicMerge"):
        # An entry is a file, or else inline YAML: only files are taken here.
        if not isinstance(path, str) or "\n" in path:
            raise NotLocal
        _patch(directory, {"path": path}, objects, files, trim=False, only="merge")
    for entry in _list(body, "patches"):
        _patch(directory, entry, objects, files, trim=True, only=None)
    namespace = body.get("namespace")
    if namespace is not None:
        _set_namespace(namespace, objects)
    prefix, suffix = body.get("namePrefix", ""), body.get("nameSuffix", "")
    if not isinstance(prefix, str) or not isinstance(suffix, str):
        raise NotLocal
    if prefix or suffix:
        _rename(prefix, suffix, objects)
    for entry in _list(body, "patchesJson6902"):
        target = entry.get("target") if isinstance(entry, dict) else None
        if not isinstance(target, dict) or not target.get("name"):
            raise NotLocal  # kustomize requires the target's name here
        _patch(directory, entry, objects, files, trim=False, only="json")
    for entry in _list(body, "images"):
        _set_images(entry, objects)
    _check_ids(objects)
    return objects


def _set_images(entry: Any, objects: list[Res]) -> None:
    """One `images` entry: every `image` of an item of a `containers` or `initContainers` list,
    anywhere in an object (CRDs excepted), whose name is `name` (a regular expression to
    kustomize) gets the new name, tag or digest."""
    if not isinstance(entry, dict) or set(entry) - {"name", "newName", "newTag", "digest"}:
        raise NotLocal
    if not all(isinstance(v, str) for v in entry.values()):
        raise NotLocal
    name, new_name = entry.get("name", ""), entry.get("newName", "")
    tag, digest = entry.get("newTag", ""), entry.get("digest", "")
    # A name with regular-expression syntax other than "." or a new reference that the
    # transformer's second pass would read differently goes to kustomize.
    if not _IMAGE_NAME.fullmatch(name) or (new_name and not _IMAGE_NAME.fullmatch(new_name)):
        raise NotLocal
    if re.search(r"[:@\s]", tag) or re.search(r"\s", digest):
        raise NotLocal
    matched = re.compile(re.escape(name).replace(r"\.", ".") + _IMAGE_TAIL)
    for index, res in enumerate(objects):
        if res.body["kind"] != "CustomResourceDefinition":
            _walk_images(_own(objects, index), matched, new_name, tag, digest)


_IMAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*(:[0-9]+/[A-Za-z0-9._/-]+)?")
_IMAGE_TAIL = r"(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?"


def _walk_images(node: Any, matched: re.Pattern[str], new_name: str, tag: str, digest: str) -> None:
    if isinstance(node, list):
        for item in node:
            _walk_images(item, matched, new_name, tag, digest)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        _walk_images(value, matched, new_name, tag, digest)
        if key in ("containers", "initContainers") and isinstance(value, list):
            for container in value:
                if not isinstance(container, dict):
                    raise NotLocal
                image = container.get("image")
                if image is None:
                    continue
                if not isinstance(image, str) or "\n" in image:
                    raise NotLocal
                if matched.fullmatch(image):
                    container["image"] = _new_image(image, new_name, tag, digest)


def _new_image(image: str, new_name: str, new_tag: str, new_digest: str) -> str:
    """kustomize's image update: split the reference (a ":" or "@" after the first "/"), then
    replace the name, and the tag and digest as given."""
    slash = image.find("/")
    start = slash if slash > 0 else 0
    rest = image[start:]
    at, colon = rest.find("@"), rest.find(":")
    name, tag, digest = image, "", ""
    if at >= 0 and (colon < 0 or at < colon):
        name, digest = image[: start + at], image[start + at + 1 :]
    elif colon >= 0:
        name = image[: start + colon]
        end = start + at if at >= 0 else len(image)
        tag = image[start + colon + 1 : end]
        digest = image[end + 1 :] if at >= 0 else ""
    if new_name:
        name = new_name
    if new_tag:
        tag, digest = new_tag, new_digest
    elif new_digest:
        tag, digest = "", new_digest
    return name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def _patch(
    directory: Path, entry: Any, objects: list[Res], files: Files, *, trim: bool, only: str | None
) -> None:
    """One patch entry: JSON 6902 operations or strategic-merge patches (`only` one of them
    for the deprecated fields)."""
    if not isinstance(entry, dict) or set(entry) - {"path", "patch", "target"}:
        raise NotLocal
    path, inline = entry.get("path"), entry.get("patch")
    if (path is None) == (inline is None):
        raise NotLocal
    if inline is not None:
        if not isinstance(inline, str):
            raise NotLocal
        form, patch = _parse_patch(inline.strip() if trim else inline)
    else:
        target_file = _within(directory, path)
        held = files.documents(target_file)
        form, patch = _parse_patch(_read(target_file)) if held is None else _merge_docs(held)
    if only not in (None, form):
        raise NotLocal
    target = entry.get("target")
    if form == "json":
        if target is None:
            raise NotLocal
        for index, res in enumerate(objects):
            if _selected(target, res):
                _changed(objects, index, lambda body: jsonpatch.apply(body, patch))
    elif target is not None:
        if len(patch) != 1:
            raise NotLocal  # kustomize refuses several documents with one target
        for index, res in enumerate(objects):
            if _selected(target, res):
                _merge(objects, index, patch[0])
    else:
        for doc in patch:
            _merge(objects, _by_id(doc, objects), doc)


def _changed(objects: list[Res], index: int, change: Any) -> None:
    """Apply `change` to the object; NotLocal when unsure or when it changes the object's id."""
    body = _own(objects, index)
    before = _id(body)
    try:
        change(body)
    except (jsonpatch.Unsure, smpatch.Unsure, TypeError):
        raise NotLocal from None
    _exact(body)
    _object(body)
    if _id(body) != before:
        raise NotLocal  # kustomize would track the new id


def _merge(objects: list[Res], index: int, doc: dict[str, Any]) -> None:
    """A strategic-merge patch: kustomize keeps the target's name, namespace and kind."""
    res = objects[index]
    patch = copied(doc)
    meta = dict(patch.pop("metadata"))
    del meta["name"]
    namespace = meta.pop("namespace", None)
    if namespace is not None and namespace != res.body["metadata"].get("namespace"):
        raise NotLocal
    if patch.pop("apiVersion") != res.body["apiVersion"] or patch.pop("kind") != res.body["kind"]:
        raise NotLocal
    if meta:
        patch["metadata"] = meta
    custom = not _builtin(res.body["apiVersion"])
    _changed(objects, index, lambda body: smpatch.apply(body, patch, custom=custom))


def _by_id(doc: dict[str, Any], objects: list[Res]) -> int:
    """The one object a patch without target names by id. kustomize also matches every id an
    object had before: only objects that kept their name and namespace are matched here."""
    if any((r.org_name, r.org_namespace) != (r.body["metadata"]["name"], _namespace(r.body))
           for r in objects):  # fmt: skip
        raise NotLocal
    found = [
        index
        for index, r in enumerate(objects)
        if (r.body["apiVersion"], r.body["kind"]) == (doc["apiVersion"], doc["kind"])
        and doc["metadata"]["name"] == r.body["metadata"]["name"]
        and _effective(r.body, _namespace(doc)) == _effective(r.body, _namespace(r.body))
    ]
    if len(found) != 1:
        raise NotLocal
    return found[0]


@lru_cache(maxsize=256)
def _parse_patch(text: str) -> tuple[str, list[Any]]:
    """("json", operations) or ("merge", objects each with apiVersion, kind and name).
    Cached, since overlays of a fleet repeat one patch; the result is read only (operations'
    values are copied as they are applied, merge patches before)."""
    if text.startswith("["):
        try:
            return "json", _operations(json.loads(text))
        except ValueError:
            raise NotLocal from None
    found = _text_docs(text)
    docs = [d for d in found if d is not None]
    if len(docs) == 1 and isinstance(docs[0], list):
        if len(found) != 1:
            raise NotLocal
        return "json", _operations(docs[0])
    return _merge_docs(docs)


def _merge_docs(docs: list[Any]) -> tuple[str, list[Any]]:
    """("merge", docs) when each is an object a strategic-merge patch may be; NotLocal else."""
    if not docs:
        raise NotLocal
    for doc in docs:
        meta = doc.get("metadata") if isinstance(doc, dict) else None
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
            raise NotLocal
        if not isinstance(doc.get("apiVersion"), str) or not isinstance(doc.get("kind"), str):
            raise NotLocal
        # kustomize reads a patch's metadata as strings (a null label becomes "null").
        if smpatch.has_null(meta):
            raise NotLocal
        _exact(doc)
    return "merge", docs


def _operations(ops: Any) -> list[Any]:
    if not isinstance(ops, list) or not ops:
        raise NotLocal
    _exact(ops)
    return ops


def _selected(target: Any, res: Res) -> bool:
    """kustomize's target selection: each given field a regular expression matched whole;
    the name and namespace match the original or the current one."""
    if not isinstance(target, dict) or set(target) - _SELECTOR_KEYS:
        raise NotLocal
    if not all(isinstance(v, str) for v in target.values()):
        raise NotLocal
    body = res.body
    group, _, version = body["apiVersion"].rpartition("/")
    meta = body["metadata"]
    checks = [
        ("group", [group]),
        ("version", [version]),
        ("kind", [body["kind"]]),
        ("name", [res.org_name, meta["name"]]),
    ]
    for field_name, values in checks:
        pattern = target.get(field_name, "")
        if pattern and not any(_matches(pattern, v) for v in values):
            return False
    pattern = target.get("namespace", "")
    if pattern:
        spaces = [_effective(body, res.org_namespace), _effective(body, _namespace(body))]
        if not any(_matches(pattern, v) for v in spaces):
            return False
    return _labels_match(target.get("labelSelector", ""), meta.get("labels", {})) and (
        _labels_match(target.get("annotationSelector", ""), meta.get("annotations", {}))
    )


def _matches(pattern: str, value: str) -> bool:
    if not _SAFE_PATTERN.fullmatch(pattern) or "(?" in pattern:
        raise NotLocal
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        raise NotLocal from None


def _labels_match(selector: str, labels: dict[str, str]) -> bool:
    """Equality-based label selectors (`a=b,c!=d,e,!f`); set-based ones go to kustomize."""
    if not selector.strip():
        return True
    for term in selector.split(","):
        found = _LABEL_TERM.fullmatch(term.strip())
        if not found:
            raise NotLocal
        negated, key, op, value = found.groups()
        if negated and op:
            raise NotLocal
        if op is None:
            if (key in labels) == bool(negated):
                return False
        elif (labels.get(key) == value) != (op != "!="):
            return False
    return True


def _builtin(api_version: str) -> bool:
    group = api_version.rpartition("/")[0]
    return group in _BUILTIN_GROUPS or group.endswith(".k8s.io")


def _scope(body: dict[str, Any]) -> str:
    api, kind = body["apiVersion"], body["kind"]
    if _builtin(api):
        if kind in _CLUSTER_SCOPED:
            return "cluster"
        if f"{api}/{kind}" in _NAMESPACED:
            return "namespaced"
        raise NotLocal
    return "namespaced"


def _effective(body: dict[str, Any], namespace: str) -> str:
    if _scope(body) == "cluster":
        return _NOT_NAMESPACEABLE
    return namespace or "default"


def _set_namespace(namespace: Any, objects: list[Res]) -> None:
    if not isinstance(namespace, str) or not namespace:
        raise NotLocal
    for index, res in enumerate(objects):
        if res.body["kind"] in _NAMESPACE_SENSITIVE or _scope(res.body) != "namespaced":
            raise NotLocal
        if res.body["metadata"].get("namespace", None) != namespace:
            _own(objects, index)["metadata"]["namespace"] = namespace


def _rename(prefix: str, suffix: str, objects: list[Res]) -> None:
    for index, res in enumerate(objects):
        kind, api = res.body["kind"], res.body["apiVersion"]
        if kind in _KEEP_NAME or (kind == "APIService" and api.startswith("apiregistration.")):
            continue
        if kind in _REFERABLE:
            raise NotLocal
        meta = _own(objects, index)["metadata"]
        meta["name"] = f"{prefix}{meta['name']}{suffix}"


def _id(body: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = body["metadata"]
    return body["apiVersion"], body["kind"], meta.get("name"), meta.get("namespace")


def _namespace(body: dict[str, Any]) -> str:
    return str(body["metadata"].get("namespace") or "")


def _check_ids(objects: list[Res]) -> None:
    """kustomize refuses two objects with one id (the namespace "" counting as "default")."""
    ids = [
        (o.body["apiVersion"].rpartition("/")[0], o.body["kind"], _namespace(o.body) or "default",
         o.body["metadata"]["name"])
        for o in objects
    ]  # fmt: skip
    if len(ids) != len(set(ids)):
        raise NotLocal


def _list(body: dict[str, Any], key: str) -> list[Any]:
    value = body.get(key) or []
    if not isinstance(value, list):
        raise NotLocal
    return value


def _exact(value: Any) -> None:
    """Values that survive kustomize's JSON round trip unchanged: string keys, no floats equal
    to an integer (they come back as integers), no integers beyond float64's exact range."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotLocal
            _exact(item)
    elif isinstance(value, list):
        for item in value:
            _exact(item)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or value.is_integer():
            raise NotLocal
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _EXACT_INT:
        raise NotLocal


def _within(directory: Path, path: Any) -> Path:
    """A file the kustomization may load: inside its folder (kustomize's load restrictor)."""
    if not isinstance(path, str) or "://" in path or path.startswith("/"):
        raise NotLocal
    target = Path(os.path.normpath(directory / path))
    if target.is_symlink() or not target.is_file() or not target.parent.is_relative_to(directory):
        raise NotLocal
    return target


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        raise NotLocal from None


def _object(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict) or not isinstance(doc.get("apiVersion"), str):
        raise NotLocal
    kind, meta = doc.get("kind"), doc.get("metadata")
    if not isinstance(kind, str) or kind.endswith("List") or not isinstance(meta, dict):
        raise NotLocal
    if not isinstance(meta.get("name"), str) or not meta["name"]:
        raise NotLocal
    if not isinstance(meta.get("namespace", ""), str):
        raise NotLocal
    for field_name in ("annotations", "labels"):
        entries = meta.get(field_name, {})
        if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
            raise NotLocal
    if any(str(k).startswith(_KUSTOMIZE_ANNOTATIONS) for k in meta.get("annotations", {})):
        raise NotLocal
    return doc


def _file(path: Path, files: Files) -> list[dict[str, Any]]:
    docs = files.documents(path)
    if docs is None:
        docs = _text_docs(_read(path))
    return [_object(doc) for doc in docs if doc is not None]


def _text_docs(text: str) -> list[Any]:
    """The documents of `text` when kustomize's YAML readers read them alike, or NotLocal."""
    import yaml  # not needed to resolve the command

    from generator.exactdocs import too_deep

    if too_deep(text) is not None:
        raise NotLocal  # kustomize names the error; composing it here would crash
    loader = _loader()(text)
    docs = []
    try:
        while loader.check_node():
            node = loader.get_node()
            _check_plain(node, set())
            docs.append(loader.construct_document(node))
    except yaml.YAMLError:
        raise NotLocal from None
    finally:
        loader.dispose()
    return docs


_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")
)
_PLAIN_STR = "tag:yaml.org,2002:str"
_STRICT = {
    "tag:yaml.org,2002:bool": re.compile(r"true|True|TRUE|false|False|FALSE"),
    "tag:yaml.org,2002:int": re.compile(r"-?(0|[1-9][0-9]{0,14})"),
    "tag:yaml.org,2002:float": re.compile(r"-?(0|[1-9][0-9]{0,14})\.[0-9]*[1-9]"),
}
# Plain scalars YAML 1.2 (kustomize's reader) takes for numbers and YAML 1.1 (ours) for strings.
_NUMBER_START = frozenset("+-.0123456789")
# Integers kustomize's strict reading keeps as written (up to 15 digits).
_STRICT_INT_LIMIT = 10**15
_NUMBER_12 = re.compile(
    r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+"
)


def _check_plain(node: Any, seen: set[int]) -> None:
    """What kustomize's YAML library reads alike: no duplicate keys (it refuses them), no
    aliases, merge keys, custom tags or timestamps (it may keep or expand them otherwise), and
    plain scalars that YAML 1.1 and 1.2 resolve the same way (`on`, `0755`, `1e3` do not)."""
    import yaml

    if id(node) in seen or node.tag not in _PLAIN_TAGS:
        raise NotLocal
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys = [k.value for k, _ in node.value]
        if len(keys) != len(set(keys)):
            raise NotLocal
        for key, value in node.value:
            _check_plain(key, seen)
            _check_plain(value, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_plain(item, seen)
    elif not node.style:  # plain: libyaml gives "", the Python parser None
        strict = _STRICT.get(node.tag)
        if strict is not None and not strict.fullmatch(node.value):
            raise NotLocal
        if node.tag == "tag:yaml.org,2002:str" and _NUMBER_12.fullmatch(node.value):
            raise NotLocal


def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _docs(path: Path, files: Files) -> list[Any]:
    import yaml

    docs = files.documents(path)
    try:
        if docs is None:
            docs = list(yaml.load_all(path.read_text("utf-8"), Loader=_loader()))
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        raise NotLocal from None
    if len(docs) != 1:
        raise NotLocal
    return docs
