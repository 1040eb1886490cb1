"""Images must name a version: a tag other than latest, or a digest.

What it checks:
    Every container image without a tag, with `:latest`, or with an empty image.

Why it matters:
    Without a fixed tag every node may run a different build, rollbacks restore nothing and a
    registry push changes production without a commit.

Failing example:
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      namespace: shop
    spec:
      containers:
        - name: app
          image: nginx:latest

Passing example:
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      namespace: shop
    spec:
      containers:
        - name: app
          image: nginx:1.27.3

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG601: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label

CODE = "GG601"
NAME = "image-tag"
FAMILY = "images"
SEVERITY = "error"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body):
        image = str(container.get("image") or "")
        tag = image_tag(image)
        if "@" in image:
            continue
        if not image:
            yield Finding(path, f"{label(container)} has no image")
        elif tag is None:
            yield Finding(
                (*path, "image"), f"{label(container)} image {image} has no tag (means latest)"
            )
        elif tag == "latest":
            yield Finding((*path, "image"), f"{label(container)} image {image} uses the latest tag")


def image_tag(image: str) -> str | None:
    """The tag of an image reference, or None; a registry port is not a tag."""
    last = image.rpartition("/")[2]
    return last.rpartition(":")[2] if ":" in last else None
