"""Deprecated and removed API versions: the data table behind GG801 and GG802.

Shaped like pluto's versions.yaml: (apiVersion, kinds, deprecated in, removed in, replacement).
Versions come from the Kubernetes deprecated API migration guide; an empty `removed` means still
served. Custom resource groups name their own project's release instead of a Kubernetes minor
(`project:` entries are removed whatever the cluster version).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ApiChange:
    api_version: str
    kind: str
    deprecated: str
    removed: str
    replacement: str

    def removed_at(self, version: str) -> bool:
        return bool(self.removed) and (
            self.removed.startswith("project:") or _key(version) >= _key(self.removed)
        )

    def deprecated_at(self, version: str) -> bool:
        return bool(self.deprecated) and _key(version) >= _key(self.deprecated)


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".")[:2] if p.isdigit())


def _rows(
    api_version: str, kinds: str, deprecated: str, removed: str, replacement: str
) -> list[ApiChange]:
    return [ApiChange(api_version, k, deprecated, removed, replacement) for k in kinds.split()]


TABLE: tuple[ApiChange, ...] = tuple(
    [
        *_rows("extensions/v1beta1", "Deployment DaemonSet ReplicaSet", "1.9", "1.16", "apps/v1"),
        *_rows("extensions/v1beta1", "NetworkPolicy", "1.9", "1.16", "networking.k8s.io/v1"),
        *_rows("extensions/v1beta1", "PodSecurityPolicy", "1.11", "1.16", ""),
        *_rows("extensions/v1beta1", "Ingress", "1.14", "1.22", "networking.k8s.io/v1"),
        *_rows("apps/v1beta1", "Deployment StatefulSet ReplicaSet", "1.9", "1.16", "apps/v1"),
        *_rows(
            "apps/v1beta2", "Deployment StatefulSet DaemonSet ReplicaSet", "1.9", "1.16", "apps/v1"
        ),
        *_rows(
            "networking.k8s.io/v1beta1",
            "Ingress IngressClass",
            "1.19",
            "1.22",
            "networking.k8s.io/v1",
        ),
        *_rows(
            "rbac.authorization.k8s.io/v1beta1",
            "Role ClusterRole RoleBinding ClusterRoleBinding",
            "1.17",
            "1.22",
            "rbac.authorization.k8s.io/v1",
        ),
        *_rows(
            "apiextensions.k8s.io/v1beta1",
            "CustomResourceDefinition",
            "1.16",
            "1.22",
            "apiextensions.k8s.io/v1",
        ),
        *_rows(
            "admissionregistration.k8s.io/v1beta1",
            "ValidatingWebhookConfiguration MutatingWebhookConfiguration",
            "1.16",
            "1.22",
            "admissionregistration.k8s.io/v1",
        ),
        *_rows(
            "apiregistration.k8s.io/v1beta1",
            "APIService",
            "1.19",
            "1.22",
            "apiregistration.k8s.io/v1",
        ),
        *_rows(
            "scheduling.k8s.io/v1beta1", "PriorityClass", "1.14", "1.22", "scheduling.k8s.io/v1"
        ),
        *_rows(
            "storage.k8s.io/v1beta1",
            "CSIDriver CSINode StorageClass VolumeAttachment",
            "1.19",
            "1.22",
            "storage.k8s.io/v1",
        ),
        *_rows("storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.24", "1.27", "storage.k8s.io/v1"),
        *_rows(
            "certificates.k8s.io/v1beta1",
            "CertificateSigningRequest",
            "1.19",
            "1.22",
            "certificates.k8s.io/v1",
        ),
        *_rows("coordination.k8s.io/v1beta1", "Lease", "1.19", "1.22", "coordination.k8s.io/v1"),
        *_rows("batch/v1beta1", "CronJob", "1.21", "1.25", "batch/v1"),
        *_rows("discovery.k8s.io/v1beta1", "EndpointSlice", "1.21", "1.25", "discovery.k8s.io/v1"),
        *_rows("events.k8s.io/v1beta1", "Event", "1.19", "1.25", "events.k8s.io/v1"),
        *_rows("autoscaling/v2beta1", "HorizontalPodAutoscaler", "1.22", "1.25", "autoscaling/v2"),
        *_rows("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.23", "1.26", "autoscaling/v2"),
        *_rows("policy/v1beta1", "PodDisruptionBudget", "1.21", "1.25", "policy/v1"),
        *_rows("policy/v1beta1", "PodSecurityPolicy", "1.21", "1.25", ""),
        *_rows("node.k8s.io/v1beta1", "RuntimeClass", "1.20", "1.25", "node.k8s.io/v1"),
        *_rows(
            "flowcontrol.apiserver.k8s.io/v1beta1",
            "FlowSchema PriorityLevelConfiguration",
            "1.23",
            "1.26",
            "flowcontrol.apiserver.k8s.io/v1",
        ),
        *_rows(
            "flowcontrol.apiserver.k8s.io/v1beta2",
            "FlowSchema PriorityLevelConfiguration",
            "1.26",
            "1.29",
            "flowcontrol.apiserver.k8s.io/v1",
        ),
        *_rows(
            "flowcontrol.apiserver.k8s.io/v1beta3",
            "FlowSchema PriorityLevelConfiguration",
            "1.29",
            "1.32",
            "flowcontrol.apiserver.k8s.io/v1",
        ),
        *_rows("v1", "Endpoints", "1.33", "", "discovery.k8s.io/v1 EndpointSlice"),
        *_rows(
            "cert-manager.io/v1alpha2",
            "Certificate Issuer ClusterIssuer CertificateRequest",
            "",
            "project:cert-manager 1.6",
            "cert-manager.io/v1",
        ),
        *_rows(
            "cert-manager.io/v1alpha3",
            "Certificate Issuer ClusterIssuer CertificateRequest",
            "",
            "project:cert-manager 1.6",
            "cert-manager.io/v1",
        ),
        *_rows(
            "cert-manager.io/v1beta1",
            "Certificate Issuer ClusterIssuer CertificateRequest",
            "",
            "project:cert-manager 1.6",
            "cert-manager.io/v1",
        ),
    ]
)
_INDEX = {(c.api_version, c.kind): c for c in TABLE}


def removal(api_version: str, kind: str) -> ApiChange | None:
    """The table's entry for this apiVersion and kind, if any."""
    return _INDEX.get((api_version, kind))
