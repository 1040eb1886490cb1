"""A diff as a pull-request comment (Markdown), as JSON for bots, or as text for a terminal.

The Markdown stays under GitHub's 65,536-character comment limit, counted in UTF-8 bytes (no
count GitHub might use is larger): when the per-object details do not fit, the largest are
left out and a note names them; every fence and <details> block is closed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.diff import ADDED, CHANGED, MISSING, REMOVED, RENAMED, Change, ChartBump
from generator.fastdump import dump_all
from generator.quantity import format_bytes
from generator.wording import listed

MARKER = "<!-- gitops-gen-diff -->"
COMMENT_LIMIT = 65_536
_VALUE_WIDTH = 300
_SIGN = {ADDED: "+", REMOVED: "-", CHANGED: "~", RENAMED: "→"}


@dataclass(frozen=True)
class Figures:
    """A cluster's memory and cost on one side of the diff."""

    requests: int
    limits: int
    cost: float
    currency: str


@dataclass(frozen=True)
class Report:
    changes: Sequence[Change]
    bumps: Sequence[ChartBump]
    base_figures: Mapping[str, Figures]
    head_figures: Mapping[str, Figures]
    errors: Sequence[str] = ()

    @property
    def routine(self) -> bool:
        return bool(self.changes) and all(c.routine for c in self.changes)


# --- values -------------------------------------------------------------------------------


def _value(value: Any) -> str:
    if value is MISSING:
        return "(none)"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"


def _json_value(value: Any) -> Any:
    return None if value is MISSING else value


def _title(change: Change) -> str:
    where = f"{change.key} on {change.key.cluster}" if change.key.cluster else str(change.key)
    if change.type == RENAMED and change.old_key is not None:
        return f"{change.old_key} → {where}"
    return where


def field_lines(change: Change) -> list[str]:
    if change.type in (CHANGED, RENAMED):
        return [f"{f.path}: {_value(f.old)} → {_value(f.new)}" for f in change.fields]
    return dump_all([change.body]).rstrip("\n").splitlines()


# --- text and JSON ------------------------------------------------------------------------


def text(report: Report) -> str:
    lines = [f"error: {e}" for e in report.errors]
    for change in report.changes:
        lines.append(f"{_SIGN[change.type]} {_title(change)} ({change.type})")
        if change.type in (CHANGED, RENAMED):
            lines.extend(f"    {line}" for line in field_lines(change))
        lines.extend(f"    danger: {d}" for d in change.danger)
    for bump in report.bumps:
        lines.append(f"chart {bump.chart} on {bump.key.cluster}: {bump.old} → {bump.new}")
    lines.extend(_figure_lines(report))
    lines.append(_summary_line(report))
    return "\n".join(lines) + "\n"


def to_json(report: Report) -> str:
    changes = [
        {
            "cluster": c.key.cluster,
            "group": c.key.group,
            "kind": c.key.kind,
            "namespace": c.key.namespace,
            "name": c.key.name,
            "change": c.type,
            **({"renamedFrom": c.old_key.name} if c.old_key else {}),
            "fields": [
                {"path": f.path, "old": _json_value(f.old), "new": _json_value(f.new)}
                for f in c.fields
            ],
            "danger": c.danger,
            "routine": c.routine,
        }
        for c in report.changes
    ]
    out = {
        "summary": dict(Counter(c.type for c in report.changes)),
        "routine": report.routine,
        "changes": changes,
        "chartBumps": [
            {"cluster": b.key.cluster, "application": b.key.name, "chart": b.chart,
             "old": b.old, "new": b.new, "major": b.major}
            for b in report.bumps
        ],
        "budget": [
            {"cluster": name, **_figure_json(report.base_figures.get(name), "base"),
             **_figure_json(report.head_figures.get(name), "head")}
            for name in _figure_clusters(report)
        ],
        "errors": list(report.errors),
    }  # fmt: skip
    return json.dumps(out, indent=2, sort_keys=False, default=str) + "\n"


def _figure_json(figures: Figures | None, side: str) -> dict[str, Any]:
    if figures is None:
        return {side: None}
    return {
        side: {
            "requestsBytes": figures.requests,
            "limitsBytes": figures.limits,
            "monthlyCost": {"amount": round(figures.cost, 2), "currency": figures.currency},
        }
    }


def _figure_clusters(report: Report) -> list[str]:
    return sorted(set(report.base_figures) | set(report.head_figures))


def _bytes(value: int | None) -> str:
    return "—" if value is None else format_bytes(value)


def _delta_bytes(old: int | None, new: int | None) -> str:
    if old is None or new is None:
        return f"{_bytes(old)} → {_bytes(new)}"
    sign = "+" if new >= old else "-"
    return f"{_bytes(old)} → {_bytes(new)} ({sign}{format_bytes(abs(new - old))})"


def _delta_cost(old: Figures | None, new: Figures | None) -> str:
    either = new or old
    currency = either.currency if either else ""
    a = f"{old.cost:.2f}" if old else "—"
    b = f"{new.cost:.2f}" if new else "—"
    delta = f" ({new.cost - old.cost:+.2f})" if old and new else ""
    return f"{a} → {b} {currency}{delta}"


def _figure_rows(report: Report) -> list[tuple[str, str, str, str]]:
    rows = []
    for name in _figure_clusters(report):
        old, new = report.base_figures.get(name), report.head_figures.get(name)
        if old == new:
            continue
        rows.append(
            (
                name,
                _delta_bytes(old.requests if old else None, new.requests if new else None),
                _delta_bytes(old.limits if old else None, new.limits if new else None),
                _delta_cost(old, new),
            )
        )
    return rows


def _figure_lines(report: Report) -> list[str]:
    return [
        f"budget {name}: requests {req}; limits {lim}; monthly cost {cost}"
        for name, req, lim, cost in _figure_rows(report)
    ]


def _summary_line(report: Report) -> str:
    counts = Counter(c.type for c in report.changes)
    if not report.changes:
        return "no changes"
    parts = [f"{counts[t]} {t}" for t in (ADDED, CHANGED, RENAMED, REMOVED) if counts[t]]
    return ", ".join(parts) + (
        " (routine: only image and chart versions)" if report.routine else ""
    )


# --- Markdown -----------------------------------------------------------------------------


def _fence(body: str) -> str:
    """A code fence longer than any run of backticks inside it, so it always closes."""
    longest = run = 0
    for char in body:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _details(change: Change) -> str:
    body = "\n".join(field_lines(change))
    fence = _fence(body)
    summary = _cell(f"{_SIGN[change.type]} {_title(change)}").replace("<", "&lt;")
    language = "yaml" if change.type in (ADDED, REMOVED) else ""
    return (
        f"<details><summary>{summary}</summary>\n\n"
        f"{fence}{language}\n{body}\n{fence}\n\n</details>\n"
    )


def _summary_table(changes: Iterable[Change]) -> list[str]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for change in changes:
        counts[(change.key.cluster, change.key.kind, change.type)] += 1
    rows = sorted({(cluster, kind) for cluster, kind, _ in counts})
    lines = ["| cluster | kind | added | changed | removed |", "|---|---|---:|---:|---:|"]
    for cluster, kind in rows:
        changed = counts[(cluster, kind, CHANGED)] + counts[(cluster, kind, RENAMED)]
        lines.append(
            f"| {_cell(cluster) or '—'} | {_cell(kind)} | {counts[(cluster, kind, ADDED)]} | "
            f"{changed} | {counts[(cluster, kind, REMOVED)]} |"
        )
    return lines


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def markdown(report: Report, limit: int = COMMENT_LIMIT) -> str:
    head = [MARKER, f"### gitops-gen diff: {_summary_line(report)}", ""]
    if report.errors:
        head += ["**Errors**", "", *(f"- {_cell(e)}" for e in report.errors), ""]
    if report.changes:
        head += [*_summary_table(report.changes), ""]
    rows = _figure_rows(report)
    if rows:
        head += ["#### Memory and cost", "", "| cluster | requests | limits | monthly cost |"]
        head += ["|---|---|---|---|", *(f"| {' | '.join(map(_cell, r))} |" for r in rows), ""]
    if report.bumps:
        head += ["#### Chart versions", ""]
        head += [
            f"- {_cell(b.chart)} on {_cell(b.key.cluster)}: {b.old} → {b.new}"
            + (" (major)" if b.major else "")
            for b in report.bumps
        ]
        head.append("")
    dangerous = [c for c in report.changes if c.danger]
    if dangerous:
        head += ["#### Danger", ""]
        head += [f"- **{_cell(_title(c))}**: {_cell(d)}" for c in dangerous for d in c.danger]
        head.append("")
    header = "\n".join(head) + "\n"
    blocks = [(_details(c), c) for c in report.changes]
    return _fit(header, blocks, limit)


def _fit(header: str, blocks: list[tuple[str, Change]], limit: int) -> str:
    """Header and as many detail blocks as fit, in order; the largest are dropped first."""
    kept = list(blocks)
    dropped: list[Change] = []
    while True:
        note = _left_out_note(dropped)
        text = header + "".join(b for b, _ in kept) + note
        if _size(text) <= limit or not kept:
            break
        largest = max(range(len(kept)), key=lambda i: _size(kept[i][0]))
        dropped.append(kept.pop(largest)[1])
    if _size(text) > limit:
        # Even the summary is too long (thousands of danger notes): cut it at a line boundary.
        budget = limit - _size(note) - 200
        lines, used = [], 0
        for line in header.splitlines(keepends=True):
            if used + _size(line) > budget:
                break
            lines.append(line)
            used += _size(line)
        text = "".join(lines) + "\n_The summary itself was cut to fit the comment limit._\n" + note
    return text


def _left_out_note(dropped: list[Change]) -> str:
    if not dropped:
        return ""
    names = sorted(_title(c) for c in dropped)
    shown = listed(names, 20)
    return (
        f"\n**{len(dropped)} object details left out** to stay under GitHub's "
        f"{COMMENT_LIMIT:,}-character comment limit: {_cell(shown)}. "
        "Run `gitops-gen diff --format json` for every change.\n"
    )
