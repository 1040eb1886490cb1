"""Where `gitops-gen lint` spends its time: start-up, loading, each rule, the report.

On a folder of manifests (default: a generated fleet repository of about 5,000 objects), prints
the interpreter and import time of the lint command, then, in this process, the time to read the
files, to run every rule (the slowest rules by name), and to write the JSON report; last, the
whole command's wall and CPU time as a user runs it (median of --runs). In-process phases are
CPU seconds of this process (one core), which shared machines disturb less than wall time.

Usage: python benchmarks/lint_profile.py [FOLDER] [--runs 5]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from validate_throughput import generated_corpus

from generator import diagnostics, kustomize, lintinput, rules
from generator.diagnostics import Report
from generator.lint import Engine
from generator.lintconfig import LintConfig
from generator.rules.base import Context
from generator.schema import SchemaStore

LINT_IMPORTS = "import generator.cli, generator.lint, generator.rules"


def _median_wall(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall and median CPU (user + system) seconds of `command`."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def start_up(runs: int) -> None:
    bare, bare_cpu = _median_wall([sys.executable, "-c", "pass"], runs)
    loaded, loaded_cpu = _median_wall([sys.executable, "-c", LINT_IMPORTS], runs)
    print(f"  interpreter alone            {bare:7.3f} s wall {bare_cpu:7.3f} s CPU")
    print(f"  + imports of the lint path   {loaded - bare:7.3f} s wall "
          f"{loaded_cpu - bare_cpu:7.3f} s CPU")  # fmt: skip


def in_process(folder: Path) -> None:
    gc.disable()  # as `lint` runs
    config = LintConfig()
    start = time.process_time()
    source = lintinput.read([folder], kustomize.command(), config.ignore_paths)
    print(f"  read and parse               {time.process_time() - start:7.3f} s"
          f"  ({len(source.objects)} objects, {source.files} files)")  # fmt: skip
    store = SchemaStore()
    for obj in source.objects:
        if obj.body.get("kind") == "CustomResourceDefinition":
            store.add_crd(obj.body)

    def context() -> Context:
        return Context(
            source.objects, config.kubernetes_version, store, source.duplicate_keys,
            source.directories,
        )  # fmt: skip

    engine = Engine(config)
    report = Report(notes=source.notes, files=source.files)
    start = time.process_time()
    engine.run(source.objects, context(), report)
    print(f"  every rule (validators cold) {time.process_time() - start:7.3f} s"
          f"  ({len(report.findings)} findings)")  # fmt: skip
    start = time.process_time()
    engine.run(source.objects, context(), Report())
    print(f"  every rule (validators warm) {time.process_time() - start:7.3f} s")
    start = time.process_time()
    diagnostics.render(report, "json", rules.infos())
    print(f"  JSON report                  {time.process_time() - start:7.3f} s")
    by_rule: Counter[str] = Counter()
    ctx = context()
    for obj in source.objects:
        kind = str(obj.body.get("kind", ""))
        for module, _, _ in (*engine.by_kind.get(kind, ()), *engine.any_kind):
            start = time.process_time()
            for _ in module.check(obj, ctx):
                pass
            by_rule[module.CODE] += time.process_time() - start
    slowest = ", ".join(
        f"{code} {seconds * 1000:.0f} ms" for code, seconds in by_rule.most_common(8)
    )
    print(f"  slowest rules                {slowest}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder or generated_corpus(Path(scratch))
        print(f"gitops-gen lint {folder if args.folder else '(generated fleet repository)'}")
        start_up(args.runs)
        in_process(folder)
        command = [sys.executable, "-m", "generator", "lint", str(folder), "--format", "json"]
        wall, cpu = _median_wall(command, args.runs)
        print(f"  whole command                {wall:7.3f} s wall {cpu:7.3f} s CPU"
              f"  (median of {args.runs}, {os.cpu_count()} cores)")  # fmt: skip


if __name__ == "__main__":
    main()
