"""Each rule's documented examples are its test manifests: the failing one must be caught, the
passing one must not be, so the docs `gitops-gen explain` prints cannot drift from the code."""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import ModuleType

from generator import kustomize
from generator.lint import lint
from generator.lintconfig import LintConfig
from generator.rules import example
from generator.schema import SchemaStore

_STORE = SchemaStore()


def codes_for(module: ModuleType, section: str) -> list[str]:
    """Findings of every rule on the documented example, as `GGnnn message` lines."""
    text = example(module, section)
    name = "kustomization.yaml" if text.startswith("# kustomization.yaml") else "example.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "case"
        target.mkdir()
        (target / name).write_text(text, encoding="utf-8")
        # Suppression rules judge other rules' findings, so those need every rule running.
        config = LintConfig(select=() if module.FAMILY == "tool" else (module.CODE,))
        report = lint([target], config, kustomize.command(), _STORE)
    return [f"{f.rule.code} {f.message}" for f in report.findings]


def assert_examples(module: ModuleType) -> None:
    failing = codes_for(module, "Failing example")
    assert any(line.startswith(module.CODE) for line in failing), failing
    passing = codes_for(module, "Passing example")
    assert not any(line.startswith(module.CODE) for line in passing), passing
