"""Application fields that only make sense together: each broken pairing is refused at the line
and column of the field to change, before anything is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Result, write
from tests.test_catalogue import Reported, assert_refused, edit, parse, where

APPS = ROOT / "tests" / "data" / "apps"
BASE = (APPS / "catalogue.yaml").read_text()

Refused = Callable[[str], list[Reported]]


@pytest.fixture
def refused(run: Callable[..., Result], tmp_path: Path) -> Refused:
    def render(text: str) -> list[Reported]:
        catalogue = write(tmp_path / "catalogue.yaml", text)
        result = run(
            "render", catalogue, "-o", tmp_path / "out", "--blueprints", APPS / "blueprints"
        )
        assert_refused(result, tmp_path, {"catalogue.yaml"})
        return parse(result.stderr, catalogue)

    return render


def test_the_every_field_catalogue_is_valid(run: Callable[..., Result], tmp_path: Path) -> None:
    result = run(
        "render",
        APPS / "catalogue.yaml",
        "-o",
        tmp_path / "out",
        "--kustomize",
        "never",
        "--blueprints",
        APPS / "blueprints",
    )
    assert result.exit_code == 0, result.stderr


def test_a_volume_over_a_writable_path(refused: Refused) -> None:
    text = edit(("writablePaths: [/tmp]", "writablePaths: [/tmp, /srv]"), base=BASE)
    (problem,) = refused(text)
    assert problem.at == where(text, "mountPath: ", "/srv/uploads")
    assert problem.path == "spec.applications[2].persistence.mountPath"
    assert problem.message == (
        "the volume at /srv/uploads overlaps /srv (writablePaths lists it); use one or the other"
    )


def test_a_volume_over_the_config_folder(refused: Refused) -> None:
    volume = "      persistence: {size: 1Gi, mountPath: /etc/api/cache, shared: true}\n"
    text = edit(("    - name: api\n", "    - name: api\n" + volume), base=BASE)
    (problem,) = refused(text)
    assert problem.at == where(text, "mountPath: ", "/etc/api/cache")
    assert problem.message == (
        "the volume at /etc/api/cache overlaps /etc/api (the config files are mounted there); "
        "use one or the other"
    )


def test_a_schedule_without_cron_job(refused: Refused) -> None:
    text = edit(("      kind: CronJob\n", ""), base=BASE)
    (problem,) = refused(text)
    assert problem.at == where(text, "schedule: ", '"*/15 * * * *"')
    assert problem.path == "spec.applications[3].schedule"
    assert problem.message == "schedule needs kind: CronJob (the kind is Deployment)"


def test_a_cron_job_without_a_schedule(refused: Refused) -> None:
    text = edit(('      schedule: "*/15 * * * *"\n', ""), base=BASE)
    (problem,) = refused(text)
    assert problem.at == where(text, "kind: ", "CronJob")
    assert problem.message == "a CronJob needs a 'schedule'"


def test_a_cron_job_serves_nothing(refused: Refused) -> None:
    text = edit(("      kind: CronJob\n", "      kind: CronJob\n      port: 8080\n"), base=BASE)
    (problem,) = refused(text)
    assert problem.at == where(text, "CronJob\n      port: ", "8080")
    assert problem.message == "a CronJob takes no 'port': it serves nothing"


@pytest.mark.parametrize(
    ("old", "new", "at"),
    [
        ("{min: 2, max: 6, cpu: 70}", "{min: 7, max: 6, cpu: 70}", "7"),
        ("autoscaling: {min: 1, max: 2}", "autoscaling: {min: 3, max: 2}", "3"),
    ],
    ids=["application", "environment"],
)
def test_autoscaling_min_above_max(refused: Refused, old: str, new: str, at: str) -> None:
    text = edit((old, new), base=BASE)
    (problem,) = refused(text)
    assert problem.at == where(text, "{min: ", at)
    assert problem.path is not None and problem.path.endswith("autoscaling.min")
    assert problem.message.startswith(f"min {at} is larger than max ")


def test_replicas_beside_autoscaling(refused: Refused) -> None:
    text = edit(("        production: {}\n", "        production: {replicas: 3}\n"), base=BASE)
    (problem,) = refused(text)
    assert problem.at == where(text, "production: {replicas: ", "3")
    assert problem.path == "spec.applications[0].environments.production.replicas"
    assert problem.message == "replicas and autoscaling: the autoscaler decides"


def test_replicas_of_a_deployment_sharing_a_single_writer_volume(refused: Refused) -> None:
    text = edit((", storageClass: nfs, shared: true}", ", storageClass: nfs}"), base=BASE)
    (problem,) = refused(text)
    assert problem.at == where(text, "production: {replicas: ", "2")
    assert "2 replicas of a Deployment would share one ReadWriteOnce volume" in problem.message
    assert "persistence.shared: true" in problem.message


def test_a_store_no_cluster_of_the_environment_can_serve(refused: Refused) -> None:
    text = edit(
        (
            "components: [cert-manager, ingress-nginx, external-secrets]",
            "components: [cert-manager, ingress-nginx]",
        ),
        base=BASE,
    )
    problems = refused(text)
    assert [p.at for p in problems] == [
        where(text, "api-secrets, store: ", "openbao"),
        where(text, "api-smtp, store: ", "openbao"),
    ]
    assert problems[0].message == (
        "store 'openbao' of 'api' cannot be served on cluster(s) staging: no component there "
        "provides external-secrets.io (add an external-secrets component)"
    )


def test_a_store_is_served_by_what_a_blueprint_provides_not_by_its_name(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    fixture = (APPS / "blueprints/external-secrets/blueprint.yaml").read_text()
    write(
        tmp_path / "bp/vault-sync/blueprint.yaml",
        fixture.replace("name: external-secrets\n", "name: vault-sync\n"),
    )
    text = BASE.replace(", external-secrets]", ", vault-sync]")
    catalogue = write(tmp_path / "c.yaml", text)
    result = run(
        "render",
        catalogue,
        "-o",
        tmp_path / "out",
        "--kustomize",
        "never",
        "--blueprints",
        tmp_path / "bp",
    )
    assert result.exit_code == 0, result.stderr


def test_tls_without_cert_manager(refused: Refused) -> None:
    text = edit(
        (
            "components: [cert-manager, ingress-nginx, external-secrets]",
            "components: [ingress-nginx, external-secrets]",
        ),
        base=BASE,
    )
    (problem,) = refused(text)
    assert problem.at == where(text, "tls: {issuer: ", "letsencrypt")
    assert problem.message == (
        "issuer 'letsencrypt' of 'api' cannot be served on cluster(s) staging: no component "
        "there provides cert-manager.io (add cert-manager)"
    )


def test_a_namespace_is_created_where_its_first_application_runs(refused: Refused) -> None:
    text = edit(
        ("        staging: {}\n        production: {memory", "        production: {memory"),
        base=BASE,
    )
    text = edit(
        (
            "        staging:\n          image: registry.example.com/shop/api:2.2.0-rc1\n"
            "          memory: {request: 64Mi, limit: 128Mi}\n"
            "          autoscaling: {min: 1, max: 2}\n"
            "          ingress: {host: staging.shop.example.com}\n",
            "",
        ),
        base=text,
    )
    problems = refused(text)
    assert [p.path for p in problems] == [
        "spec.applications[1].namespace",
    ]
    assert problems[0].at == where(text, "name: redis\n      namespace: ", "shop")
    assert problems[0].message == (
        "namespace 'shop' is created by 'api', which does not run in environment(s) staging; "
        "list them there too or put 'redis' first"
    )


def test_two_external_secrets_making_one_secret(refused: Refused) -> None:
    text = edit(("name: api-smtp,", "name: api-secrets,"), base=BASE)
    (problem,) = refused(text)
    assert problem.at == where(text, "- {name: ", "api-secrets, store: openbao, storeKind")
    assert problem.message == (
        "Secret 'api-secrets' is already made by an ExternalSecret of 'api' in namespace 'shop'"
    )


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("keys: [password]}", "keys: [password], value: hunter2}", "value"),
        (
            "secretEnv: [{secret: api-secrets}]\n      externalSecrets",
            "secretEnv: [{secret: api-secrets, stringData: hunter2}]\n      externalSecrets",
            "stringData",
        ),
    ],
)
def test_a_secret_value_has_no_place_in_the_catalogue(
    refused: Refused, old: str, new: str, field: str
) -> None:
    text = edit((old, new), base=BASE)
    (problem,) = refused(text)
    assert problem.at == where(text, ", ", f"{field}: hunter2")
    assert problem.message.startswith(f"unknown field '{field}'")
