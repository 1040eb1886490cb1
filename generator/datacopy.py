"""Copies of plain data (what YAML and JSON load: mappings, lists, scalars)."""

from __future__ import annotations

import copy
from typing import Any


def copied(value: Any) -> Any:
    """copy.deepcopy for plain data, without its per-object bookkeeping (a fleet copies values
    and objects per cluster); anything else still goes through deepcopy."""
    kind = type(value)
    if kind is dict:
        return {key: copied(item) for key, item in value.items()}
    if kind is list:
        return [copied(item) for item in value]
    if kind in (str, int, bool, float) or value is None:
        return value
    return copy.deepcopy(value)
