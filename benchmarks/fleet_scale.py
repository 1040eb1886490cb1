"""Render + validate wall time and peak memory for a growing generated fleet.

Each size runs `gitops-gen render` in a child process (imports included) into a scratch folder;
peak memory is the child's maximum resident set size. Kustomize builds run up to
--kustomize-up-to clusters (they start one kubectl per kustomization that needs one).

Usage: python benchmarks/fleet_scale.py [--sizes 1,10,100,1000] [--apps 3] [--kustomize-up-to N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from render_examples import fleet


def run(catalogue: Path, out: Path, mode: str) -> tuple[float, float, int]:
    """(wall seconds, peak MB, exit code) of one render in a fresh interpreter."""
    command = [sys.executable, "-m", "generator", "render", str(catalogue), "-o", str(out)]
    start = time.perf_counter()
    # Nothing is read from the child: a pipe it fills (a warning per cluster) would block it.
    child = subprocess.Popen(
        [*command, "--kustomize", mode], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    # ru_maxrss is in KiB on Linux.
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100,1000")
    parser.add_argument("--apps", type=int, default=3)
    parser.add_argument("--kustomize-up-to", type=int, default=100)
    args = parser.parse_args()
    print(f"generated fleet, {args.apps} apps in every environment")
    print(f"{'clusters':>8} {'kustomize':>9} {'files':>6} {'wall s':>8} {'peak MB':>8} {'exit':>4}")
    with tempfile.TemporaryDirectory() as scratch:
        for size in (int(s) for s in args.sizes.split(",")):
            catalogue = Path(scratch) / f"fleet-{size}.yaml"
            catalogue.write_text(fleet(size, args.apps))
            modes = ["never", "auto"] if size <= args.kustomize_up_to else ["never"]
            for mode in modes:
                out = Path(scratch) / f"out-{size}-{mode}"
                wall, peak, code = run(catalogue, out, mode)
                files = sum(1 for p in out.rglob("*") if p.is_file()) if out.is_dir() else 0
                print(f"{size:>8} {mode:>9} {files:>6} {wall:>8.2f} {peak:>8.0f} {code:>4}")


if __name__ == "__main__":
    main()
