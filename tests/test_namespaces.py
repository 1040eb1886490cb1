"""Shared and system namespaces: who writes the Namespace and the default-deny; sync options."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.yamlio import load_all_plain
from tests.conftest import ROOT, Result, kustomize_build, two_clusters, write

BLUEPRINTS = ROOT / "tests" / "data" / "blueprints"
PLAIN = "chart: {repo: https://charts.example.com, name: extra, version: 1.0.0}"


def render(run: Callable[..., Result], tmp_path: Path, text: str, *extra: str) -> Result:
    path = write(tmp_path / "catalogue.yaml", text)
    return run("render", path, "-o", tmp_path / "out", "--blueprints", BLUEPRINTS, *extra)


def objects(tmp_path: Path, relative: str) -> list[dict[str, Any]]:
    return list(load_all_plain((tmp_path / "out" / relative).read_text()))


def manifests(tmp_path: Path, component: str) -> list[str]:
    return sorted(p.name for p in (tmp_path / "out/infrastructure/base" / component).rglob("*"))


def selected(policy: dict[str, Any]) -> dict[str, str]:
    """The labels of the pods a NetworkPolicy or CiliumNetworkPolicy applies to."""
    spec = policy["spec"]
    labels: dict[str, str] = (spec.get("podSelector") or spec["endpointSelector"])["matchLabels"]
    return labels


def test_components_sharing_a_namespace_have_one_owner(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    text = two_clusters("[argocd, external-secrets, test-crds, test-stack]")
    result = render(run, tmp_path, text)
    assert result.exit_code == 0, result.stderr
    # test-stack is named after the namespace: it owns it, though listed second.
    owner = objects(tmp_path, "infrastructure/base/test-stack/manifests/namespace.yaml")
    assert [o["metadata"]["name"] for o in owner] == ["test-stack"]
    owner_policies = objects(
        tmp_path, "infrastructure/base/test-stack/manifests/networkpolicies.yaml"
    )
    assert [p["metadata"]["name"] for p in owner_policies] == [
        "default-deny",
        "allow-dns",
        "allow-egress-to-apiserver",
    ]
    # Its own policies open only its own pods, not its guests'.
    assert selected(owner_policies[2]) == {"app.kubernetes.io/instance": "test-stack"}
    assert not (tmp_path / "out/infrastructure/base/test-crds/manifests/namespace.yaml").exists()
    guest = objects(tmp_path, "infrastructure/base/test-crds/manifests/networkpolicies.yaml")
    assert [p["metadata"]["name"] for p in guest] == ["test-crds-allow-egress-to-apiserver"]
    assert selected(guest[0]) == {"app.kubernetes.io/instance": "test-crds"}


def test_system_namespaces_get_no_namespace_object_and_no_default_deny(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    text = two_clusters(
        f"[argocd, external-secrets, {{name: extra, namespace: kube-system, {PLAIN}}}]"
    )
    assert render(run, tmp_path, text).exit_code == 0
    assert manifests(tmp_path, "extra") == [
        "application.yaml",
        "kustomization.yaml",
        "kustomization.yaml",
        "manifests",
        "networkpolicies.yaml",
    ]
    (policy,) = objects(tmp_path, "infrastructure/base/extra/manifests/networkpolicies.yaml")
    assert (policy["metadata"]["name"], policy["metadata"]["namespace"]) == (
        "extra-allow-egress-to-apiserver",
        "kube-system",
    )
    assert selected(policy) == {"app.kubernetes.io/instance": "extra"}


def test_a_namespace_has_an_owner_on_every_cluster(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    # test-crds is a guest of test-stack on the hub, but alone, so the owner, on edge.
    text = two_clusters("[argocd, external-secrets, test-stack, test-crds]", "[test-crds]")
    assert render(run, tmp_path, text).exit_code == 0
    base = "infrastructure/base/test-crds"
    guest = objects(tmp_path, f"{base}/manifests/networkpolicies.yaml")
    assert [p["metadata"]["name"] for p in guest] == ["test-crds-allow-egress-to-apiserver"]
    assert not (tmp_path / "out" / base / "manifests/namespace.yaml").exists()
    owner = objects(tmp_path, f"{base}/manifests-owner/namespace.yaml")
    assert [o["metadata"]["name"] for o in owner] == ["test-stack"]
    (app,) = objects(tmp_path, f"{base}/application.yaml")
    assert app["spec"]["sources"][1]["path"] == f"{base}/manifests"
    (edge_ops,) = objects(tmp_path, "clusters/edge/patches/test-crds.yaml")
    assert {
        "op": "replace",
        "path": "/spec/sources/1/path",
        "value": f"{base}/manifests-owner",
    } in (edge_ops)
    (hub_ops,) = objects(tmp_path, "clusters/hub/patches/test-crds.yaml")
    assert not any(op["path"] == "/spec/sources/1/path" for op in hub_ops)


def sync_options(tmp_path: Path, component: str) -> list[str]:
    (app,) = objects(tmp_path, f"infrastructure/base/{component}/application.yaml")
    options: list[str] = app["spec"]["syncPolicy"]["syncOptions"]
    return options


def test_server_side_apply_defaults_and_overrides(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    text = two_clusters(
        f"[argocd, external-secrets, test-stack, test-crds, {{name: extra, {PLAIN}}},"
        f" {{name: other, serverSideApply: false, {PLAIN}}},"
        " {name: cert-manager, serverSideApply: false}]"
    )
    assert render(run, tmp_path, text, "--kustomize", "never").exit_code == 0
    assert "ServerSideApply=true" in sync_options(tmp_path, "test-crds")  # ships CRDs
    assert "ServerSideApply=true" not in sync_options(tmp_path, "test-stack")
    assert "ServerSideApply=true" in sync_options(tmp_path, "extra")  # plain chart default
    assert "ServerSideApply=true" not in sync_options(tmp_path, "other")
    assert "ServerSideApply=true" not in sync_options(tmp_path, "cert-manager")


def test_a_deprecated_blueprint_renders_with_a_warning(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    result = render(
        run, tmp_path, two_clusters("[argocd, external-secrets, test-old]"), "--kustomize", "never"
    )
    assert result.exit_code == 0
    assert "'test-old' is deprecated: retired upstream; use test-stack" in result.stderr


def test_components_sync_after_the_owner_of_their_namespace(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    # test-crds provides CRDs, so it would sync first; it must wait for test-stack's Namespace.
    text = two_clusters("[argocd, external-secrets, test-crds, test-stack]")
    assert render(run, tmp_path, text, "--kustomize", "never").exit_code == 0
    waves = {}
    for name in ("test-stack", "test-crds"):
        (ops,) = objects(tmp_path, f"clusters/hub/patches/{name}.yaml")
        waves[name] = next(int(op["value"]) for op in ops if "sync-wave" in op["path"])
    assert waves["test-crds"] > waves["test-stack"]


def test_a_guest_scraper_is_admitted_through_its_owners_namespace(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    # loki owns monitoring (listed first); alloy, a guest there, scrapes metrics.
    result = render(
        run,
        tmp_path,
        two_clusters("[argocd, external-secrets, loki, alloy]"),
        "--kustomize",
        "never",
    )
    assert result.exit_code == 0, result.stderr
    (namespace,) = objects(tmp_path, "infrastructure/base/loki/manifests/namespace.yaml")
    assert namespace["metadata"]["labels"]["gitops-gen.dev/metrics-scraper"] == "true"


def test_owner_manifests_and_cilium_policies_are_both_sources(
    run: Callable[..., Result], tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    # test-crds owns its namespace on the Cilium hub and is a guest on the flannel edge.
    text = two_clusters("[argocd, external-secrets, test-crds]", "[test-stack, test-crds]").replace(
        "server: https://edge.example.com:6443",
        "server: https://edge.example.com:6443\n      cni: flannel",
    )
    result = render(run, tmp_path, text)
    assert result.exit_code == 0, result.stderr
    built = load_all_plain(kustomize_build(kustomize_cmd, tmp_path / "out/clusters/hub"))
    (app,) = [o for o in built if o["metadata"]["name"] == "test-crds-hub"]
    base = "infrastructure/base/test-crds"
    assert [s.get("path") for s in app["spec"]["sources"]] == [
        None,
        f"{base}/manifests-owner",
        f"{base}/cilium",
    ]
