"""The applications of a catalogue: their fields (DESIGN §2), the per-environment overrides, and
the checks that span several fields, each reported where the offending field is written."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

from generator import model
from generator.catalogue import DEFAULT_MEMORY, IMAGE, address_range_problem, suggest
from generator.docpaths import DocPath, Positions
from generator.errors import Problem
from generator.quantity import parse_bytes
from generator.wording import listed

CRON_KIND = "CronJob"
EXTERNAL_SECRETS_GROUP = "external-secrets.io"
CERT_MANAGER_GROUP = "cert-manager.io"
DEFAULT_CPU_TARGET = 80
DEFAULT_CPU_REQUEST = "100m"


class Reporter(Protocol):
    """What the catalogue checker lends: positions, and a place to put problems."""

    positions: Positions

    def fail(self, path: DocPath, message: str, *, key: bool = False) -> None: ...

    def unique(self, items: list[dict[str, Any]], prefix: DocPath, what: str) -> None: ...


def config_dir(name: str) -> str:
    """Where an application's config files are mounted."""
    return f"/etc/{name}"


def applications(
    report: Reporter, raw: list[dict[str, Any]], env_names: list[str]
) -> list[model.Application]:
    report.unique(raw, ("applications",), "application")
    by_name: dict[str, dict[str, Any]] = {}
    for app in raw:  # the first definition wins, as the duplicate error says
        by_name.setdefault(app["name"], app)
    out = []
    for index, app in enumerate(raw):
        at: DocPath = ("applications", index)
        if app.get("blueprint", "service") != "service":
            report.fail(
                (*at, "blueprint"),
                f"unknown application blueprint '{app['blueprint']}'"
                f"{suggest(app['blueprint'], ['service'])}",
            )
        check_image(report, app["image"], (*at, "image"))
        memory = _memory(report, app.get("memory"), (*at, "memory")) or DEFAULT_MEMORY
        autoscaling = _autoscaling(report, app.get("autoscaling"), (*at, "autoscaling"))
        if autoscaling is not None and "replicas" in app:
            report.fail((*at, "replicas"), "replicas and autoscaling: the autoscaler decides")
        envs: dict[str, model.AppEnvironment] = {}
        for env, settings in app["environments"].items():
            if env not in env_names:
                report.fail(
                    (*at, "environments", env),
                    f"environment '{env}' is not declared under spec.environments"
                    f"{suggest(env, env_names)}",
                    key=True,
                )
            envs[env] = _environment(report, app, settings, (*at, "environments", env), memory)
        peers = []
        for peer_index, peer in enumerate(app.get("talksTo", [])):
            target = peer.get("app")
            if target is not None:
                _check_peer(report, app, target, by_name, env_names, (*at, "talksTo", peer_index))
            problem = address_range_problem(peer["cidr"]) if "cidr" in peer else None
            if problem:
                report.fail((*at, "talksTo", peer_index, "cidr"), problem)
            peers.append(
                model.Peer(
                    port=peer["port"], app=target, name=peer.get("name"), cidr=peer.get("cidr")
                )
            )
        metrics = app.get("metrics")
        if metrics is not None and "port" not in metrics and "port" not in app:
            report.fail((*at, "metrics"), "metrics needs a 'port' when the application has none")
        ingress = app.get("ingress")
        if ingress is not None and "port" not in app:
            report.fail((*at, "ingress"), "ingress needs the application's 'port'")
        _check_kind(report, app, at)
        _check_mounts(report, app, at)
        _check_single_writer(report, app, envs, at)
        out.append(_model(report, app, at, envs, peers))
    _check_namespaces(report, raw)
    return out


def _model(
    report: Reporter,
    app: dict[str, Any],
    at: DocPath,
    envs: dict[str, model.AppEnvironment],
    peers: list[model.Peer],
) -> model.Application:
    metrics = app.get("metrics")
    ingress = app.get("ingress") or {}
    tls = ingress.get("tls")
    persistence = app.get("persistence")
    return model.Application(
        name=app["name"],
        blueprint=app.get("blueprint", "service"),
        image=app["image"],
        port=app.get("port"),
        environments=envs,
        ingress_host=ingress.get("host"),
        ingress_path=ingress.get("path", "/"),
        metrics_path=metrics.get("path", "/metrics") if metrics is not None else None,
        metrics_port=metrics.get("port", app.get("port")) if metrics is not None else None,
        health_path=app.get("health", {}).get("path"),
        env=app.get("env", {}),
        talks_to=tuple(peers),
        writable_paths=tuple(app.get("writablePaths", [])),
        location=report.positions.at(("spec", *at)),
        namespace=app.get("namespace", app["name"]),
        kind=app.get("kind", "Deployment"),
        schedule=app.get("schedule"),
        image_pull_secrets=tuple(app.get("imagePullSecrets", [])),
        secret_env=tuple(entry["secret"] for entry in app.get("secretEnv", [])),
        external_secrets=tuple(
            model.ExternalSecret(
                name=entry["name"],
                store=entry["store"],
                store_kind=entry.get("storeKind", "ClusterSecretStore"),
                keys=tuple(entry["keys"]),
                path=entry.get("path"),
                location=report.positions.at(("spec", *at, "externalSecrets", index, "store")),
            )
            for index, entry in enumerate(app.get("externalSecrets", []))
        ),
        persistence=model.Persistence(
            size=persistence["size"],
            mount_path=persistence["mountPath"],
            storage_class=persistence.get("storageClass"),
            shared=persistence.get("shared", False),
        )
        if persistence
        else None,
        ingress_paths=tuple(ingress.get("paths", [ingress.get("path", "/")])),
        tls=model.Tls(tls["issuer"], report.positions.at(("spec", *at, "ingress", "tls", "issuer")))
        if tls
        else None,
        config_files=app.get("config", {}).get("files", {}),
    )


def _environment(
    report: Reporter,
    app: dict[str, Any],
    settings: dict[str, Any],
    at: DocPath,
    memory: model.Memory,
) -> model.AppEnvironment:
    image = settings.get("image", app["image"])
    if "image" in settings:
        check_image(report, image, (*at, "image"))
    if "autoscaling" in settings:
        # What the environment leaves out (the CPU target) comes from the application.
        merged = {**app.get("autoscaling", {}), **settings["autoscaling"]}
        autoscaling = _autoscaling(report, merged, (*at, "autoscaling"))
    else:
        autoscaling = _autoscaling(report, app.get("autoscaling"), None)
    if autoscaling is not None and "replicas" in settings:
        report.fail((*at, "replicas"), "replicas and autoscaling: the autoscaler decides")
    size = settings.get("persistence", {}).get("size")
    if size is not None and "persistence" not in app:
        report.fail(
            (*at, "persistence"), "a persistence size needs 'persistence' on the application"
        )
    host = settings.get("ingress", {}).get("host")
    if host is not None and "ingress" not in app:
        report.fail((*at, "ingress"), "an ingress host needs 'ingress' on the application")
    return model.AppEnvironment(
        replicas=settings.get("replicas", app.get("replicas", 1)),
        image=image,
        memory=_memory(report, settings.get("memory"), (*at, "memory")) or memory,
        autoscaling=autoscaling,
        persistence_size=size or app.get("persistence", {}).get("size"),
        ingress_host=host or app.get("ingress", {}).get("host"),
    )


def _autoscaling(
    report: Reporter, raw: dict[str, Any] | None, at: DocPath | None
) -> model.Autoscaling | None:
    """`at` None: already checked where it is written."""
    if raw is None:
        return None
    if at is not None and raw["min"] > raw["max"]:
        report.fail((*at, "min"), f"min {raw['min']} is larger than max {raw['max']}")
    return model.Autoscaling(
        min=raw["min"],
        max=raw["max"],
        cpu=raw.get("cpu", DEFAULT_CPU_TARGET),
        cpu_request=raw.get("cpuRequest", DEFAULT_CPU_REQUEST),
    )


def _check_kind(report: Reporter, app: dict[str, Any], at: DocPath) -> None:
    kind = app.get("kind", "Deployment")
    if "schedule" in app and kind != CRON_KIND:
        report.fail((*at, "schedule"), f"schedule needs kind: {CRON_KIND} (the kind is {kind})")
    if kind != CRON_KIND:
        return
    if "schedule" not in app:
        report.fail((*at, "kind"), f"a {CRON_KIND} needs a 'schedule'")
    for field in ("port", "ingress", "autoscaling"):
        if field in app:
            report.fail((*at, field), f"a {CRON_KIND} takes no '{field}': it serves nothing")


def _nested(a: str, b: str) -> bool:
    a, b = a.rstrip("/") + "/", b.rstrip("/") + "/"
    return a.startswith(b) or b.startswith(a)


def _check_mounts(report: Reporter, app: dict[str, Any], at: DocPath) -> None:
    """The volume, the writable scratch paths and the config folder may not overlap: one
    would hide the other."""
    persistence = app.get("persistence")
    if persistence is None:
        return
    mount = persistence["mountPath"]
    others = [(p, "writablePaths lists it") for p in app.get("writablePaths", [])]
    if "config" in app:
        others.append((config_dir(app["name"]), "the config files are mounted there"))
    for path, why in others:
        if _nested(mount, path):
            report.fail(
                (*at, "persistence", "mountPath"),
                f"the volume at {mount} overlaps {path} ({why}); use one or the other",
            )


def _check_single_writer(
    report: Reporter, app: dict[str, Any], envs: Mapping[str, model.AppEnvironment], at: DocPath
) -> None:
    """A Deployment's pods share its one claim: more than one needs a shared storage class."""
    persistence = app.get("persistence")
    if (
        persistence is None
        or persistence.get("shared")
        or app.get("kind", "Deployment") != ("Deployment")
    ):
        return
    for env, settings in envs.items():
        most = settings.autoscaling.max if settings.autoscaling else settings.replicas
        if most > 1:
            raw_env = app["environments"][env]
            where: DocPath
            if "autoscaling" in raw_env:
                where = (*at, "environments", env, "autoscaling", "max")
            elif "autoscaling" in app:
                where = (*at, "autoscaling", "max")
            elif "replicas" in raw_env:
                where = (*at, "environments", env, "replicas")
            else:
                where = (*at, "replicas")
            report.fail(
                where,
                f"{most} replicas of a Deployment would share one ReadWriteOnce volume in "
                f"environment '{env}'; use kind: StatefulSet, one replica, or "
                "persistence.shared: true for a storage class that allows it",
            )


def _check_namespaces(report: Reporter, raw: list[dict[str, Any]]) -> None:
    """The first application of a namespace creates it, so it must run wherever the others do;
    and the Secrets they make there must have distinct names."""
    owners: dict[str, dict[str, Any]] = {}
    made: dict[tuple[str, str], str] = {}
    for index, app in enumerate(raw):
        namespace = app.get("namespace", app["name"])
        owner = owners.setdefault(namespace, app)
        missing = sorted(set(app["environments"]) - set(owner["environments"]))
        if owner is not app and missing:
            report.fail(
                ("applications", index, "namespace"),
                f"namespace '{namespace}' is created by '{owner['name']}', which does not run in "
                f"environment(s) {', '.join(missing)}; list them there too or put "
                f"'{app['name']}' first",
            )
        for secret_index, secret in enumerate(app.get("externalSecrets", [])):
            key = (namespace, secret["name"])
            if key in made:
                report.fail(
                    ("applications", index, "externalSecrets", secret_index, "name"),
                    f"Secret '{secret['name']}' is already made by an ExternalSecret of "
                    f"'{made[key]}' in namespace '{namespace}'",
                )
            else:
                made[key] = app["name"]


def _check_peer(
    report: Reporter,
    app: dict[str, Any],
    target: str,
    by_name: dict[str, Any],
    env_names: list[str],
    at: DocPath,
) -> None:
    path = (*at, "app")
    if target not in by_name:
        report.fail(path, f"no application named '{target}'{suggest(target, by_name)}")
        return
    if target == app["name"]:
        report.fail(path, "an application cannot list itself in talksTo")
        return
    # Undeclared environments are reported on their own; not again for every peer.
    declared = set(app["environments"]) & set(env_names)
    missing = sorted(declared - set(by_name[target]["environments"]))
    if missing:
        report.fail(
            path,
            f"'{target}' is not deployed in environment(s) {', '.join(missing)} "
            f"where '{app['name']}' runs",
        )


def check_image(report: Reporter, image: str, path: DocPath) -> None:
    match = IMAGE.match(image)
    if match is None:
        report.fail(
            path,
            f"'{image}' is not a valid image reference: expected [registry/]name:tag "
            "with a lower-case name",
        )
    elif not match.group("tag") and not match.group("digest"):
        report.fail(path, f"image '{image}' has no tag or digest; pin a version")
    elif match.group("tag") == "latest" and not match.group("digest"):
        report.fail(path, f"image '{image}' uses the 'latest' tag; pin a version")


def _memory(report: Reporter, raw: dict[str, str] | None, path: DocPath) -> model.Memory | None:
    if raw is None:
        return None
    if parse_bytes(raw["request"]) > parse_bytes(raw["limit"]):
        report.fail(path, f"request {raw['request']} is larger than limit {raw['limit']}")
    return model.Memory(request=raw["request"], limit=raw["limit"])


def unserved(catalogue: model.Catalogue, provides: Callable[[str, str], bool]) -> Iterator[Problem]:
    """ExternalSecrets and certificates that some cluster of the application's environments
    cannot serve: no component there provides the API group (`provides(cluster, group)`)."""
    for app in catalogue.applications:
        clusters = [c.name for env in app.environments for c in catalogue.clusters_in(env)]
        needs = [
            (
                s.location,
                EXTERNAL_SECRETS_GROUP,
                f"store '{s.store}'",
                "an external-secrets component",
            )
            for s in app.external_secrets
        ]
        if app.tls is not None:
            needs.append(
                (app.tls.location, CERT_MANAGER_GROUP, f"issuer '{app.tls.issuer}'", "cert-manager")
            )
        for location, group, what, component in needs:
            lacking = [c for c in clusters if not provides(c, group)]
            if lacking:
                yield Problem(
                    location,
                    "",
                    f"{what} of '{app.name}' cannot be served on cluster(s) "
                    f"{listed(lacking, 5)}: no component there provides {group} "
                    f"(add {component})",
                )
