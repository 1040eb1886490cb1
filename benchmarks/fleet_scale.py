"""Render + validate wall time and peak memory for a growing generated fleet.

Each size runs `gitops-gen render` in a child process (imports included) into a scratch folder;
peak memory is the child's maximum resident set size. Kustomize builds run up to
--kustomize-up-to clusters (they start one kubectl per kustomization that needs one, counted
through a shim put first on the child's PATH).

With --fleet the catalogue sets `fleet: true` (ApplicationSets, generator/render/fleet.py) and
every size builds its kustomizations; the 1,000/100 wall-time ratio is printed at the end.

Scratch folders follow TMPDIR. Writing 16,000 files can cost more kernel time than the render
itself on some disks (see RESULTS.md); TMPDIR=/dev/shm measures gitops-gen alone.

Usage: python benchmarks/fleet_scale.py [--sizes 1,10,100,1000] [--apps 3] [--kustomize-up-to N]
       [--fleet]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from render_examples import fleet


def counting_path(scratch: Path) -> tuple[str, Path]:
    """A PATH whose kubectl and kustomize log each start to the returned file, then run."""
    shims, log = scratch / "shims", scratch / "starts.log"
    shims.mkdir(exist_ok=True)
    for tool in ("kubectl", "kustomize"):
        real = shutil.which(tool)
        if real:
            shim = shims / tool
            shim.write_text(f'#!/bin/sh\necho {tool} >> "{log}"\nexec "{real}" "$@"\n')
            shim.chmod(0o755)
    return f"{shims}{os.pathsep}{os.environ.get('PATH', '')}", log


def run(
    catalogue: Path, out: Path, mode: str, path: str, log: Path
) -> tuple[float, float, int, int]:
    """(wall seconds, peak MB, exit code, kubectl starts) of one render in a fresh interpreter."""
    command = [sys.executable, "-m", "generator", "render", str(catalogue), "-o", str(out)]
    log.write_text("")
    start = time.perf_counter()
    # Nothing is read from the child: a pipe it fills (a warning per cluster) would block it.
    child = subprocess.Popen(
        [*command, "--kustomize", mode],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PATH": path},
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    starts = len(log.read_text().splitlines())
    # ru_maxrss is in KiB on Linux.
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), starts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100,1000")
    parser.add_argument("--apps", type=int, default=3)
    parser.add_argument("--kustomize-up-to", type=int, default=100)
    parser.add_argument("--fleet", action="store_true", help="fleet mode, builds at every size")
    args = parser.parse_args()
    mode = "fleet mode, " if args.fleet else ""
    print(f"generated fleet, {mode}{args.apps} apps in every environment")
    walls: dict[int, float] = {}
    print(
        f"{'clusters':>8} {'kustomize':>9} {'files':>6} {'wall s':>8} {'peak MB':>8} "
        f"{'exit':>4} {'kubectl':>7}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        path, log = counting_path(Path(scratch))
        for size in (int(s) for s in args.sizes.split(",")):
            catalogue = Path(scratch) / f"fleet-{size}.yaml"
            text = fleet(size, args.apps)
            if args.fleet:
                text = text.replace("spec:\n", "spec:\n  fleet: true\n", 1)
            catalogue.write_text(text)
            if args.fleet:
                modes = ["auto"]
            elif size <= args.kustomize_up_to:
                modes = ["never", "auto"]
            else:
                modes = ["never"]
            for mode in modes:
                out = Path(scratch) / f"out-{size}-{mode}"
                wall, peak, code, starts = run(catalogue, out, mode, path, log)
                files = sum(1 for p in out.rglob("*") if p.is_file()) if out.is_dir() else 0
                print(
                    f"{size:>8} {mode:>9} {files:>6} {wall:>8.2f} {peak:>8.0f} {code:>4} "
                    f"{starts:>7}"
                )
                walls[size] = wall
    if args.fleet and 100 in walls and 1000 in walls:
        print(f"1,000 / 100 clusters wall: {walls[1000] / walls[100]:.1f}x")


if __name__ == "__main__":
    main()
