"""Schema validation throughput on real-world manifests: the hot path of render and lint.

Compares, on the same objects and the same strict Kubernetes schemas:
- kubernetes_validate.validate(), as shipped (re-reads its schemas on every call);
- jsonschema's Draft202012Validator, compiled once per kind;
- generator.schema.SchemaStore (jsonschema-rs, compiled once per kind), the engine in use.

Usage: python benchmarks/validate_throughput.py [CORPUS_DIR] [--minor 1.30]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import referencing
import yaml

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
