"""The object-with-origin type that render, lint and diff share, and the in-memory tree."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.docpaths import Positions
from generator.errors import Location


@dataclass(frozen=True)
class Origin:
    """Where an object came from: a catalogue position, and the part that produced it."""

    location: Location
    via: str = ""

    def __str__(self) -> str:
        return f"{self.location} ({self.via})" if self.via else str(self.location)


@dataclass
class Manifest:
    """One Kubernetes object, with where it came from and which Kubernetes minors run it.

    `minors` empty means the object is not applied to a cluster (a kustomization file).
    `positions`, for objects read from a file, locates each field for lint findings.
    """

    body: dict[str, Any]
    origin: Origin
    minors: tuple[str, ...] = ()
    positions: Positions | None = None

    @property
    def ref(self) -> str:
        return object_ref(self.body)


def object_ref(body: Mapping[str, Any]) -> str:
    """`Kind/namespace/name`, the way findings name an object."""
    meta = body.get("metadata") or {}
    parts = [str(body.get("kind", "?")), meta.get("namespace"), meta.get("name", "?")]
    return "/".join(str(p) for p in parts if p)


@dataclass
class Tree:
    """The rendered repository in memory: relative path → objects, or text for other files."""

    objects: dict[str, list[Manifest]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def add(self, path: str, *manifests: Manifest) -> None:
        self.objects.setdefault(path, []).extend(manifests)

    def text(self, path: str, content: str) -> None:
        self.texts[path] = content

    def manifests(self) -> Iterator[tuple[str, Manifest]]:
        for path in sorted(self.objects):
            for manifest in self.objects[path]:
                yield path, manifest

    def files(self) -> dict[str, str]:
        """Every file's content, in a stable order."""
        from generator.fastdump import dump_all  # the YAML writer: lint never needs it

        out = {path: dump_all([m.body for m in items]) for path, items in self.objects.items()}
        out.update(self.texts)
        return dict(sorted(out.items()))

    def documents(self) -> dict[str, list[dict[str, Any]]]:
        """The objects of each file written from objects (its text is their `dump_all`)."""
        return {
            path: [m.body for m in items]
            for path, items in self.objects.items()
            if path not in self.texts
        }

    def kustomize_dirs(self) -> list[str]:
        return sorted(
            path.rpartition("/")[0] for path in self.objects if path.endswith("kustomization.yaml")
        )


def kustomization(
    resources: list[str],
    *,
    patches: Sequence[Mapping[str, Any]] | None = None,
    name_suffix: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
    }
    if name_suffix:
        body["nameSuffix"] = name_suffix
    body["resources"] = sorted(resources)
    if extra:
        body.update(extra)
    if patches:
        body["patches"] = list(patches)
    return body
