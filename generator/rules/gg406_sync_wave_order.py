"""Providers must sync no later than what uses them.

What it checks:
    Custom resources in an earlier sync wave than their CustomResourceDefinition, objects in an
    earlier wave than their Namespace, and Applications in an earlier wave than the AppProject
    they use (all from the same input).

Why it matters:
    Argo CD applies wave by wave; a consumer in an earlier wave fails with 'the server could not
    find the requested resource' until a retry happens to run after the provider.

Failing example:
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.example.com
      annotations:
        argocd.argoproj.io/sync-wave: "5"
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
              x-kubernetes-preserve-unknown-fields: true
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata:
      name: w
      namespace: shop
      annotations:
        argocd.argoproj.io/sync-wave: "0"

Passing example:
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.example.com
      annotations:
        argocd.argoproj.io/sync-wave: "-1"
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
              x-kubernetes-preserve-unknown-fields: true
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata:
      name: w
      namespace: shop
      annotations:
        argocd.argoproj.io/sync-wave: "0"

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG406: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.argo import providers, wave_of
from generator.rules.base import Context, Finding, name_of

CODE = "GG406"
NAME = "sync-wave-order"
FAMILY = "argocd-kustomize"
SEVERITY = "warning"
KINDS: frozenset[str] | None = None


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    found = list(providers(obj, ctx))
    if not found:
        return
    mine = wave_of(obj.body)
    for provider, what in found:
        theirs = wave_of(provider.body)
        if theirs > mine:
            yield Finding(
                ("metadata",),
                f"sync-wave {mine} is earlier than wave {theirs} of its {what} "
                f"{provider.body.get('kind')}/{name_of(provider.body)}",
            )
