"""`render --check` latency on output-example/, as a pre-commit hook runs it.

Every run is a fresh interpreter (imports included); prints the median and the spread, plus which
heavy modules the process imported. One render runs first, as a user's last render did: the check
record it leaves is what lets `--check` answer without rendering.

Usage: python benchmarks/check_latency.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [
    sys.executable, "-m", "generator", "render",
    str(ROOT / "examples" / "hetzner-multi-cluster.yaml"), "-o", str(ROOT / "output-example"),
    "--check",
]  # fmt: skip
HEAVY = ("jsonschema", "jsonschema_rs", "jinja2", "kubernetes_validate", "ruamel.yaml")
# The command line's `main` ends the process at once, so the probe calls what it calls.
PROBE = (
    "import sys\n"
    "from generator.cli import cli\n"
    "sys.argv = sys.argv[1:]\n"
    "try:\n"
    "    cli()\n"
    "except SystemExit:\n"
    "    pass\n"
    f"print('heavy:', *(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    subprocess.run(COMMAND[:-1], capture_output=True, check=True)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        result = subprocess.run(COMMAND, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, *COMMAND[2:]], capture_output=True, text=True, check=False
    )
    print(f"render --check on output-example/ ({args.runs} runs, exit {result.returncode})")
    median, low, high = statistics.median(times), min(times), max(times)
    print(f"  median {median:.3f} s, min {low:.3f} s, max {high:.3f} s")
    heavy = [line for line in probe.stderr.splitlines() if line.startswith("heavy:")]
    imported = heavy[-1].removeprefix("heavy:").strip() if heavy else "unknown"
    print(f"  heavy modules imported: {imported or 'none'}")


if __name__ == "__main__":
    main()
