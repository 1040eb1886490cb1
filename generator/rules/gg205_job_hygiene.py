"""Jobs clean up after themselves; CronJobs have a deadline.

What it checks:
    Jobs (and CronJob job templates) without `ttlSecondsAfterFinished`, CronJobs without
    `startingDeadlineSeconds`, and Job pods with `restartPolicy: Always` (an error: it is refused).

Why it matters:
    Finished Jobs pile up as objects and pods; a CronJob that missed too many runs stops scheduling
    for good.

Failing example:
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: backup
      namespace: shop
    spec:
      schedule: "0 3 * * *"
      concurrencyPolicy: Forbid
      jobTemplate:
        spec:
          ttlSecondsAfterFinished: 3600
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - name: backup
                  image: backup:1.0

Passing example:
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: backup
      namespace: shop
    spec:
      schedule: "0 3 * * *"
      startingDeadlineSeconds: 300
      jobTemplate:
        spec:
          ttlSecondsAfterFinished: 3600
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - name: backup
                  image: backup:1.0

How to suppress:
    Annotate the object (or its pod template) with
    `ignore.gitops-gen.dev/GG205: "<reason>"`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.docpaths import DocPath
from generator.manifests import Manifest
from generator.rules.base import Context, Finding, dig

CODE = "GG205"
NAME = "job-hygiene"
FAMILY = "resources"
SEVERITY = "info"
KINDS: frozenset[str] | None = frozenset({"Job", "CronJob"})


def check(obj: Manifest, ctx: Context) -> Iterator[Finding]:
    kind = obj.body.get("kind")
    spec = dig(obj.body, "spec")
    if not isinstance(spec, dict):
        return
    job: Any = spec
    base: DocPath = ("spec",)
    if kind == "CronJob":
        if spec.get("startingDeadlineSeconds") is None:
            yield Finding(("spec",), "CronJob has no startingDeadlineSeconds")
        job, base = dig(spec, "jobTemplate", "spec"), ("spec", "jobTemplate", "spec")
    if not isinstance(job, dict):
        return
    if job.get("ttlSecondsAfterFinished") is None:
        yield Finding(base, "Job has no ttlSecondsAfterFinished; finished Jobs are never deleted")
    policy = dig(job, "template", "spec", "restartPolicy")
    if policy not in (None, "Never", "OnFailure"):
        yield Finding(
            (*base, "template", "spec", "restartPolicy"),
            f"Job pods must use restartPolicy Never or OnFailure, not {policy}",
            "error",
        )
