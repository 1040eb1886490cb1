"""Files must be valid YAML.

What it checks:
    Every linted file parses as YAML (all its documents) and is UTF-8.

Why it matters:
    Argo CD and kubectl refuse the whole file; nothing in it is applied.

Failing example:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop
    data:
      key: [unclosed

Passing example:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop
    data:
      key: "[closed]"

How to suppress:
    Fix the file, or list it under `ignorePaths` in `.gitops-gen.yaml`.
"""

from __future__ import annotations

CODE = "GG100"
NAME = "yaml-syntax"
FAMILY = "schema"
SEVERITY = "error"
# Found while reading the input, before any object exists; see generator/lintinput.py.
check = None
