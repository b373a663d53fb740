"""Millions of pairs worked in two halves on two cores (issue 19): the answers of one piece.

A cost table of millions of rows is read in two halves at once, its pair keys are sorted in two
halves, and the measures' sparse products sum each half on its own core. Here the cut is brought
down to a few rows (``CUT_FROM``), so that the halves run on tables small enough to check every
answer against the one-piece path: the same pairs, counts, errors and access.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mobilise.analysis import _access_steps, _halves, catchment
from mobilise.analysis.access import (
    balanced_fca,
    enhanced_two_step_fca,
    floating_catchment_ratio,
    gaussian,
    pairs_from_costs,
    pairs_from_points,
    supply_within,
    three_step_fca,
    two_step_fca,
    weighted_catchment,
)
from mobilise.errors import ValidationError


@contextmanager
def cut_from(rows: int) -> Iterator[None]:
    """Halves from ``rows`` pairs, on two threads even on a one-core machine."""
    with (
        mock.patch.object(_halves, "CUT_FROM", rows),
        mock.patch.object(_halves, "_cores", lambda: 2),
    ):
        yield


@contextmanager
def column_reader_only() -> Iterator[None]:
    """Every table read column by column, as before the reader in halves."""
    with mock.patch.object(catchment, "read_in_halves", lambda *args: None):
        yield


# --------------------------------------------------------------------------------------------
# Cutting and running


def test_halves_cut_at_the_middle_and_never_below_the_threshold() -> None:
    assert _halves.halves(_halves.CUT_FROM - 1) == (slice(0, _halves.CUT_FROM - 1),)
    assert _halves.halves(_halves.CUT_FROM + 1) == (
        slice(0, _halves.CUT_FROM // 2),
        slice(_halves.CUT_FROM // 2, _halves.CUT_FROM + 1),
    )
    with cut_from(4):
        assert _halves.halves(3) == (slice(0, 3),)
        assert _halves.halves(7) == (slice(0, 3), slice(3, 7))


def test_both_run_at_once_and_their_results_come_back_in_order() -> None:
    met = threading.Barrier(2, timeout=10)  # passes only if both wait at the same time

    def first() -> str:
        met.wait()
        return threading.current_thread().name

    def second() -> str:
        met.wait()
        return threading.current_thread().name

    with cut_from(4):
        one, other = _halves.at_once(first, second, pairs=10)
    assert one == "mobilise-half" and other == threading.current_thread().name
    with cut_from(4):  # too few pairs: one after the other, on this thread
        assert _halves.at_once(lambda: 1, lambda: 2, pairs=3) == (1, 2)


def test_the_first_error_is_raised_once_both_are_done() -> None:
    finished: list[str] = []

    def first() -> None:
        raise ValueError("first")

    def second() -> None:
        finished.append("second")
        raise KeyError("second")

    with cut_from(4), pytest.raises(ValueError, match="first"):
        _halves.at_once(first, second, pairs=10)
    assert finished == ["second"]
    with cut_from(4), pytest.raises(KeyError):
        _halves.at_once(lambda: None, second, pairs=10)


def test_one_core_runs_both_here() -> None:
    names: list[str] = []

    def record() -> None:
        names.append(threading.current_thread().name)

    with mock.patch.object(_halves, "_cores", lambda: 1):
        _halves.at_once(record, record, pairs=10**9)
    assert names == [threading.current_thread().name] * 2


# --------------------------------------------------------------------------------------------
# A cost table read in halves: the pairs and the errors of the column reader

ODD_COSTS = st.sampled_from([0.0, -0.0, 10.0, -1.0, float("nan"), float("inf")])


def read(table: pd.DataFrame, origins: Any, destinations: Any, limit: float | None) -> Any:
    """The pairs as a table of ids with each origin's count, or the error's problems."""
    try:
        pairs = pairs_from_costs(table, origins=origins, destinations=destinations, max_cost=limit)
    except ValidationError as error:
        return [(p.field, p.message) for p in error.problems]
    frame = pairs.to_frame()
    frame["count"] = pairs._counts[pairs.origin]
    return frame, pairs.max_cost


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(st.integers(0, 8), st.integers(0, 7), st.floats(0, 10)), max_size=60),
    odd=st.none() | st.tuples(st.integers(0, 59), ODD_COSTS),
    stranger=st.none() | st.tuples(st.integers(0, 59), st.sampled_from([-1, 9])),
    order=st.sampled_from(["as drawn", "sorted"]),
    ids=st.sampled_from(["positions", "shuffled", "offset"]),
    seed=st.integers(0, 2**16),
    limit=st.none() | st.floats(0, 10),
)
@example(
    rows=[(0, 1, 1.0), (0, 2, 1.0), (1, 1, 2.0), (8, 0, 1.0), (2, 2, 1.0)],
    odd=None,
    stranger=(1, -1),
    order="as drawn",
    ids="positions",
    seed=0,
    limit=None,
)
@example(
    rows=[(0, 1, 1.0), (0, 2, 1.0), (1, 1, 2.0), (8, 0, 1.0), (2, 2, 1.0)],
    odd=None,
    stranger=(1, 9),
    order="as drawn",
    ids="shuffled",
    seed=0,
    limit=None,
)
@example(  # not grouped, and two rows past the limit: the keys are cut with the rows
    rows=[(3, 1, 1.0), (0, 2, 5.0), (3, 0, 2.0), (0, 1, 9.0), (3, 2, 1.0), (0, 0, 1.0)],
    odd=None,
    stranger=None,
    order="as drawn",
    ids="positions",
    seed=0,
    limit=4.0,
)
def test_a_table_read_in_halves_gives_the_pairs_and_errors_of_the_column_reader(
    rows: list[tuple[int, int, float]],
    odd: tuple[int, float] | None,
    stranger: tuple[int, int] | None,
    order: str,
    ids: str,
    seed: int,
    limit: float | None,
) -> None:
    """Ids as positions, through a lookup table, or from 100; one cost may be odd (-0.0, NaN,
    negative, infinite) and one origin not among those given."""
    if odd is not None and rows:
        at, cost = odd
        origin, destination, _ = rows[at % len(rows)]
        rows[at % len(rows)] = (origin, destination, cost)
    if stranger is not None and rows:
        at, origin = stranger
        _, destination, cost = rows[at % len(rows)]
        rows[at % len(rows)] = (origin, destination, cost)
    if order == "sorted":
        rows.sort(key=lambda row: row[:2])
    table = pd.DataFrame(rows, columns=["origin", "dest", "cost"]).astype(
        {"origin": "int64", "dest": "int64", "cost": float}
    )
    origins: Any = pd.RangeIndex(9)
    destinations: Any = pd.RangeIndex(8)
    if ids == "shuffled":  # integers in a compact range: a lookup table
        origins = pd.Index(np.random.default_rng(seed).permutation(9))
        destinations = pd.Index(np.arange(8)[::-1])
    elif ids == "offset":  # ids from 100: a table that starts past 0
        table = table.assign(origin=table["origin"] + 100, dest=table["dest"] + 100)
        origins, destinations = pd.Index(np.arange(100, 109)), pd.Index(np.arange(100, 108))
    with cut_from(4):
        in_halves = read(table, origins, destinations, limit)
    with column_reader_only():
        by_column = read(table, origins, destinations, limit)
    if isinstance(by_column, list):
        assert in_halves == by_column
        return
    assert not isinstance(in_halves, list)
    assert in_halves[0].equals(by_column[0]) and in_halves[1] == by_column[1]


def test_a_repeat_across_the_middle_of_the_sorted_keys_is_found() -> None:
    """The median key twice: once in each half after the split, next to each other sorted."""
    table = pd.DataFrame({"origin": 0, "dest": [9, 5, 1, 7, 0, 5, 8, 2], "cost": 1.0})
    with cut_from(4), pytest.raises(ValidationError, match=r"1 origin-destination pairs .*0 to 5;"):
        pairs_from_costs(table, origins=[0], destinations=range(10))
    with cut_from(4):
        pairs = pairs_from_costs(table.drop(index=5), origins=[0, 1], destinations=range(10))
    assert pairs._counts.tolist() == [7, 0]


def test_a_large_table_is_read_in_halves_and_refused_whole_where_one_row_is_bad() -> None:
    """Past the real cut: the reader in halves gives up, and the column reader names the row."""
    rng = np.random.default_rng(4)
    n = _halves.CUT_FROM + 10_000
    table = pd.DataFrame(
        {"origin": rng.integers(0, 900, n), "dest": rng.integers(0, 20_000, n)}
    ).drop_duplicates(ignore_index=True)
    table["cost"] = rng.uniform(0, 100, len(table))
    assert len(table) >= _halves.CUT_FROM
    pairs = pairs_from_costs(table, origins=pd.RangeIndex(900), destinations=pd.RangeIndex(20_000))
    assert pairs._counts.tolist() == np.bincount(table["origin"], minlength=900).tolist()
    assert pairs.to_frame().equals(table)
    table.loc[len(table) - 1, "cost"] = -3.0
    with pytest.raises(
        ValidationError, match=rf"negative or infinite in 1 rows \(index {len(table) - 1}\)"
    ):
        pairs_from_costs(table, origins=pd.RangeIndex(900), destinations=pd.RangeIndex(20_000))


# --------------------------------------------------------------------------------------------
# The measures in halves: the access of one piece


def measures(pairs: Any, neighbours: Any, population: pd.Series, capacity: pd.Series) -> Any:
    decay = gaussian(400.0)
    return {
        "2SFCA": two_step_fca(pairs, population, capacity)["access"],
        "E2SFCA": enhanced_two_step_fca(pairs, population, capacity, decay)["access"],
        "3SFCA": three_step_fca(pairs, population, capacity, decay)["access"],
        "BFCA": balanced_fca(pairs, population, capacity, decay)["access"],
        "supply": supply_within(pairs, capacity)["supply"],
        "gravity": weighted_catchment(pairs, capacity, decay)["weighted_supply"],
        "FCA": floating_catchment_ratio(pairs, neighbours, population, capacity)["access"],
    }


@pytest.mark.parametrize("scipy_loop", [True, False], ids=["scipy's loop", "public COO array"])
def test_the_measures_in_halves_equal_the_measures_whole(scipy_loop: bool) -> None:
    rng = np.random.default_rng(11)
    areas = pd.DataFrame(rng.uniform(0, 3000, (120, 2)), columns=["x", "y"])
    assets = pd.DataFrame(rng.uniform(0, 3000, (40, 2)), columns=["x", "y"])
    pairs = pairs_from_points(areas, assets, 900.0)
    neighbours = pairs_from_points(areas, areas, 900.0)
    population = pd.Series(rng.integers(100, 900, 120).astype(float), index=areas.index)
    capacity = pd.Series(rng.integers(1, 5, 40).astype(float), index=assets.index)
    whole = measures(pairs, neighbours, population, capacity)
    loop: Callable[..., Any] | None = _access_steps._coo_matvec if scipy_loop else None
    with cut_from(16), mock.patch.object(_access_steps, "_coo_matvec", loop):
        halved = measures(pairs, neighbours, population, capacity)
    assert len(pairs) > 500
    for name, access in whole.items():
        np.testing.assert_allclose(halved[name], access, rtol=1e-12, atol=0, err_msg=name)
        assert halved[name].index.equals(access.index)
