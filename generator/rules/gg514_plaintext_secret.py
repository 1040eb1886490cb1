"""Secrets must not be committed in plain text.

What it checks:
    `Secret` objects with values in `data` or `stringData`. Encrypted forms (SealedSecret, SOPS,
    ExternalSecret) are different kinds and pass; SOPS-encrypted Secrets (a `sops` key) pass too.

Why it matters:
    Base64 is not encryption: anyone who can read the repository, or any fork or CI log of it,
    has the secret.

Failing example:
    apiVersion: v1
    kind: Secret
    metadata:
      name: db
      namespace: shop
    stringData:
      password: hunter2

Passing example:
    apiVersion: bitnami.com/v1alpha1
    kind: SealedSecret
    metadata:
      name: db
      namespace: shop
    spec:
      encryptedData:
        password: AgBy3i4OJSWK+PiTySYZZA==

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG514: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.manifests import Manifest
from generator.rules.base import Context, Finding

CODE = "GG514"
NAME = "plaintext-secret"
FAMILY = "security"
SEVERITY = "error"
KINDS: frozenset[str] | None = frozenset({"Secret"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    body = obj.body
    if "sops" in body:
        return
    for key in ("data", "stringData"):
        values = body.get(key)
        if isinstance(values, dict) and any(v not in (None, "") for v in values.values()):
            names = ", ".join(sorted(str(k) for k in values))
            yield Finding(
                (key,),
                f"Secret holds plaintext values ({names}) in git; "
                "use SealedSecret, SOPS or an external secret store",
            )
            return
