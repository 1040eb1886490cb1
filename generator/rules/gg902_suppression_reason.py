"""Every suppression needs a reason.

What it checks:
    `ignore.gitops-gen.dev/GGnnn` annotations with an empty value. Such a suppression does not
    suppress anything.

Why it matters:
    A reason is what lets a reviewer judge, months later, whether the exception still holds.

Failing example:
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      namespace: shop
      annotations:
        ignore.gitops-gen.dev/GG501: ""
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext: {privileged: true}

Passing example:
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      namespace: shop
      annotations:
        ignore.gitops-gen.dev/GG501: "the CNI agent needs the host's network stack"
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext: {privileged: true}

How to suppress:
    Write the reason into the annotation's value.
"""

from __future__ import annotations

CODE = "GG902"
NAME = "suppression-reason"
FAMILY = "tool"
SEVERITY = "error"
# Found while reading the input, before any object exists; see generator/lintinput.py.
check = None
