"""Schema validation throughput on real-world manifests: the hot path of render and lint.

First, files to verdicts (YAML loading included, as a linter runs) on two corpora: a generated
~5,000-object repository and the real-world corpus, as objects/s, side by side with
`kubeconform -strict` (2 workers) when it is on PATH. Then validation alone compares, on the
same objects and the same strict Kubernetes schemas:
- kubernetes_validate.validate(), as shipped (re-reads its schemas on every call);
- jsonschema's Draft202012Validator, compiled once per kind;
- generator.schema.SchemaStore (jsonschema-rs, compiled once per kind), the engine in use.

Usage: python benchmarks/validate_throughput.py [CORPUS_DIR] [--minor 1.30]
"""

from __future__ import annotations

import argparse
import contextlib
import json
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

from generator import writer
from generator.pipeline import render_catalogue
from generator.schema import _K8S_ROOT, SchemaStore, _k8s_file

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-world"


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
    """A rendered fleet of about 5,000 objects, written as a repository."""
    catalogue = folder / "fleet.yaml"
    catalogue.write_text(fleet(150, 12))
    rendered = render_catalogue(catalogue)
    out = folder / "repo"
    writer.stage(out, rendered.files)
    return out


def files_to_verdicts(corpus: Path, minor: str) -> None:
    """Load every YAML file and validate every object with a schema, as lint does."""
    paths = sorted(corpus.rglob("*.y*ml"))
    store = SchemaStore()
    start = time.perf_counter()
    count = 0
    for path in paths:
        try:
            docs = list(yaml.load_all(path.read_text("utf-8"), Loader=yaml.CSafeLoader))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        for doc in docs:
            if isinstance(doc, dict) and "kind" in doc:
                store.validate(doc, minor)
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
        print("  kubeconform -strict          not on PATH")
        return
    start = time.perf_counter()
    subprocess.run(
        ["kubeconform", "-strict", "-summary", "-n", "2", "-kubernetes-version", f"{minor}.0",
         "-ignore-missing-schemas", *map(str, paths)],
        capture_output=True, check=False,
    )  # fmt: skip
    theirs = time.perf_counter() - start
    print(f"  kubeconform -strict -n 2     {len(paths):>6} files   {theirs:7.2f} s  "
          f"ratio ours/theirs {ours / theirs:.2f}")  # fmt: skip


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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        generated = generated_corpus(Path(scratch))
        print(f"files to verdicts, Kubernetes {args.minor}")
        print(f" generated fleet repository ({len(list(generated.rglob('*.yaml')))} files)")
        files_to_verdicts(generated, args.minor)
    if not args.corpus.is_dir():
        print(f"{args.corpus}: no such corpus; pass its folder")
        return
    print(f" {args.corpus}")
    files_to_verdicts(args.corpus, args.minor)
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
