"""What a drivers run reads (private to :mod:`mobilise.workspace.drivers`): one row per area of
the place with the outcome, each explanatory variable and the area's point in British National
Grid metres, the variables' names in words, and the versions of what was read.

- ``indicator:<id>``: the stored values (a suppressed value is missing);
- ``access:<category>``: the access values of the run named in the plan, else the place's newest
  finished access run with that category (its first catchment and decay);
- ``assets:<category>``: live assets of the category located in the area (by LSOA) per 1,000
  residents (the newest population period);
- ``census:<dimension>:<group>``: the group's % of the usual residents (Census 2021, bundled
  tables) of the area's LSOA 2021 successors (see :mod:`mobilise.workspace._reach_inputs`);
- ``rural``: 1 for rural-urban classes D and E (rural town, village), 0 for A to C.

Areas without a value stay in the table with NaN: the analysis leaves them out and counts them.
"""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.geo import wgs84_to_bng
from mobilise.model.asset_vocab import CATEGORIES
from mobilise.model.drivers_plan import DriversPlan
from mobilise.store.records import now
from mobilise.store.tables import area_links, areas, assets, population
from mobilise.workspace._common import chunked
from mobilise.workspace._reach_inputs import CENSUS_DATASET, census, successors
from mobilise.workspace.assets import live_assets

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["LIBRARIES", "DriversInputs", "check_exists", "known_variables", "read_inputs"]

LIBRARIES = ("statsmodels", "spreg", "mgwr", "libpysal", "numpy", "scipy", "pandas")
"""The libraries whose versions a run records."""
_RURAL = ("D", "E")  # rural-urban 2011: D rural town and fringe, E rural village (A-C urban)
_CENSUS_WORDS = {
    "age_band": "aged {group}",
    "sex": "{group}",
    "ethnic_group": "of {group} ethnic group",
    "disability": "{group}",
}


class DriversInputs:
    """The table a run fits (indexed by area code) with its labels and data versions."""

    def __init__(
        self, frame: pd.DataFrame, labels: dict[str, str], versions: dict[str, Any]
    ) -> None:
        self.frame = frame
        self.labels = labels
        self.versions = versions


def read_inputs(workspace: Workspace, place: str, plan: DriversPlan) -> DriversInputs:
    """Everything a run of ``plan`` on ``place`` reads (see the module docstring)."""
    codes = workspace.places.area_codes(place)
    if not codes:
        raise ValidationError(f"Place {place!r} has no areas yet; import its areas first.")
    outcome = workspace.indicators.get(plan.outcome)
    frame = pd.DataFrame(index=pd.Index(codes, name="area_code"))
    frame[plan.outcome] = workspace.indicators.values(plan.outcome, codes=codes)["value"]
    labels = {plan.outcome: outcome.name}
    versions: dict[str, Any] = {
        "areas": len(codes),
        "outcome": {"indicator": outcome.id, "period": outcome.period, "version": outcome.version},
        "variables": {},
    }
    with workspace.read() as connection:
        frame["x"], frame["y"] = _points(connection, codes)
        residents, period = _residents(connection, codes)
        for variable in plan.variables:
            values, label, version = _variable(
                workspace, connection, place, plan, variable, codes, residents
            )
            frame[variable] = values
            labels[variable] = label
            versions["variables"][variable] = version
    versions["population_period"] = period
    versions["libraries"] = {name: _version(name) for name in LIBRARIES}
    versions["read_at"] = now().isoformat()
    return DriversInputs(frame, labels, versions)


def _variable(
    workspace: Workspace,
    connection: Connection,
    place: str,
    plan: DriversPlan,
    variable: str,
    codes: list[str],
    residents: pd.Series,
) -> tuple[pd.Series, str, dict[str, Any]]:
    kind, _, rest = variable.partition(":")
    index = pd.Index(codes)
    if kind == "indicator":
        indicator = workspace.indicators.get(rest)
        values = workspace.indicators.values(rest, codes=codes)["value"].reindex(index)
        return values, indicator.name, {"period": indicator.period, "version": indicator.version}
    if kind == "access":
        return _access(workspace, place, plan, rest, index)
    if kind == "assets":
        counts = _asset_counts(connection, codes, rest)
        values = counts.reindex(index, fill_value=0) / residents.reindex(index) * 1000
        newest = connection.execute(
            select(func.max(assets.c.updated_at)).where(*live_assets(), assets.c.category == rest)
        ).scalar_one_or_none()
        label = f"{CATEGORIES[rest]} assets per 1,000 residents"
        return values, label, {"assets": int(counts.sum()), "newest_change": _iso(newest)}
    if kind == "census":
        dimension, _, group = rest.partition(":")
        values = _census_share(connection, codes, dimension, group).reindex(index)
        words = _CENSUS_WORDS[dimension].format(group=group.replace("_", " "))
        return values, f"% residents {words} (Census 2021)", {"dataset": CENSUS_DATASET}
    return _rural(connection, index), "Rural area (rural-urban class 2011)", {"dataset": "ruc11"}


def _points(connection: Connection, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    found: dict[str, tuple[float, float]] = {}
    for chunk in chunked(codes):
        for code, lon, lat in connection.execute(
            select(areas.c.code, areas.c.centroid_lon, areas.c.centroid_lat).where(
                areas.c.code.in_(chunk)
            )
        ):
            if lon is not None and lat is not None:
                found[code] = (lon, lat)
    lons = np.array([found.get(c, (np.nan, np.nan))[0] for c in codes], dtype=float)
    lats = np.array([found.get(c, (np.nan, np.nan))[1] for c in codes], dtype=float)
    return wgs84_to_bng(lons, lats)


def _residents(connection: Connection, codes: list[str]) -> tuple[pd.Series, str | None]:
    newest: dict[str, tuple[str, int]] = {}
    for chunk in chunked(codes):
        for code, period, total in connection.execute(
            select(population.c.area_code, population.c.period, population.c.total).where(
                population.c.area_code.in_(chunk), population.c.deleted_at.is_(None)
            )
        ):
            if code not in newest or period > newest[code][0]:
                newest[code] = (period, total)
    people = pd.Series({c: float(t) for c, (_p, t) in newest.items() if t}, dtype=float)
    return people, max((p for p, _t in newest.values()), default=None)


def _asset_counts(connection: Connection, codes: list[str], category: str) -> pd.Series:
    counts: dict[str, int] = {}
    for chunk in chunked(codes):
        for code, count in connection.execute(
            select(assets.c.lsoa11_code, func.count())
            .where(*live_assets(), assets.c.category == category, assets.c.lsoa11_code.in_(chunk))
            .group_by(assets.c.lsoa11_code)
        ):
            counts[code] = int(count)
    return pd.Series(counts, dtype=float)


def _census_share(
    connection: Connection, codes: list[str], dimension: str, group: str
) -> pd.Series:
    """The group's % of the residents of each LSOA 2011's LSOA 2021 successors."""
    later = successors(connection, codes)
    counts = census(dimension, sorted({c for cs in later.values() for c in cs}))
    if counts.empty:
        return pd.Series(dtype=float)
    by_area = counts.pivot_table(index="area_code", columns="group", values="count", aggfunc="sum")
    shares = {}
    for code, newer in later.items():
        rows = by_area.reindex([c for c in newer if c in by_area.index])
        total = float(rows.to_numpy().sum())
        if total > 0 and group in rows.columns:
            shares[code] = 100 * float(rows[group].sum()) / total
    return pd.Series(shares, dtype=float)


def _rural(connection: Connection, index: pd.Index) -> pd.Series:
    classes: dict[str, str] = {}
    for chunk in chunked(list(index)):
        for code, related in connection.execute(
            select(area_links.c.area_code, area_links.c.related_code).where(
                area_links.c.area_code.in_(chunk),
                area_links.c.relation == "classification",
                area_links.c.related_type == "ruc11",
                area_links.c.deleted_at.is_(None),
            )
        ):
            classes[code] = related
    return pd.Series(
        {c: float(classes[c].startswith(_RURAL)) for c in index if c in classes}, dtype=float
    ).reindex(index)


def _access(
    workspace: Workspace, place: str, plan: DriversPlan, category: str, index: pd.Index
) -> tuple[pd.Series, str, dict[str, Any]]:
    runs = (
        [workspace.access.get(plan.access_run)]
        if plan.access_run
        else [r for r in workspace.access.list(place) if r.status == "done"]
    )
    run = next((r for r in runs if category in r.plan.categories and r.status == "done"), None)
    if run is None or run.place != place:
        raise ValidationError(
            f"No finished access run of {place} covers {CATEGORIES[category].lower()}: run "
            f"`mobilise access run --place {place} --category {category}` first.",
            problems=[Problem("needs an access run", field=f"access:{category}")],
        )
    scenario = run.scenario(category)
    results = workspace.access.results(
        run.id,
        category=category,
        catchment_m=scenario["catchment_m"],
        decay=scenario["decay"],
    ).set_index("area_code")
    label = (
        f"Access to {CATEGORIES[category].lower()} assets "
        f"({run.plan.method}, {scenario['catchment_m']:g} m)"
    )
    version = {"run": run.id, "catchment_m": scenario["catchment_m"], "decay": scenario["decay"]}
    return results["value"].reindex(index), label, version


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:  # pragma: no cover - every one is a dependency
        return "not installed"


def known_variables(workspace: Workspace, place: str) -> list[dict[str, str]]:
    """The explanatory variables a run of ``place`` can use now, with their names."""
    from mobilise.model.drivers_plan import CENSUS_GROUPS

    found = [
        {"id": f"indicator:{i.id}", "kind": "indicator", "label": i.name}
        for i in workspace.indicators.list(place=place)
    ]
    done = [r for r in workspace.access.list(place) if r.status == "done"]
    for category in dict.fromkeys(c for r in done for c in r.plan.categories):
        found.append(
            {
                "id": f"access:{category}",
                "kind": "access",
                "label": f"Access to {CATEGORIES[category].lower()} assets",
            }
        )
    found += [
        {"id": f"assets:{c}", "kind": "assets", "label": f"{label} assets per 1,000 residents"}
        for c, label in CATEGORIES.items()
    ]
    for dimension, groups in CENSUS_GROUPS.items():
        words = _CENSUS_WORDS[dimension]
        found += [
            {
                "id": f"census:{dimension}:{g}",
                "kind": "census",
                "label": f"% residents {words.format(group=g.replace('_', ' '))} (Census 2021)",
            }
            for g in groups
        ]
    found.append({"id": "rural", "kind": "rural", "label": "Rural area (rural-urban class 2011)"})
    return found


def check_exists(workspace: Workspace, plan: DriversPlan) -> None:
    """NotFound for an outcome or indicator variable the workspace does not hold."""
    for indicator in [
        plan.outcome,
        *(v[10:] for v in plan.variables if v.startswith("indicator:")),
    ]:
        try:
            workspace.indicators.get(indicator)
        except NotFound:
            raise NotFound(
                f"No indicator {indicator!r}. See `mobilise indicators list` for those stored."
            ) from None
