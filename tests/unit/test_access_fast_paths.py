"""The fast paths of issue 19's speed targets, checked for behaviour (never for time).

``pairs_from_costs`` reads ids that are their own positions (a ``RangeIndex``) without a lookup,
rules out repeated pairs in one pass where the table is grouped by origin with rising
destinations (and sorts otherwise), and hands the measures the number of pairs of each origin.
The measures count pairs without an int64 copy of the positions, and the pairs and measures run
with numpy's huge-page advice off, restored afterwards.
"""

from __future__ import annotations

import threading
import tracemalloc
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise.analysis import _pages
from mobilise.analysis.access import (
    count_within,
    enhanced_two_step_fca,
    gaussian,
    pairs_from_costs,
    pairs_from_points,
    two_step_fca,
)
from mobilise.errors import ValidationError

REPEATED = "origin-destination pairs appear more than once"

# --------------------------------------------------------------------------------------------
# Repeated pairs: one pass where the table is grouped, a sort otherwise


def grouped_table(order: list[int], per_origin: int = 30) -> pd.DataFrame:
    """Every origin's rows together (origins in ``order``), destinations rising in each."""
    rows = [(o, d, float(d)) for o in order for d in range(0, 2 * per_origin, 2)]
    return pd.DataFrame(rows, columns=["origin", "dest", "cost"])


def test_a_grouped_table_is_read_without_a_sort_and_counted() -> None:
    table = grouped_table([3, 0, 2, 1])
    pairs = pairs_from_costs(table, origins=range(5), destinations=range(60))
    assert pairs.to_frame().equals(table)
    assert pairs._counts.tolist() == [30, 30, 30, 30, 0]
    assert count_within(pairs)["count"].tolist() == [30, 30, 30, 30, 0]


def test_a_repeat_deep_inside_an_origin_group_is_refused() -> None:
    table = grouped_table([3, 0, 2, 1])
    repeat = pd.DataFrame([(2, 24, 9.0)], columns=table.columns)  # (2, 24) again, mid-group
    table = pd.concat([table.iloc[:75], repeat, table.iloc[75:]], ignore_index=True)
    with pytest.raises(ValidationError, match=f"1 {REPEATED}, e.g. 2 to 24;"):
        pairs_from_costs(table, origins=range(5), destinations=range(60))


def test_an_origin_split_in_two_groups_with_a_repeat_is_refused() -> None:
    """Each group rises, but origin 0 comes back with a pair it had."""
    table = pd.concat([grouped_table([0, 1]), grouped_table([0], per_origin=3)])
    with pytest.raises(ValidationError, match=f"3 {REPEATED}, e.g. 0 to 0;"):
        pairs_from_costs(table.reset_index(drop=True))


def test_an_unsorted_table_with_repeats_is_refused() -> None:
    rng = np.random.default_rng(5)
    table = grouped_table(list(range(40)))
    table = pd.concat([table, table.sample(7, random_state=1)])
    shuffled = table.iloc[rng.permutation(len(table))]
    with pytest.raises(ValidationError, match=f"7 {REPEATED}"):
        pairs_from_costs(shuffled, origins=range(40), destinations=range(60))
    with pytest.raises(ValidationError, match=f"7 {REPEATED}"):
        pairs_from_costs(shuffled.astype({"origin": str, "dest": str}))


# --------------------------------------------------------------------------------------------
# Ids as positions: the same pairs as the lookups


def read(
    table: pd.DataFrame, origins: Any, destinations: Any, limit: float | None
) -> pd.DataFrame | str:
    """The pairs as a table of ids with each origin's count, or the error's problems."""
    try:
        pairs = pairs_from_costs(table, origins=origins, destinations=destinations, max_cost=limit)
    except ValidationError as error:
        return " | ".join(sorted(str(p.message).split(", e.g.")[0] for p in error.problems))
    counts = np.bincount(pairs.origin, minlength=pairs.n_origins)
    assert pairs._counts.tolist() == counts.tolist()  # the count handed on is right
    frame = pairs.to_frame()
    frame["count"] = counts[pairs.origin]
    return frame


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(st.integers(-1, 9), st.integers(0, 7), st.floats(0, 10)), max_size=40),
    order=st.sampled_from(["as drawn", "sorted", "grouped"]),
    seed=st.integers(0, 2**16),
    limit=st.none() | st.floats(0, 10),
)
def test_ids_as_positions_give_the_pairs_of_shuffled_and_string_ids(
    rows: list[tuple[int, int, float]], order: str, seed: int, limit: float | None
) -> None:
    if order == "sorted":
        rows.sort()
    elif order == "grouped":  # origins together in a random order, destinations rising
        rank = {o: k for k, o in enumerate(np.random.default_rng(seed).permutation(11) - 1)}
        rows.sort(key=lambda row: (rank[row[0]], row[1]))
    table = pd.DataFrame(rows, columns=["origin", "dest", "cost"]).astype(
        {"origin": "int64", "dest": "int64", "cost": float}
    )
    shuffled = np.random.default_rng(seed).permutation(9)
    strings = table.assign(
        origin="o" + table["origin"].astype(str), dest="d" + table["dest"].astype(str)
    )

    by_position = read(table, pd.RangeIndex(9), pd.RangeIndex(8), limit)
    by_lookup = read(table, pd.Index(shuffled), pd.Index(np.arange(8)[::-1]), limit)
    by_string = read(strings, [f"o{i}" for i in shuffled], [f"d{j}" for j in range(8)], limit)
    if isinstance(by_position, str):  # the same problems, in the same words
        assert by_position == by_lookup
        assert isinstance(by_string, str)
        assert by_string.count(REPEATED) == by_position.count(REPEATED)
        return
    assert isinstance(by_lookup, pd.DataFrame) and isinstance(by_string, pd.DataFrame)
    assert by_position.equals(by_lookup)
    as_strings = by_position.assign(
        origin="o" + by_position["origin"].astype(str), dest="d" + by_position["dest"].astype(str)
    )
    assert as_strings.equals(by_string)


def test_ids_equal_to_their_positions_need_not_be_a_range_index() -> None:
    table = pd.DataFrame({"origin": [2, 0, 2], "dest": [1, 1, 0], "cost": [1.0, 2.0, 3.0]})
    ids = pd.Index(np.arange(3, dtype="int32"))
    pairs = pairs_from_costs(table, origins=ids, destinations=[0, 1])
    assert pairs.origin.tolist() == [2, 0, 2] and pairs.destination.tolist() == [1, 1, 0]
    with pytest.raises(ValidationError, match="1 ids are not among the origins given: 3"):
        pairs_from_costs(table.assign(origin=[2, 3, 0]), origins=ids, destinations=[0, 1])
    with pytest.raises(ValidationError, match="1 ids are not among the origins given: -1"):
        pairs_from_costs(table.assign(origin=[2, -1, 0]), origins=pd.RangeIndex(3))


# --------------------------------------------------------------------------------------------
# Fewer fresh temporaries


def test_counting_pairs_makes_no_copy_of_the_positions() -> None:
    """Old: ``np.bincount`` copied the int32 origin positions to int64 (8 bytes a pair)."""
    rng = np.random.default_rng(2)
    n = 1_000_000
    table = pd.DataFrame(
        {"origin": np.repeat(np.arange(1000), 1000), "dest": np.tile(np.arange(1000), 1000)}
    ).assign(cost=rng.uniform(0, 10, n))
    pairs = pairs_from_costs(table.sample(frac=1.0, random_state=3), max_cost=5.0).within(4.0)
    tracemalloc.start()
    try:
        counts = pairs._counts
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert counts.sum() == len(pairs)
    assert peak < 1_000_000  # well under the 3.2 MB an int64 copy of 400,000 positions takes


def test_e2sfca_holds_one_array_per_pair_beyond_the_pairs() -> None:
    """The weights (8 bytes a pair) and nothing as large beside them."""
    rng = np.random.default_rng(9)
    areas = pd.DataFrame(rng.uniform(0, 6000, (3000, 2)), columns=["x", "y"])
    assets = pd.DataFrame(rng.uniform(0, 6000, (2000, 2)), columns=["x", "y"])
    pairs = pairs_from_points(areas, assets, 800.0, workers=1)
    population = pd.Series(1000.0, index=areas.index)
    capacity = pd.Series(2.0, index=assets.index)
    tracemalloc.start()
    try:
        enhanced_two_step_fca(pairs, population, capacity, gaussian(300.0))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(pairs) > 250_000
    assert peak < 8 * len(pairs) * 1.4  # old: 16 bytes a pair (weights + an int64 copy)


# --------------------------------------------------------------------------------------------
# Huge-page advice: off while the pairs and measures run, restored after


def hugepage_advice() -> bool:
    switch = _pages._set_hugepage
    assert switch is not None
    before = switch(True)
    switch(before)
    return bool(before)


@pytest.fixture
def advice_on() -> Any:
    switch = _pages._set_hugepage
    if switch is None:
        pytest.skip("this numpy has no huge-page switch")
    before = switch(True)
    yield
    switch(before)


def test_the_measures_run_without_huge_page_advice_and_restore_it(advice_on: None) -> None:
    seen: list[bool] = []

    def decay(cost: np.ndarray) -> np.ndarray:
        seen.append(hugepage_advice())
        return np.ones_like(cost)

    table = pd.DataFrame({"origin": ["a", "b"], "dest": ["x", "x"], "cost": [1.0, 2.0]})
    pairs = pairs_from_costs(table)
    demand, supply = pd.Series({"a": 1.0, "b": 3.0}), pd.Series({"x": 2.0})
    result = two_step_fca(pairs, demand, supply, decay=decay)
    assert seen == [False]
    assert hugepage_advice() is True
    assert result["access"].tolist() == [0.5, 0.5]


def test_the_advice_is_restored_after_an_error(advice_on: None) -> None:
    def failing(cost: np.ndarray) -> np.ndarray:
        raise RuntimeError("a decay of the user's own that fails")

    pairs = pairs_from_costs(pd.DataFrame({"origin": [0], "dest": [0], "cost": [1.0]}))
    with pytest.raises(RuntimeError):
        two_step_fca(pairs, pd.Series([1.0]), pd.Series([1.0]), decay=failing)
    assert hugepage_advice() is True
    with pytest.raises(ValidationError):
        pairs_from_costs(pd.DataFrame({"origin": [0], "dest": [0], "cost": [-1.0]}))
    assert hugepage_advice() is True


def test_advice_that_was_off_stays_off(advice_on: None) -> None:
    switch = _pages._set_hugepage
    assert switch is not None
    switch(False)
    pairs_from_costs(pd.DataFrame({"origin": [0], "dest": [0], "cost": [1.0]}))
    assert hugepage_advice() is False


def test_overlapping_scopes_in_threads_restore_the_advice_once_all_leave(
    advice_on: None,
) -> None:
    """Two threads: the first enters, the second enters, the first leaves (the advice must stay
    off for the second), the second leaves (now it comes back)."""
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    inside: list[bool] = []

    def first() -> None:
        with _pages.small_pages():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with _pages.small_pages():
            second_in.set()
            first_out.wait(5)
            inside.append(hugepage_advice())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert inside == [False]
    assert hugepage_advice() is True


def test_a_repeat_is_found_with_keys_too_wide_for_32_bits() -> None:
    """70,000 x 70,000 ids: the pair keys need int64."""
    table = pd.DataFrame({"origin": [69_999, 5, 69_999, 0], "dest": [69_998, 7, 3, 1], "cost": 1.0})
    ids = pd.RangeIndex(70_000)
    pairs = pairs_from_costs(table, origins=ids, destinations=ids)
    assert pairs._counts[[0, 5, 69_999]].tolist() == [1, 1, 2] and pairs._counts.sum() == 4
    repeated = pd.concat([table, table.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValidationError, match=f"1 {REPEATED}, e.g. 69999 to 69998;"):
        pairs_from_costs(repeated, origins=ids, destinations=ids)
