"""`gitops-gen diff` wall time on two revisions of the multi-cluster example.

The head revision changes one app's replicas, another's memory limit and adds a third app: the
pull request of the issue. Prints the median of several runs of the whole command, in a fresh
interpreter each time (imports included), as a PR bot runs it.

Usage: python benchmarks/diff_revisions.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "hetzner-multi-cluster.yaml"
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}
NEW_APP = """\
    - name: cart
      image: ghcr.io/acme/cart:2.0.0
      port: 8080
      environments: {dev: {}, staging: {replicas: 2}}
      memory: {request: 64Mi, limit: 128Mi}
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True)


def head_revision(text: str) -> str:
    """Scale the first app that has replicas 2 to 3, raise the first 256Mi limit, add an app."""
    changed = text.replace("replicas: 2}", "replicas: 3}", 1)
    changed = changed.replace("limit: 256Mi", "limit: 384Mi", 1)
    if changed == text:
        raise SystemExit("the example no longer has the fields this benchmark edits")
    return changed.rstrip("\n") + "\n" + NEW_APP


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch)
        git(repo, "init", "-q", "-b", "main")
        base = EXAMPLE.read_text()
        (repo / "catalogue.yaml").write_text(base)
        git(repo, "add", ".")
        git(repo, "commit", "-qm", "base")
        (repo / "catalogue.yaml").write_text(head_revision(base))
        git(repo, "commit", "-qam", "head")
        command = [sys.executable, "-m", "generator", "diff", "catalogue.yaml"]
        command += ["--base", "HEAD~1", "--head", "HEAD", "--format", "markdown"]
        times, output = [], ""
        for _ in range(args.runs):
            start = time.perf_counter()
            result = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=True)
            times.append(time.perf_counter() - start)
            output = result.stdout
    print(f"diff of two revisions of {EXAMPLE.name} ({args.runs} runs)")
    print(f"  median {statistics.median(times):.2f} s, min {min(times):.2f} s")
    print(f"  comment: {len(output.encode())} bytes, {output.count('<details>')} objects")


if __name__ == "__main__":
    main()
