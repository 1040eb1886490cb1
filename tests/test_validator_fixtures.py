"""`lint` against the verdicts of other linters' own fixtures, for every check we share.

The fixtures and their expected verdicts come from the upstream test suites of kube-linter and
Polaris (see the corpus' EXPECTATIONS.md): each failing fixture must get a finding of our
matching rule; each passing Polaris fixture must get none.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from generator import kustomize
from generator.lint import lint
from generator.lintconfig import LintConfig
from generator.schema import SchemaStore
from tests.conftest import ROOT

# The fixtures these tests use, with their sources and licences (SOURCES.md there).
FIXTURES = ROOT / "tests" / "data" / "validator-fixtures"

# Their check → our rules. Checks missing here have no counterpart among our rules.
SHARED_CHECKS: dict[str, tuple[str, ...]] = {
    # kube-linter
    "privileged-container": ("GG501",),
    "privilege-escalation-container": ("GG502",),
    "run-as-non-root": ("GG503",),
    "no-read-only-root-fs": ("GG504",),
    "drop-net-raw-capability": ("GG505",),
    "host-network": ("GG507",),
    "host-pid": ("GG507",),
    "host-ipc": ("GG507",),
    "sensitive-host-mounts": ("GG508",),
    "docker-sock": ("GG508",),
    "writable-host-mount": ("GG508",),
    "unsafe-proc-mount": ("GG510",),
    "unsafe-sysctls": ("GG510",),
    "default-service-account": ("GG511",),
    "env-var-secret": ("GG512",),
    "wildcard-in-rules": ("GG513",),
    "cluster-admin-role-binding": ("GG513",),
    "access-to-secrets": ("GG513",),
    "use-namespace": ("GG515",),
    "unset-cpu-requirements": ("GG201",),
    "unset-memory-requirements": ("GG202",),
    "job-ttl-seconds-after-finished": ("GG205",),
    "no-readiness-probe": ("GG701",),
    "no-liveness-probe": ("GG702",),
    "liveness-port": ("GG703",),
    "readiness-port": ("GG703",),
    "startup-port": ("GG703",),
    "latest-tag": ("GG601",),
    "duplicate-env-var": ("GG603",),
    "dangling-service": ("GG303",),
    "dangling-ingress": ("GG305",),
    "dangling-horizontalpodautoscaler": ("GG306",),
    "dangling-networkpolicy": ("GG302",),
    "pdb-max-unavailable": ("GG706",),
    "pdb-min-available": ("GG706",),
    "pdb-unhealthy-pod-eviction-policy": ("GG706",),
    "no-anti-affinity": ("GG707",),
    "mismatching-selector": ("GG708",),
    "no-rolling-update-strategy": ("GG711",),
    "non-isolated-pod": ("GG301",),
    "exposed-services": ("GG310",),
    "no-extensions-v1beta": ("GG801",),
    "config:e2etests/testdata/kubeconform-config.yaml": ("GG101",),
    # Polaris
    "runAsPrivileged": ("GG501",),
    "privilegeEscalationAllowed": ("GG502",),
    "runAsRootAllowed": ("GG503",),
    "notReadOnlyRootFilesystem": ("GG504",),
    "dangerousCapabilities": ("GG505",),
    "insecureCapabilities": ("GG505",),
    "hostIPCSet": ("GG507",),
    "hostPIDSet": ("GG507",),
    "hostNetworkSet": ("GG507",),
    "hostPathSet": ("GG508",),
    "hostPortSet": ("GG509",),
    "procMount": ("GG510",),
    "automountServiceAccountToken": ("GG516",),
    "sensitiveContainerEnvVar": ("GG512",),
    "cpuRequestsMissing": ("GG201",),
    "memoryRequestsMissing": ("GG202",),
    "memoryLimitsMissing": ("GG202",),
    "cpuLimitsMissing": ("GG203",),
    "readinessProbeMissing": ("GG701",),
    "livenessProbeMissing": ("GG702",),
    "tagNotSpecified": ("GG601",),
    "deploymentMissingReplicas": ("GG704",),
    "pdbDisruptionsIsZero": ("GG706",),
    "pdbMinAvailableGreaterThanHPAMinReplicas": ("GG706",),
    "hpaMinAvailability": ("GG709",),
    "tlsSettingsMissing": ("GG311",),
    "linuxHardening": ("GG506",),
    "clusterrolePodExecAttach": ("GG513",),
    "rolePodExecAttach": ("GG513",),
    "clusterrolebindingClusterAdmin": ("GG513",),
    "rolebindingClusterAdminClusterRole": ("GG513",),
    "rolebindingClusterAdminRole": ("GG513",),
}
# Checks whose counterpart we define differently on purpose (benchmarks/RESULTS.md says why);
# their fixtures test the anchor's definition, not ours.
DIVERGENT = {
    "hpa-minimum-three-replicas": "GG709 asks for 2 replicas, kube-linter for 3",
    "minimum-three-replicas": "GG704 asks for 2 replicas, kube-linter for 3",
    "missingPodDisruptionBudget": "GG705 only asks single-replica workloads for no budget",
    "topologySpreadConstraint": "GG707 only asks workloads of two or more replicas to spread",
    "missingNetworkPolicy": "GG301 counts a policyType without rules as isolation (deny all)",
}
_STORE = SchemaStore()


@cache
def _expectations() -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = json.loads((FIXTURES / "expectations.json").read_text())
    return data


def _cases(expect: str) -> list[tuple[str, str]]:
    return sorted(
        (path, str(entry["check"]))
        for path, entry in _expectations().items()
        if entry.get("type") == "policy"
        and entry.get("expect") == expect
        and entry.get("check") in SHARED_CHECKS
    )


def found_codes(path: Path, codes: tuple[str, ...]) -> set[str]:
    report = lint([path], LintConfig(select=codes), kustomize.command(), _STORE)
    return {f.rule.code for f in report.findings}


@pytest.mark.parametrize(("path", "check"), _cases("fail"))
def test_failing_fixture_is_caught(path: str, check: str) -> None:
    codes = SHARED_CHECKS[check]
    assert found_codes(FIXTURES / path, codes) & set(codes)


def _schema_cases() -> list[tuple[str, str]]:
    out = []
    for path, entry in _expectations().items():
        tool = entry.get("tool")
        if entry.get("type") != "schema" or entry.get("omitted") or path in SCHEMA_DIVERGENT:
            continue
        if tool not in ("kubeconform", "kubernetes-validate"):
            continue
        verdict = entry.get("verdict")
        if entry.get("strict_valid") is False:
            verdict = "strict-invalid"
        if verdict in ("valid", "invalid", "error", "missing-schema", "strict-invalid"):
            out.append((path, str(verdict)))
    return sorted(out)


SCHEMA_DIVERGENT = {
    # Valid only in non-strict mode (an unknown top-level field); we validate strictly.
    "willthames__kubernetes-validate/tests/resource.yaml": "strict by default",
    # `key: value` with no kind: we skip YAML that is not Kubernetes (CI files, values) with a
    # note, where kubeconform reports an error.
    "yannh__kubeconform/fixtures/missing_kind.yaml": "not Kubernetes YAML: skipped",
}
# Our verdict per kubeconform verdict: strict validation is our default, so unknown fields and
# duplicate keys are errors; a missing schema is a finding, never a silent pass.
_VERDICT_RULES = {
    "invalid": {"GG101"},
    "error": {"GG100", "GG101"},
    "missing-schema": {"GG102"},
    "strict-invalid": {"GG101", "GG103"},
}


@pytest.mark.parametrize(("path", "verdict"), _schema_cases())
def test_schema_fixture_verdicts(path: str, verdict: str) -> None:
    schema_rules = ("GG100", "GG101", "GG102", "GG103")
    found = found_codes(FIXTURES / path, schema_rules)
    if verdict == "valid":
        assert not found & {"GG100", "GG101", "GG103"}
    else:
        assert found & _VERDICT_RULES[verdict]
