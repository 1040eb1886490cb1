"""Blueprint folders: built-in ones and the user's (`--blueprints DIR`, searched first).

A user's folder may come from an untrusted branch: every file read from a blueprint must
resolve inside that blueprint's folder, so a symlink cannot pull in a file from elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from generator import strictschema
from generator.catalogue import suggest
from generator.docpaths import format_path
from generator.errors import Location, Problem, UserError
from generator.model import Chart, Memory
from generator.resources import shipped
from generator.yamlio import load_document, read_text

PROFILES = ("tiny", "small", "standard")
BASE_VALUES = "values.yaml"
CLUSTER_VALUES = "values-cluster.yaml.j2"


@dataclass(frozen=True)
class NetworkRule:
    """One flow a component needs: a peer kind and the ports (empty: any port)."""

    direction: str  # ingress | egress
    peer: str  # one of blueprint.schema.json's peer kinds
    ports: tuple[int, ...]
    protocol: str = "TCP"


@dataclass(frozen=True)
class Blueprint:
    name: str
    folder: Path
    description: str
    kind: str
    namespace: str
    chart: Chart | None
    release_name: str
    hub_only: bool
    provides: tuple[str, ...]
    uses: tuple[str, ...]
    server_side_apply: bool
    ingress_class: str | None
    containers: Mapping[str, str]
    profiles: Mapping[str, Mapping[str, Memory]]
    network: tuple[NetworkRule, ...]
    per_node: tuple[str, ...] = ()
    host_network: tuple[str, ...] = ()
    scraper: bool = False
    deprecated: str | None = None
    node_bootstrap: str | None = None  # "cni" or "cloud-controller"

    @cached_property
    def base_values(self) -> dict[str, Any]:
        """Values every cluster gets: plain YAML, the same wherever the component runs."""
        path = confined(self.folder, BASE_VALUES)
        if path is None:
            return {}
        values, positions = load_document(read_text(path), str(path))
        if not isinstance(values, dict):
            raise UserError.at(positions.at(()), "Helm values must be a mapping")
        return values

    # Cached: every cluster running the component asks, and each answer costs a realpath.
    @cached_property
    def cluster_values_template(self) -> str | None:
        return CLUSTER_VALUES if confined(self.folder, CLUSTER_VALUES) else None

    @cached_property
    def values_schema(self) -> Path | None:
        return confined(self.folder, "values.schema.json")


def confined(folder: Path, name: str) -> Path | None:
    """`folder/name` if it is a file, refusing one that resolves outside `folder`."""
    path = folder / name
    if not path.resolve().is_relative_to(folder.resolve()):
        raise UserError.at(
            Location(str(path)), "resolves outside its blueprint folder (a symlink?); refusing it"
        )
    return path if path.is_file() else None


@cache
def _metadata_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (shipped("schemas") / "blueprint.schema.json").read_text("utf-8")
    )
    return loaded


def load_blueprint(folder: Path) -> Blueprint:
    path = folder / "blueprint.yaml"
    raw, positions = load_document(read_text(path), str(path))
    validator = strictschema.validator(_metadata_schema())
    problems = [
        Problem(
            positions.at(tuple(e.absolute_path)), format_path(tuple(e.absolute_path)), e.message
        )
        for e in validator.iter_errors(raw)
    ]
    if problems:
        raise UserError(problems)
    if raw["name"] != folder.name:
        raise UserError.at(
            positions.at(("name",)), f"name '{raw['name']}' differs from its folder '{folder.name}'"
        )
    network = raw.get("network", {})
    return Blueprint(
        name=raw["name"],
        folder=folder,
        description=raw["description"],
        kind=raw.get("kind", "component"),
        namespace=raw.get("namespace", raw["name"]),
        chart=Chart(**raw["chart"]) if "chart" in raw else None,
        release_name=raw.get("releaseName", raw["name"]),
        hub_only=raw.get("hubOnly", False),
        provides=tuple(raw.get("provides", [])),
        node_bootstrap=raw.get("nodeBootstrap"),
        uses=tuple(raw.get("uses", [])),
        # Charts that ship CRDs need server-side apply (see plan.py).
        server_side_apply=raw.get("serverSideApply", bool(raw.get("provides"))),
        ingress_class=raw.get("ingressClass"),
        containers=raw.get("containers", {}),
        profiles={
            profile: {c: Memory(**m) for c, m in raw.get("profiles", {}).get(profile, {}).items()}
            for profile in PROFILES
        },
        network=tuple(
            NetworkRule(
                direction,
                rule["from" if direction == "ingress" else "to"],
                tuple(rule.get("ports", [])),
                rule.get("protocol", "TCP"),
            )
            for direction in ("ingress", "egress")
            for rule in network.get(direction, [])
        ),
        per_node=tuple(raw.get("perNode", [])),
        host_network=tuple(raw.get("hostNetwork", [])),
        scraper=raw.get("scraper", False),
        deprecated=raw.get("deprecated"),
    )


class Library:
    """Blueprints by name; the user's folders shadow the built-in ones."""

    def __init__(self, extra: Iterable[Path] = ()) -> None:
        self._folders: dict[str, Path] = {}
        for root in (*extra, shipped("blueprints")):
            if not root.is_dir():
                raise UserError.at(Location(str(root)), "blueprint folder does not exist")
            for child in sorted(root.iterdir()):
                if not child.resolve().is_relative_to(root.resolve()):
                    raise UserError.at(
                        Location(str(child)), "a symlink out of the blueprint folder; refusing it"
                    )
                if confined(child, "blueprint.yaml"):
                    self._folders.setdefault(child.name, child)
        self._loaded: dict[str, Blueprint] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._folders

    def names(self) -> list[str]:
        return sorted(self._folders)

    def get(self, name: str) -> Blueprint:
        if name not in self._folders:
            raise UserError.at(
                Location("<blueprints>"), f"no blueprint '{name}'{suggest(name, self._folders)}"
            )
        if name not in self._loaded:
            self._loaded[name] = load_blueprint(self._folders[name])
        return self._loaded[name]
