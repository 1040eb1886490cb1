"""Schema validation throughput on real-world manifests: the hot path of render and lint.

First, files to verdicts (YAML loading included, as a linter runs) on two corpora: a generated
fleet's built overlays written as plain files, about 5,000 objects (what CI pipes from
`kustomize build` into kubeconform), and the real-world corpus, as objects/s, side by side with
`kubeconform -strict` (2 workers) when it is on PATH, and against the goal of linting (schema
and every rule) in at most half of kubeconform's time. Then validation alone compares, on the
same objects and the same strict Kubernetes schemas:
- kubernetes_validate.validate(), as shipped (re-reads its schemas on every call);
- jsonschema's Draft202012Validator, compiled once per kind;
- generator.schema.SchemaStore (jsonschema-rs, compiled once per kind), the engine in use.

kubeconform reads its schemas from --schema-location templates (repeatable, as its own flag),
from GitHub when none is given; offline, point them at standalone strict schemas and the
vendored CRDs (schemas/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json).

Usage: python benchmarks/validate_throughput.py [CORPUS_DIR] [--minor 1.30]
       [--schema-location TEMPLATE ...]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import posixpath
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import referencing
import yaml
from render_examples import fleet

from generator import documents, exactdocs, kustomize, lintinput, writer
from generator.pipeline import render_catalogue
from generator.schema import _K8S_ROOT, SchemaStore, _k8s_file
from generator.yamlio import dump_all, load_all_plain

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-world"
# The goal: lint (schema and every rule) in at most half of `kubeconform -strict`'s wall time.
# Without kubeconform here, its time is scaled from 1.12 s for 5,002 objects (2 workers, on
# this project's 2-core development machine).
KUBECONFORM_PER_OBJECT = 1.12 / 5002


def core_objects(corpus: Path, minor: str) -> list[dict[str, Any]]:
    """Objects with a Kubernetes (not CRD) schema for `minor`, from every YAML file."""
    folder = _K8S_ROOT / f"v{minor}.0-local-strict"
    found = []
    for path in sorted(corpus.rglob("*.y*ml")):
        try:
            docs = list(yaml.load_all(path.read_text("utf-8"), Loader=yaml.CSafeLoader))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        for doc in docs:
            if not isinstance(doc, dict):
                continue
            api, kind = doc.get("apiVersion"), doc.get("kind")
            if (
                isinstance(api, str)
                and isinstance(kind, str)
                and (folder / _k8s_file(api, kind)).is_file()
            ):
                found.append(doc)
    return found


def generated_corpus(folder: Path) -> Path:
    """A rendered fleet's top-level overlays, each built and written as one file."""
    catalogue = folder / "fleet.yaml"
    catalogue.write_text(fleet(40, 12))
    rendered = render_catalogue(catalogue)
    repo = folder / "repo"
    writer.stage(repo, rendered.files)
    found = sorted(p.parent.relative_to(repo).as_posix() for p in repo.rglob("kustomization.yaml"))
    bases = set()
    for directory in found:
        (body,) = load_all_plain((repo / directory / "kustomization.yaml").read_text("utf-8"))
        bases.update(
            posixpath.normpath(posixpath.join(directory, ref))
            for _, ref in lintinput.kustomization_refs(body)
        )
    command = kustomize.command()
    if command is None:
        print("  no kustomize or kubectl on PATH: the rendered repository is linted as written")
        return repo
    out = folder / "built"
    out.mkdir()
    tops = [d for d in found if d not in bases]
    for directory, build in kustomize.build_all(command, repo, tops).items():
        (out / f"{directory.replace('/', '_')}.yaml").write_text(dump_all(list(build.objects)))
    return out


def load_time(corpus: Path, read: Callable[[str, str], Any]) -> float:
    """Seconds lint's reader takes for every file of `corpus` with the given document loader."""
    kept = lintinput.load_documents
    lintinput.load_documents = read
    try:
        start = time.perf_counter()
        lintinput.read([corpus], None, ())
        return time.perf_counter() - start
    finally:
        lintinput.load_documents = kept


def files_to_verdicts(corpus: Path, minor: str, locations: list[str]) -> None:
    """Load every YAML file and validate every object with a schema, then lint it all."""
    paths = sorted(corpus.rglob("*.y*ml"))
    fast = min(load_time(corpus, documents.load_documents) for _ in range(3))
    exact = min(load_time(corpus, exactdocs.exact_documents) for _ in range(3))
    print(f"  lint's reader, libyaml composer       {exact:7.3f} s")
    print(f"  lint's reader, yaml_rs + text lookups {fast:7.3f} s  ({exact / fast:.1f}x)")
    store = SchemaStore()
    start = time.perf_counter()
    count = 0
    for path in paths:
        docs, _ = documents.load_documents(path.read_text("utf-8", errors="replace"), str(path))
        for doc in docs:
            if isinstance(doc.body, dict) and "kind" in doc.body:
                store.validate(doc.body, minor)
                count += 1
    ours = time.perf_counter() - start
    rate = count / ours
    print(f"  gitops-gen load + validate   {count:>6} objects {ours:7.2f} s {rate:>9,.0f}/s")
    start = time.perf_counter()
    linted = subprocess.run(
        [sys.executable, "-m", "generator", "lint", str(corpus), "--format", "json",
         "--kubernetes-version", minor],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - start
    try:
        objects = int(json.loads(linted.stdout)["summary"]["objects"])
    except (ValueError, KeyError, TypeError):
        objects = count
    rate = objects / wall
    print(f"  gitops-gen lint (all rules)  {objects:>6} objects {wall:7.2f} s {rate:>9,.0f}/s"
          f"  (exit {linted.returncode})")  # fmt: skip
    if shutil.which("kubeconform") is None:
        theirs = objects * KUBECONFORM_PER_OBJECT
        print(f"  kubeconform -strict          not on PATH; scaled from 1.12 s per 5,002 objects: "
              f"{theirs:.2f} s")  # fmt: skip
    else:
        start = time.perf_counter()
        subprocess.run(
            ["kubeconform", "-strict", "-summary", "-n", "2", "-kubernetes-version", f"{minor}.0",
             "-ignore-missing-schemas",
             *(arg for location in locations for arg in ("-schema-location", location)),
             *map(str, paths)],
            capture_output=True, check=False,
        )  # fmt: skip
        theirs = time.perf_counter() - start
        print(f"  kubeconform -strict -n 2     {len(paths):>6} files   {theirs:7.2f} s")
    print(f"  lint / kubeconform {wall / theirs:.2f} (goal: at most 0.50; "
          f"lint takes {wall / (theirs / 2):.1f}x the goal's {theirs / 2:.2f} s)")  # fmt: skip


def timed(
    label: str, objects: list[dict[str, Any]], check: Callable[[dict[str, Any]], Any]
) -> None:
    start = time.perf_counter()
    for obj in objects:
        check(obj)
    elapsed = time.perf_counter() - start
    rate = len(objects) / elapsed
    print(f"{label:<46} {len(objects):>6} objects {elapsed:8.3f} s {rate:>12,.0f} objects/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--minor", default="1.30")
    parser.add_argument("--schema-location", action="append", default=[], dest="locations")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        generated = generated_corpus(Path(scratch))
        print(f"files to verdicts, Kubernetes {args.minor}")
        print(f" generated fleet, built overlays ({len(list(generated.rglob('*.yaml')))} files)")
        files_to_verdicts(generated, args.minor, args.locations)
    if not args.corpus.is_dir():
        print(f"{args.corpus}: no such corpus; pass its folder")
        return
    print(f" {args.corpus}")
    files_to_verdicts(args.corpus, args.minor, args.locations)
    objects = core_objects(args.corpus, args.minor)
    print(f"corpus: {args.corpus} ({len(objects)} objects with Kubernetes {args.minor} schemas)")

    sample = objects[:300]

    def shipped(obj: dict[str, Any]) -> None:
        with contextlib.suppress(kubernetes_validate.utils.ValidationError):
            kubernetes_validate.validate(obj, args.minor, strict=True)

    timed("kubernetes_validate.validate (first 300)", sample, shipped)

    folder = _K8S_ROOT / f"v{args.minor}.0-local-strict"
    definitions = json.loads((folder / "_definitions.json").read_text())
    registry = referencing.Registry().with_resource(
        "https://kubernetes.io/api/_definitions.json",
        referencing.Resource.from_contents(definitions, referencing.jsonschema.DRAFT202012),
    )
    compiled: dict[tuple[str, str], jsonschema.Draft202012Validator] = {}

    def python_jsonschema(obj: dict[str, Any]) -> None:
        key = (obj["apiVersion"], obj["kind"])
        if key not in compiled:
            schema = json.loads((folder / _k8s_file(*key)).read_text())
            compiled[key] = jsonschema.Draft202012Validator(schema, registry=registry)
        list(compiled[key].iter_errors(obj))

    timed("jsonschema, compiled once per kind (cold)", objects, python_jsonschema)
    timed("jsonschema, compiled once per kind (warm)", objects, python_jsonschema)

    store = SchemaStore()
    timed(
        "SchemaStore / jsonschema-rs, all errors (cold)",
        objects,
        lambda o: store.validate(o, args.minor),
    )
    timed(
        "SchemaStore / jsonschema-rs, all errors (warm)",
        objects,
        lambda o: store.validate(o, args.minor),
    )


if __name__ == "__main__":
    main()
