from __future__ import annotations

from pathlib import Path

import pytest

from generator import rules
from generator.diagnostics import SEVERITIES

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("module", rules.REGISTRY, ids=lambda m: str(m.CODE))
def test_every_rule_documents_every_section(module: object) -> None:
    found = rules.sections(module)  # type: ignore[arg-type]
    assert list(found) == list(rules.SECTIONS)
    assert all(text.strip() for text in found.values())


@pytest.mark.parametrize("module", rules.REGISTRY, ids=lambda m: str(m.CODE))
def test_every_rule_is_well_formed_and_tested(module: object) -> None:
    code, family = module.CODE, module.FAMILY  # type: ignore[attr-defined]
    assert rules.FAMILIES[family] == code[:3]
    assert module.SEVERITY in (*SEVERITIES, "off")  # type: ignore[attr-defined]
    name = module.__name__.rpartition(".")[2]  # type: ignore[attr-defined]
    assert (TESTS / f"test_{name}.py").is_file()


def test_codes_and_names_are_unique() -> None:
    codes = [m.CODE for m in rules.REGISTRY]
    names = [m.NAME for m in rules.REGISTRY]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)


def test_every_rule_module_is_registered() -> None:
    on_disk = {p.stem for p in (Path(rules.__file__).parent).glob("gg*.py")}
    registered = {m.__name__.rpartition(".")[2] for m in rules.REGISTRY}
    assert on_disk == registered


def test_explain_prints_the_docs_and_refuses_unknown_codes() -> None:
    text = rules.explain("gg501")
    assert text is not None and text.startswith(
        "GG501 privileged (security, default severity error)"
    )
    assert "Failing example:" in text
    assert rules.explain("GG999") is None
