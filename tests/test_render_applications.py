"""Applications as rendered and as kustomize builds them: every field of DESIGN §2 reaches the
objects a cluster runs, the pods stay hardened, and no secret value is written."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.render.argo import REGISTERS
from generator.yamlio import load_all_plain
from tests.conftest import ROOT, gitops_gen

APPS = ROOT / "tests" / "data" / "apps"
ENVIRONMENTS = ("staging", "production")
WORKLOADS = ("Deployment", "StatefulSet", "CronJob")


def render(catalogue: Path, out: Path) -> Path:
    result = gitops_gen(
        "render", catalogue, "-o", out, "--kustomize", "always", "--blueprints", APPS / "blueprints"
    )
    assert result.returncode == 0, result.stderr
    assert "problem" not in result.stderr
    return out


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(APPS / "catalogue.yaml", tmp_path_factory.mktemp("apps") / "repo")


@pytest.fixture(scope="module")
def built(rendered: Path, kustomize_cmd: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each environment's applications overlay as kustomize builds it."""
    out = {}
    for env in ENVIRONMENTS:
        result = subprocess.run(
            [*kustomize_cmd, str(rendered / "applications/overlays" / env)],
            capture_output=True,
            text=True,
            check=True,
        )
        out[env] = [d for d in load_all_plain(result.stdout) if d]
    return out


def one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    result: dict[str, Any] = spec["template"]["spec"]
    return result


def test_stateful_set_claims_its_volume_per_pod(built: dict[str, list[dict[str, Any]]]) -> None:
    for env, size in (("staging", "2Gi"), ("production", "1Gi")):
        redis = one(built[env], "StatefulSet", "redis")
        (claim,) = redis["spec"]["volumeClaimTemplates"]
        assert claim["spec"]["resources"]["requests"]["storage"] == size
        assert claim["spec"]["storageClassName"] == "hcloud-volumes"
        mounts = pod_spec(redis)["containers"][0]["volumeMounts"]
        assert {"name": claim["metadata"]["name"], "mountPath": "/data"} in mounts
        headless = one(built[env], "Service", redis["spec"]["serviceName"])
        assert headless["spec"]["clusterIP"] == "None"


def test_a_deployment_with_a_volume_gets_one_claim(built: dict[str, list[dict[str, Any]]]) -> None:
    uploads = one(built["production"], "Deployment", "uploads")
    (volume,) = [v for v in pod_spec(uploads)["volumes"] if "persistentVolumeClaim" in v]
    claim = one(
        built["production"], "PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"]
    )
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "10Gi"
    assert uploads["spec"]["replicas"] == 2
    # many pods share the volume, so the rollout may still surge
    assert uploads["spec"]["strategy"]["type"] == "RollingUpdate"
    staging = one(built["staging"], "PersistentVolumeClaim", claim["metadata"]["name"])
    assert staging["spec"]["resources"]["requests"]["storage"] == "5Gi"


def test_the_autoscaler_owns_the_replicas(built: dict[str, list[dict[str, Any]]]) -> None:
    for env, (low, high) in (("staging", (1, 2)), ("production", (2, 6))):
        hpa = one(built[env], "HorizontalPodAutoscaler", "api")
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["apiVersion"], target["kind"], target["name"]) == (
            "apps/v1",
            "Deployment",
            "api",
        )
        assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (low, high)
        # the environment's autoscaling keeps the application's CPU target
        assert hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 70
        api = one(built[env], "Deployment", "api")
        assert "replicas" not in api["spec"]
        assert pod_spec(api)["containers"][0]["resources"]["requests"]["cpu"] == "100m"
    # the disruption budget follows the autoscaler's minimum
    assert one(built["production"], "PodDisruptionBudget", "api")
    assert not [
        o
        for o in built["staging"]
        if o["kind"] == "PodDisruptionBudget" and o["metadata"]["name"] == "api"
    ]


def test_external_secrets_name_the_store_and_keys(built: dict[str, list[dict[str, Any]]]) -> None:
    secret = one(built["production"], "ExternalSecret", "api-secrets")
    assert secret["apiVersion"] == "external-secrets.io/v1"
    assert secret["metadata"]["namespace"] == "shop"
    assert secret["spec"]["secretStoreRef"] == {"name": "openbao", "kind": "ClusterSecretStore"}
    assert secret["spec"]["target"]["name"] == "api-secrets"
    assert [(d["secretKey"], d["remoteRef"]) for d in secret["spec"]["data"]] == [
        ("DATABASE_URL", {"key": "DATABASE_URL"}),
        ("STRIPE_KEY", {"key": "STRIPE_KEY"}),
    ]
    smtp = one(built["production"], "ExternalSecret", "api-smtp")
    assert smtp["spec"]["secretStoreRef"] == {"name": "openbao", "kind": "SecretStore"}
    assert smtp["spec"]["data"] == [
        {"secretKey": "password", "remoteRef": {"key": "shop/smtp", "property": "password"}}
    ]


def test_secrets_and_pull_secrets_are_on_the_pod_spec(
    built: dict[str, list[dict[str, Any]]],
) -> None:
    for kind, name in (("Deployment", "api"), ("CronJob", "cleanup")):
        pod = pod_spec(one(built["production"], kind, name))
        assert pod["imagePullSecrets"] == [{"name": "registry-credentials"}]
        assert pod["containers"][0]["envFrom"] == [{"secretRef": {"name": "api-secrets"}}]
    uploads = pod_spec(one(built["production"], "Deployment", "uploads"))
    assert uploads["imagePullSecrets"] == [{"name": "registry-credentials"}]
    assert "envFrom" not in uploads["containers"][0]


def test_tls_ingress_names_the_issuer(built: dict[str, list[dict[str, Any]]]) -> None:
    for env, host in (("staging", "staging.shop.example.com"), ("production", "shop.example.com")):
        ingress = one(built[env], "Ingress", "api")
        assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt"
        assert ingress["spec"]["tls"] == [{"hosts": [host], "secretName": "api-tls"}]
        assert ingress["spec"]["ingressClassName"] == "nginx"
        (rule,) = ingress["spec"]["rules"]
        assert rule["host"] == host
        assert [p["path"] for p in rule["http"]["paths"]] == ["/api", "/webhooks"]


def test_config_files_are_mounted_read_only_with_their_hash(
    built: dict[str, list[dict[str, Any]]], rendered: Path, tmp_path: Path
) -> None:
    api = one(built["production"], "Deployment", "api")
    config = one(built["production"], "ConfigMap", "api-config")
    assert config["data"] == {"app.toml": "[server]\nport = 8000\n"}
    (mount,) = [m for m in pod_spec(api)["containers"][0]["volumeMounts"] if m["name"] == "config"]
    assert mount == {"name": "config", "mountPath": "/etc/api", "readOnly": True}
    (volume,) = [v for v in pod_spec(api)["volumes"] if v["name"] == "config"]
    assert volume["configMap"]["name"] == "api-config"
    annotations = api["spec"]["template"]["metadata"]["annotations"]
    digest = hashlib.sha256(json.dumps(config["data"], sort_keys=True).encode()).hexdigest()
    assert annotations["gitops-gen.dev/config-hash"] == digest
    # a changed file changes the pod template, which rolls the pods
    changed = tmp_path / "catalogue.yaml"
    changed.write_text((APPS / "catalogue.yaml").read_text().replace("port = 8000", "port = 8001"))
    again = render(changed, tmp_path / "repo")
    (deployment,) = load_all_plain((again / "applications/base/api/deployment.yaml").read_text())
    other = deployment["spec"]["template"]["metadata"]["annotations"]["gitops-gen.dev/config-hash"]
    assert other != digest


def test_a_shared_namespace_is_created_once(
    rendered: Path, built: dict[str, list[dict[str, Any]]]
) -> None:
    files = sorted(rendered.glob("applications/base/*/namespace.yaml"))
    assert [f.parent.name for f in files] == ["api", "uploads"]
    for env in ENVIRONMENTS:
        namespaces = [o["metadata"]["name"] for o in built[env] if o["kind"] == "Namespace"]
        assert sorted(namespaces) == ["shop", "uploads"]
        policies = [
            o["metadata"]["name"]
            for o in built[env]
            if o["kind"] == "NetworkPolicy" and o["metadata"]["namespace"] == "shop"
        ]
        assert policies.count("default-deny") == 1
        assert len(policies) == len(set(policies))
        # each app keeps its own flows: redis admits api and cleanup, nothing else
        assert {p for p in policies if p.startswith("redis-")} == {
            "redis-allow-from-api",
            "redis-allow-from-cleanup",
        }


def test_every_pod_stays_hardened(built: dict[str, list[dict[str, Any]]]) -> None:
    seen = set()
    for env in ENVIRONMENTS:
        for workload in (o for o in built[env] if o["kind"] in WORKLOADS):
            seen.add(workload["kind"])
            pod = pod_spec(workload)
            assert pod["securityContext"]["runAsNonRoot"] is True
            assert pod["securityContext"]["runAsUser"] == 1000
            assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
            for container in pod["containers"]:
                assert container["securityContext"] == {
                    "allowPrivilegeEscalation": False,
                    "readOnlyRootFilesystem": True,
                    "capabilities": {"drop": ["ALL"]},
                }
                resources = container["resources"]
                assert resources["requests"]["memory"] and resources["limits"]["memory"]
    assert seen == set(WORKLOADS)


def test_cron_job_runs_on_its_schedule(built: dict[str, list[dict[str, Any]]]) -> None:
    cleanup = one(built["production"], "CronJob", "cleanup")
    assert cleanup["spec"]["schedule"] == "*/15 * * * *"
    assert pod_spec(cleanup)["restartPolicy"] == "OnFailure"
    assert pod_spec(cleanup)["containers"][0]["resources"]["limits"]["memory"] == "64Mi"


def test_no_rendered_file_holds_a_secret_value(rendered: Path) -> None:
    """Secrets are made in the cluster (ExternalSecret) or exist already: git gets names only."""
    for path in rendered.rglob("*.yaml"):
        for doc in load_all_plain(path.read_text()):
            if not isinstance(doc, dict):
                continue
            assert doc.get("kind") != "Secret", path
            assert "stringData" not in doc, path
            annotations = (doc.get("metadata") or {}).get("annotations") or {}
            if doc.get("kind") == "ExternalSecret" and REGISTERS in annotations:
                # A cluster's registration: its name, its address, and the store's config.
                template = doc["spec"]["target"]["template"]["data"]
                assert template["config"] == "{{ .config }}", path
                continue
            if doc.get("kind") == "ExternalSecret":
                assert "template" not in doc["spec"]["target"], path
                for entry in doc["spec"]["data"]:
                    assert set(entry) == {"secretKey", "remoteRef"}, path


def test_a_single_writer_volume_is_let_go_before_the_new_pod_starts(tmp_path: Path) -> None:
    text = (APPS / "catalogue.yaml").read_text()
    text = text.replace(", storageClass: nfs, shared: true}", ", storageClass: nfs}")
    text = text.replace("production: {replicas: 2}", "production: {replicas: 1}")
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(text)
    out = render(catalogue, tmp_path / "repo")
    (uploads,) = load_all_plain((out / "applications/base/uploads/deployment.yaml").read_text())
    # a ReadWriteOnce volume cannot be attached to a surge pod on another node
    assert uploads["spec"]["strategy"] == {"type": "Recreate"}
    (claim,) = load_all_plain(
        (out / "applications/base/uploads/persistentvolumeclaim.yaml").read_text()
    )
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
