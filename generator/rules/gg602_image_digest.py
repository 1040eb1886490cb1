"""Images are pinned by digest (off by default).

What it checks:
    Container images without an `@sha256:` digest.

Why it matters:
    A tag can be moved to another build; a digest cannot.

Failing example:
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      namespace: shop
    spec:
      containers:
        - name: app
          image: nginx:1.27.3

Passing example:
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      namespace: shop
    spec:
      containers:
        - name: app
          image: nginx@sha256:4f8f6b2bd2c47e7ba8b4a4c4b0b2e9b1bf5b2a0d7c52f4c3e3e1e2d3c4b5a697

How to suppress:
    Leave it off, or annotate the object with
    `ignore.gitops-gen.dev/GG602: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label

CODE = "GG602"
NAME = "image-digest"
FAMILY = "images"
SEVERITY = "off"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body):
        image = str(container.get("image") or "")
        if image and "@sha256:" not in image:
            yield Finding(
                (*path, "image"), f"{label(container)} image {image} is not pinned by digest"
            )
