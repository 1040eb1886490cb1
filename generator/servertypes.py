"""The server-type table: vCPU, memory and monthly price per machine type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from generator.quantity import parse_bytes
from generator.resources import data_file


@dataclass(frozen=True)
class ServerType:
    name: str
    cpu: int
    memory_bytes: int
    price_monthly: float
    currency: str
    price_date: str
    family: str  # cloud | dedicated | "" when a catalogue adds a type without saying
    arch: str
    source: str = ""  # which dated source the price comes from (named in the table's header)
    withdrawn: str = ""  # the month the type stopped being orderable, if it did
    successor: str = ""

    @property
    def dedicated(self) -> bool:
        return self.family == "dedicated"


# catalogue key → (field, conversion)
_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "cpu": ("cpu", int),
    "memory": ("memory_bytes", parse_bytes),
    "priceMonthly": ("price_monthly", float),
    "currency": ("currency", str),
    "priceDate": ("price_date", str),
    "family": ("family", str),
    "arch": ("arch", str),
    "source": ("source", str),
    "withdrawn": ("withdrawn", str),
    "successor": ("successor", str),
}
# What a type added by the catalogue starts from; its family stays unknown unless given.
_BLANK = ServerType(
    "",
    cpu=0,
    memory_bytes=0,
    price_monthly=0.0,
    currency="EUR",
    price_date="",
    family="",
    arch="amd64",
)


def _entry(name: str, raw: Mapping[str, Any], base: ServerType | None) -> ServerType:
    changes = {field: convert(raw[key]) for key, (field, convert) in _FIELDS.items() if key in raw}
    return replace(base or _BLANK, name=name, **changes)


@cache
def builtin() -> Mapping[str, ServerType]:
    from generator.yamlio import load_all_plain  # the CLI imports the model, not the YAML stack

    (raw,) = load_all_plain(data_file("server_types.yaml").read_text(encoding="utf-8"))
    return {name: _entry(name, fields, None) for name, fields in raw.items()}


def table(overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, ServerType]:
    """The built-in table with the catalogue's `serverTypes` added or laid over it.

    Names match case-insensitively (`ax41` is `AX41`); an override keeps unset fields of the
    entry it replaces.
    """
    merged = dict(builtin())
    by_lower = {name.lower(): name for name in merged}
    for name, raw in overrides.items():
        canonical = by_lower.get(name.lower(), name)
        merged[canonical] = _entry(canonical, raw, merged.get(canonical))
        by_lower[name.lower()] = canonical
    return merged


def lookup(types: Mapping[str, ServerType], name: str) -> ServerType | None:
    if name in types:
        return types[name]
    lowered = {key.lower(): value for key, value in types.items()}
    return lowered.get(name.lower())
