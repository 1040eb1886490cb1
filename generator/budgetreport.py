"""`gitops-gen budget` output: the budget of every cluster as text, JSON or Markdown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

# The command line names FORMATS for every command; the budget model loads only for `budget`.
if TYPE_CHECKING:
    from generator.budget import ClusterBudget, PoolBudget

FORMATS = ("text", "json", "markdown")


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _money(amount: float, currency: str) -> str:
    return f"{amount:.2f} {currency}"


def _total(budgets: Sequence[ClusterBudget]) -> tuple[float, str]:
    currency = budgets[0].currency if budgets else "EUR"
    return round(sum(b.monthly_cost for b in budgets), 2), currency


def as_json(budgets: Sequence[ClusterBudget]) -> str:
    amount, currency = _total(budgets)
    document = {
        "clusters": [_cluster_json(b) for b in budgets],
        "total": {"monthlyCost": {"amount": amount, "currency": currency}},
    }
    return json.dumps(document, indent=2) + "\n"


def _cluster_json(b: ClusterBudget) -> dict[str, Any]:
    return {
        "name": b.name,
        "distribution": b.distribution,
        "allocatableBytes": b.allocatable_bytes,
        "requestsBytes": b.requests_bytes,
        "limitsBytes": b.limits_bytes,
        "target": b.target,
        "targetBytes": b.target_bytes,
        "headroomBytes": b.headroom_bytes,
        "fits": b.fits,
        "monthlyCost": {"amount": b.monthly_cost, "currency": b.currency},
        "pools": [_pool_json(p, b.per_node_bytes) for p in b.pools],
        "components": [
            {
                "name": c.name,
                "profile": c.profile or None,
                "requestsBytes": c.requests_bytes,
                "limitsBytes": c.limits_bytes,
            }
            for c in b.consumers
            if c.kind == "component"
        ],
        "applications": [
            {"name": c.name, "requestsBytes": c.requests_bytes, "limitsBytes": c.limits_bytes}
            for c in b.consumers
            if c.kind == "application"
        ],
    }


def _daemon_sets(p: PoolBudget, per_node: int) -> int:
    return per_node if p.schedulable else 0


def _pool_json(p: PoolBudget, per_node: int) -> dict[str, Any]:
    return {
        "name": p.name,
        "serverType": p.server_type,
        "count": p.count,
        "schedulable": p.schedulable,
        "capacityBytes": p.capacity_bytes,
        "reservedBytes": p.reserved_bytes,
        "allocatableBytes": p.allocatable_bytes,
        "daemonSetBytes": _daemon_sets(p, per_node),
        "monthlyCost": {"amount": p.monthly_cost, "currency": p.currency},
        "priceDate": p.price_date,
        "withdrawn": p.withdrawn or None,
    }


def _tables(b: ClusterBudget) -> list[tuple[str, list[str], list[list[str]]]]:
    """The cluster's summary, pools and consumers as (title, header, rows)."""
    from generator.budget import format_mib

    summary = [
        [
            format_mib(b.allocatable_bytes),
            format_mib(b.requests_bytes),
            _percent(b.requests_bytes, b.allocatable_bytes),
            format_mib(b.limits_bytes),
            _percent(b.limits_bytes, b.allocatable_bytes),
            f"{b.target:.0%}",
            format_mib(b.headroom_bytes),
            "yes" if b.fits else "NO",
            _money(b.monthly_cost, b.currency),
        ]
    ]
    pools = [
        [
            p.name,
            p.server_type + (" (withdrawn)" if p.withdrawn else ""),
            str(p.count),
            "yes" if p.schedulable else "no",
            format_mib(p.capacity_bytes),
            format_mib(p.reserved_bytes),
            format_mib(p.allocatable_bytes),
            format_mib(_daemon_sets(p, b.per_node_bytes)),
            _money(p.monthly_cost, p.currency),
            p.price_date or "-",
        ]
        for p in b.pools
    ]
    consumers = [
        [
            c.name,
            c.kind,
            c.profile or "-",
            format_mib(c.requests_bytes),
            format_mib(c.limits_bytes),
            _percent(c.requests_bytes, b.allocatable_bytes),
        ]
        for c in b.consumers
    ]
    return [
        (
            "",
            [
                "allocatable",
                "requests",
                "% alloc",
                "limits",
                "% alloc",
                "target",
                "headroom",
                "fits",
                "cost/month",
            ],
            summary,
        ),
        (
            "node pools (per node)",
            [
                "pool",
                "server type",
                "nodes",
                "schedulable",
                "capacity",
                "reserved",
                "allocatable",
                "daemonsets",
                "cost/month",
                "price of",
            ],
            pools,
        ),
        (
            "workloads",
            ["name", "kind", "profile", "requests", "limits", "% alloc"],
            consumers,
        ),
    ]


def as_text(budgets: Sequence[ClusterBudget]) -> str:
    lines: list[str] = []
    for b in budgets:
        lines.append(f"cluster {b.name} ({b.distribution})")
        for title, header, rows in _tables(b):
            if title:
                lines.append(f"  {title}:")
            widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
            for row in [header, *rows]:
                lines.append(
                    "    "
                    + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
                )
        lines.append("")
    amount, currency = _total(budgets)
    lines.append(f"total monthly cost: {_money(amount, currency)}")
    return "\n".join(lines) + "\n"


def as_markdown(budgets: Sequence[ClusterBudget]) -> str:
    lines: list[str] = []
    for b in budgets:
        lines.append(f"## {b.name} ({b.distribution})")
        for title, header, rows in _tables(b):
            lines.append("")
            if title:
                lines += [f"{title[0].upper()}{title[1:]}:", ""]
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "|".join("---" for _ in header) + "|")
            lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.append("")
    amount, currency = _total(budgets)
    lines.append(f"**Total monthly cost: {_money(amount, currency)}**")
    return "\n".join(lines) + "\n"


def render(budgets: Sequence[ClusterBudget], fmt: str) -> str:
    return {"text": as_text, "json": as_json, "markdown": as_markdown}[fmt](budgets)
