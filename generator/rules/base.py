"""What a rule sees (the object and a context of the whole input) and what it returns."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, TypeVar

from generator.docpaths import DocPath
from generator.manifests import Manifest
from generator.rules.pods import pod_spec, template_labels
from generator.schema import SchemaStore, supported_versions

T = TypeVar("T")

NAMESPACED_CLUSTER_KINDS = frozenset(
    {
        "Namespace",
        "CustomResourceDefinition",
        "ClusterRole",
        "ClusterRoleBinding",
        "PersistentVolume",
        "StorageClass",
        "PriorityClass",
        "IngressClass",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "APIService",
        "Node",
        "PodSecurityPolicy",
        "ClusterIssuer",
        "RuntimeClass",
        "CSIDriver",
        "VolumeSnapshotClass",
        "Kustomization",
    }
)


@cache
def schema_minor(version: str) -> str:
    """The newest shipped schema version not newer than `version` (the oldest if all are)."""

    def key(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split(".")[:2] if p.isdigit())

    shipped = supported_versions()
    fitting = [v for v in shipped if key(v) <= key(version)]
    return fitting[-1] if fitting else shipped[0]


def identity(obj: Manifest) -> tuple[str, ...] | None:
    """What makes an object the same object, within one unit that is applied together.

    Objects of different overlays (or different folders) usually go to different clusters, so
    the unit is the kustomize build, else the folder of the file.
    """
    body = obj.body
    kind, name = body.get("kind"), meta(body).get("name")
    if not isinstance(kind, str) or not name or kind == "Kustomization":
        return None
    group = str(body.get("apiVersion", "")).rpartition("/")[0]
    unit = obj.origin.via or obj.origin.location.path.rpartition("/")[0]
    namespace = "" if kind in NAMESPACED_CLUSTER_KINDS else str(meta(body).get("namespace", ""))
    return (unit, group, kind, namespace, str(name))


CONTROLLER_LABELS = frozenset(
    {
        "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index",
        "pod-template-hash",
        "controller-revision-hash",
        "batch.kubernetes.io/job-name",
        "job-name",
        "batch.kubernetes.io/controller-uid",
        "controller-uid",
    }
)


@dataclass(frozen=True)
class Finding:
    """What a rule found: where in the object (a field path), and a message.

    The engine adds the rule's code, the file and line of `path`, and the object reference;
    rules stay pure functions of the object and the context.
    """

    path: DocPath
    message: str
    severity: str | None = None
    # Point at the mapping key of `path` rather than its value (a repeated key, an annotation).
    key: bool = False


def meta(body: Mapping[str, Any]) -> dict[str, Any]:
    value = body.get("metadata")
    return value if isinstance(value, dict) else {}


def name_of(body: Mapping[str, Any]) -> str:
    return str(meta(body).get("name", ""))


def namespace_of(body: Mapping[str, Any], default: str = "default") -> str:
    return str(meta(body).get("namespace") or default)


def labels_of(node: Mapping[str, Any]) -> dict[str, str]:
    labels = meta(node).get("labels")
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def annotations_of(node: Mapping[str, Any]) -> dict[str, str]:
    found = meta(node).get("annotations")
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def dig(node: Any, *path: str | int) -> Any:
    """The value at `path`, or None when any step is missing or of the wrong type."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return None
        elif not isinstance(node, dict):
            return None
        node = node[part] if isinstance(part, int) else node.get(part)
    return node


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """A LabelSelector (matchLabels and matchExpressions) or a plain label map."""
    plain = selector.get("matchLabels") if "matchLabels" in selector else None
    expressions = selector.get("matchExpressions") or []
    if plain is None and "matchExpressions" not in selector:
        plain = selector
    for key, value in (plain or {}).items():
        if labels.get(str(key)) != str(value):
            return False
    for expr in expressions if isinstance(expressions, list) else []:
        if not isinstance(expr, dict):
            continue
        key, op = str(expr.get("key")), expr.get("operator")
        values = [str(v) for v in expr.get("values") or []]
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


@dataclass
class Context:
    """The whole input, indexed lazily for rules that look across objects."""

    objects: Sequence[Manifest]
    kubernetes_version: str
    store: SchemaStore
    duplicate_keys: dict[int, list[DocPath]] = field(default_factory=dict)
    # Where a Kustomization manifest lives on disk, for rules that check its paths.
    directories: dict[int, str] = field(default_factory=dict)
    _shared: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False)

    def shared(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per run for each `key`.

        Overlays of many clusters repeat one namespace with the same workloads and policies;
        a rule whose verdict depends only on the key (say a namespace and a label set) then
        evaluates it once instead of once per copy.
        """
        if key not in self._shared:
            self._shared[key] = compute()
        found: T = self._shared[key]
        return found

    @cached_property
    def _identities(self) -> dict[int, tuple[str, ...] | None]:
        return {id(obj): identity(obj) for obj in self.objects}

    def identity_of(self, obj: Manifest) -> tuple[str, ...] | None:
        """`identity` of an object of the input, computed once per run."""
        return self._identities.get(id(obj))

    @cached_property
    def first_by_identity(self) -> dict[tuple[str, ...], Manifest]:
        out: dict[tuple[str, ...], Manifest] = {}
        for obj in self.objects:
            key = self.identity_of(obj)
            if key is not None:
                out.setdefault(key, obj)
        return out

    def first_of(self, key: tuple[str, ...]) -> Manifest | None:
        return self.first_by_identity.get(key)

    @cached_property
    def flux_patched_kinds(self) -> frozenset[str]:
        """Kinds a Flux Kustomization patches at apply time (`spec.patches`), which may leave
        required fields to those patches; the objects as written are partial by design."""
        import yaml  # only for inputs with Flux patches

        found: set[str] = set()
        for obj in self.by_kind.get("Kustomization", ()):
            if not str(obj.body.get("apiVersion", "")).startswith("kustomize.toolkit.fluxcd.io"):
                continue
            for item in dig(obj.body, "spec", "patches") or []:
                target = dig(item, "target", "kind")
                if target:
                    found.add(str(target))
                try:
                    patch = yaml.safe_load(str(dig(item, "patch") or ""))
                except yaml.YAMLError:
                    continue
                if isinstance(patch, dict) and patch.get("kind"):
                    found.add(str(patch["kind"]))
        return frozenset(found)

    def of_kind(self, *kinds: str) -> Iterator[Manifest]:
        for kind in kinds:
            yield from self.by_kind.get(kind, ())

    @cached_property
    def by_kind(self) -> dict[str, list[Manifest]]:
        out: dict[str, list[Manifest]] = {}
        for obj in self.objects:
            out.setdefault(str(obj.body.get("kind", "")), []).append(obj)
        return out

    @cached_property
    def pod_templates(self) -> list[tuple[Manifest, str, dict[str, str], dict[str, Any]]]:
        """(object, namespace, pod labels, pod spec) of every workload."""
        out = []
        for obj in self.objects:
            found = pod_spec(obj.body)
            if found is not None:
                out.append((obj, namespace_of(obj.body), template_labels(obj.body), found[1]))
        return out

    @cached_property
    def _pods_by_namespace(
        self,
    ) -> dict[str, list[tuple[Manifest, str, dict[str, str], dict[str, Any]]]]:
        out: dict[str, list[tuple[Manifest, str, dict[str, str], dict[str, Any]]]] = {}
        for entry in self.pod_templates:
            out.setdefault(entry[1], []).append(entry)
        return out

    def pods_in(
        self, namespace: str
    ) -> Sequence[tuple[Manifest, str, dict[str, str], dict[str, Any]]]:
        """`pod_templates` of one namespace, in input order."""
        return self._pods_by_namespace.get(namespace, ())

    def _by_kind_and(
        self, key: Callable[[Mapping[str, Any]], str]
    ) -> dict[tuple[str, str], list[Manifest]]:
        out: dict[tuple[str, str], list[Manifest]] = {}
        for kind, objects in self.by_kind.items():
            for obj in objects:
                out.setdefault((kind, key(obj.body)), []).append(obj)
        return out

    @cached_property
    def _by_kind_namespace(self) -> dict[tuple[str, str], list[Manifest]]:
        return self._by_kind_and(namespace_of)

    def in_namespace(self, kind: str, namespace: str) -> Sequence[Manifest]:
        """Objects of `kind` in `namespace`, in input order."""
        return self._by_kind_namespace.get((kind, namespace), ())

    @cached_property
    def _by_kind_name(self) -> dict[tuple[str, str], list[Manifest]]:
        return self._by_kind_and(name_of)

    def pods_selected(self, namespace: str, selector: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Pod specs in `namespace` whose labels `selector` matches.

        Labels controllers add to the pods they create (a StatefulSet's pod name) are not in the
        template, so a selector on them is judged by its other labels.
        """
        selector = {k: v for k, v in selector.items() if k not in CONTROLLER_LABELS}
        # repr tells apart every value YAML loads (1 and "1", True and "true").
        return self.shared(
            ("pods_selected", namespace, repr(selector)),
            lambda: [
                spec
                for _, _, labels, spec in self.pods_in(namespace)
                if selector_matches(selector, labels)
            ],
        )

    def find(self, kind: str, namespace: str | None, name: str) -> Manifest | None:
        for obj in self._by_kind_name.get((kind, name), ()):
            if namespace is None or namespace_of(obj.body) == namespace:
                return obj
        return None

    @cached_property
    def hpa_by_target(self) -> dict[tuple[str, str, str], Manifest]:
        """The first HorizontalPodAutoscaler scaling each (namespace, kind, name)."""
        out: dict[tuple[str, str, str], Manifest] = {}
        for hpa in self.of_kind("HorizontalPodAutoscaler"):
            target = dig(hpa.body, "spec", "scaleTargetRef")
            if not isinstance(target, dict):
                continue
            kind, name = target.get("kind"), target.get("name")
            # Workloads' kinds and names are strings: a target of another type scales none.
            if isinstance(kind, str) and isinstance(name, str):
                out.setdefault((namespace_of(hpa.body), kind, name), hpa)
        return out

    @cached_property
    def crds_by_resource(self) -> dict[tuple[str, str], list[Manifest]]:
        """CustomResourceDefinitions by the (group, kind) they define, in input order."""
        out: dict[tuple[str, str], list[Manifest]] = {}
        for crd in self.of_kind("CustomResourceDefinition"):
            group, kind = dig(crd.body, "spec", "group"), dig(crd.body, "spec", "names", "kind")
            if isinstance(group, str) and isinstance(kind, str):
                out.setdefault((group, kind), []).append(crd)
        return out


def _hpa_for(obj: Manifest, ctx: Context) -> Manifest | None:
    kind = obj.body.get("kind")
    if not isinstance(kind, str):
        return None
    return ctx.hpa_by_target.get((namespace_of(obj.body), kind, name_of(obj.body)))


def scaled_by_hpa(obj: Manifest, ctx: Context) -> bool:
    return _hpa_for(obj, ctx) is not None


def hpa_min(obj: Manifest, ctx: Context) -> int | None:
    """The minReplicas of the HPA scaling `obj`, if one does."""
    hpa = _hpa_for(obj, ctx)
    if hpa is None:
        return None
    low = dig(hpa.body, "spec", "minReplicas")
    return low if isinstance(low, int) else 1


def selected_workloads(ctx: Context, namespace: str, selector: Mapping[str, Any]) -> list[Manifest]:
    """Workloads in `namespace` whose pod labels `selector` matches (an empty one matches none)."""
    if not selector:
        return []
    return [
        obj for obj, _, labels, _ in ctx.pods_in(namespace) if selector_matches(selector, labels)
    ]
