"""Builds without kubectl give exactly what the real kustomize gives, objects and order."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from benchmarks import render_examples
from generator import kustlocal, kustomize, pipeline, writer
from generator.yamlio import dump_all
from tests.conftest import EXAMPLES, ROOT, SHARED, Result, write

REAL_WORLD = SHARED / "corpus" / "real-world"


def kustomizations(root: Path) -> list[str]:
    return sorted(
        str(p.parent.relative_to(root))
        for p in root.rglob("kustomization.yaml")
        if ".gitops-gen" not in p.parts
    )


def built_here(root: Path) -> dict[str, kustomize.Build]:
    memo: dict[Path, list[kustlocal.Res]] = {}
    found = {d: kustomize._build_here(root, d, memo) for d in kustomizations(root)}
    return {d: b for d, b in found.items() if b is not None}


def assert_like_kustomize(root: Path, command: list[str]) -> int:
    here = built_here(root)
    for directory, build in here.items():
        real = kustomize._build_one(command, root, directory)
        assert real.error is None, directory
        assert build.objects == real.objects, directory
    return len(here)


def test_output_example_kustomizations_build_like_kustomize(kustomize_cmd: list[str]) -> None:
    root = ROOT / "output-example"
    built = assert_like_kustomize(root, kustomize_cmd)
    assert built == len(kustomizations(root)) >= 40


@pytest.mark.parametrize("catalogue", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_example_kustomizations_build_like_kustomize(
    catalogue: Path, tmp_path: Path, run: Callable[..., Result], kustomize_cmd: list[str]
) -> None:
    out = tmp_path / "repo"
    assert run("render", catalogue, "-o", out, "--kustomize", "never").exit_code == 0
    assert assert_like_kustomize(out, kustomize_cmd) > 0


def test_a_generated_fleet_builds_without_kubectl(
    tmp_path: Path, run: Callable[..., Result], kustomize_cmd: list[str]
) -> None:
    catalogue = write(tmp_path / "fleet.yaml", render_examples.fleet(10, 2))
    assert run("render", catalogue, "-o", tmp_path / "repo", "--kustomize", "never").exit_code == 0
    root = tmp_path / "repo"
    assert assert_like_kustomize(root, kustomize_cmd) == len(kustomizations(root)) > 60


def test_every_corpus_kustomization_built_here_equals_kustomize(kustomize_cmd: list[str]) -> None:
    if not REAL_WORLD.is_dir():
        pytest.skip("the real-world corpus is not next to the project")
    assert assert_like_kustomize(REAL_WORLD, kustomize_cmd) >= 60


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


BASE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {tier: front}
  annotations: {a/b: x}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - {name: app, image: app:1, args: [a, b], env: [{name: C, value: c}, {name: D, value: d}]}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  labels: {tier: back}
data: {k: v, "a/b": c, "t~x": y}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
spec: {project: default}
"""


def _ops(*ops: str) -> str:
    return "  patch: |\n" + "".join(f"    - {op}\n" for op in ops)


# (kustomization body after `resources: [base.yaml]`, built here?) — each compared with kubectl.
CASES = {
    "add-replace-remove": (
        "patches:\n- target: {kind: Deployment}\n"
        + _ops(
            "{op: add, path: /spec/paused, value: true}",
            "{op: replace, path: /spec/replicas, value: 3}",
            "{op: remove, path: /metadata/annotations}",
        ),
        True,
    ),
    "escapes": (
        "patches:\n- target: {kind: ConfigMap}\n"
        + _ops("{op: replace, path: /data/a~1b, value: d}", "{op: remove, path: /data/t~0x}"),
        True,
    ),
    "arrays": (
        "patches:\n- target: {name: web, kind: Deployment}\n"
        + _ops(
            "{op: add, path: /spec/template/spec/containers/0/args/-, value: c}",
            "{op: add, path: /spec/template/spec/containers/0/args/0, value: z}",
            "{op: add, path: /spec/template/spec/containers/0/args/4, value: end}",
            "{op: remove, path: /spec/template/spec/containers/0/args/1}",
        ),
        True,
    ),
    "move-copy-test": (
        "patches:\n- target: {kind: ConfigMap}\n"
        + _ops(
            "{op: test, path: /data/k, value: v}",
            "{op: copy, from: /data/k, path: /data/k2}",
            "{op: move, from: /data/k, path: /data/k3}",
        ),
        True,
    ),
    "replace-missing-key-adds": (
        "patches:\n- target: {kind: Application}\n"
        + _ops("{op: replace, path: /spec/destination, value: {name: c}}"),
        True,
    ),
    "add-missing-parent-fails": (
        "patches:\n- target: {kind: Application}\n"
        + _ops("{op: add, path: /spec/source/path, value: x}"),
        False,
    ),
    "failed-test": (
        "patches:\n- target: {kind: ConfigMap}\n" + _ops("{op: test, path: /data/k, value: w}"),
        False,
    ),
    "name-regex-and-labels": (
        "patches:\n- target: {name: 'web-.*', labelSelector: 'tier=back,!gone'}\n"
        + _ops("{op: add, path: /data/hit, value: 'yes'}")
        + "- target: {annotationSelector: a/b=x, version: v1, group: apps}\n"
        + _ops("{op: add, path: /spec/paused, value: true}")
        + "- target: {name: 'web|other', namespace: default, kind: Application}\n"
        + _ops("{op: add, path: /spec/hit, value: 1}"),
        True,
    ),
    "json-text-and-file": (
        "patches:\n- target: {kind: Deployment}\n"
        '  patch: \'[{"op": "add", "path": "/spec/x", "value": 1}]\'\n'
        "- target: {kind: ConfigMap}\n  path: ops.yaml\n",
        True,
    ),
    "suffix-prefix-namespace-then-deprecated-patch": (
        "namespace: edge\nnamePrefix: p-\nnameSuffix: -s\n"
        + "resources: [app.yaml]\n"
        + "patchesJson6902:\n- target: {kind: Application, name: web}\n"
        + '  patch: \'[{"op": "add", "path": "/spec/renamed", "value": true}]\'\n',
        True,
    ),
    "images": (
        "images:\n- {name: app, newTag: '2'}\n"
        "- {name: ap., newName: reg:5000/app, digest: sha256:d}\n- {name: other, newName: x}\n",
        True,
    ),
    "images-tag-suffix": ("images:\n- {name: app, tagSuffix: -x}\n", False),
    "suffix-on-a-referable-kind": ("nameSuffix: -s\n", False),
    "namespace-on-a-cluster-role": (
        "namespace: edge\nresources: [role.yaml]\n",
        False,
    ),
    "strategic-merge-maps-and-null": (
        "patches:\n- target: {kind: Deployment}\n  patch: |\n    apiVersion: apps/v1\n"
        "    kind: Deployment\n    metadata: {name: any, labels: {new: x}}\n"
        "    spec: {replicas: 4, template: {metadata: {annotations: {a: b, c: null}}}}\n",
        True,
    ),
    # kustomize reads a patch's labels as strings: its null becomes "null".
    "strategic-merge-null-label": (
        "patches:\n- target: {kind: Deployment}\n  patch: |\n    apiVersion: apps/v1\n"
        "    kind: Deployment\n    metadata: {name: any, labels: {tier: null}}\n",
        False,
    ),
    "strategic-merge-by-id": (
        "patchesStrategicMerge: [smp.yaml]\npatches:\n- path: smp-app.yaml\n",
        True,
    ),
    "strategic-merge-custom-list-replaced": (
        "patches:\n- target: {kind: Application}\n  patch: |\n"
        "    apiVersion: argoproj.io/v1alpha1\n    kind: Application\n    metadata: {name: web}\n"
        "    spec: {syncOptions: [A=true], info: {x: '1'}}\n",
        True,
    ),
    "strategic-merge-containers-by-name": (
        "patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n"
        "    metadata: {name: web, namespace: shop}\n    spec: {template: {spec: {containers:\n"
        "      [{name: side, image: s, env: [{name: A, value: a}]},\n"
        "       {name: app, image: app:2,\n"
        "        env: [{name: B, value: b}, {name: C, $patch: delete}]}]}}}\n",
        True,
    ),
    "strategic-merge-volumes": (
        "patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n"
        "    metadata: {name: web, namespace: shop}\n    spec: {template: {spec: {volumes:\n"
        "      [{name: v, emptyDir: {}}]}}}\n",
        False,
    ),
    "strategic-merge-delete-directive": (
        "patches:\n- target: {kind: ConfigMap}\n  patch: |\n    apiVersion: v1\n"
        "    kind: ConfigMap\n    metadata: {name: web-config}\n    $patch: delete\n",
        False,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_transformations_built_here_equal_kustomize(
    case: str, tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    body, local = CASES[case]
    app = tmp_path / "app"
    extra = BASE.split("---\napiVersion: argoproj.io")[1]
    resources = "resources: [base.yaml]\n"
    if "resources: [app.yaml]" in body:
        body = body.replace("resources: [app.yaml]\n", "")
        resources = "resources: [base]\n"
        write(app / "base" / "kustomization.yaml", "resources: [base.yaml]\n")
        write(app / "base" / "base.yaml", "apiVersion: argoproj.io" + extra)
    write(app / "kustomization.yaml", resources + body)
    write(app / "base.yaml", BASE)
    write(app / "ops.yaml", "- op: add\n  path: /data/file\n  value: f\n")
    write(app / "smp.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config}\n"
          "data: {k: null, n: m}\n")  # fmt: skip
    write(app / "smp-app.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
          "metadata: {name: web}\nspec: {source: {path: p}}\n")  # fmt: skip
    write(app / "role.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
          "metadata: {name: r}\n")  # fmt: skip
    here = built_here(tmp_path).get("app")
    real = kustomize._build_one(kustomize_cmd, tmp_path, "app")
    assert (here is not None) == local
    if here is not None:
        assert real.error is None
        assert here.objects == real.objects
    build = kustomize.build_all(kustomize_cmd, tmp_path, ["app"])["app"]
    assert (build.objects, build.error is None) == (real.objects, real.error is None)


def test_strategic_merge_on_lists_kustomize_would_fold_goes_to_kustomize(
    tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
        "    spec:\n      containers:\n      - name: app\n        image: app:1\n"
        "        env: [{name: A, value: '1'}, {name: A, value: '2'}]\n"
    )
    write(tmp_path / "app" / "deployment.yaml", deployment)
    write(
        tmp_path / "app" / "kustomization.yaml",
        "resources: [deployment.yaml]\npatches:\n- patch: |\n    apiVersion: apps/v1\n"
        "    kind: Deployment\n    metadata: {name: web}\n    spec: {replicas: 2}\n",
    )
    assert built_here(tmp_path) == {}
    build = kustomize.build_all(kustomize_cmd, tmp_path, ["app"])["app"]
    assert build.objects == kustomize._build_one(kustomize_cmd, tmp_path, "app").objects
    # kustomize's merge rebuilt the list it merges by name: the duplicate is folded away.
    env = build.objects[0]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "A", "value": "2"}]


@pytest.mark.parametrize(
    "body",
    [
        "patchesJson6902: [{target: x, patch: '[]'}]",
        "patches: [{patch: 1}]",
        "patches: [{patch: '- {op: add, path: 1, value: 1}', target: {kind: ConfigMap}}]",
        "patches: [{patch: 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: c}\\n1: 2'}]",
        "images: [{name: 1}]",
        "namespace: [x]",
        "patchesStrategicMerge: [missing.yaml]",
    ],
)
def test_malformed_transformations_go_to_kustomize(
    body: str, tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    write(tmp_path / "app" / "kustomization.yaml", f"resources: [c.yaml]\n{body}\n")
    write(tmp_path / "app" / "c.yaml", OBJECT.format(name="c", extra="data: {k: v}\n"))
    assert built_here(tmp_path) == {}
    build = kustomize.build_all(kustomize_cmd, tmp_path, ["app"])["app"]
    real = kustomize._build_one(kustomize_cmd, tmp_path, "app")
    assert (build.objects, build.error is None) == (real.objects, real.error is None)


def outcome(builds: dict[str, kustomize.Build]) -> dict[str, Any]:
    """Each build's objects, their keys in order, and whether it failed."""
    return {
        d: (
            [(o, [list(v) for v in o.values() if isinstance(v, dict)], list(o)) for o in b.objects],
            b.error is None,
        )
        for d, b in builds.items()
    }


def held_as_dumped(root: Path) -> dict[str, list[Any]]:
    """Every YAML file under `root` rewritten as the dump of its objects, which are returned
    the way a renderer holds them (relative path → objects)."""
    held = {}
    for path in sorted(root.rglob("*.yaml")):
        docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
        if all(isinstance(d, dict) for d in docs):
            path.write_text(dump_all(docs))
            held[str(path.relative_to(root))] = docs
    return held


@pytest.mark.parametrize("case", sorted(CASES))
def test_builds_from_objects_held_equal_builds_from_their_files(
    case: str, tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    body, _ = CASES[case]
    write(tmp_path / "app" / "kustomization.yaml", "resources: [base, base.yaml]\n" + body)
    write(tmp_path / "app" / "base.yaml", BASE.split("---\napiVersion: argoproj.io")[0])
    write(tmp_path / "app" / "base" / "kustomization.yaml", "resources: [app.yaml]\n")
    write(tmp_path / "app" / "base" / "app.yaml", "apiVersion: argoproj.io" + BASE.split(
        "---\napiVersion: argoproj.io")[1])  # fmt: skip
    write(tmp_path / "app" / "ops.yaml", "- op: add\n  path: /data/file\n  value: f\n")
    write(tmp_path / "app" / "smp.yaml", "apiVersion: v1\nkind: ConfigMap\n"
          "metadata: {name: web-config}\ndata: {k: null, n: m}\n")  # fmt: skip
    write(tmp_path / "app" / "smp-app.yaml", "apiVersion: argoproj.io/v1alpha1\n"
          "kind: Application\nmetadata: {name: web}\nspec: {source: {path: p}}\n")  # fmt: skip
    held = held_as_dumped(tmp_path)
    before = copy.deepcopy(held)
    dirs = ["app", "app/base"]
    from_files = kustomize.build_all(kustomize_cmd, tmp_path, dirs)
    from_held = kustomize.build_all(kustomize_cmd, tmp_path, dirs, held)
    assert outcome(from_held) == outcome(from_files)
    assert held == before  # transformers changed copies, never the objects held
    real = kustomize._build_one(kustomize_cmd, tmp_path, "app")
    assert (from_held["app"].objects, from_held["app"].error is None) == (
        real.objects,
        real.error is None,
    )


@pytest.mark.parametrize(
    "value",
    ["1e3", "0o17", 2.0, 10**16, ("a", "b"), {1: "a"}],
    ids=["exponent", "octal", "whole-float", "huge", "tuple", "number-key"],
)
def test_objects_held_that_their_text_may_not_give_back_are_read_from_the_text(
    value: Any, tmp_path: Path, kustomize_cmd: list[str]
) -> None:
    body = {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "t"}}
    body["spec"] = {"value": value, "list": [value]}
    write(tmp_path / "app" / "kustomization.yaml", "resources: [thing.yaml]\n")
    write(tmp_path / "app" / "thing.yaml", dump_all([body]))
    held = {"app/thing.yaml": [body]}
    from_held = kustomize.build_all(kustomize_cmd, tmp_path, ["app"], held)
    assert outcome(from_held) == outcome(kustomize.build_all(kustomize_cmd, tmp_path, ["app"]))
    real = kustomize._build_one(kustomize_cmd, tmp_path, "app")
    assert (from_held["app"].objects, from_held["app"].error is None) == (
        real.objects,
        real.error is None,
    )


def test_a_rendered_fleet_builds_alike_from_its_objects(tmp_path: Path) -> None:
    catalogue = write(tmp_path / "fleet.yaml", render_examples.fleet(10, 2))
    rendered = pipeline.render_catalogue(catalogue)
    writer.stage(tmp_path / "repo", rendered.files)
    tree = rendered.tree
    held = tree.documents()
    before = copy.deepcopy(held)
    # `false` as kustomize: a build that needed the real one would fail.
    from_held = kustomize.build_all(["false"], tmp_path / "repo", tree.kustomize_dirs(), held)
    from_files = kustomize.build_all(["false"], tmp_path / "repo", tree.kustomize_dirs())
    assert outcome(from_held) == outcome(from_files)
    assert all(b.error is None for b in from_held.values())
    assert held == before
