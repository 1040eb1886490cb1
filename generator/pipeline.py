"""The render pipeline: catalogue → model → plan → render → validate → build → write or check."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import appsets, budget, convergence, inventory, kustomize, writer
from generator import catalogue as catalogue_module
from generator.appgraph import check_graph
from generator.blueprints import Library
from generator.errors import BudgetExceeded, InvalidOutput
from generator.gcpause import no_cycle_collection
from generator.lint import rendered_errors
from generator.manifests import Tree
from generator.model import ARGOCD_NAMESPACE
from generator.netproof import prove
from generator.plan import Plan, make_plan
from generator.render import render
from generator.render.capi import capi_namespace
from generator.render.fleet import enabled
from generator.render.infrastructure import shared_components
from generator.render.readme import render_readme, without_order
from generator.schema import SchemaStore
from generator.validate import built_errors, manifest_errors
from generator.yamlio import load_all_plain

README = "README.md"


@dataclass
class Rendered:
    plan: Plan
    tree: Tree
    files: dict[str, str]
    notes: list[str] = field(default_factory=list)


def plan_catalogue(path: Path, blueprint_dirs: Iterable[Path] = ()) -> Plan:
    library = Library(blueprint_dirs)
    catalogue = catalogue_module.load(path, library.names())
    return make_plan(catalogue, library)


def render_catalogue(path: Path, blueprint_dirs: Iterable[Path] = ()) -> Rendered:
    plan = plan_catalogue(path, blueprint_dirs)
    over = [line for b in budget.compute(plan) if not b.fits for line in budget.shortfall(b)]
    if over:
        raise BudgetExceeded(over)
    tree = render(plan)
    return Rendered(plan, tree, writer.with_owned(tree.files()))


def _directory_minors(tree: Tree, staged: Path) -> dict[str, set[str]]:
    """Kubernetes minors per kustomize directory: those of its own objects, else of what it
    pulls in (an overlay made only of patches runs where its bases run)."""
    own: dict[str, set[str]] = {}
    for path, manifest in tree.manifests():
        own.setdefault(path.rpartition("/")[0], set()).update(manifest.minors)
    resolved: dict[str, set[str]] = {}

    def minors(directory: str, seen: frozenset[str]) -> set[str]:
        if directory in resolved:
            return resolved[directory]
        found = set(own.get(directory, set()))
        if not found and directory not in seen:
            (body,) = load_all_plain((staged / directory / "kustomization.yaml").read_text())
            for ref in body.get("resources", []):
                target = (staged / directory / ref).resolve()
                if target.is_dir():
                    relative = str(target.relative_to(staged.resolve()))
                    found |= minors(relative, seen | {directory})
        resolved[directory] = found
        return found

    return {d: minors(d, frozenset()) for d in tree.kustomize_dirs()}


def verify(
    rendered: Rendered,
    staged: Path,
    build_cmd: list[str] | None,
    store: SchemaStore,
    output: Path | None = None,
) -> None:
    """Every object against its schema; every kustomization built and its output validated;
    the app-of-apps graph checked; the bootstrap simulated. Raises InvalidOutput with every
    problem. `output`: the repository rendered into, whose README keeps its simulated order
    when the builds are skipped."""
    problems = list(manifest_errors(store, rendered.tree.manifests()))
    built: dict[str, list[dict[str, Any]]] = {}
    plan = rendered.plan
    problems.extend(prove(plan, rendered.tree, shared_components(plan)))
    if build_cmd is None:
        rendered.notes.append(
            "kustomize builds skipped (--kustomize never or no kustomize on PATH)"
        )
        if output is not None:
            _keep_simulated_order(rendered, staged, output)
    else:
        tree = rendered.tree
        builds = kustomize.build_all(build_cmd, staged, tree.kustomize_dirs(), tree.documents())
        dir_minors = _directory_minors(rendered.tree, staged)
        for directory, result in builds.items():
            if result.error is not None:
                problems.append(
                    f"{directory}/kustomization.yaml: kustomize build failed: {result.error}"
                )
                continue
            built[directory] = list(result.objects)
            problems.extend(
                built_errors(store, directory, result.objects, sorted(dir_minors[directory]))
            )
        if not problems:
            problems.extend(_graph_problems(rendered, built))
        if not problems:
            problems.extend(_convergence_problems(rendered, staged, build_cmd, builds))
    if not problems:
        problems.extend(rendered_errors(rendered.tree.manifests(), built, store))
    if problems:
        raise InvalidOutput(problems)


def _convergence_problems(
    rendered: Rendered, staged: Path, build_cmd: list[str], builds: Mapping[str, kustomize.Build]
) -> list[str]:
    """Simulate Argo CD from an empty hub (DESIGN §10), reusing the builds verify already ran;
    then again with each spoke failing: everything outside its sub-tree must still converge.
    The order found goes into the README, and the staged README with it."""
    catalogue = rendered.plan.catalogue
    facts = {
        c.name: convergence.ClusterFacts(
            c.name,
            hub=c.is_hub,
            # The hub runs before the bootstrap: its nodes are Ready whoever made them.
            cluster_api=c.cluster_api and not c.is_hub,
            cloud_controller=c.cluster_api and not c.is_hub,
            # By hand before the root: Argo CD's namespace, and the credential Secrets' ones.
            namespaces=frozenset(
                [
                    ARGOCD_NAMESPACE,
                    *(capi_namespace(k) for k in catalogue.clusters if k.cluster_api),
                ]
                if c.is_hub
                else []
            ),
            groups=frozenset(
                ["cilium.io"] if c.cni == "cilium" and (c.is_hub or not c.cluster_api) else []
            ),
        )
        for c in catalogue.clusters
    }
    spokes = sorted(c.name for c in catalogue.clusters if not c.is_hub)
    # What the proof builds, the objects of every Application and the simulations' indexes, is
    # large, acyclic and gone when it returns: the collector would only walk it, then and later.
    with no_cycle_collection():
        problems, order = _prove(rendered, staged, build_cmd, builds, facts, spokes)
    if not problems:
        _replace_readme(rendered, staged, render_readme(rendered.plan, order))
    return problems


def _prove(
    rendered: Rendered,
    staged: Path,
    build_cmd: list[str],
    builds: Mapping[str, kustomize.Build],
    facts: Mapping[str, convergence.ClusterFacts],
    spokes: list[str],
) -> tuple[list[str], list[list[str]]]:
    """The problems the proof finds, and the order the bootstrap converges in."""
    catalogue = rendered.plan.catalogue
    hub = catalogue.hub.name
    collected = inventory.collect(
        inventory.Source(_Encoded(rendered.files), staged, builds),
        inventory.BuildCache(build_cmd),
        repo_url=catalogue.repo_url,
        repo_path=catalogue.repo_path,
        cluster_of=lambda app: _destination_name(app, hub),
        hub=hub,
    )
    verdict, blocking = convergence.prove(
        collected.objects, collected.parents, facts, spokes, generated=collected.generated
    )
    problems = [f"inventory: {e}" for e in collected.errors]
    problems += [f"bootstrap: {line}" for line in convergence.explain(verdict)]
    for spoke, failing in blocking:
        problems += [
            f"bootstrap with cluster {spoke} failing: {line}"
            for line in convergence.explain(failing)
        ]
    return problems, verdict.order


class _Encoded(Mapping[str, bytes]):
    """Rendered texts as the inventory reads files, each encoded when read: it reads only the
    root, the Argo CD values and the kustomizations, not a copy of every file."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self.texts = texts

    def __getitem__(self, path: str) -> bytes:
        return self.texts[path].encode()

    def __iter__(self) -> Iterator[str]:
        return iter(self.texts)

    def __len__(self) -> int:
        return len(self.texts)

    def __contains__(self, path: object) -> bool:
        return path in self.texts


def _replace_readme(rendered: Rendered, staged: Path, text: str) -> None:
    """Only the README and the owned-files manifest change: dumping and staging every file
    again cost a fleet of 1,000 clusters a fifth of its render."""
    rendered.tree.text(README, text)
    files = {path: body for path, body in rendered.files.items() if path != writer.OWNED}
    files[README] = text
    rendered.files = writer.with_owned(dict(sorted(files.items())))
    writer.stage(staged, {README: text, writer.OWNED: rendered.files[writer.OWNED]})


def _keep_simulated_order(rendered: Rendered, staged: Path, output: Path) -> None:
    """Without builds there is no simulation: keep the order the last full render wrote into
    the README, as long as the rest of it is what this render gives."""
    on_disk = output / README
    if not on_disk.is_file():
        return
    text = on_disk.read_text(encoding="utf-8")
    if without_order(text) == without_order(rendered.files[README]):
        _replace_readme(rendered, staged, text)


def _destination_name(app: Mapping[str, Any], hub: str) -> str:
    destination = app.get("spec", {}).get("destination", {})
    return str(destination.get("name") or hub)


def _graph_problems(rendered: Rendered, built: Mapping[str, list[dict[str, Any]]]) -> list[str]:
    catalogue = rendered.plan.catalogue
    root = [m.body for m in rendered.tree.objects["bootstrap/root.yaml"]]
    fleet = enabled(catalogue)
    # In fleet mode clusters/<cluster>/ holds values files that the generated Applications read.
    must_reach = ["bootstrap", *(f"clusters/{c.name}" for c in catalogue.clusters if not fleet)]
    must_reach += [
        f"bootstrap/clusters/{c.name}" for c in catalogue.clusters if c.cluster_api or not c.is_hub
    ]
    # The Applications ApplicationSets make are many, acyclic and gone when it returns.
    with no_cycle_collection():
        found = check_graph(
            root,
            built,
            repo_url=catalogue.repo_url,
            repo_path=catalogue.repo_path,
            clusters=[c.name for c in catalogue.clusters],
            must_reach=must_reach,
            install_values=rendered.files.get(appsets.INSTALL_VALUES),
            exists=rendered.files.__contains__,
        )
    return [f"app-of-apps: {line}" for line in found]
