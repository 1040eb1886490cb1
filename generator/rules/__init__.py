"""The rule registry: every rule module, listed explicitly, in code order."""

from __future__ import annotations

import re
from importlib import import_module
from types import ModuleType

from generator.diagnostics import RuleInfo

# Every rule, by module name: adding a rule means adding its line here (no import magic).
_MODULES = (
    "gg100_yaml_syntax",
    "gg101_schema",
    "gg102_missing_schema",
    "gg103_duplicate_key",
    "gg104_duplicate_object",
    "gg105_crd_validation",
    "gg201_cpu_request",
    "gg202_memory_limits",
    "gg203_cpu_limit",
    "gg204_quantity_format",
    "gg205_job_hygiene",
    "gg301_network_policy",
    "gg302_network_policy_selects_nothing",
    "gg303_service_selects_nothing",
    "gg304_target_port",
    "gg305_ingress_backend",
    "gg306_hpa_target",
    "gg307_pdb_selects_nothing",
    "gg308_egress_to_api_server",
    "gg309_ingress_snippets",
    "gg310_exposed_service",
    "gg311_ingress_tls",
    "gg312_open_workload",
    "gg401_argo_source_shape",
    "gg402_argo_default_project",
    "gg403_argo_project_allows",
    "gg404_argo_chart_pinned",
    "gg405_sync_wave_syntax",
    "gg406_sync_wave_order",
    "gg407_argo_finalizer",
    "gg408_server_side_apply",
    "gg409_appproject_wildcards",
    "gg410_kustomize_build",
    "gg411_kustomize_deprecated",
    "gg412_kustomize_missing_path",
    "gg413_kustomize_remote_unpinned",
    "gg414_argo_revision_pinning",
    "gg415_argo_sync_options",
    "gg416_kustomize_helm_charts",
    "gg501_privileged",
    "gg502_privilege_escalation",
    "gg503_run_as_non_root",
    "gg504_read_only_root_filesystem",
    "gg505_capabilities",
    "gg506_seccomp",
    "gg507_host_namespaces",
    "gg508_host_path",
    "gg509_host_port",
    "gg510_proc_mount_sysctls",
    "gg511_default_service_account",
    "gg512_secret_in_env",
    "gg513_rbac_wildcards",
    "gg514_plaintext_secret",
    "gg515_namespace_set",
    "gg516_service_account_token",
    "gg517_service_account_exists",
    "gg601_image_tag",
    "gg602_image_digest",
    "gg603_duplicate_env",
    "gg604_enum_values",
    "gg701_readiness_probe",
    "gg702_liveness_probe",
    "gg703_probe_port",
    "gg704_replicas",
    "gg705_pdb_exists",
    "gg706_pdb_sane",
    "gg707_spread",
    "gg708_selector_match",
    "gg709_hpa_replicas",
    "gg710_statefulset_service",
    "gg711_rolling_update",
    "gg712_label_syntax",
    "gg801_removed_api",
    "gg802_deprecated_api",
    "gg901_unused_suppression",
    "gg902_suppression_reason",
)
REGISTRY: tuple[ModuleType, ...] = tuple(
    sorted(
        (import_module(f"generator.rules.{name}") for name in _MODULES), key=lambda m: str(m.CODE)
    )
)
BY_CODE: dict[str, ModuleType] = {m.CODE: m for m in REGISTRY}

SECTIONS = (
    "What it checks",
    "Why it matters",
    "Failing example",
    "Passing example",
    "How to suppress",
)
FAMILIES = {
    "schema": "GG1",
    "resources": "GG2",
    "networking": "GG3",
    "argocd-kustomize": "GG4",
    "security": "GG5",
    "images": "GG6",
    "availability": "GG7",
    "deprecated-api": "GG8",
    "tool": "GG9",
}


def sections(module: ModuleType) -> dict[str, str]:
    """The docstring's fixed sections, by heading, dedented."""
    doc = module.__doc__ or ""
    out: dict[str, str] = {}
    parts = re.split(rf"^({'|'.join(SECTIONS)}):\n", doc, flags=re.M)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        lines = body.rstrip().splitlines()
        out[heading] = "\n".join(line[4:] if line.startswith("    ") else line for line in lines)
    return out


def example(module: ModuleType, section: str) -> str:
    return sections(module)[section].strip("\n") + "\n"


def info(module: ModuleType) -> RuleInfo:
    summary = (module.__doc__ or "").strip().splitlines()[0]
    return RuleInfo(module.CODE, module.NAME, module.FAMILY, module.SEVERITY, summary)


def infos() -> list[RuleInfo]:
    return [info(m) for m in REGISTRY]


def explain(code: str) -> str | None:
    module = BY_CODE.get(code.upper())
    if module is None:
        return None
    head = f"{module.CODE} {module.NAME} ({module.FAMILY}, default severity {module.SEVERITY})"
    return f"{head}\n\n{(module.__doc__ or '').strip()}\n"
