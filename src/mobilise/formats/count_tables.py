"""Count tables (events and populations by area and age band) and standard populations.

A **count table** is a CSV (or ``.csv.gz``) in the long layout, one row per area, or per area and
age band, or per area, band and event frequency::

    area_code,age_band,count,population
    E01000001,0-4,3,120
    E01000001,5-9,1,98
    ...

Columns are found by name (``area_code``/``lsoa11cd``...; ``age_band``/``ageband``/``age``;
``count``/``events``/``deaths``/``numerator``/``observed``; ``population``/``denominator``/
``pop``; ``event_frequency``/``frequency``) or named by the caller. Every area must have every
band once (a missing band is an error naming the area and the bands it lacks, never a silent
zero); counts and populations are numbers, 0 or more; with ``counts_within`` (proportions, life
expectancy) a count above its denominator is an error naming its row.

A **standard** (or a reference for indirect standardisation) is a CSV of ``age_band,population``
(and ``count`` for a reference), or the name of a bundled one: ``esp2013``, the European
Standard Population 2013 (``standards/esp2013.csv``, with its source in ``standards/README.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import numpy as np
import pandas as pd

from mobilise.errors import Problem, ValidationError
from mobilise.formats._tables import (
    PathLike,
    check_codes,
    check_duplicates,
    clean_codes,
    file_name,
    find_column,
    missing_column,
    parse_numbers,
    read_table,
    row_of,
    table_from_text,
)
from mobilise.model.rate_methods import STANDARDS
from mobilise.settings import Limits

__all__ = ["STANDARDS", "BandTable", "CountTable", "read_count_table", "read_standard"]

_AREA_NAMES = ("area_code", "area", "code", "lsoa11cd", "lsoa21cd", "lsoa_code", "geography code")
_BAND_NAMES = ("age_band", "ageband", "age band", "age", "band", "startage")
_COUNT_NAMES = ("count", "events", "deaths", "numerator", "observed", "persons", "people")
_POPULATION_NAMES = ("population", "denominator", "pop", "stdpop", "refpop", "reference_population")
_FREQUENCY_NAMES = ("event_frequency", "eventfrequency", "frequency", "freq")


def band_key(label: str) -> str:
    """An age band's label compared loosely: ``"10 – 14"`` and ``"10-14"``, ``"90 plus"`` and
    ``"90+"`` are the same band."""
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", str(label)).lower()
    text = re.sub(r"\s*(plus|and over|or over|and older)\s*$", "+", text.strip())
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class CountTable:
    """A count table read from a file: arrays aligned with ``areas`` and ``bands``.

    ``counts`` is areas x bands, or areas x bands x frequencies when ``frequencies`` is given
    (people with each event frequency); ``populations`` is areas x bands. ``rows`` gives the first
    file row of each area, for messages.
    """

    file: str
    areas: list[str]
    bands: list[str]
    counts: np.ndarray
    populations: np.ndarray
    frequencies: np.ndarray | None
    rows: dict[str, int]


@dataclass(frozen=True)
class BandTable:
    """A standard population (or a reference's counts and populations) by age band."""

    name: str
    bands: list[str]
    populations: np.ndarray
    counts: np.ndarray | None = None
    source: str = ""


def _column(
    columns: list[str], given: str | None, names: tuple[str, ...], *, file: str, field: str
) -> tuple[str | None, list[Problem]]:
    if given is not None:
        if given in columns:
            return given, []
        return None, [missing_column(file, given, columns)]
    return find_column(columns, *names), []


def _numbers(
    frame: pd.DataFrame, column: str, *, file: str, field: str
) -> tuple[pd.Series, list[Problem]]:
    numbers, problems = parse_numbers(frame[column], file=file, field=column)
    problems += [
        Problem("the cell is empty; write 0 for no events", file, row_of(row), column)
        for row in numbers.index[numbers.isna() & (frame[column] == "")]
    ]
    problems += [
        Problem(f"{value:g} is negative: {field} must be 0 or more", file, row_of(row), column)
        for row, value in numbers[numbers < 0].items()
    ]
    return numbers, problems


def read_count_table(
    path: PathLike,
    *,
    limits: Limits | None = None,
    area_column: str | None = None,
    band_column: str | None = None,
    count_column: str | None = None,
    population_column: str | None = None,
    frequency_column: str | None = None,
    bands: list[str] | None = None,
    counts_within: bool = False,
) -> CountTable:
    """Read a count table (see the module docstring) into arrays.

    Parameters
    ----------
    bands
        The age bands the computation needs, in order (those of the standard): the file's bands
        must be exactly these (compared loosely, see :func:`band_key`). Without it, the bands
        are the file's, in the order first seen.
    counts_within
        Refuse a count above its population (proportions, deaths in a life table).

    Raises
    ------
    mobilise.errors.ValidationError
        Naming every bad row and field at once: a missing column, a cell that is not a number,
        a negative count or population, an area without every band, a band the standard lacks,
        a count above its denominator.
    """
    table = read_table(path, limits=limits)
    name = file_name(path)
    frame = table.frame
    columns = list(frame.columns)
    problems: list[Problem] = []
    found: dict[str, str | None] = {}
    for key, given, names in (
        ("area", area_column, _AREA_NAMES),
        ("band", band_column, _BAND_NAMES),
        ("count", count_column, _COUNT_NAMES),
        ("population", population_column, _POPULATION_NAMES),
        ("frequency", frequency_column, _FREQUENCY_NAMES),
    ):
        found[key], missing = _column(columns, given, names, file=name, field=key)
        problems += missing
    for key in ("area", "count", "population"):
        if found[key] is None and not any(p.field == key for p in problems):
            problems.append(missing_column(name, key, columns))
    if bands is not None and found["band"] is None:
        problems.append(
            missing_column(name, "age_band", columns, hint="the standard needs age bands")
        )
    if problems:
        raise ValidationError(f"Count table {name}: columns missing.", problems=problems)
    return _arrays(frame, found, name=name, bands=bands, counts_within=counts_within)


def _arrays(
    frame: pd.DataFrame,
    found: dict[str, str | None],
    *,
    name: str,
    bands: list[str] | None,
    counts_within: bool,
) -> CountTable:
    area_field = str(found["area"])
    codes = clean_codes(frame[area_field])
    problems = check_codes(codes, file=name, field=area_field)
    counts, more = _numbers(frame, str(found["count"]), file=name, field="the count")
    problems += more
    populations, more = _numbers(frame, str(found["population"]), file=name, field="population")
    problems += more
    band_labels = (
        frame[found["band"]].map(str).str.strip()
        if found["band"]
        else pd.Series("all", frame.index)
    )
    keys = band_labels.map(band_key)
    order = list(dict.fromkeys(keys))
    shown = dict(zip(keys, band_labels, strict=True))
    if bands is not None:
        wanted = {band_key(b): b for b in bands}
        problems += [
            Problem(
                f"age band {label!r} is not one of the standard's: {', '.join(bands)}",
                name,
                row_of(row),
                found["band"],
            )
            for row, (key, label) in enumerate(zip(keys, band_labels, strict=True), start=1)
            if key not in wanted
        ]
        order, shown = list(wanted), dict(wanted)
    frequency = None
    if found["frequency"]:
        frequency, more = _numbers(frame, found["frequency"], file=name, field="frequency")
        problems += more
    key_frame = pd.DataFrame({"area": codes, "band": keys}, index=frame.index)
    if frequency is not None:
        key_frame["frequency"] = frequency
    problems += check_duplicates(
        key_frame, file=name, field=str(found["band"] or area_field), what="area and band"
    )
    if counts_within and frequency is None:
        problems += [
            Problem(
                f"the count {c:g} is above its denominator {n:g}",
                name,
                row_of(row),
                found["count"],
            )
            for row, c, n in zip(frame.index, counts, populations, strict=True)
            if c > n
        ]
    areas = list(dict.fromkeys(codes))
    problems += _missing_bands(codes, keys, areas, order, shown, name=name, field=found["band"])
    error = ValidationError.collect(problems, what=f"Count table {name}")
    if error:
        raise error
    return _shaped(codes, keys, counts, populations, frequency, areas, order, shown, name)


def _missing_bands(
    codes: pd.Series,
    keys: pd.Series,
    areas: list[str],
    order: list[str],
    shown: dict[str, str],
    *,
    name: str,
    field: str | None,
) -> list[Problem]:
    present = pd.DataFrame({"area": codes, "band": keys}).reset_index()
    first_row = present.groupby("area", sort=False)["index"].first()
    have = present.groupby("area", sort=False)["band"].agg(set)
    problems = []
    for area in areas:
        lacking = [shown[b] for b in order if b not in have[area]]
        if lacking:
            problems.append(
                Problem(
                    f"area {area} has no row for age band{'s' if len(lacking) > 1 else ''} "
                    f"{', '.join(lacking)}; give every band (0 events where there were none)",
                    name,
                    int(first_row[area]),
                    field or "age_band",
                )
            )
    return problems


def _shaped(
    codes: pd.Series,
    keys: pd.Series,
    counts: pd.Series,
    populations: pd.Series,
    frequency: pd.Series | None,
    areas: list[str],
    order: list[str],
    shown: dict[str, str],
    name: str,
) -> CountTable:
    area_index = pd.Index(areas).get_indexer(pd.Index(codes))
    band_index = pd.Index(order).get_indexer(pd.Index(keys))
    pops = np.full((len(areas), len(order)), np.nan)
    pops[area_index, band_index] = populations.to_numpy(float)
    freqs = None
    if frequency is None:
        grid = np.zeros((len(areas), len(order)))
        grid[area_index, band_index] = counts.to_numpy(float)
    else:
        freqs = np.unique(frequency.to_numpy(float))
        grid = np.zeros((len(areas), len(order), len(freqs)))
        grid[area_index, band_index, np.searchsorted(freqs, frequency.to_numpy(float))] = (
            counts.to_numpy(float)
        )
    first = pd.Series(codes.index, index=codes.to_numpy()).groupby(level=0).first()
    return CountTable(
        file=name,
        areas=areas,
        bands=[shown[b] for b in order],
        counts=grid,
        populations=pops,
        frequencies=freqs,
        rows={a: int(first[a]) for a in areas},
    )


def read_standard(
    source: PathLike | str, *, limits: Limits | None = None, with_counts: bool = False
) -> BandTable:
    """A standard population by age band: a bundled one by name (:data:`STANDARDS`) or a CSV of
    ``age_band,population`` (with ``count`` too for a reference, ``with_counts``)."""
    key = str(source).strip().lower()
    if key in STANDARDS:
        data = (files("mobilise.formats") / "standards" / f"{key}.csv").read_bytes()
        table = table_from_text(data, f"{key}.csv", limits=limits)
        name, described = key, STANDARDS[key]
    else:
        table = read_table(source, limits=limits)
        name, described = file_name(source), file_name(source)
    frame = table.frame
    columns = list(frame.columns)
    band = find_column(columns, *_BAND_NAMES)
    population = find_column(columns, *_POPULATION_NAMES)
    count = find_column(columns, *_COUNT_NAMES) if with_counts else None
    problems = [
        missing_column(name, field, columns)
        for field, column in (("age_band", band), ("population", population))
        if column is None
    ]
    if with_counts and count is None:
        problems.append(missing_column(name, "count", columns))
    if problems:
        raise ValidationError(f"Standard {name}: columns missing.", problems=problems)
    values, problems = _numbers(frame, str(population), file=name, field="population")
    counts: Any = None
    if count is not None:
        counts, more = _numbers(frame, count, file=name, field="the count")
        problems += more
    labels = frame[str(band)].map(str).str.strip()
    problems += check_duplicates(
        pd.DataFrame({"band": labels.map(band_key)}, index=frame.index),
        file=name,
        field=str(band),
        what="age band",
    )
    error = ValidationError.collect(problems, what=f"Standard {name}")
    if error:
        raise error
    return BandTable(
        name=name,
        bands=list(labels),
        populations=values.to_numpy(float),
        counts=None if counts is None else counts.to_numpy(float),
        source=described,
    )
