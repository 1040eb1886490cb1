"""Every kustomization must build.

What it checks:
    Each kustomization directory that is not a base of another is built with the real kustomize
    (`kustomize build` or `kubectl kustomize`, load restrictor off as Flux and Argo CD allow); a
    failing build is a finding at its kustomization.yaml. Overlays with remote resources are not
    built (no network) and are noted.

Why it matters:
    Argo CD shows a failing build as a ComparisonError and applies nothing from that application.

Failing example:
    # kustomization.yaml
    resources:
      - missing.yaml

Passing example:
    # kustomization.yaml
    resources: []

How to suppress:
    Fix the kustomization, or list the directory under `ignorePaths`.
"""

from __future__ import annotations

CODE = "GG410"
NAME = "kustomize-build"
FAMILY = "argocd-kustomize"
SEVERITY = "error"
# Found while reading the input, before any object exists; see generator/lintinput.py.
check = None
