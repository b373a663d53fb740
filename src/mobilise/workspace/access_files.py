"""Analysis on plain files, for analysts: access measures (demand, supply and costs or points in,
CSV out) and the slope index of inequality of a table.

No workspace is needed: this joins :mod:`mobilise.formats.access_tables` (reading and checking
the files) with :mod:`mobilise.analysis.access` (the measures), as ``mobilise access compute``
runs it. Each file is a :data:`~mobilise.workspace._files.FileSource` (a path, bytes or a binary
stream, with its name given for bytes and streams); the result table goes to a
:data:`~mobilise.workspace._files.FileTarget` when one is given.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from mobilise.analysis.access import (
    CatchmentPairs,
    floating_catchment_ratio,
    nearest,
    pairs_from_costs,
    pairs_from_points,
)
from mobilise.analysis.inequality import SlopeIndex, by_quantile, slope_index_of_inequality
from mobilise.errors import Problem, ValidationError
from mobilise.formats.access_tables import (
    read_cost_table,
    read_number_table,
    read_point_table,
    repeated_pairs,
)
from mobilise.formats.safe_cells import guard_frame
from mobilise.model.access_plan import DECAYS, FILE_METHODS, METHODS
from mobilise.workspace._files import FileSource, FileTarget, read_bytes, source_name, write_bytes
from mobilise.workspace.access_measures import make_decay, run_measure

__all__ = ["FILE_METHODS", "compute_on_files", "sii_on_file"]


def compute_on_files(
    demand: FileSource,
    supply: FileSource,
    *,
    method: str,
    catchments_m: Sequence[float],
    decays: Sequence[str] = (),
    costs: FileSource | None = None,
    output: FileTarget | None = None,
    demand_name: str | None = None,
    supply_name: str | None = None,
    costs_name: str | None = None,
    demand_id: str = "id",
    demand_value: str = "population",
    supply_id: str = "id",
    supply_value: str | None = "capacity",
    x: str = "x",
    y: str = "y",
    cost_origin: str = "origin",
    cost_destination: str = "dest",
    cost: str = "cost",
) -> pd.DataFrame:
    """One row per origin: its demand, then a column per catchment (and decay) of ``method``.

    ``demand`` and ``supply`` are CSV tables of origins and destinations; without ``costs`` (a
    long table of travel costs) the distances are straight lines between their x/y points
    (metres, projected CRS). Columns are named ``{method}_{catchment}`` (plus ``_{decay}`` when
    more than one decay is asked for), with ``in_reach_{catchment}`` (how many destinations are
    within it); the frame's ``attrs`` hold each measure's parameters and warnings. With
    ``output`` the table is also written there as CSV (a path is replaced only once written).
    ``*_name`` name the files given as bytes or streams, for messages.
    """
    _check_options(method, catchments_m, decays)
    points = costs is None
    origins, destinations = (
        read_point_table(
            read_bytes(source, name=name),
            name=source_name(source, name),
            id_column=id_column,
            value_column=value_column,
            x=x if points else None,
            y=y if points else None,
            what=what,
        )
        for source, name, id_column, value_column, what in (
            (demand, demand_name, demand_id, demand_value, "demand"),
            (supply, supply_name, supply_id, supply_value, "supply"),
        )
    )
    largest = max(catchments_m)
    if costs is None:
        pairs = pairs_from_points(origins, destinations, largest)
    else:
        table = read_cost_table(
            read_bytes(costs, name=costs_name),
            name=source_name(costs, costs_name),
            origin=cost_origin,
            destination=cost_destination,
            cost=cost,
        )
        try:
            pairs = pairs_from_costs(
                table,
                origin=cost_origin,
                destination=cost_destination,
                cost=cost,
                origins=origins.index,
                destinations=destinations.index,
                max_cost=largest,
            )
        except ValidationError as error:
            name = source_name(costs, costs_name)
            raise _named(error, table, name, cost_origin, cost_destination) from None
    out = _measures(method, pairs, origins, destinations, catchments_m, decays, demand_value)
    out.index.name = demand_id
    if output is not None:
        if isinstance(output, str | os.PathLike):  # the folder the user named may be new
            Path(output).parent.mkdir(parents=True, exist_ok=True)
        write_bytes(output, guard_frame(out).to_csv().encode("utf-8"), name="access.csv")
    return out


def _named(
    error: ValidationError, table: pd.DataFrame, file: str, origin: str, destination: str
) -> ValidationError:
    """The cost table's problems with its file named, and repeated pairs named by their rows."""
    problems = [replace(problem, file=problem.file or file) for problem in error.problems]
    by_rows = repeated_pairs(table, file=file, origin=origin, destination=destination)
    if by_rows:  # the table holds repeats: the rows say more than the count and one example
        problems = [p for p in problems if "more than once" not in p.message] + by_rows
    return ValidationError(f"Cannot read the cost table {file}.", problems=problems)


def _check_options(method: str, catchments_m: Sequence[float], decays: Sequence[str]) -> None:
    problems: list[Problem] = []
    if method not in FILE_METHODS:
        problems.append(
            Problem(
                f"unknown method {method!r}; use one of {', '.join(FILE_METHODS)}", field="method"
            )
        )
    if not catchments_m:
        problems.append(Problem("give at least one catchment", field="catchment"))
    for name in decays:
        if name not in DECAYS:
            problems.append(
                Problem(f"unknown decay {name!r}; use one of {', '.join(DECAYS)}", field="decay")
            )
    if problems:
        raise ValidationError("Cannot compute access.", problems=problems)


def _measures(
    method: str,
    pairs: CatchmentPairs,
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    catchments_m: Sequence[float],
    decays: Sequence[str],
    demand_column: str,
) -> pd.DataFrame:
    """The demand, then each catchment's destinations in reach and measures."""
    chosen = list(decays) or [METHODS[method].default_decay if method in METHODS else "none"]
    out = pd.DataFrame({demand_column: origins["value"]}, index=origins.index)
    out.attrs["measures"] = []
    for catchment in sorted(catchments_m):
        narrowed = pairs.within(catchment)
        out[f"in_reach_{catchment:g}"] = np.bincount(narrowed.origin, minlength=narrowed.n_origins)
        for decay in chosen:
            column = f"{method}_{catchment:g}" + (f"_{decay}" if len(chosen) > 1 else "")
            result = _measure(
                method, narrowed, origins, destinations, decay=decay, catchment=catchment
            )
            out[column] = result.iloc[:, 0].to_numpy()
            out.attrs["measures"].append({"column": column, **result.attrs})
    return out


def _measure(
    method: str,
    pairs: CatchmentPairs,
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    *,
    decay: str,
    catchment: float,
) -> pd.DataFrame:
    demand, supply = origins["value"], destinations["value"]
    weight = make_decay(decay, catchment)
    if method == "nearest":
        return nearest(pairs)
    if method == "fca":
        if "x" not in origins:
            raise ValidationError(
                "The FCA ratio needs points (origin to origin distances), not a cost table.",
                problems=[
                    Problem("leave out the cost table, or use another method", field="method")
                ],
            )
        between = pairs_from_points(origins, origins, catchment)
        return floating_catchment_ratio(pairs, between, demand, supply)
    return run_measure(method, pairs, demand, supply, weight)


def sii_on_file(
    source: FileSource,
    *,
    name: str | None = None,
    value: str,
    population: str,
    quantile: str,
    se: str | None = None,
    lower: str | None = None,
    upper: str | None = None,
    areas: bool = False,
    value_type: str = "mean",
    transform: bool = False,
    confidence: float = 0.95,
    reps: int = 10_000,
    seed: int | None = None,
    multiplier: float = 1.0,
    higher_is_better: bool | None = None,
) -> tuple[SlopeIndex, pd.DataFrame]:
    """The slope and relative index of inequality of a CSV table (PHE method).

    One row per deprivation quantile (1 = most deprived) with a value, a population and, for
    intervals, a standard error or confidence limits; or, with ``areas``, one row per small area
    (e.g. LSOA with its IMD decile), which is first summarised per quantile (population-weighted
    means, standard errors from the spread between areas). ``source`` is the table's path, bytes
    or a binary stream (``name`` names bytes and streams in messages). Returns the index and the
    groups it was computed from.
    """
    if areas and (se or lower or upper):
        raise ValidationError(
            "With one row per area, the standard errors come from the spread between the areas "
            "of each quantile; leave out the standard error and confidence limit columns.",
            problems=[
                Problem("not used with one row per area", field=column)
                for column, given in (("se", se), ("lower", lower), ("upper", upper))
                if given
            ],
        )
    wanted: dict[str, bool] = {value: False, population: True, quantile: True}
    for column in (se, lower, upper):
        if column:
            wanted[column] = column == se
    table = read_number_table(
        read_bytes(source, name=name), wanted, name=source_name(source, name), what="SII input"
    )
    fit = partial(
        slope_index_of_inequality,
        value_type=value_type,  # type: ignore[arg-type]
        transform=transform,
        confidence=confidence,
        reps=reps,
        seed=seed,
        multiplier=multiplier,
        higher_is_better=higher_is_better,
    )
    if areas:
        groups = by_quantile(table, value=value, population=population, quantile=quantile)
        result = fit(
            groups["value"], groups["population"], quantile=groups["quantile"], se=groups["se"]
        )
        return result, groups
    result = fit(
        table[value],
        table[population],
        quantile=table[quantile],
        se=table[se] if se else None,
        lower=table[lower] if lower else None,
        upper=table[upper] if upper else None,
    )
    return result, table.rename(
        columns={value: "value", population: "population", quantile: "quantile"}
    )
