"""Schema validation of rendered and built objects: one line per error, nothing else."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from generator.manifests import Manifest, object_ref
from generator.schema import SchemaStore


def manifest_errors(store: SchemaStore, items: Iterable[tuple[str, Manifest]]) -> Iterator[str]:
    """`file: Kind/ns/name: field: message (Kubernetes 1.30) [from origin]` per schema error."""
    for path, manifest in items:
        for minor in manifest.minors:
            for error in store.validate(manifest.body, minor):
                yield (
                    f"{path}: {manifest.ref}: {error} (Kubernetes {minor}) [from {manifest.origin}]"
                )


def built_errors(
    store: SchemaStore, directory: str, objects: Iterable[dict[str, Any]], minors: Iterable[str]
) -> Iterator[str]:
    for body in objects:
        for minor in minors:
            for error in store.validate(body, minor):
                yield (
                    f"{directory} (kustomize build): {object_ref(body)}: {error} "
                    f"(Kubernetes {minor})"
                )
