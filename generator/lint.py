"""The lint engine: objects in, rules run, suppressions applied, a report out.

`run_rules` is shared by `gitops-gen lint` (objects read from files) and by `render`
(objects the generator built), so both apply exactly the same rules.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from generator import kustomize, lintconfig, lintinput, lintparallel, rules
from generator.diagnostics import Diagnostic, Report, RuleInfo
from generator.documents import load_documents
from generator.errors import Location, UserError
from generator.gcpause import keep_until_exit, no_cycle_collection
from generator.lintconfig import LintConfig
from generator.manifests import Manifest, Origin
from generator.rules.base import Context, Finding, meta
from generator.rules.pods import template_metadata
from generator.schema import SchemaStore

if TYPE_CHECKING:
    from generator.connectivity import Matrix, Network

SUPPRESS_PREFIX = "ignore.gitops-gen.dev/"


def _location(obj: Manifest, finding: Finding) -> Location:
    if obj.positions is not None:
        return obj.positions.at(finding.path, key=finding.key)
    return obj.origin.location


def _suppressions(obj: Manifest) -> dict[str, tuple[str, tuple[str | int, ...]]]:
    """Rule code → (reason, annotation path) from the object and its pod template."""
    out: dict[str, tuple[str, tuple[str | int, ...]]] = {}
    for where, metadata in ((("metadata",), meta(obj.body)), ((), template_metadata(obj.body))):
        notes = metadata.get("annotations")
        if not isinstance(notes, dict):
            continue
        for key, value in notes.items():
            if str(key).startswith(SUPPRESS_PREFIX):
                code = str(key)[len(SUPPRESS_PREFIX) :]
                out.setdefault(code, (str(value or "").strip(), (*where, "annotations", str(key))))
    return out


class Engine:
    """The registry filtered and re-levelled by a configuration, ready to run on objects."""

    def __init__(self, config: LintConfig) -> None:
        self.config = config
        self.active: list[tuple[ModuleType, RuleInfo, str]] = []
        self.by_kind: dict[str, list[tuple[ModuleType, RuleInfo, str]]] = {}
        self.any_kind: list[tuple[ModuleType, RuleInfo, str]] = []
        self.infos = {r.code: r for r in rules.infos()}
        self.levels = {m.CODE: config.effective(m.CODE, m.SEVERITY) for m in rules.REGISTRY}
        for module in rules.REGISTRY:
            level = self.levels[module.CODE]
            if level is None:
                continue
            entry = (module, self.infos[module.CODE], level)
            self.active.append(entry)
            kinds = getattr(module, "KINDS", None)
            if getattr(module, "check", None) is None:
                continue
            if kinds is None:
                self.any_kind.append(entry)
            else:
                for kind in kinds:
                    self.by_kind.setdefault(kind, []).append(entry)

    def level(self, code: str) -> str | None:
        return self.levels[code]

    def diagnostic(
        self,
        code: str,
        location: Location,
        message: str,
        obj: Manifest | None = None,
        severity: str | None = None,
    ) -> Diagnostic | None:
        level = self.level(code)
        if level is None:
            return None
        body = obj.body if obj is not None else {}
        return Diagnostic(
            self.infos[code],
            severity if severity and level == rules.BY_CODE[code].SEVERITY else level,
            message,
            location,
            str(body.get("kind", "")),
            str(meta(body).get("namespace", "")) if body else "",
            str(meta(body).get("name", "")) if body else "",
        )

    def run(
        self,
        objects: Sequence[Manifest],
        ctx: Context,
        report: Report,
        seen: set[Diagnostic] | None = None,
        ends: list[int] | None = None,
    ) -> None:
        """Lint `objects`; `seen` holds the rules' findings of earlier runs on the same input
        (the engine's own, on suppressions, are never said once for several objects). `ends`
        gets, after each object, how many findings the report then holds."""
        seen = set() if seen is None else seen
        # Objects that share one body (a rendered file's object and each build that takes it
        # unchanged) get each rule's findings once: a rule sees the body and the context, unless
        # it is marked BY_ORIGIN (it also sees where the object was read, and runs for each).
        copies = Counter(id(obj.body) for obj in objects)
        verdicts: dict[int, dict[str, list[Finding]]] = {}
        plans: dict[str, list[tuple[ModuleType, bool]]] = {}
        for obj in objects:
            report.objects += 1
            kind = str(obj.body.get("kind", ""))
            plan = plans.get(kind)
            if plan is None:
                plan = plans[kind] = [
                    (module, bool(getattr(module, "BY_ORIGIN", False)))
                    for module, _, _ in (*self.by_kind.get(kind, ()), *self.any_kind)
                ]
            suppressions = _suppressions(obj)
            used: set[str] = set()
            known = verdicts.get(id(obj.body))
            record = None
            if known is None and copies[id(obj.body)] > 1:
                record = verdicts[id(obj.body)] = {}
            # A shared body without findings: only the rules marked BY_ORIGIN are left to run.
            steps = plan if known is None or known else [s for s in plan if s[1]]
            for module, by_origin in steps:
                if known is not None and not by_origin:
                    findings = known.get(module.CODE)
                    if not findings:
                        continue
                else:
                    findings = list(module.check(obj, ctx))
                    if not findings:
                        continue
                    if record is not None and not by_origin:
                        record[module.CODE] = findings
                for finding in findings:
                    reason = suppressions.get(module.CODE)
                    if reason is not None and reason[0]:
                        used.add(module.CODE)
                        report.suppressed += 1
                        continue
                    found = self.diagnostic(
                        module.CODE, _location(obj, finding), finding.message, obj, finding.severity
                    )
                    # Overlays built from one base point at the same source line: say it once.
                    if found is not None and found not in seen:
                        seen.add(found)
                        report.findings.append(found)
            self._check_suppressions(obj, suppressions, used, report)
            if ends is not None:
                ends.append(len(report.findings))

    def _check_suppressions(
        self,
        obj: Manifest,
        suppressions: dict[str, tuple[str, tuple[str | int, ...]]],
        used: set[str],
        report: Report,
    ) -> None:
        for code, (reason, path) in sorted(suppressions.items()):
            where = _location(obj, Finding(path, "", key=True))
            if not reason:
                message = f"suppression of {code} has no reason; write why it does not apply"
                found = self.diagnostic("GG902", where, message, obj)
            elif code not in used and code in rules.BY_CODE and self.level(code) is not None:
                found = self.diagnostic("GG901", where, f"suppression of {code} is unused", obj)
            elif code not in rules.BY_CODE:
                found = self.diagnostic(
                    "GG901", where, f"suppression names unknown rule {code}", obj
                )
            else:
                found = None
            if found is not None:
                report.findings.append(found)


def load_crds(store: SchemaStore, paths: Iterable[Path]) -> None:
    """Teach the store the CustomResourceDefinitions in these files and folders."""
    for path in paths:
        if not path.exists():
            raise UserError.at(Location(str(path)), "no such CRD file or directory")
        files = sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]
        for file in files:
            docs, _ = load_documents(file.read_text("utf-8", errors="replace"), str(file))
            for doc in docs:
                if (
                    isinstance(doc.body, dict)
                    and doc.body.get("kind") == "CustomResourceDefinition"
                ):
                    store.add_crd(doc.body)


def lint(
    paths: Sequence[Path], config: LintConfig, build_cmd: list[str] | None, store: SchemaStore
) -> Report:
    """Read, build and lint `paths`; every finding, suppression count and note."""
    with no_cycle_collection(freeze=True):
        load_crds(store, config.crds)
        survey = lintinput.survey(paths, build_cmd, config.ignore_paths)
        engine = Engine(config)
        if lintparallel.worth(survey.files):
            try:
                return lintparallel.lint(survey, engine, _starting_report, _context(config, store))
            except lintparallel.Abandoned:
                survey = lintinput.survey(paths, build_cmd, config.ignore_paths)
        survey.read_files(survey.files)
        survey.build()
        source = survey.reader.out
        report = _starting_report(engine, source)
        engine.run(source.objects, _context(config, store)(source.objects, source), report)
        keep_until_exit(survey)
    return report


def _starting_report(engine: Engine, source: lintinput.Input) -> Report:
    """The report before any rule ran: the findings and notes of reading the input."""
    report = Report(notes=source.notes, files=source.files)
    for problem in source.problems:
        found = engine.diagnostic(problem.code, problem.location, problem.message)
        if found is not None:
            report.findings.append(found)
    return report


def _context(
    config: LintConfig, store: SchemaStore
) -> Callable[[list[Manifest], lintinput.Input], Context]:
    """How a process makes the rules' context of all `objects`, of which it read `own`."""

    def make(objects: list[Manifest], own: lintinput.Input) -> Context:
        for obj in objects:
            if obj.body.get("kind") == "CustomResourceDefinition":
                store.add_crd(obj.body)
        return Context(
            objects, config.kubernetes_version, store, own.duplicate_keys, own.directories
        )

    return make


@no_cycle_collection()
def rendered_errors(
    files: Iterable[tuple[str, Manifest]],
    built: Mapping[str, Sequence[dict[str, Any]]],
    store: SchemaStore,
) -> list[str]:
    """`render` runs the same rules as `lint` and refuses output with an error finding.

    Rendered files are linted as written, and each kustomization's build as a whole (where
    the cross-object rules see what is applied together).
    """
    objects: list[Manifest] = []
    minors: set[str] = set()
    bases: set[str] = set()
    for path, manifest in files:
        minors.update(manifest.minors)
        if manifest.minors:
            objects.append(Manifest(manifest.body, Origin(Location(path)), manifest.minors))
        elif manifest.body.get("kind") == "Kustomization":
            folder = posixpath.dirname(path)
            bases.update(
                posixpath.normpath(posixpath.join(folder, ref))
                for _, ref in lintinput.kustomization_refs(manifest.body)
            )
    # Like `lint`, only what is applied: an overlay other overlays patch is not applied alone.
    for directory, bodies in sorted(built.items()):
        if directory in bases:
            continue
        where = Origin(Location(f"{directory}/kustomization.yaml"), f"kustomize build {directory}")
        objects += [Manifest(body, where) for body in bodies]
    newest = max(minors, key=lambda v: tuple(int(p) for p in v.split(".")), default=None)
    config = LintConfig(kubernetes_version=newest or LintConfig().kubernetes_version)
    report = Report()
    Engine(config).run(objects, Context(objects, config.kubernetes_version, store), report)
    return [str(f) for f in report.sorted() if f.severity == "error"]


def lint_paths(
    paths: Sequence[Path],
    config_path: Path | None,
    crds: Sequence[Path],
    kubernetes_version: str | None,
    context: Path | None = None,
) -> Report:
    """`gitops-gen lint`: settings found or given, options on top, then `lint`.

    With a `context` folder, that whole folder is linted and only findings in `paths` kept.
    """
    found = config_path or lintconfig.find(context or paths[0])
    config = lintconfig.load(found) if found else LintConfig()
    config.crds = (*config.crds, *crds)
    if kubernetes_version:
        config.kubernetes_version = kubernetes_version
    if context is None:
        return lint(paths, config, kustomize.command(), SchemaStore())
    for path in paths:
        if not path.exists():
            raise UserError.at(Location(str(path)), "no such file or directory")
    report = lint([context], config, kustomize.command(), SchemaStore())
    wanted = {path.resolve() for path in paths}
    report.findings = [f for f in report.findings if Path(f.location.path).resolve() in wanted]
    report.notes = [n for n in report.notes if Path(n.partition(":")[0]).resolve() in wanted]
    return report


def connectivity_matrix(
    paths: Sequence[Path], config_path: Path | None, network: Network
) -> Matrix:
    """`gitops-gen lint --connectivity`: which connections the policies among `paths` allow,
    read and built the way `lint` reads them."""
    from generator.connectivity import connection_matrix, universe

    found = config_path or lintconfig.find(paths[0])
    config = lintconfig.load(found) if found else LintConfig()
    source = lintinput.read(paths, kustomize.command(), config.ignore_paths)
    objects = [m.body for m in source.objects]
    return connection_matrix(universe(objects, network))
