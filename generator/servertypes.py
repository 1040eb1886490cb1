"""The server-type table: vCPU, memory and monthly price per machine type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from generator.quantity import parse_bytes
from generator.resources import data_file
from generator.yamlio import load_all_plain


@dataclass(frozen=True)
class ServerType:
    name: str
    cpu: int
    memory_bytes: int
    price_monthly: float
    currency: str
    price_date: str
    family: str  # cloud | dedicated
    arch: str

    @property
    def dedicated(self) -> bool:
        return self.family == "dedicated"


def _entry(name: str, raw: Mapping[str, Any], base: ServerType | None) -> ServerType:
    def pick(key: str, default: Any) -> Any:
        return raw.get(key, default)

    return ServerType(
        name=name,
        cpu=int(pick("cpu", base.cpu if base else 1)),
        memory_bytes=parse_bytes(raw["memory"])
        if "memory" in raw
        else base.memory_bytes
        if base
        else 0,
        price_monthly=float(pick("priceMonthly", base.price_monthly if base else 0.0)),
        currency=str(pick("currency", base.currency if base else "EUR")),
        price_date=str(pick("priceDate", base.price_date if base else "")),
        family=str(pick("family", base.family if base else "cloud")),
        arch=str(pick("arch", base.arch if base else "amd64")),
    )


@cache
def builtin() -> Mapping[str, ServerType]:
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
