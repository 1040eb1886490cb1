"""Builds without kubectl give exactly what the real kustomize gives, objects and order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator import kustomize
from tests.conftest import EXAMPLES, ROOT, Result, write


def kustomizations(root: Path) -> list[str]:
    return sorted(
        str(p.parent.relative_to(root))
        for p in root.rglob("kustomization.yaml")
        if ".gitops-gen" not in p.parts
    )


def built_here(root: Path) -> dict[str, kustomize.Build]:
    memo: dict[Path, list[dict[str, object]]] = {}
    found = {d: kustomize._build_here(root, d, memo) for d in kustomizations(root)}
    return {d: b for d, b in found.items() if b is not None}


def assert_like_kustomize(root: Path, command: list[str]) -> int:
    here = built_here(root)
    for directory, build in here.items():
        real = kustomize._build_one(command, root, directory)
        assert real.error is None, directory
        assert build.objects == real.objects, directory
    return len(here)


def test_output_example_plain_kustomizations_build_like_kustomize(
    kustomize_cmd: list[str],
) -> None:
    assert assert_like_kustomize(ROOT / "output-example", kustomize_cmd) >= 20


@pytest.mark.parametrize("catalogue", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_example_plain_kustomizations_build_like_kustomize(
    catalogue: Path, tmp_path: Path, run: Callable[..., Result], kustomize_cmd: list[str]
) -> None:
    out = tmp_path / "repo"
    assert run("render", catalogue, "-o", out, "--kustomize", "never").exit_code == 0
    assert assert_like_kustomize(out, kustomize_cmd) > 0


def test_patches_and_name_suffixes_go_to_kustomize() -> None:
    root = ROOT / "output-example"
    here = built_here(root)
    assert here
    for directory in kustomizations(root):
        text = (root / directory / "kustomization.yaml").read_text()
        assert (directory in here) == ("patches:" not in text and "nameSuffix" not in text)


OBJECT = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{extra}"


@pytest.mark.parametrize(
    "content",
    [
        OBJECT.format(name="a", extra="data:\n  k: one\n  k: two\n"),
        OBJECT.format(
            name="a", extra="  annotations:\n    config.kubernetes.io/local-config: 'true'\n"
        ),
        OBJECT.format(name="a", extra="") + "---\n" + OBJECT.format(name="a", extra=""),
        "apiVersion: v1\nkind: ConfigMapList\nitems: []\n",
        OBJECT.format(name="a", extra="data: &d {k: v}\nbinaryData: *d\n"),
    ],
    ids=["duplicate-key", "local-config", "duplicate-id", "list", "alias"],
)
def test_what_kustomize_refuses_or_transforms_goes_to_kustomize(
    content: str, tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    write(tmp_path / "app" / "kustomization.yaml", "resources: [objects.yaml]\n")
    write(tmp_path / "app" / "objects.yaml", content)
    assert built_here(tmp_path) == {}
    build = kustomize.build_all(kustomize_cmd, tmp_path, ["app"])["app"]
    real = kustomize._build_one(kustomize_cmd, tmp_path, "app")
    assert (build.objects, build.error is None) == (real.objects, real.error is None)


def test_legacy_order_and_nested_folders(tmp_path: Path, kustomize_cmd: list[str]) -> None:
    kinds = ["ValidatingWebhookConfiguration", "Deployment", "Namespace", "ConfigMap", "Job"]
    for i, kind in enumerate(kinds):
        api = "admissionregistration.k8s.io/v1" if "Webhook" in kind else "v1"
        body = f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: n{i % 2}\n"
        write(tmp_path / "top" / "sub" / f"{i}.yaml", body + ("  namespace: x\n" if i else ""))
    files = ", ".join(f"{i}.yaml" for i in range(len(kinds)))
    write(tmp_path / "top" / "sub" / "kustomization.yaml", f"resources: [{files}]\n")
    write(tmp_path / "top" / "kustomization.yaml", "resources: [sub]\n")
    assert set(built_here(tmp_path)) == {"top", "top/sub"}
    assert assert_like_kustomize(tmp_path, kustomize_cmd) == 2
