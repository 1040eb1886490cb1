"""The command line: parse, call one core function, print, return an exit code."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import click

from generator import __version__, budgetreport, diagnostics, kustomize
from generator.clusternetwork import ClusterNetwork
from generator.diagnostics import FORMATS, SEVERITIES
from generator.errors import (
    EXIT_BUG,
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    BudgetExceeded,
    InvalidOutput,
    Location,
    UserError,
)

# What a shell reports for a process ended by SIGINT or SIGTERM (128 + the signal number).
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM


class Terminated(BaseException):
    """SIGTERM, raised where the process is so that clean-up runs as for Ctrl-C."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def _guarded(debug: bool, action: Callable[[], int]) -> int:
    """The one error funnel: user errors are one line each, bugs ask to be reported."""
    try:
        return action()
    except UserError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        return EXIT_USAGE
    except InvalidOutput as exc:
        for line in exc.lines:
            click.echo(line, err=True)
        click.echo(
            f"{len(exc.lines)} problem(s) in the rendered output; nothing was written", err=True
        )
        return EXIT_FINDINGS
    except BudgetExceeded as exc:
        for line in exc.lines:
            click.echo(line, err=True)
        click.echo("memory budget exceeded; nothing was written", err=True)
        return EXIT_FINDINGS
    except RecursionError:
        click.echo("error: input is nested too deeply", err=True)
        return EXIT_USAGE
    except OSError as exc:  # the file system refused; name where, never a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"{where}error: {exc.strerror or exc}", err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("gitops-gen: interrupted", err=True)
        return EXIT_INTERRUPTED
    except Terminated:
        click.echo("gitops-gen: terminated", err=True)
        return EXIT_TERMINATED
    except Exception:  # a bug: say so, keep the traceback for --debug
        if debug:
            import traceback  # only here: it is slow to import and the pre-commit path needs none

            traceback.print_exc()
        else:
            click.echo(
                "gitops-gen: internal error; please report it with the output of --debug", err=True
            )
        return EXIT_BUG


# Shared by every command that renders a catalogue.
BLUEPRINTS_OPTION = click.option(
    "--blueprints",
    "blueprint_dirs",
    type=click.Path(path_type=Path, file_okay=False),
    multiple=True,
    help="Folder of your own blueprints, searched before the built-in ones (repeatable).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gitops-gen")
def cli() -> None:
    """Turn an environment catalogue into a validated ArgoCD app-of-apps GitOps repository.

    Exit codes: 0 success; 1 the output is invalid or stale; 2 bad input or usage;
    3 an internal error.
    """


@cli.command()
@click.argument("catalogue", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder of the rendered repository (created if missing).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 naming every generated file that is missing, stale or edited.",
)
@BLUEPRINTS_OPTION
@click.option(
    "--kustomize",
    "kustomize_mode",
    type=click.Choice(kustomize.MODES),
    default="auto",
    show_default=True,
    help="Build every kustomization with kustomize (or kubectl kustomize) and validate the "
    "result: 'auto' when one is on PATH, 'always' or fail, 'never'.",
)
@click.option(
    "--charts",
    "charts_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of charts (`helm pull` archives or sources named <chart>-<version>): render "
    "each with its final values (needs helm) and fail when a container lacks memory requests "
    "or limits or an object fails validation.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def render(
    catalogue: Path,
    output: Path,
    check: bool,
    blueprint_dirs: tuple[Path, ...],
    kustomize_mode: str,
    charts_dir: Path | None,
    debug: bool,
) -> None:
    """Render CATALOGUE into the repository at --output, or check that it is up to date.

    Every object is validated against the Kubernetes schema of its cluster's version (strict)
    or the CRD schemas, every kustomization is built, and the app-of-apps tree is checked
    before anything is written. Files gitops-gen did not write are never touched.

    Fleet mode (`fleet: true` in the catalogue, or past 50 workload clusters unless `fleet:
    false`): one ApplicationSet per component over labelled cluster Secrets, with per-cluster
    values files, instead of an Application per cluster and component.
    """

    def action() -> int:
        from generator import checkrecord, writer

        build_cmd = kustomize.resolve(kustomize_mode)
        # Charts checked with helm are an input the record does not describe: always render.
        inputs = (
            checkrecord.inputs_digest(catalogue, blueprint_dirs, build_cmd)
            if charts_dir is None
            else None
        )
        recorded = checkrecord.answer(output, inputs) if check else None
        if recorded is not None:
            for warning in recorded.warnings:
                click.echo(f"warning: {warning}", err=True)
            for note in recorded.notes:
                click.echo(f"note: {note}", err=True)
            click.echo(f"{output}: up to date ({recorded.files} files)")
            return EXIT_OK
        # Imported here: the answer from the record needs no renderer, templates or schemas.
        from generator import charts
        from generator.pipeline import render_catalogue, verify
        from generator.schema import SchemaStore

        rendered = render_catalogue(catalogue, blueprint_dirs)
        if charts_dir is not None:
            report = charts.check(rendered.plan, charts_dir, SchemaStore())
            if report.problems:
                raise InvalidOutput(report.problems)
            rendered.notes += [
                f"chart not in {charts_dir}, not checked: {m}" for m in report.missing
            ]
        with writer.staging(output, check=check) as staged:
            writer.stage(staged, rendered.files)
            verify(rendered, staged, build_cmd, SchemaStore(), output)
            for warning in rendered.plan.warnings:
                click.echo(f"warning: {warning}", err=True)
            for note in rendered.notes:
                click.echo(f"note: {note}", err=True)
            if check:
                lines = writer.drift(output, rendered.files)
                for line in lines:
                    click.echo(f"{output / line}")
                if lines:
                    click.echo(
                        f"{len(lines)} file(s) differ from a fresh render; run without --check",
                        err=True,
                    )
                    return EXIT_FINDINGS
                click.echo(f"{output}: up to date ({len(rendered.files) - 1} files)")
                return EXIT_OK
            done = writer.commit(staged, output, rendered.files)
        for relative in done.kept:
            click.echo(
                f"warning: {output / relative}: no longer generated but edited since gitops-gen "
                "wrote it; kept, and no longer owned",
                err=True,
            )
        checkrecord.write(output, inputs, rendered.files[writer.OWNED], rendered.plan.warnings,
                          rendered.notes)  # fmt: skip
        click.echo(
            f"{output}: {done.written} written, {done.deleted} deleted, "
            f"{len(rendered.files) - 1 - done.written} unchanged"
        )
        return EXIT_OK

    sys.exit(_guarded(debug, action))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--base",
    metavar="REF",
    help="Git revision of the base side (e.g. origin/main): render the catalogue there.",
)
@click.option(
    "--head",
    metavar="REF",
    help="Git revision of the head side; without it, the work tree as it is.",
)
@click.option(
    "--repo",
    "repo_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="The git repository (default: the one holding the catalogue).",
)
@BLUEPRINTS_OPTION
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="markdown: a pull-request comment body (under 65,536 characters, with a hidden "
    "marker for updating one comment in place); json: every change, for bots.",
)
@click.option("--exit-code", is_flag=True, help="Exit 1 when anything changed.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def diff(
    paths: tuple[Path, ...],
    base: str | None,
    head: str | None,
    repo_dir: Path | None,
    blueprint_dirs: tuple[Path, ...],
    output_format: str,
    exit_code: bool,
    debug: bool,
) -> None:
    """What a change does to every cluster, object by object and field by field.

    \b
    gitops-gen diff [CATALOGUE] --base REF [--head REF]
        renders CATALOGUE (default: catalogue.yaml) at both revisions, read from git
        without touching the work tree, index or HEAD; no --head means the work tree.
    gitops-gen diff DIR_A DIR_B
        compares two folders of manifests (rendered or hand-written repositories).

    Secret values never appear (changed keys do); changes that fail or hurt on apply
    (immutable fields, pruned data, major chart bumps) carry danger notes. Exit 0, or
    with --exit-code 1 when something changed; 2 bad input.
    """
    from generator.prdiff import run_diff

    def action() -> int:
        output, changed = run_diff(
            paths, base=base, head=head, repo_dir=repo_dir,
            blueprint_dirs=blueprint_dirs, output_format=output_format,
        )  # fmt: skip
        click.echo(output, nl=False)
        return EXIT_FINDINGS if exit_code and changed else EXIT_OK

    sys.exit(_guarded(debug, action))


@cli.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format [default: github under GitHub Actions, else text].",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="error",
    show_default=True,
    help="Exit 1 when a finding is at least this severe.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Settings file [default: the nearest .gitops-gen.yaml upward from the first PATH].",
)
@click.option(
    "--crd",
    "crd_paths",
    type=click.Path(path_type=Path),
    multiple=True,
    help="File or folder of CustomResourceDefinitions for your custom resources (repeatable).",
)
@click.option("--kubernetes-version", help="Target Kubernetes version, e.g. 1.33.")
@click.option(
    "--context",
    type=click.Path(path_type=Path, file_okay=False),
    help="Lint this whole folder (overlays built, references resolved) but report only the "
    "findings in PATHS: how the pre-commit hook lints just the changed files.",
)
@click.option(
    "--connectivity",
    is_flag=True,
    help="Instead of findings, print which connections the NetworkPolicies (and Cilium "
    "policies) allow: source, destination, protocol, ports; --format json for rows.",
)
@click.option(
    "--cni",
    default="flannel",
    show_default=True,
    help="With --connectivity: the cluster's CNI (cilium reads CiliumNetworkPolicies and "
    "entities).",
)
@click.option("--node-cidr", default=ClusterNetwork.node_cidr, show_default=True)
@click.option("--pod-cidr", default=ClusterNetwork.pod_cidr, show_default=True)
@click.option("--service-cidr", default=ClusterNetwork.service_cidr, show_default=True)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def lint_command(
    paths: tuple[Path, ...],
    fmt: str | None,
    fail_on: str,
    config_path: Path | None,
    crd_paths: tuple[Path, ...],
    kubernetes_version: str | None,
    context: Path | None,
    connectivity: bool,
    cni: str,
    node_cidr: str,
    pod_cidr: str,
    service_cidr: str,
    debug: bool,
) -> None:
    """Lint Kubernetes manifests, kustomize overlays and Argo CD objects in PATHS.

    Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 bad input or usage.
    """

    def action() -> int:
        from generator import rules
        from generator.lint import lint_paths

        if connectivity:
            from generator.catalogue import address_range_problem
            from generator.connectivity import Network
            from generator.lint import connectivity_matrix
            from generator.matrixreport import to_json, to_table

            for option, cidr in (("--node-cidr", node_cidr), ("--pod-cidr", pod_cidr),
                                 ("--service-cidr", service_cidr)):  # fmt: skip
                problem = address_range_problem(cidr)
                if problem:
                    raise UserError.at(Location(option), problem)
            network = Network(node_cidr, pod_cidr, service_cidr, cni)
            matrix = connectivity_matrix(paths, config_path, network)
            table = to_json(matrix, network) if fmt == "json" else to_table(matrix, network)
            click.echo(table)
            return EXIT_OK
        report = lint_paths(paths, config_path, crd_paths, kubernetes_version, context)
        chosen = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
        click.echo(diagnostics.render(report, chosen, rules.infos()), nl=False)
        return diagnostics.exit_code(report, fail_on)

    sys.exit(_guarded(debug, action))


@cli.command(name="budget")
@click.argument("catalogue", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(budgetreport.FORMATS),
    default="text",
    show_default=True,
)
@BLUEPRINTS_OPTION
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def budget_command(
    catalogue: Path, fmt: str, blueprint_dirs: tuple[Path, ...], debug: bool
) -> None:
    """Print the memory budget and monthly cost of every cluster of CATALOGUE.

    Per cluster and node pool: capacity, reservations, allocatable memory, requests and limits
    with the profile of each component, headroom below the requests target, and the monthly
    cost from the dated server-type table. Exit 1 when a cluster does not fit.
    """

    def action() -> int:
        from generator import budget
        from generator.pipeline import plan_catalogue

        plan = plan_catalogue(catalogue, blueprint_dirs)
        budgets = budget.compute(plan)
        for warning in plan.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(budgetreport.render(budgets, fmt), nl=False)
        return EXIT_OK if all(b.fits for b in budgets) else EXIT_FINDINGS

    sys.exit(_guarded(debug, action))


@cli.command("rules")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Show severities as this settings file sets them.",
)
def rules_command(config_path: Path | None) -> None:
    """List every rule: code, severity, family, name and summary."""

    def action() -> int:
        from generator import lintconfig, rules

        config = lintconfig.load(config_path) if config_path else lintconfig.LintConfig()
        levels = {r.code: config.effective(r.code, r.severity) or "off" for r in rules.infos()}
        click.echo(diagnostics.rule_table(rules.infos(), levels), nl=False)
        return EXIT_OK

    sys.exit(_guarded(False, action))


@cli.command("explain")
@click.argument("code")
def explain_command(code: str) -> None:
    """Print the documentation of rule CODE (e.g. GG501)."""
    from generator import rules

    text = rules.explain(code)
    if text is None:
        click.echo(f"{code}: no such rule; `gitops-gen rules` lists them", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(text, nl=False)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        cli()
    except SystemExit as end:
        _leave(end.code)


def _leave(code: str | int | None) -> None:
    """End the process once its output is out, without freeing what it built: the kernel
    takes the memory back at once, where Python would free objects one by one (a twentieth
    of a large lint's time). Every file it wrote is closed by then; nothing waits for exit."""
    if not isinstance(code, int):  # None, or a message for Python to print
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: Python's own exit says so, as before
        sys.exit(code)
    os._exit(code)
