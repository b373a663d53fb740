"""The demo's street network: Camden's walking network from the bundled OpenStreetMap extract,
and walking access to parks, libraries and community centres for Camden's 133 neighbourhoods
beside the same analysis in a straight line.

Camden is the only demo area with a routable extract (see
``demo/data/street_network/SOURCES.md``), so it is a place of its own (its LSOAs are also part
of Inner North and East London); every other place stays straight-line and its pages say so.
Building again changes nothing: the network is kept while its extract is the same, and a run
is made only when the place has none with the same plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mobilise.demo import DEMO_DATA
from mobilise.errors import NotFound
from mobilise.model.access_plan import AccessPlan
from mobilise.workspace._common import Progress, no_progress

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["CAMDEN", "CAMDEN_EXTRACT", "NETWORK_CATEGORIES", "build_networks"]

CAMDEN = "camden"
CAMDEN_AUTHORITY = "E09000007"
CAMDEN_EXTRACT = DEMO_DATA / "street_network" / "camden_osm_2021-07.osm.pbf"
CAMDEN_SHA256 = "49c868c4ac3de3b9365d3affbfa97856f09ef149258db96001e21be326641191"
NETWORK_CATEGORIES = ("green_blue_space", "library", "community_space")
# 10 and 20 minutes' walk at 4.8 km/h are 800 m and 1,600 m in a straight line.
STRAIGHT_LINE_M = (800.0, 1600.0)
WALK_MINUTES = (10.0, 20.0)


def build_networks(
    workspace: Workspace,
    *,
    extract: Path = CAMDEN_EXTRACT,
    health_indicator: str | None = "cidr2019",
    progress: Progress = no_progress,
) -> None:
    """Add Camden (its 133 LSOAs), its walking network and its two access runs to a workspace
    holding the demo's areas, indicators and assets."""
    if CAMDEN not in workspace.places.names():
        workspace.places.create(
            CAMDEN,
            "Camden",
            description="The London Borough of Camden, 133 LSOAs (2011): the demo's place with "
            "a street network, so its access is also measured on foot along real streets.",
            authorities=(CAMDEN_AUTHORITY,),
        )
    try:
        stored = workspace.networks.get(CAMDEN, "walk").source_sha256
    except NotFound:
        stored = ""
    if stored != CAMDEN_SHA256:
        workspace.networks.import_extract(CAMDEN, extract, profiles=("walk",), progress=progress)
    indicator = health_indicator if _has_indicator(workspace, health_indicator) else None
    for travel, catchments in (("straight-line", STRAIGHT_LINE_M), ("walk", WALK_MINUTES)):
        plan = AccessPlan.build(
            categories=NETWORK_CATEGORIES,
            method="e2sfca",
            catchments_m=catchments,
            travel=travel,
            core20=True,
            health_indicator=indicator,
        )
        if not any(r.plan == plan and r.status == "done" for r in workspace.access.list(CAMDEN)):
            workspace.access.run(CAMDEN, plan, progress)


def _has_indicator(workspace: Workspace, indicator: str | None) -> bool:
    if not indicator:
        return False
    return any(i.id == indicator for i in workspace.indicators.list(place=CAMDEN))
