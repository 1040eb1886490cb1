"""Custom resources must pass their CRD's own validation rules.

What it checks:
    Custom resources against what their CustomResourceDefinition declares beyond JSON schema, as
    the API server checks it: `x-kubernetes-validations` CEL rules (evaluated with cel-python;
    transition rules with `oldSelf` and rules needing Kubernetes' CEL extensions are skipped),
    `x-kubernetes-list-type: map` keys and `set` uniqueness, and string formats (date-time, date,
    byte, duration). CRDs come from the input, `--crd`/`crds:` and the bundled schemas.

Why it matters:
    The API server refuses the object at sync time; kubeconform and other offline validators pass
    it, because they only apply the JSON schema.

Failing example:
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.example.com
    spec:
      group: example.com
      scope: Namespaced
      names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec:
                  type: object
                  x-kubernetes-validations:
                    - rule: self.minReplicas <= self.maxReplicas
                      message: minReplicas must not exceed maxReplicas
                  properties:
                    minReplicas: {type: integer}
                    maxReplicas: {type: integer}
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata:
      name: w
      namespace: shop
    spec:
      minReplicas: 5
      maxReplicas: 3

Passing example:
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.example.com
    spec:
      group: example.com
      scope: Namespaced
      names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec:
                  type: object
                  x-kubernetes-validations:
                    - rule: self.minReplicas <= self.maxReplicas
                      message: minReplicas must not exceed maxReplicas
                  properties:
                    minReplicas: {type: integer}
                    maxReplicas: {type: integer}
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata:
      name: w
      namespace: shop
    spec:
      minReplicas: 2
      maxReplicas: 3

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG105: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding
from generator.rules.crdvalidation import checked_parts, violations

CODE = "GG105"
NAME = "crd-validation"
FAMILY = "schema"
SEVERITY = "error"
KINDS: frozenset[str] | None = None


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    api_version, kind = obj.body.get("apiVersion"), obj.body.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str) or "." not in api_version:
        return
    schema = ctx.shared(
        (CODE, api_version, kind), lambda: checked_parts(ctx.store.crd_schema(api_version, kind))
    )
    if schema is None:
        return
    for path, message in violations(schema, obj.body):
        yield Finding(path, message)
