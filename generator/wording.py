"""Wording shared by messages."""

from __future__ import annotations

from collections.abc import Sequence


def listed(names: Sequence[str], limit: int) -> str:
    """`a, b, c`; past `limit` names, the first `limit` and how many more (a fleet's
    messages would otherwise name every one of its thousand clusters)."""
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"
