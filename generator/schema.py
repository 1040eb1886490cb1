"""Compiled, cached schema validators: Kubernetes (kubernetes-validate's files) and CRDs.

kubernetes-validate's own `validate()` re-reads a 1.3 MB definitions file and rebuilds its
validator on every call. Here each (Kubernetes minor, apiVersion, kind) is compiled once with
jsonschema-rs against one in-memory registry per minor, and kept for the life of the process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import jsonschema_rs

from generator.resources import shipped


def _package_folder(name: str) -> Path:
    """Where an installed package lives, found without running it (kubernetes-validate's own
    import loads Python jsonschema, which only its files are needed from)."""
    spec = find_spec(name)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(name)
    return Path(spec.origin).resolve().parent


_K8S_ROOT = _package_folder("kubernetes_validate") / "kubernetes-json-schema"
_DEFINITIONS_ID = "https://kubernetes.io/api/_definitions.json"
_OBJECT_META = f"{_DEFINITIONS_ID}#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_PRESERVE = "x-kubernetes-preserve-unknown-fields"


@dataclass(frozen=True, order=True)
class SchemaError:
    """One way an object breaks its schema: where in the object, and what is wrong."""

    path: str
    message: str
    # The same path as keys and indexes, for lint findings that need the line of the field.
    parts: tuple[str | int, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.path or '(root)'}: {self.message}"


@cache
def supported_versions() -> tuple[str, ...]:
    """Kubernetes minors with shipped strict schemas, oldest first ("1.25", …)."""
    found = []
    for entry in _K8S_ROOT.iterdir():
        match = re.fullmatch(r"v(\d+)\.(\d+)\.\d+-local-strict", entry.name)
        if match:
            found.append((int(match.group(1)), int(match.group(2))))
    return tuple(f"{major}.{minor}" for major, minor in sorted(found))


def _schema_dir(minor: str) -> Path:
    return _K8S_ROOT / f"v{minor}.0-local-strict"


@cache
def _registry(minor: str) -> jsonschema_rs.Registry:
    definitions = json.loads((_schema_dir(minor) / "_definitions.json").read_text("utf-8"))
    return jsonschema_rs.Registry([(_DEFINITIONS_ID, definitions)])


def _k8s_file(api_version: str, kind: str) -> str:
    group, _, version = api_version.rpartition("/")
    prefix = f"{group.split('.')[0]}-" if group else ""
    return f"{kind.lower()}-{prefix}{version}.json"


def _strict(node: Any) -> Any:
    """CRD schemas with unknown fields rejected, except where Kubernetes keeps them."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strict(value) for key, value in node.items()}
    # Only object nodes: `anyOf: [{properties: {ingress: {}}, required: [ingress]}]` (Cilium's
    # policies) lists a property to require it, not to forbid every other one.
    strict = out.get("type", "object") == "object" and not _is_branch_of_requirements(out)
    if (
        strict
        and "properties" in out
        and "additionalProperties" not in out
        and not out.get(_PRESERVE)
    ):
        out["additionalProperties"] = False
    return out


def _is_branch_of_requirements(node: Mapping[str, Any]) -> bool:
    """A typeless node whose properties are all empty schemas only names what it requires."""
    properties = node.get("properties") or {}
    return "type" not in node and bool(properties) and all(v == {} for v in properties.values())


class SchemaStore:
    """Finds, compiles and caches the schema for each kind. The shipped schemas are compiled
    once per process for every store; a store adds the CRDs read from its input (and --crd),
    which come before them."""

    def __init__(self) -> None:
        self._validators: dict[tuple[str, str, str], jsonschema_rs.Validator | None] = {}
        self._crd_objects: dict[tuple[str, str], dict[str, Any]] = {}
        self._raw: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._unusable: dict[tuple[str, str, str], str] = {}

    def add_crd(self, crd: Mapping[str, Any]) -> None:
        """Validate custom resources of a CustomResourceDefinition read from the input."""
        spec: Any = crd.get("spec")
        if not isinstance(spec, dict) or not isinstance(spec.get("names"), dict):
            return
        group, kind = spec.get("group"), spec["names"].get("kind")
        for version in spec.get("versions") or []:
            if not isinstance(version, dict) or not isinstance(version.get("schema"), dict):
                continue
            schema = version["schema"].get("openAPIV3Schema")
            if isinstance(group, str) and isinstance(kind, str) and isinstance(schema, dict):
                self._crd_objects[(f"{group}/{version.get('name')}", kind)] = schema

    def crd_schema(self, api_version: str, kind: str) -> dict[str, Any] | None:
        """The raw structural schema of a custom resource, for rules beyond JSON schema."""
        found = self._crd_objects.get((api_version, kind))
        if found is not None:
            return found
        key = (api_version, kind)
        if key not in self._raw:
            path = _crd_file(api_version, kind)
            self._raw[key] = json.loads(path.read_text("utf-8")) if path else None
        return self._raw[key]

    def validator(self, minor: str, api_version: str, kind: str) -> jsonschema_rs.Validator | None:
        key = (minor, api_version, kind)
        if key not in self._validators:
            own = self._crd_objects.get((api_version, kind)) if _custom(api_version) else None
            if own is None:
                self._validators[key] = _shipped_validator(minor, api_version, kind)
            else:
                self._validators[key] = self._compile_own(key, _custom_resource(own))
        return self._validators[key]

    def _compile_own(
        self, key: tuple[str, str, str], schema: dict[str, Any]
    ) -> jsonschema_rs.Validator:
        """The validator of a CRD read from the input, or one that refuses every object when
        the CRD's schema is not one (its objects cannot be checked, which is an error)."""
        minor, api_version, kind = key
        try:
            return _compiled(schema, minor)
        except jsonschema_rs.ValidationError as exc:
            reason = str(exc).splitlines()[0]
            self._unusable[key] = (
                f"the CustomResourceDefinition of {kind} in {api_version} has a schema that "
                f"cannot be used: {reason}"
            )
            return _compiled(False, minor)

    def validate(self, obj: Mapping[str, Any], minor: str) -> list[SchemaError]:
        """Every schema error of `obj` for Kubernetes `minor`; an unknown kind is an error."""
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if not isinstance(api_version, str) or not isinstance(kind, str):
            return [SchemaError("", "object has no apiVersion and kind")]
        validator = self.validator(minor, api_version, kind)
        if validator is None:
            return [
                SchemaError(
                    "",
                    f"no schema for {kind} in {api_version} (Kubernetes {minor} or the CRD "
                    "schemas); pass --crd for custom resources",
                )
            ]
        unusable = self._unusable.get((minor, api_version, kind))
        if unusable is not None:
            return [SchemaError("", unusable)]
        # Most objects are valid, and saying so is cheaper than collecting no errors.
        if validator.is_valid(obj):
            return []
        errors = {
            SchemaError(_pointer(err.instance_path), err.message, tuple(err.instance_path))
            for err in validator.iter_errors(obj)
        }
        return sorted(errors)


_SHIPPED_CRDS = shipped("schemas") / "crds"


def _custom(api_version: str) -> bool:
    """Whether an apiVersion names a custom resource's group (which has a dot)."""
    return "." in api_version.rpartition("/")[0]


def _crd_file(api_version: str, kind: str) -> Path | None:
    """The shipped schema file of a custom resource (`group/kind_version.json`), if any."""
    if not _custom(api_version):
        return None
    group, _, version = api_version.rpartition("/")
    path = _SHIPPED_CRDS / group / f"{kind.lower()}_{version}.json"
    return path if path.is_file() else None


def _custom_resource(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A CRD's schema as its objects are checked: strict, with metadata as ObjectMeta."""
    strict: dict[str, Any] = _strict(schema)
    strict.setdefault("properties", {})["metadata"] = {"$ref": _OBJECT_META}
    strict.pop("$schema", None)
    return strict


@cache
def _shipped_validator(minor: str, api_version: str, kind: str) -> jsonschema_rs.Validator | None:
    """The validator of a kind from the shipped schemas: vendored CRDs, then Kubernetes."""
    path = _crd_file(api_version, kind)
    if path is not None:
        schema = _custom_resource(json.loads(path.read_text("utf-8")))
    else:
        path = _schema_dir(minor) / _k8s_file(api_version, kind)
        if not path.is_file():
            return None
        schema = json.loads(path.read_text("utf-8"))
    return _compiled(schema, minor)


def _compiled(schema: dict[str, Any] | bool, minor: str) -> jsonschema_rs.Validator:
    """A validator that resolves references in the schema and Kubernetes' definitions only:
    a CRD from a branch under review may point anywhere, and nothing here opens a
    connection."""
    return jsonschema_rs.validator_for(schema, registry=_registry(minor), offline=True)


def _pointer(parts: Iterable[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
