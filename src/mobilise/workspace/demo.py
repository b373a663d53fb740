"""Build the demo workspace from the bundled data, through the same importers users run.

The bundled files keep their publishers' formats (the MHCLG CSVs keep their byte-order mark and
thousands separators), so building the demo exercises the real readers.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mobilise.demo import DEMO_DATA
from mobilise.errors import ConfigurationError, Conflict, NotFound
from mobilise.model.access_plan import AccessPlan
from mobilise.model.indicators import IndicatorMeta
from mobilise.workspace._common import Progress, no_progress

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = [
    "DEMO_PLACES",
    "DemoReport",
    "DemoService",
    "build_demo",
    "build_partnership",
    "licences_text",
]


@dataclass(frozen=True)
class DemoPlace:
    slug: str
    name: str
    description: str
    authorities: tuple[str, ...]
    # The demo's access analysis: categories and catchments (metres) that suit the place.
    access_categories: tuple[str, ...] = ()
    access_catchments: tuple[float, ...] = (800.0, 1600.0)
    # An illustrative systems map of the place (written for the demo), in data/systems_maps/.
    systems_map: str = ""


DEMO_PLACES = (
    DemoPlace(
        "northamptonshire",
        "Northamptonshire",
        "North and West Northamptonshire: market towns, the county town of Northampton and "
        "rural villages. 422 LSOAs (2011).",
        ("E06000061", "E06000062"),
        access_categories=("library", "arts_culture"),
        access_catchments=(1600.0, 3200.0),  # towns and villages: further to go
        systems_map="green_space_mental_wellbeing_northamptonshire.json",
    ),
    DemoPlace(
        "inner-north-east-london",
        "Inner North and East London",
        "Camden, Hackney, Islington, Newham and Tower Hamlets: dense, young and diverse inner "
        "London boroughs. 708 LSOAs (2011).",
        ("E09000007", "E09000012", "E09000019", "E09000025", "E09000030"),
        access_categories=("arts_culture", "community_space", "library", "faith"),
        systems_map="community_spaces_mental_health_inner_london.json",
    ),
)

PARKS = IndicatorMeta(
    id="parks_distance_m",
    name="Average distance to the nearest park, public garden or playing field",
    unit="metres",
    polarity="higher_is_worse",
    source="ONS, Access to public parks and playing fields, Great Britain, April 2020",
    licence="OGL-UK-3.0",
    period="2020",
    description="Mean straight-line distance from the area's addresses to the nearest entrance "
    "of a park, public garden or playing field (built from OS Open Greenspace).",
)
# One file per source, so each asset keeps its own provenance and the duplicates across sources
# (a library in both the GLA map and the libraries list) are there to review.
ASSET_FILES = (
    "gla_cultural_infrastructure_map_inner_london.geojson.gz",
    "mapping_museums_2021_target_areas.geojson",
    "osm_geofabrik_2019_places_of_worship_inner_london.geojson",
    "osm_overpass_2025_cultural_community_amenities_inner_london.geojson",
    "public_libraries_2023_target_areas.geojson",
)
# Arts Council England's funded organisations (no addresses): they become the organisation of
# the venues of the same name in the same local authority.
FUNDED_ORGANISATIONS = "ace_investment_programme_2023_26_npo_target_areas.csv"
# High need in the demo's access analysis: the NHS Core20 and the worst 20% of each place's
# areas on the IoD's comparative illness and disability ratio.
DEMO_HEALTH_NEED = "cidr2019"
PARKS_COLUMN = "avg_distance_to_nearest_park_public_garden_or_playing_field_m"


@dataclass
class DemoReport:
    """What the build did and how long each step took (seconds)."""

    workspace: str
    steps: list[tuple[str, float]] = field(default_factory=list)
    areas: int = 0
    postcodes: int = 0
    assets: int = 0

    @property
    def seconds(self) -> float:
        return sum(s for _, s in self.steps)


class DemoService:
    """The demo workspace: the two demo places built from the bundled real open data."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def build(self, *, progress: Progress = no_progress) -> DemoReport:
        """Import the bundled data for both places (re-running updates, and keeps analyses)."""
        return build_demo(self._ws, progress=progress)

    def licences(self) -> str | None:
        """The bundled data's licences and attributions, when the workspace holds any of it."""
        return licences_text({d.id for d in self._ws.datasets.list()})


def licences_text(dataset_ids: set[str], data_dir: Path = DEMO_DATA) -> str | None:
    """The bundled LICENCES.md when the workspace holds any bundled dataset, else ``None``."""
    bundled = json.loads((data_dir / "datasets.json").read_text("utf-8"))
    if not dataset_ids & {str(d["id"]) for d in bundled}:
        return None
    return (data_dir / "LICENCES.md").read_text("utf-8")


def national_breaks(data_dir: Path = DEMO_DATA) -> dict[str, list[float]]:
    """Decile cut points of the demo scores' distributions over England's LSOAs (ranks and
    deciles carry theirs in :data:`mobilise.formats.imd.IOD_INDICATORS`)."""
    import pandas as pd

    table = pd.read_csv(data_dir / "national_breaks.csv")
    return {
        str(row["indicator_id"]): [float(row[f"b{k}"]) for k in range(1, 10)]
        for row in table.to_dict("records")
    }


def build_demo(
    workspace: Workspace, *, data_dir: Path = DEMO_DATA, progress: Progress = no_progress
) -> DemoReport:
    """Import the bundled demo data for both places into ``workspace`` (re-running updates it).

    Each step (:data:`_STEPS`) goes through the workspace's own import verbs with the bundled
    files, as a user would.
    """
    report = DemoReport(workspace.url)
    build = _Build(workspace, data_dir, json.loads((data_dir / "datasets.json").read_text("utf-8")))
    for number, (step, title, run) in enumerate(_STEPS):
        progress(title, number, len(_STEPS))
        started = time.perf_counter()
        run(build)
        report.steps.append((step, time.perf_counter() - started))
    progress("Done", len(_STEPS), len(_STEPS))
    report.areas = workspace.areas.count(area_type="lsoa11")
    report.postcodes = workspace.postcodes.count()
    report.assets = workspace.assets.count()
    return report


@dataclass(frozen=True)
class _Build:
    """What every step of the build reads: the workspace, the bundled data and its datasets."""

    workspace: Workspace
    data_dir: Path
    datasets: list[dict[str, Any]]

    def dataset(self, file: str) -> dict[str, Any]:
        """The description (datasets.json) of the dataset a bundled file belongs to."""
        for dataset in self.datasets:
            if any(Path(f).name == file for f in dataset.get("files", [])):
                return dataset
        return {}

    def dataset_id(self, file: str) -> str | None:
        found = self.dataset(file).get("id")
        return None if found is None else str(found)


def _register_datasets(build: _Build) -> None:
    for dataset in build.datasets:
        build.workspace.datasets.register(dataset)


def _import_boundaries(build: _Build) -> None:
    file = "lsoa11_boundaries.geojson"
    build.workspace.areas.import_boundaries(
        build.data_dir / file, area_type="lsoa11", dataset_id=build.dataset_id(file)
    )


def _import_lookups(build: _Build) -> None:
    for file, kind in (
        ("lsoa11_msoa11_lad_lookup.csv.gz", "msoa11"),
        ("lsoa11_lsoa21_lad22_lookup.csv.gz", "lsoa21"),
        ("lsoa11_rural_urban_classification_2011.csv.gz", "rural-urban"),
    ):
        build.workspace.areas.import_lookup(
            build.data_dir / file, kind=kind, dataset_id=build.dataset_id(file)
        )


def _import_centroids(build: _Build) -> None:
    file = "lsoa11_population_weighted_centroids.csv"
    build.workspace.areas.import_lookup(
        build.data_dir / file, kind="centroids", dataset_id=build.dataset_id(file)
    )


def _create_places(build: _Build) -> None:
    places = build.workspace.places
    for place in DEMO_PLACES:
        try:
            places.get(place.slug)
        except NotFound:
            try:
                places.create(
                    place.slug,
                    place.name,
                    description=place.description,
                    authorities=place.authorities,
                )
            except Conflict:  # deleted earlier: the demo brings it back
                places.restore(place.slug)


def _import_population(build: _Build) -> None:
    file = "File_6_IoD2019_population_denominators_lsoa11.csv.gz"
    build.workspace.areas.import_population(
        build.data_dir / file, period="mid-2015", dataset_id=build.dataset_id(file)
    )


def _import_deprivation(build: _Build) -> None:
    national = national_breaks(build.data_dir)
    for file in (
        "File_1_IoD2019_IMD_ranks_deciles_lsoa11.csv.gz",
        "File_2_IoD2019_domain_ranks_deciles_lsoa11.csv.gz",
        "imd2019_lsoa11_scores_england.csv.gz",
        "File_8_IoD2019_underlying_indicators_lsoa11.csv.gz",
    ):
        build.workspace.indicators.import_file(
            build.data_dir / file,
            layout="iod",
            dataset_id=build.dataset_id(file),
            national_breaks=national,
        )


def _import_parks(build: _Build) -> None:
    file = "ons_access_to_parks_playing_fields_2020_lsoa_target_areas.csv"
    build.workspace.indicators.import_file(
        build.data_dir / file,
        layout="wide",
        area_column="lsoa11cd",
        columns={PARKS_COLUMN: PARKS.id},
        meta={PARKS.id: PARKS},
        dataset_id=build.dataset_id(file),
        national_breaks=national_breaks(build.data_dir),
    )


def _import_postcodes(build: _Build) -> None:
    file = "os_codepoint_open_2025_target_areas_with_lsoa11.csv.gz"
    build.workspace.postcodes.import_lookup(
        build.data_dir / file, dataset_id=build.dataset_id(file)
    )


def _import_assets(build: _Build) -> None:
    from mobilise.formats.arts_council import link_funded_organisations, read_funded_organisations
    from mobilise.formats.assets import read_assets

    folder = build.data_dir / "community_assets"
    funded = read_funded_organisations(folder / FUNDED_ORGANISATIONS)
    for file in ASSET_FILES:
        found = read_assets(folder / file, licence=str(build.dataset(file).get("licence", "")))
        link_funded_organisations(found.records, funded)
        # Places of worship with no name in OpenStreetMap (flagged "unnamed") still count as
        # places in analyses, but "(unnamed place of worship)" tells a resident nothing: they
        # are kept private, out of the directory and the feed.
        found.records = [
            replace(r, visibility="private") if r.extra.get("unnamed") is True else r
            for r in found.records
        ]
        build.workspace.assets.import_file(found)


def _run_access(build: _Build) -> None:
    access = build.workspace.access
    for place in DEMO_PLACES:
        plan = AccessPlan.build(
            categories=place.access_categories,
            method="e2sfca",
            catchments_m=place.access_catchments,
            health_indicator=DEMO_HEALTH_NEED,
        )
        latest = access.latest(place.slug)
        if latest is None or latest.plan != plan:  # re-running the demo keeps its analysis
            access.run(place.slug, plan)


def _add_systems_maps(build: _Build) -> None:
    from mobilise.formats.map_formats import read_map

    maps = build.workspace.maps
    for place in DEMO_PLACES:
        path = build.data_dir / "systems_maps" / place.systems_map
        causal_map = read_map(path.read_bytes(), name=path.name, format="mobilise")
        if not any(m.title == causal_map.title for m in maps.list(place=place.slug)):
            maps.import_map(causal_map, place=place.slug)


def _add_partnership(build: _Build) -> None:
    build_partnership(build.workspace, build.data_dir / "partnership")


def _add_coproduction(build: _Build) -> None:
    """Events, people and consent; then, the first time only, each place's World Café harvest,
    pictures, coding and "you said, we did" (all illustrative, from fixed seeds)."""
    from mobilise.workspace.demo_actions import build_actions
    from mobilise.workspace.demo_cafes import build_cafes
    from mobilise.workspace.demo_engagement import SEED, build_engagement
    from mobilise.workspace.demo_media import build_media
    from mobilise.workspace.demo_themes import build_themes
    from mobilise.workspace.media import media_folder

    added = build_engagement(
        build.workspace,
        build.data_dir / "census2021",
        places=[place.slug for place in DEMO_PLACES],
    )
    if not added["events"]:
        return  # built before: the rest was added then
    build_cafes(build.workspace, seed=SEED)
    try:
        media_folder(build.workspace)
    except ConfigurationError:
        pass  # PostgreSQL without MOBILISE_MEDIA_DIR: the demo goes without its pictures
    else:
        build_media(build.workspace, seed=SEED)
    build_themes(build.workspace, seed=SEED)
    build_actions(build.workspace, seed=SEED)


def _compute_rates(build: _Build) -> None:
    from mobilise.workspace.demo_rates import build_rates

    build_rates(
        build.workspace,
        build.data_dir,
        dataset_id=build.dataset_id("ts038_disability_lsoa21.csv.gz"),
    )


def _add_programme(build: _Build) -> None:
    from mobilise.workspace.demo_programme import build_programme

    build_programme(build.workspace)


def _add_networks(build: _Build) -> None:
    from mobilise.workspace.demo_networks import build_networks

    build_networks(build.workspace)


_STEPS: tuple[tuple[str, str, Callable[[_Build], None]], ...] = (
    ("datasets", "Registering data sources", _register_datasets),
    ("boundaries", "Importing LSOA 2011 boundaries", _import_boundaries),
    ("lookups", "Importing lookups and classifications", _import_lookups),
    ("centroids", "Importing population-weighted centroids", _import_centroids),
    ("places", "Creating the places", _create_places),
    ("population", "Importing population (IoD 2019 File 6)", _import_population),
    ("indicators", "Importing deprivation and health indicators (IoD 2019)", _import_deprivation),
    ("parks", "Importing access to parks (ONS 2020)", _import_parks),
    ("rates", "Computing disability by area with its intervals (Census 2021)", _compute_rates),
    ("postcodes", "Importing the postcode lookup (OS Code-Point Open)", _import_postcodes),
    ("assets", "Importing community assets", _import_assets),
    ("access", "Computing access and disparities for both places", _run_access),
    (
        "street networks",
        "Building Camden's walking network and walking access (OpenStreetMap)",
        _add_networks,
    ),
    ("systems maps", "Adding the illustrative systems maps", _add_systems_maps),
    ("partnership", "Adding the illustrative partnership and its survey rounds", _add_partnership),
    (
        "co-production",
        "Adding the illustrative co-production (events, people, harvests, themes, actions)",
        _add_coproduction,
    ),
    (
        "programme",
        "Adding the programme: ten real projects (no figures) and the demo's own",
        _add_programme,
    ),
)
"""The build's steps, in order: (name in the report, what the progress bar says, the step)."""


def build_partnership(workspace: Workspace, folder: Path) -> None:
    """The illustrative consortium: partners, two closed survey rounds and their answers.

    Re-running keeps rounds that already hold answers."""
    workspace.partners.import_file(folder / "partners.csv")
    with (folder / "rounds.csv").open(encoding="utf-8", newline="") as handle:
        rounds = list(csv.DictReader(handle))
    existing = {r.name: r for r in workspace.surveys.rounds()}
    fresh = []
    for row in rounds:
        if row["name"] in existing and existing[row["name"]].submitted:
            continue
        if row["name"] not in existing:
            workspace.surveys.create_round(
                row["name"],
                date=date.fromisoformat(row["date"]),
                description=row["description"],
                status="open",
            )
        fresh.append(row["name"])
    if not fresh:
        return
    workspace.surveys.import_file(folder / "ties.csv")
    with (folder / "answers.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["round"] in fresh:
                workspace.surveys.set_details(
                    row["round"],
                    row["respondent"],
                    contributions=[c for c in row["contributions"].split(";") if c],
                    achievements=[a for a in row["achievements"].split(";") if a],
                    comment=row["comment"],
                )
    for row in rounds:
        if row["name"] in fresh:
            info = workspace.surveys.get_round(row["name"])
            workspace.surveys.update_round(info.id, {"status": row["status"]}, version=None)
