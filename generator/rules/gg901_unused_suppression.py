"""Suppressions must suppress something.

What it checks:
    `ignore.gitops-gen.dev/GGnnn` annotations whose rule found nothing on the object (or names no
    rule at all). Suppressions of rules switched off by configuration are not reported.

Why it matters:
    A stale suppression hides the next real finding of that rule on the object.

Failing example:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop
      annotations:
        ignore.gitops-gen.dev/GG501: "no containers here"

Passing example:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop

How to suppress:
    Remove the annotation.
"""

from __future__ import annotations

CODE = "GG901"
NAME = "unused-suppression"
FAMILY = "tool"
SEVERITY = "warning"
# Found while reading the input, before any object exists; see generator/lintinput.py.
check = None
