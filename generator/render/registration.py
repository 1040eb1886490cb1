"""How Argo CD learns each cluster from git: one cluster Secret per cluster, named after it.

The hub's comes with Argo CD's own values (blueprints/argocd). A Cluster API spoke's is written by
External Secrets from the kubeconfig Secret Cluster API creates on the hub: the kubernetes
provider reads `<cluster>-kubeconfig` in the cluster's namespace, and the template turns the
kubeconfig's server, CA and client certificate into Argo CD's `server` and `config`. External
Secrets rather than a one-off copy: it refreshes the Secret when Cluster API rotates the client
certificate, it needs no controller of our own, and the same operator registers the other
spokes from the user's secret store (`registration`).
"""

from __future__ import annotations

from typing import Any

from generator.model import ARGOCD_NAMESPACE, Cluster
from generator.render import argo

ESO = "external-secrets.io/v1"
# Cluster API rewrites the kubeconfig when it renews the client certificate; a spoke's Secret
# appears within this interval of its control plane coming up.
REFRESH = "1m"
_KUBECONFIG = "(.kubeconfig | fromYaml)"
_SERVER = f"{{{{ (index {_KUBECONFIG}.clusters 0).cluster.server }}}}"
_CONFIG = (
    '{"tlsClientConfig": {'
    f'"caData": "{{{{ index (index {_KUBECONFIG}.clusters 0).cluster '
    '"certificate-authority-data" }}", '
    f'"certData": "{{{{ index (index {_KUBECONFIG}.users 0).user "client-certificate-data" }}}}", '
    f'"keyData": "{{{{ index (index {_KUBECONFIG}.users 0).user "client-key-data" }}}}"'
    "}}"
)


def secret_name(cluster: Cluster) -> str:
    return f"cluster-{cluster.name}"


def _labels(cluster: Cluster, extra: dict[str, str]) -> dict[str, str]:
    return {
        **argo.CLUSTER_SECRET,
        "environment": cluster.environment,
        "role": cluster.role,
        "distribution": cluster.distribution,
        **extra,
    }


def _meta(name: str, namespace: str, cluster: Cluster, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": namespace,
        "labels": dict(argo.MANAGED_BY),
        "annotations": {argo.REGISTERS: cluster.name},
        **extra,
    }


def _external_secret(
    cluster: Cluster,
    store: dict[str, str],
    data: list[dict[str, Any]],
    template: dict[str, str],
    labels: dict[str, str],
) -> dict[str, Any]:
    return {
        "apiVersion": ESO,
        "kind": "ExternalSecret",
        "metadata": _meta(secret_name(cluster), ARGOCD_NAMESPACE, cluster),
        "spec": {
            "refreshInterval": REFRESH,
            "secretStoreRef": store,
            "target": {
                "name": secret_name(cluster),
                "creationPolicy": "Owner",
                "template": {
                    "engineVersion": "v2",
                    "metadata": {"labels": _labels(cluster, labels)},
                    "data": {"name": cluster.name, **template},
                },
            },
            "data": data,
        },
    }


def capi_registration(
    cluster: Cluster, capi_namespace: str, labels: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """A store that reads the cluster's namespace, the rights it needs, and the ExternalSecret;
    `labels` go on the cluster Secret besides its environment, role and distribution."""
    reader = f"kubeconfig-reader-{cluster.name}"
    plain = {"labels": dict(argo.MANAGED_BY)}
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": reader, "namespace": ARGOCD_NAMESPACE, **plain},
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": reader, "namespace": capi_namespace, **plain},
            "rules": [
                {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]}
            ],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": reader, "namespace": capi_namespace, **plain},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": reader},
            "subjects": [{"kind": "ServiceAccount", "name": reader, "namespace": ARGOCD_NAMESPACE}],
        },
        {
            "apiVersion": ESO,
            "kind": "SecretStore",
            "metadata": {"name": capi_namespace, "namespace": ARGOCD_NAMESPACE, **plain},
            "spec": {
                "provider": {
                    "kubernetes": {
                        "remoteNamespace": capi_namespace,
                        "server": {
                            "caProvider": {
                                "type": "ConfigMap",
                                "name": "kube-root-ca.crt",
                                "key": "ca.crt",
                            }
                        },
                        "auth": {"serviceAccount": {"name": reader}},
                    }
                }
            },
        },
        _external_secret(
            cluster,
            {"kind": "SecretStore", "name": capi_namespace},
            [
                {
                    "secretKey": "kubeconfig",
                    "remoteRef": {"key": f"{cluster.name}-kubeconfig", "property": "value"},
                }
            ],
            {"server": _SERVER, "config": _CONFIG},
            labels or {},
        ),
    ]


def store_registration(
    cluster: Cluster, labels: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """A spoke made elsewhere: its credentials from the user's store, its address from the
    catalogue, so that the address Argo CD uses is the one the catalogue names."""
    registration = cluster.registration
    assert registration is not None  # the catalogue demands it of every such spoke
    return [
        _external_secret(
            cluster,
            {"kind": "ClusterSecretStore", "name": registration.secret_store},
            [
                {
                    "secretKey": "config",
                    "remoteRef": {"key": registration.key, "property": "config"},
                }
            ],
            {"server": cluster.server, "config": "{{ .config }}"},
            labels or {},
        )
    ]
