"""The bootstrap, end to end: render proves it converges, and refuses catalogues that cannot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from tests.conftest import EXAMPLES, Result

MULTI = EXAMPLES / "hetzner-multi-cluster.yaml"


def _catalogue(tmp_path: Path, edit: Callable[[dict], None]) -> Path:
    body = yaml.safe_load(MULTI.read_text())
    edit(body)
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False))
    return path


def _cluster(body: dict, name: str) -> dict:
    return next(c for c in body["spec"]["clusters"] if c["name"] == name)


def test_the_example_converges_and_its_readme_lists_the_order(
    run: Callable[..., Result], kustomize_cmd: list[str], tmp_path: Path
) -> None:
    result = run("render", MULTI, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    readme = (tmp_path / "out" / "README.md").read_text()
    steps = readme[readme.index("## Bootstrap") :]
    assert "helm install argocd argo-cd" in steps
    assert "kubectl apply -f bootstrap/root.yaml" in steps
    assert "argocd cluster add" not in readme and "clusterctl" not in readme
    # The hub's components become healthy before any spoke's sub-tree syncs.
    assert steps.index("cluster-api-management healthy") < steps.index("cluster-dev synced")
    assert steps.index("cilium-dev healthy") < steps.index("cert-manager-dev healthy")


def test_a_spoke_without_its_cni_is_refused_by_name(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    def drop_cni(body: dict) -> None:
        _cluster(body, "devops")["components"].remove("cilium")

    result = run("render", _catalogue(tmp_path, drop_cni), "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "Cluster API cluster 'devops' has no CNI component" in result.stderr
    assert "'dev'" not in result.stderr


def test_a_deadlocking_tree_fails_render_with_the_stuck_applications(
    run: Callable[..., Result], kustomize_cmd: list[str], tmp_path: Path
) -> None:
    # Without its cloud-controller annotation the simulation sees no one lift the taint: the
    # spoke's nodes never get Ready, and render names what waits on them.
    def plain_ccm(body: dict) -> None:
        spoke = _cluster(body, "dev")
        spoke["components"] = [c for c in spoke["components"] if c != "hcloud-ccm"] + [
            {
                "name": "hcloud-ccm",
                "chart": {
                    "repo": "https://charts.hetzner.cloud",
                    "name": "hcloud-cloud-controller-manager",
                    "version": "1.35.0",
                },
                "namespace": "kube-system",
            }
        ]

    path = _catalogue(tmp_path, plain_ccm)
    result = run("render", path, "-o", tmp_path / "out")
    assert result.exit_code != 0
    assert "cloud controller" in result.stderr or "bootstrap:" in result.stderr


def test_every_application_targets_a_registered_cluster_by_name(
    run: Callable[..., Result], kustomize_cmd: list[str], tmp_path: Path
) -> None:
    assert run("render", MULTI, "-o", tmp_path / "out").exit_code == 0
    out = tmp_path / "out"
    registered = set()
    for path in [*out.rglob("*.yaml"), out / "bootstrap/argocd-values.yml"]:
        for doc in yaml.safe_load_all(path.read_text()):
            if not isinstance(doc, dict):
                continue
            meta = doc.get("metadata") or {}
            labels = meta.get("labels") or {}
            template = ((doc.get("spec") or {}).get("target") or {}).get("template") or {}
            template_labels = (template.get("metadata") or {}).get("labels") or {}
            if "argocd.argoproj.io/secret-type" in {**labels, **template_labels}:
                registered.add((meta.get("annotations") or {})["gitops-gen.dev/registers"])
            # The hub: in the values of the by-hand install, which the argocd component keeps.
            for name, hub in ((doc.get("configs") or {}).get("clusterCredentials") or {}).items():
                assert hub["server"] == "https://kubernetes.default.svc"
                registered.add(hub["annotations"]["gitops-gen.dev/registers"])
                assert name == hub["annotations"]["gitops-gen.dev/registers"]
    assert registered == {"management", "monitoring", "dev", "devops", "staging"}
    docs = list(yaml.safe_load_all((out / "bootstrap/clusters/devops/cluster.yaml").read_text()))
    hetzner = next(d for d in docs if d["kind"] == "HetznerCluster")
    assert hetzner["spec"]["hcloudNetwork"]["enabled"] is False
    assert hetzner["spec"]["sshKeys"]["robotRescueSecretRef"]["name"] == "robot-ssh"
    control = next(d for d in docs if d["kind"] == "KubeadmControlPlane")
    api_server = control["spec"]["kubeadmConfigSpec"]["clusterConfiguration"]["apiServer"]
    assert api_server["certSANs"] == ["devops.k8s.example.com"]
    assert hetzner["spec"]["controlPlaneLoadBalancer"]["port"] == 6443
