"""Secrets do not belong in literal environment values.

What it checks:
    Environment variables whose name looks secret (PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY)
    and whose value is a literal rather than `valueFrom`, and literal values holding a
    private key.

Why it matters:
    Literal values end up in git, in `kubectl describe` and in every log of the pod spec.

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
            - name: DB_PASSWORD
              value: hunter2

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
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: db, key: password}

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG512: "<reason>"`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.pods import WORKLOAD_KINDS, containers, label

CODE = "GG512"
NAME = "secret-in-env"
FAMILY = "security"
SEVERITY = "warning"
KINDS: frozenset[str] | None = WORKLOAD_KINDS


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    for path, container, _spec in containers(obj.body):
        env = container.get("env")
        for index, item in enumerate(env if isinstance(env, list) else []):
            if not isinstance(item, dict):
                continue
            name = str(item.get("name", ""))
            value = str(item.get("value") or "")
            if value and (_SECRETISH.search(name) or "PRIVATE KEY" in value):
                yield Finding(
                    (*path, "env", index, "value"),
                    f"{label(container)} sets {name} to a literal value; "
                    "use valueFrom.secretKeyRef",
                )


_SECRETISH = re.compile(
    r"PASSW(OR)?D|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|(^|_)KEY(_|$)", re.I
)
