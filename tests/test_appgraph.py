"""The app-of-apps checks on built objects."""

from __future__ import annotations

from typing import Any

from generator.appgraph import check_graph

REPO = "https://git.example.com/platform.git"
HUB = "hub"


def app(
    name: str,
    *,
    project: str = "p",
    path: str | None = None,
    chart: str | None = None,
    version: str = "1.2.3",
    namespace: str = "x",
) -> dict[str, Any]:
    if chart:
        source = {
            "repoURL": "https://charts.example.com",
            "chart": chart,
            "targetRevision": version,
        }
    else:
        source = {"repoURL": REPO, "path": path, "targetRevision": "main"}
    return {
        "kind": "Application",
        "metadata": {"name": name},
        "spec": {
            "project": project,
            "destination": {"name": HUB, "namespace": namespace},
            "source": source,
        },
    }


PROJECT = {
    "kind": "AppProject",
    "metadata": {"name": "p"},
    "spec": {
        "sourceRepos": [REPO, "https://charts.example.com"],
        "destinations": [{"name": HUB, "namespace": "*"}],
    },
}


def check(
    root: list[dict[str, Any]], built: dict[str, list[dict[str, Any]]], must: list[str]
) -> list[str]:
    return check_graph(root, built, repo_url=REPO, repo_path="", clusters=[HUB], must_reach=must)


def test_a_sound_tree_has_no_problems() -> None:
    built = {"apps": [app("child", chart="nginx")]}
    assert check([PROJECT, app("root", path="apps")], built, ["apps"]) == []


def test_unreached_directories_missing_paths_and_projects_are_reported() -> None:
    built = {
        "apps": [
            app("child", project="nope", chart="nginx", version="^1.0"),
            app("lost", path="gone"),
        ],
        "orphan": [],
    }
    problems = check([PROJECT, app("root", path="apps")], built, ["apps", "orphan"])
    assert "orphan: not reached from bootstrap/root.yaml" in problems
    assert "Application lost: path 'gone' is not a directory that builds" in problems
    assert "Application child: project 'nope' does not exist" in problems
    assert any("chart nginx is not pinned" in p for p in problems)


def test_a_project_must_allow_destination_and_source() -> None:
    narrow = {
        "kind": "AppProject",
        "metadata": {"name": "p"},
        "spec": {"sourceRepos": [REPO], "destinations": [{"server": HUB, "namespace": "argocd"}]},
    }
    problems = check([narrow, app("root", path="apps")], {"apps": [app("c", chart="x")]}, [])
    assert any("does not allow destination" in p for p in problems)
    assert any("does not allow source https://charts.example.com" in p for p in problems)


def test_two_applications_with_one_name_are_reported() -> None:
    built = {"apps": [app("twin", chart="nginx"), app("twin", chart="redis")]}
    problems = check([PROJECT, app("root", path="apps")], built, ["apps"])
    assert problems == ["Application twin: two different Applications share it"]


def test_a_project_allows_the_clusters_it_lists_by_name_or_by_pattern() -> None:
    project = {
        **PROJECT,
        "spec": {
            **PROJECT["spec"],
            "destinations": [
                {"name": "edge-1", "namespace": "x"},
                {"name": HUB, "namespace": "y"},
                {"name": "edge-*", "namespace": "x"},
                {"server": "https://kubernetes.default.svc", "namespace": "x"},
            ],
        },
    }
    apps = []
    for name, cluster in [("one", "edge-1"), ("two", "edge-22"), ("hub", HUB), ("far", "far")]:
        apps.append(app(name, chart="nginx"))
        apps[-1]["spec"]["destination"]["name"] = cluster
    problems = check_graph(
        [project, app("root", path="apps")],
        {"apps": apps},
        repo_url=REPO,
        repo_path="",
        clusters=[HUB, "edge-1", "edge-22", "far"],
        must_reach=[],
    )
    # The hub is listed, but for namespace y; nothing lists far.
    assert problems == [
        f"Application {name}: project 'p' does not allow destination name {cluster} namespace x"
        for name, cluster in [("far", "far"), ("hub", HUB), ("root", HUB)]
    ]
