"""gitops-gen: one environment catalogue in, a validated ArgoCD app-of-apps repository out."""

from __future__ import annotations

__version__ = "0.1.0"
