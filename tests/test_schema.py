"""Schema validation: strict Kubernetes schemas and vendored CRD schemas, compiled once."""

from __future__ import annotations

from typing import Any

import pytest

from generator.schema import SchemaStore, supported_versions


@pytest.fixture(scope="module")
def store() -> SchemaStore:
    return SchemaStore()


def deployment(**spec_extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "web:1.0"}]},
            },
            **spec_extra,
        },
    }


def application(**source_extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "x", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "destination": {"server": "https://kubernetes.default.svc"},
            "source": {
                "repoURL": "https://charts.example.com",
                "chart": "x",
                "targetRevision": "1.0.0",
                "helm": {"valuesObject": {"anything": {"goes": [1, 2]}}},
                **source_extra,
            },
        },
    }


def test_valid_objects_pass(store: SchemaStore) -> None:
    assert store.validate(deployment(replicas=2), "1.30") == []
    assert store.validate(application(), "1.30") == []


def test_a_misspelt_field_is_an_error(store: SchemaStore) -> None:
    (error,) = store.validate(deployment(replica=2), "1.30")
    assert error.path == "spec"
    assert "'replica'" in error.message


def test_every_error_is_reported_not_just_the_first(store: SchemaStore) -> None:
    body = deployment(replica=2, replicas="3")
    body["metadata"]["labels"] = {"tier": 1}
    paths = {e.path for e in store.validate(body, "1.30")}
    assert paths == {"spec", "spec.replicas", "metadata.labels.tier"}


def test_crd_schemas_are_strict_except_where_kubernetes_keeps_unknown_fields(
    store: SchemaStore,
) -> None:
    (error,) = store.validate(application(chartt="x"), "1.30")
    assert error.path == "spec.source" and "'chartt'" in error.message


def test_custom_resource_metadata_is_checked_as_object_meta(store: SchemaStore) -> None:
    body = application()
    body["metadata"]["labelz"] = {}
    (error,) = store.validate(body, "1.30")
    assert error.path == "metadata"


def test_unknown_kinds_are_errors_not_warnings(store: SchemaStore) -> None:
    (error,) = store.validate({"apiVersion": "example.com/v1", "kind": "Widget"}, "1.30")
    assert "no schema for Widget" in error.message


def test_removed_api_versions_fail_on_newer_kubernetes(store: SchemaStore) -> None:
    pdb = {
        "apiVersion": "policy/v1beta1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "x"},
        "spec": {"maxUnavailable": 1},
    }
    assert store.validate(pdb, "1.25") != []  # policy/v1beta1 was removed in 1.25
    assert store.validate({**pdb, "apiVersion": "policy/v1"}, "1.25") == []


def test_validators_are_compiled_once(store: SchemaStore) -> None:
    first = store.validator("1.30", "apps/v1", "Deployment")
    assert first is store.validator("1.30", "apps/v1", "Deployment")
    assert first is SchemaStore().validator("1.30", "apps/v1", "Deployment")


def test_a_crd_read_from_the_input_serves_only_its_own_store() -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "spec": {
            "group": "argoproj.io",
            "names": {"kind": "Application"},
            "versions": [
                {
                    "name": "v1alpha1",
                    "schema": {"openAPIV3Schema": {"x-kubernetes-preserve-unknown-fields": True}},
                }
            ],
        },
    }
    own = SchemaStore()
    own.add_crd(crd)
    body = application(chartt="x")
    assert own.validate(body, "1.30") == []  # the input's CRD comes before the shipped one
    assert SchemaStore().validate(body, "1.30") != []


def test_supported_versions_are_sorted_numerically() -> None:
    versions = supported_versions()
    assert versions[0] == "1.25"
    assert [int(v.split(".")[1]) for v in versions] == sorted(
        int(v.split(".")[1]) for v in versions
    )
