"""Where the shipped data lives: inside the wheel, or beside the package in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped(name: str) -> Path:
    """`blueprints` or `schemas`: the copy inside an installed wheel, else the repository's."""
    inside = _PACKAGE / "_shipped" / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def data_file(name: str) -> Path:
    return _PACKAGE / "data" / name
