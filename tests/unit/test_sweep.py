"""Chunked access sweeps (mobilise.analysis.sweep): equal to the one-process measures, on Dask or
here, and resumable after a failed chunk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mobilise.analysis import access
from mobilise.analysis.sweep import (
    STRAIGHT_LINE,
    ChunkFailed,
    ChunkPartials,
    Fault,
    Scenario,
    SweepInput,
    make_chunks,
    run_sweep,
)

CATEGORIES = ("park", "library")
CATCHMENTS = (600.0, 1200.0)


def _points(seed: int = 7, n_origins: int = 90, n_destinations: int = 40):
    rng = np.random.default_rng(seed)
    origins = pd.DataFrame(
        {
            "x": rng.uniform(0, 5000, n_origins),
            "y": rng.uniform(0, 5000, n_origins),
            "population": rng.integers(0, 3000, n_origins).astype(float),
        },
        index=pd.Index([f"E0{i:07d}" for i in range(n_origins)], name="area_code"),
    )
    destinations = pd.DataFrame(
        {
            "category": rng.choice(CATEGORIES, n_destinations),
            "x": rng.uniform(0, 5000, n_destinations),
            "y": rng.uniform(0, 5000, n_destinations),
            "supply": rng.integers(1, 5, n_destinations).astype(float),
        },
        index=pd.Index([f"asset-{i}" for i in range(n_destinations)], name="asset_id"),
    )
    return origins, destinations


def _decays(catchment: float) -> dict[str, access.Decay]:
    return {
        "gaussian": access.gaussian(catchment / 2),
        "step": access.step({catchment / 3: 1.0, 2 * catchment / 3: 0.68, catchment: 0.22}),
        "none": access.step({catchment: 1.0}),
    }


def _scenarios() -> list[Scenario]:
    return [
        Scenario(c, m, name, decay)
        for c in CATEGORIES
        for m in CATCHMENTS
        for name, decay in _decays(m).items()
    ]


def _one_process(method, origins, destinations, scenario):
    here = destinations[destinations["category"] == scenario.category]
    pairs = access.pairs_from_points(origins, here, scenario.catchment)
    demand, supply, decay = origins["population"], here["supply"], scenario.weight
    if method == "count":
        return access.count_within(pairs).iloc[:, 0]
    if method == "supply":
        return access.supply_within(pairs, supply).iloc[:, 0]
    if method == "gravity":
        return access.weighted_catchment(pairs, supply, decay).iloc[:, 0]
    if method == "2sfca":
        return access.two_step_fca(pairs, demand, supply, decay=decay).iloc[:, 0]
    if method == "e2sfca":
        return access.enhanced_two_step_fca(pairs, demand, supply, decay).iloc[:, 0]
    if method == "3sfca":
        return access.three_step_fca(pairs, demand, supply, decay).iloc[:, 0]
    return access.balanced_fca(pairs, demand, supply, decay).iloc[:, 0]


def _sweep(method, chunk_size=25, client=None, places=None, **options):
    origins, destinations = _points()
    data = SweepInput(origins, destinations, method, {STRAIGHT_LINE: _scenarios()})
    places = places or {"here": list(origins.index)}
    chunks = make_chunks(places, [STRAIGHT_LINE], chunk_size)
    frames: list[pd.DataFrame] = []
    outcome = run_sweep(
        data,
        chunks,
        client=client,
        on_results=lambda chunk, frame, seconds: frames.append(frame),
        **options,
    )
    return origins, destinations, outcome, frames


def _assert_equal_to_one_process(method, origins, destinations, frames):
    results = pd.concat(frames, ignore_index=True)
    assert len(results) == len(origins) * len(_scenarios())
    for scenario in _scenarios():
        mine = results[
            (results["category"] == scenario.category)
            & (results["catchment"] == scenario.catchment)
            & (results["decay"] == scenario.decay)
        ].set_index("area_code")["value"]
        expected = _one_process(method, origins, destinations, scenario)
        np.testing.assert_allclose(
            mine.reindex(expected.index).to_numpy(), expected.to_numpy(), rtol=1e-9, atol=1e-12
        )


@pytest.mark.parametrize(
    "method", ["count", "supply", "gravity", "2sfca", "e2sfca", "3sfca", "bfca"]
)
def test_a_chunked_sweep_equals_the_one_process_measures(method):
    origins, destinations, outcome, frames = _sweep(method, chunk_size=13)
    assert len(outcome.pass2_chunks) == 7  # 90 origins in chunks of 13
    _assert_equal_to_one_process(method, origins, destinations, frames)


def test_nearest_and_in_reach_come_with_every_origin():
    origins, destinations, _outcome, frames = _sweep("e2sfca")
    results = pd.concat(frames, ignore_index=True)
    scenario = Scenario("park", 600.0, "none", None)
    here = destinations[destinations["category"] == "park"]
    pairs = access.pairs_from_points(origins, here, scenario.catchment)
    expected = access.nearest(pairs)["nearest_cost"]
    rows = results[(results["category"] == "park") & (results["catchment"] == 600.0)]
    rows = rows[rows["decay"] == "none"].set_index("area_code")
    np.testing.assert_allclose(rows["nearest"].reindex(expected.index), expected, equal_nan=True)
    counts = access.count_within(pairs)["count"]
    assert (rows["in_reach"].reindex(counts.index) == counts).all()


def test_demand_crosses_places_so_chunks_of_two_places_equal_one_place():
    origins, _destinations = _points()
    codes = list(origins.index)
    places = {"north": codes[:40], "south": codes[40:]}
    origins, destinations, _outcome, frames = _sweep("2sfca", places=places)
    _assert_equal_to_one_process("2sfca", origins, destinations, frames)
    results = pd.concat(frames, ignore_index=True)
    assert set(results.loc[results["area_code"] == codes[0], "place"]) == {"north"}


def test_on_a_local_dask_cluster_the_sweep_equals_the_one_process_measures():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        origins, destinations, outcome, frames = _sweep("3sfca", client=client)
    assert sorted(outcome.pass1_chunks) == sorted(outcome.pass2_chunks) == [0, 1, 2, 3]
    _assert_equal_to_one_process("3sfca", origins, destinations, frames)


def test_a_failed_chunk_is_named_and_a_resume_recomputes_only_the_unfinished():
    origins, destinations = _points()
    data = SweepInput(origins, destinations, "bfca", {STRAIGHT_LINE: _scenarios()})
    chunks = make_chunks({"here": list(origins.index)}, [STRAIGHT_LINE], 25)
    partials: dict[int, ChunkPartials] = {}
    frames: dict[int, pd.DataFrame] = {}

    def keep_partials(chunk, sums, _seconds):
        partials[chunk.number] = ChunkPartials.from_bytes(sums.to_bytes())  # as stored

    def keep(chunk, frame, _seconds):
        frames[chunk.number] = frame

    with pytest.raises(ChunkFailed, match="chunk 2: ChunkFault") as failed:
        run_sweep(data, chunks, on_partials=keep_partials, on_results=keep, fault=Fault(2))
    assert failed.value.failures.keys() == {2}
    assert sorted(frames) == [0, 1, 3] and sorted(partials) == [0, 1, 2, 3]
    outcome = run_sweep(data, chunks, partials=partials, finished=frames, on_results=keep)
    assert outcome.pass1_chunks == [] and outcome.pass2_chunks == [2]
    _assert_equal_to_one_process("bfca", origins, destinations, list(frames.values()))


def test_a_chunk_failing_in_pass_one_stops_before_pass_two_and_keeps_the_others_sums():
    origins, destinations = _points()
    data = SweepInput(origins, destinations, "2sfca", {STRAIGHT_LINE: _scenarios()})
    chunks = make_chunks({"here": list(origins.index)}, [STRAIGHT_LINE], 25)
    partials: dict[int, ChunkPartials] = {}
    results: list[int] = []
    with pytest.raises(ChunkFailed, match="chunk 1"):
        run_sweep(
            data,
            chunks,
            on_partials=lambda c, s, _t: partials.__setitem__(c.number, s),
            on_results=lambda c, _f, _t: results.append(c.number),
            fault=Fault(1, "pass1"),
        )
    assert sorted(partials) == [0, 2, 3] and results == []
    outcome = run_sweep(data, chunks, partials=partials)
    assert outcome.pass1_chunks == [1] and sorted(outcome.pass2_chunks) == [0, 1, 2, 3]


def test_chunks_cut_each_place_for_every_profile_and_count_an_area_once():
    chunks = make_chunks({"a": ["1", "2", "3"], "b": ["3", "4"]}, ["straight-line", "walk"], 2)
    assert [(c.number, c.place, c.profile, c.origin_ids) for c in chunks] == [
        (0, "a", "straight-line", ("1", "2")),
        (1, "a", "straight-line", ("3",)),
        (2, "b", "straight-line", ("4",)),
        (3, "a", "walk", ("1", "2")),
        (4, "a", "walk", ("3",)),
        (5, "b", "walk", ("4",)),
    ]
