"""A container must not define an environment variable twice.

What it checks:
    Containers whose `env` list names the same variable more than once.

Why it matters:
    Only the last definition takes effect, and strategic merge patches then update the wrong one.

Failing example:
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      namespace: shop
    spec:
      containers:
        - name: app
          image: nginx:1.27
          env:
            - {name: MODE, value: a}
            - {name: MODE, value: b}

Passing example:
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      namespace: shop
    spec:
      containers:
        - name: app
          image: nginx:1.27
          env:
            - {name: MODE, value: a}

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG603: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label

CODE = "GG603"
NAME = "duplicate-env"
FAMILY = "images"
SEVERITY = "error"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body):
        env = container.get("env")
        seen: set[str] = set()
        for index, item in enumerate(env if isinstance(env, list) else []):
            name = str(item.get("name")) if isinstance(item, dict) else ""
            if name in seen:
                yield Finding(
                    (*path, "env", index, "name"), f"{label(container)} defines {name} twice"
                )
            seen.add(name)
