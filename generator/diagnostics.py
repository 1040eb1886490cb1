"""Lint findings, their output formats, and the exit code they lead to."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii

from generator import __version__
from generator.errors import EXIT_FINDINGS, EXIT_OK, Location, one_line

SEVERITIES = ("error", "warning", "info")
# Lower is more severe; `off` is a configured severity that drops the rule.
RANK = {"error": 0, "warning": 1, "info": 2}
FORMATS = ("text", "json", "sarif", "junit", "github")


@dataclass(frozen=True)
class RuleInfo:
    """What every format needs to know about a rule."""

    code: str
    name: str
    family: str
    severity: str
    summary: str


@dataclass(frozen=True)
class Diagnostic:
    """One finding: which rule, how bad, what, where, and on which object."""

    rule: RuleInfo
    severity: str
    message: str
    location: Location
    kind: str = ""
    namespace: str = ""
    name: str = ""

    @property
    def object_ref(self) -> str:
        return "/".join(p for p in (self.kind, self.namespace, self.name) if p)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.col, self.rule.code, self.message)

    def __str__(self) -> str:
        ref = f" ({self.object_ref})" if self.object_ref else ""
        return one_line(f"{self.location}: {self.rule.code} {self.severity} {self.message}{ref}")


@dataclass
class Report:
    """Everything one lint run found, plus what it skipped and suppressed."""

    findings: list[Diagnostic] = field(default_factory=list)
    suppressed: int = 0
    notes: list[str] = field(default_factory=list)
    objects: int = 0
    files: int = 0

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.findings, key=Diagnostic.sort_key)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(SEVERITIES, 0)
        for finding in self.findings:
            out[finding.severity] += 1
        return out

    def summary(self) -> dict[str, int]:
        return {
            **self.counts(),
            "suppressed": self.suppressed,
            "objects": self.objects,
            "files": self.files,
        }


def exit_code(report: Report, fail_on: str) -> int:
    """1 when any finding is at least as severe as `fail_on`, else 0."""
    limit = RANK[fail_on]
    failed = any(RANK[f.severity] <= limit for f in report.findings)
    return EXIT_FINDINGS if failed else EXIT_OK


def render(report: Report, fmt: str, rules: Sequence[RuleInfo]) -> str:
    """The report in one of FORMATS; the text ends with a newline unless it is empty."""
    return {
        "text": _text,
        "json": _json,
        "sarif": _sarif,
        "junit": _junit,
        "github": _github,
    }[fmt](report, rules)


def _text(report: Report, rules: Sequence[RuleInfo]) -> str:
    lines = [str(f) for f in report.sorted()]
    lines += [f"note: {one_line(n)}" for n in report.notes]
    c = report.summary()
    lines.append(
        f"{c['error']} error(s), {c['warning']} warning(s), {c['info']} info, "
        f"{c['suppressed']} suppressed in {c['objects']} object(s) from {c['files']} file(s)"
    )
    return "\n".join(lines) + "\n"


# One finding as json.dumps(indent=2) writes it in the list of findings.
_JSON_FINDING = (
    '{\n      "rule": %s,\n      "name": %s,\n      "family": %s,\n      "severity": %s,\n'
    '      "message": %s,\n      "file": %s,\n      "line": %s,\n      "column": %s,\n'
    '      "kind": %s,\n      "namespace": %s,\n      "objectName": %s\n    }'
)


def _json_finding(f: Diagnostic) -> str:
    quote = encode_basestring_ascii
    rule, where = f.rule, f.location
    return _JSON_FINDING % (
        quote(rule.code), quote(rule.name), quote(rule.family), quote(f.severity),
        quote(f.message), quote(where.path), _json_scalar(where.line), _json_scalar(where.col),
        quote(f.kind), quote(f.namespace), quote(f.name),
    )  # fmt: skip


def _json(report: Report, rules: Sequence[RuleInfo]) -> str:
    """`json.dumps(body, indent=2)` of the findings, summary and notes, written directly:
    with an indent, json encodes in pure Python, a tenth of a large lint's time."""
    parts = [
        _json_list([_json_finding(f) for f in report.sorted()], "  "),
        _json_flat(report.summary(), "  "),
        _json_list([_json_scalar(n) for n in report.notes], "  "),
    ]
    return f'{{\n  "findings": {parts[0]},\n  "summary": {parts[1]},\n  "notes": {parts[2]}\n}}\n'


def _json_scalar(value: object) -> str:
    if type(value) is str:
        return encode_basestring_ascii(value)
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value)


def _json_flat(mapping: Mapping[str, object], indent: str) -> str:
    """A mapping of scalars as json.dumps(indent=2) writes it at `indent`."""
    if not mapping:
        return "{}"
    inner = f",\n{indent}  ".join(
        f"{encode_basestring_ascii(k)}: {_json_scalar(v)}" for k, v in mapping.items()
    )
    return f"{{\n{indent}  {inner}\n{indent}}}"


def _json_list(items: list[str], indent: str) -> str:
    """Encoded items as a list json.dumps(indent=2) writes at `indent`."""
    if not items:
        return "[]"
    return f"[\n{indent}  " + f",\n{indent}  ".join(items) + f"\n{indent}]"


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _sarif(report: Report, rules: Sequence[RuleInfo]) -> str:
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    for f in report.sorted():
        region: dict[str, int] = {"startLine": max(f.location.line, 1)}
        if f.location.col:
            region["startColumn"] = f.location.col
        results.append(
            {
                "ruleId": f.rule.code,
                "ruleIndex": index.get(f.rule.code, -1),
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f"{f.message} ({f.object_ref})" if f.kind else f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": f.location.path},
                            "region": region,
                        }
                    }
                ],
            }
        )
    driver = {
        "name": "gitops-gen",
        "version": __version__,
        "informationUri": "https://gitops-gen.dev",
        "rules": [
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "defaultConfiguration": {"level": _SARIF_LEVEL.get(r.severity, "none")},
                "properties": {"family": r.family},
            }
            for r in rules
        ],
    }
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
    return json.dumps(sarif, indent=2) + "\n"


def _junit(report: Report, rules: Sequence[RuleInfo]) -> str:
    from xml.etree import ElementTree  # only this format; every command loads this module

    by_file: dict[str, list[Diagnostic]] = {}
    for f in report.sorted():
        by_file.setdefault(f.location.path, []).append(f)
    failures = sum(1 for f in report.findings)
    suites = ElementTree.Element(
        "testsuites", name="gitops-gen lint", tests=str(max(failures, 1)), failures=str(failures)
    )
    if not by_file:
        suite = ElementTree.SubElement(suites, "testsuite", name="lint", tests="1", failures="0")
        ElementTree.SubElement(suite, "testcase", name="no findings", classname="lint")
    for path, items in by_file.items():
        suite = ElementTree.SubElement(
            suites, "testsuite", name=path, tests=str(len(items)), failures=str(len(items))
        )
        for f in items:
            case = ElementTree.SubElement(
                suite, "testcase", name=f"{f.rule.code} {f.object_ref}".strip(), classname=path
            )
            failure = ElementTree.SubElement(
                case, "failure", message=one_line(f.message), type=f.severity
            )
            failure.text = str(f)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _github(report: Report, rules: Sequence[RuleInfo]) -> str:
    lines = []
    for f in report.sorted():
        props = [f"file={_escape_property(f.location.path)}"]
        if f.location.line:
            props.append(f"line={f.location.line}")
        if f.location.col:
            props.append(f"col={f.location.col}")
        props.append(f"title={_escape_property(f'{f.rule.code} {f.rule.name}')}")
        ref = f" ({f.object_ref})" if f.kind else ""
        lines.append(
            f"::{_GITHUB_LEVEL[f.severity]} {','.join(props)}::{_escape_data(f.message + ref)}"
        )
    return "".join(line + "\n" for line in lines)


def rule_table(rules: Iterable[RuleInfo], severities: Mapping[str, str]) -> str:
    """`gitops-gen rules`: one line per rule with its effective severity."""
    rows = [
        f"{r.code}  {severities.get(r.code, r.severity):<7}  {r.family:<16}  "
        f"{r.name:<30}  {r.summary}"
        for r in rules
    ]
    return "\n".join(rows) + "\n"
