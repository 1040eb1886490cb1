"""Label keys and values must be valid.

What it checks:
    Every label of an object and of its pod template: keys are an optional DNS subdomain prefix
    and a name of at most 63 characters (alphanumerics, `-`, `_`, `.`, starting and ending with
    an alphanumeric); values are empty or such a name.

Why it matters:
    The API server refuses the object; the published schemas accept any string.

Failing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
      labels: {app: "web server"}
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          serviceAccountName: web
          containers:
            - name: app
              image: nginx:1.27

Passing example:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
      labels: {app: web}
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          serviceAccountName: web
          containers:
            - name: app
              image: nginx:1.27

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG712: "<reason>"`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from generator.docpaths import DocPath
from generator.manifests import Manifest
from generator.rules.base import Context, Finding, meta
from generator.rules.pods import pod_spec, template_metadata

CODE = "GG712"
NAME = "label-syntax"
FAMILY = "availability"
SEVERITY = "error"
KINDS: frozenset[str] | None = None


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    places: list[tuple[DocPath, Any]] = [(("metadata", "labels"), meta(obj.body).get("labels"))]
    found = pod_spec(obj.body)
    if found is not None and len(found[0]) > 1:
        places.append(
            ((*found[0][:-1], "metadata", "labels"), template_metadata(obj.body).get("labels"))
        )
    for where, labels in places:
        if not isinstance(labels, dict):
            continue
        for key, value in labels.items():
            if not valid_key(str(key)):
                yield Finding((*where, key), f"label key {key!r} is not valid", None)
            if value is not None and not (value == "" or _LABEL.match(str(value))):
                yield Finding(
                    (*where, key),
                    f"label {key} value {value!r} is not valid "
                    "(63 characters: alphanumerics, '-', '_', '.')",
                )


_LABEL = re.compile(r"^(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_PREFIX = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)


@cache  # a repository uses a few dozen label keys, on thousands of objects
def valid_key(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    return bool(_LABEL.match(name)) and (not prefix or bool(_PREFIX.match(prefix)))
