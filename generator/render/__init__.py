"""Plan in, the whole repository out, in memory: every object with its origin."""

from __future__ import annotations

from generator.manifests import Tree
from generator.plan import Plan
from generator.render.applications import render_applications
from generator.render.bootstrap import render_bootstrap
from generator.render.capi import render_capi
from generator.render.clusters import render_clusters
from generator.render.fleet import enabled, layout, render_fleet
from generator.render.infrastructure import render_infrastructure
from generator.render.readme import render_readme


def render(plan: Plan) -> Tree:
    tree = Tree()
    if enabled(plan.catalogue):
        # The bootstrap's labels say which variant of each component a cluster runs, which
        # the infrastructure bases decide.
        render_infrastructure(plan, tree, fleet=True)
        fleet = layout(plan, tree)
        render_bootstrap(plan, tree, fleet)
        render_fleet(plan, tree, fleet)
    else:
        render_bootstrap(plan, tree)
        render_infrastructure(plan, tree)
        render_clusters(plan, tree)
    for cluster_plan in plan.clusters:
        if cluster_plan.cluster.cluster_api:
            render_capi(cluster_plan.cluster, plan.hub.cluster.minor, tree)
    render_applications(plan, tree)
    tree.text("README.md", render_readme(plan))
    return tree
