"""`gitops-gen diff`: the two sides, compared, as the report a pull request shows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from generator import budget, diffreport, kustomize
from generator.diff import chart_bumps, compare
from generator.errors import Location, UserError
from generator.inventory import BuildCache
from generator.sides import Side, catalogue_sides, folder_sides

DEFAULT_CATALOGUE = Path("catalogue.yaml")


def run_diff(
    paths: Sequence[Path],
    *,
    base: str | None,
    head: str | None,
    repo_dir: Path | None,
    blueprint_dirs: Sequence[Path],
    output_format: str,
) -> tuple[str, bool]:
    """The report, and whether anything changed."""
    build = kustomize.resolve("always")
    assert build is not None
    cache = BuildCache(build)
    if base is not None:
        if len(paths) > 1:
            raise UserError.at(Location("diff"), "with --base, give at most one CATALOGUE")
        catalogue = paths[0] if paths else DEFAULT_CATALOGUE
        if not catalogue.is_file() and head is None:
            raise UserError.at(Location(str(catalogue)), "no such catalogue file")
        before, after = catalogue_sides(catalogue, base, head, repo_dir, blueprint_dirs, cache)
    else:
        if len(paths) != 2 or head is not None or blueprint_dirs:
            raise UserError.at(
                Location("diff"),
                "give CATALOGUE with --base REF, or two folders DIR_A DIR_B",
            )
        before, after = folder_sides(paths[0], paths[1], cache)
    report = make_report(before, after)
    if output_format == "json":
        return diffreport.to_json(report), bool(report.changes)
    if output_format == "markdown":
        return diffreport.markdown(report), bool(report.changes)
    return diffreport.text(report), bool(report.changes)


def make_report(before: Side, after: Side) -> diffreport.Report:
    base, head = before.inventory.objects, after.inventory.objects
    errors = [f"{before.label}: {e}" for e in before.inventory.errors]
    errors += [f"{after.label}: {e}" for e in after.inventory.errors]
    return diffreport.Report(
        changes=compare(base, head),
        bumps=chart_bumps(base, head),
        base_figures=figures(before),
        head_figures=figures(after),
        errors=errors,
    )


def figures(side: Side) -> dict[str, diffreport.Figures]:
    """Memory and monthly cost per cluster, as `gitops-gen budget` computes them; none for
    folders of manifests, which carry no node inventory."""
    if side.rendered is None:
        return {}
    return {
        cluster.name: diffreport.Figures(
            cluster.requests_bytes, cluster.limits_bytes, cluster.monthly_cost, cluster.currency
        )
        for cluster in budget.compute(side.rendered.plan)
    }
