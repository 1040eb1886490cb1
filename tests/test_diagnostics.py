from __future__ import annotations

import json

import pytest

from generator.diagnostics import Diagnostic, Report, RuleInfo, render
from generator.errors import Location

RULE = RuleInfo("GG501", "privileged", "security", "error", "no privileged containers")


def _as_dumped(report: Report) -> str:
    findings = [
        {
            "rule": f.rule.code, "name": f.rule.name, "family": f.rule.family,
            "severity": f.severity, "message": f.message, "file": f.location.path,
            "line": f.location.line, "column": f.location.col, "kind": f.kind,
            "namespace": f.namespace, "objectName": f.name,
        }
        for f in report.sorted()
    ]  # fmt: skip
    body = {"findings": findings, "summary": report.summary(), "notes": report.notes}
    return json.dumps(body, indent=2) + "\n"


@pytest.mark.parametrize(
    "report",
    [
        Report(),
        Report(
            findings=[
                Diagnostic(
                    RULE,
                    "error",
                    'runs "privileged"\tnaïvely ☃',
                    Location("b/ü.yaml", 3, 7),
                    "Pod",
                    "shop",
                    "web",
                ),
                Diagnostic(RULE, "warning", "second", Location("a.yaml"), "", "", ""),
            ],
            suppressed=2,
            notes=["chart/: skipped: a Helm chart", "ß\n"],
            objects=5,
            files=2,
        ),
    ],
)
def test_json_report_is_what_json_dumps_with_an_indent_writes(report: Report) -> None:
    assert render(report, "json", [RULE]) == _as_dumped(report)
