"""Builds with the real kustomize: `kubectl kustomize` or `kustomize build`, in parallel.

Most kustomizations gitops-gen writes list only plain files and folders of such: kustomize's
output for those is the files' objects in its legacy order, so they are built here without
starting kubectl. Anything else (patches, generators, remote bases, a file kustomize would
refuse or transform) goes to the real kustomize, which also names every error.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import Location, UserError

MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class Build:
    directory: str
    objects: tuple[dict[str, Any], ...]
    error: str | None


def command() -> list[str] | None:
    """The kustomize on PATH, preferring a standalone binary; None when there is none."""
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


def resolve(mode: str) -> list[str] | None:
    """The build command for `--kustomize MODE`, or None to skip builds."""
    if mode == "never":
        return None
    found = command()
    if found is None and mode == "always":
        raise UserError.at(
            Location("--kustomize"),
            "--kustomize always: neither 'kustomize' nor 'kubectl' is on PATH",
        )
    return found


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
# Annotation prefixes kustomize acts on (local-config objects are dropped, for one).
_KUSTOMIZE_ANNOTATIONS = ("config.kubernetes.io/", "internal.config.kubernetes.io/",
                          "kustomize.config.k8s.io/", "config.k8s.io/")  # fmt: skip


class _NotPlain(Exception):
    """The kustomization needs the real kustomize."""


def _legacy_key(obj: dict[str, Any]) -> tuple[int, str, str]:
    group, _, version = obj["apiVersion"].rpartition("/")
    gvk = f"{group or '~G'}_{version or '~V'}_{obj['kind']}"
    meta = obj["metadata"]
    return _KIND_RANK.get(obj["kind"], 0), gvk, f"{meta.get('namespace') or '~X'}|{meta['name']}"


def _plain_object(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict) or not isinstance(doc.get("apiVersion"), str):
        raise _NotPlain
    kind, meta = doc.get("kind"), doc.get("metadata")
    if not isinstance(kind, str) or kind.endswith("List") or not isinstance(meta, dict):
        raise _NotPlain
    if not isinstance(meta.get("name"), str) or not meta["name"]:
        raise _NotPlain
    if not isinstance(meta.get("namespace", ""), str):
        raise _NotPlain
    for field_name in ("annotations", "labels"):
        entries = meta.get(field_name, {})
        if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
            raise _NotPlain
    if any(str(k).startswith(_KUSTOMIZE_ANNOTATIONS) for k in meta.get("annotations", {})):
        raise _NotPlain
    return doc


def _plain_file(path: Path) -> list[dict[str, Any]]:
    import yaml  # not needed to resolve the command

    text = path.read_text("utf-8")
    try:
        nodes = list(yaml.compose_all(text, Loader=_loader()))
        for node in nodes:
            _check_plain(node, set())
        docs = list(yaml.load_all(text, Loader=_loader()))
    except (yaml.YAMLError, UnicodeDecodeError):
        raise _NotPlain from None
    return [_plain_object(doc) for doc in docs if doc is not None]


_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")
)


def _check_plain(node: Any, seen: set[int]) -> None:
    """What kustomize's YAML library reads alike: no duplicate keys (it refuses them), no
    aliases, merge keys, custom tags or timestamps (it may keep or expand them otherwise)."""
    import yaml

    if id(node) in seen or node.tag not in _PLAIN_TAGS:
        raise _NotPlain
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys = [k.value for k, _ in node.value]
        if len(keys) != len(set(keys)):
            raise _NotPlain
        for key, value in node.value:
            _check_plain(key, seen)
            _check_plain(value, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_plain(item, seen)


def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _plain_build(
    directory: Path, memo: dict[Path, list[dict[str, Any]]], stack: frozenset[Path]
) -> list[dict[str, Any]]:
    """kustomize's output for a kustomization of plain resources, or _NotPlain."""
    if directory in memo:
        return memo[directory]
    if directory in stack or directory.is_symlink():
        raise _NotPlain
    present = [n for n in _KUSTOMIZATION_FILES if (directory / n).exists()]
    if present != ["kustomization.yaml"]:
        raise _NotPlain
    (body,) = _plain_file_docs(directory / "kustomization.yaml")
    if not isinstance(body, dict) or set(body) - {"apiVersion", "kind", "resources"}:
        raise _NotPlain
    if body.get("kind", "Kustomization") != "Kustomization":
        raise _NotPlain
    if body.get("apiVersion", _API) != _API:
        raise _NotPlain
    resources = body.get("resources") or []
    if not isinstance(resources, list):
        raise _NotPlain
    objects: list[dict[str, Any]] = []
    for ref in resources:
        if not isinstance(ref, str) or "://" in ref or ref.startswith(("/", "git@", "github.com")):
            raise _NotPlain
        target = Path(os.path.normpath(directory / ref))
        if target.is_symlink():
            raise _NotPlain
        if target.is_dir():
            objects.extend(_plain_build(target, memo, stack | {directory}))
        elif target.is_file() and target.parent.is_relative_to(directory):
            objects.extend(_plain_file(target))
        else:
            raise _NotPlain
    ids = [(o["apiVersion"].rpartition("/")[0], o["kind"], _legacy_key(o)[2]) for o in objects]
    if len(ids) != len(set(ids)):
        raise _NotPlain  # kustomize names the clash
    memo[directory] = objects
    return objects


_API = "kustomize.config.k8s.io/v1beta1"


def _plain_file_docs(path: Path) -> list[Any]:
    import yaml

    try:
        docs = list(yaml.load_all(path.read_text("utf-8"), Loader=_loader()))
    except (yaml.YAMLError, UnicodeDecodeError):
        raise _NotPlain from None
    if len(docs) != 1:
        raise _NotPlain
    return docs


def _build_here(root: Path, directory: str, memo: dict[Path, list[dict[str, Any]]]) -> Build | None:
    """The build without kustomize, when the kustomization is plain; None otherwise."""
    try:
        objects = _plain_build(Path(os.path.realpath(root / directory)), memo, frozenset())
    except (_NotPlain, OSError):
        return None
    return Build(directory, tuple(copy.deepcopy(sorted(objects, key=_legacy_key))), None)


def _build_one(cmd: list[str], root: Path, directory: str) -> Build:
    from generator.yamlio import load_all_plain  # not needed to resolve the command

    result = subprocess.run(
        [*cmd, str(root / directory)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()
        return Build(directory, (), message[-1] if message else f"exit {result.returncode}")
    docs = tuple(doc for doc in load_all_plain(result.stdout) if doc)
    return Build(directory, docs, None)


def build_all(cmd: list[str], root: Path, directories: Iterable[str]) -> dict[str, Build]:
    memo: dict[Path, list[dict[str, Any]]] = {}
    done: dict[str, Build] = {}
    rest = []
    for directory in sorted(directories):
        here = _build_here(root, directory, memo)
        if here is None:
            rest.append(directory)
        else:
            done[directory] = here
    workers = max(2, min(8, (os.cpu_count() or 2) * 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done.update((b.directory, b) for b in pool.map(lambda d: _build_one(cmd, root, d), rest))
    return dict(sorted(done.items()))
