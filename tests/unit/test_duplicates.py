"""Candidate duplicate assets (mobilise.analysis.duplicates): answers checkable by hand."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise.analysis.duplicates import (
    PAIR_COLUMNS,
    candidate_pairs,
    duplicate_clusters,
    name_similarity,
    normalise_name,
)
from mobilise.errors import ValidationError
from mobilise.geo import bng_to_wgs84

# A point in Hackney, British National Grid metres.
E0, N0 = 534_000.0, 184_500.0


def frame(*rows: tuple[str, str, str, float | None, float | None, str | None]) -> pd.DataFrame:
    """Assets from (id, name, source, easting offset m, northing offset m, postcode)."""
    east = [E0 + r[3] if r[3] is not None else np.nan for r in rows]
    north = [N0 + r[4] if r[4] is not None else np.nan for r in rows]
    lon, lat = bng_to_wgs84(east, north)
    return pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "source": [r[2] for r in rows],
            "lon": lon,
            "lat": lat,
            "postcode": [r[5] for r in rows],
        }
    )


def test_two_points_50_m_apart_from_two_sources():
    pairs = candidate_pairs(
        frame(
            ("a", "Hackney Empire", "gla", 0, 0, None), ("b", "Hackney Empire", "osm", 50, 0, None)
        )
    )
    assert list(pairs.columns) == list(PAIR_COLUMNS)
    [pair] = pairs.to_dict("records")
    assert (pair["asset_a"], pair["asset_b"]) == ("a", "b")
    assert pair["distance_m"] == pytest.approx(50.0, abs=0.1)
    assert pair["name_similarity"] == 1.0
    assert (pair["same_postcode"], pair["same_source"]) == (False, False)
    # 0.6 x names alike + 0.3 x (1 - 50 / 100) closeness + 0.1 x no shared postcode
    assert pair["score"] == pytest.approx(0.75, abs=0.001)
    assert pair["reason"] == "same name, 50 m apart"


def test_too_far_apart_unless_the_limit_is_wider():
    assets = frame(("a", "Library", "gla", 0, 0, None), ("b", "Library", "osm", 0, 150, None))
    assert candidate_pairs(assets).empty
    assert len(candidate_pairs(assets, max_distance_m=200)) == 1


def test_same_postcode_pairs_even_without_a_location():
    assets = frame(
        ("b", "St. Mary's Community Center", "osm", None, None, "e8 1dy"),
        ("a", "The St Marys Community Centre", "libs", 0, 0, "E8 1DY"),
    )
    [pair] = candidate_pairs(assets).to_dict("records")
    assert (pair["asset_a"], pair["asset_b"]) == ("a", "b")  # ordered, whatever the input order
    assert math.isnan(pair["distance_m"])
    assert pair["same_postcode"] and pair["name_similarity"] == 1.0
    assert pair["score"] == pytest.approx(0.7)  # 0.6 names + 0 closeness + 0.1 postcode
    assert pair["reason"] == "same postcode, same name"


def test_reason_in_plain_words():
    assets = frame(
        ("a", "Hackney Empire", "gla", 0, 0, "E8 1EJ"),
        ("b", "Hackney Empire Theatre", "osm", 12, 0, "E8 1EJ"),
    )
    [pair] = candidate_pairs(assets).to_dict("records")
    # (28 / 36 matching characters + 1 for the words that are not a kind of venue) / 2
    assert pair["name_similarity"] == pytest.approx(0.889)
    assert pair["reason"] == "same postcode, names 89% alike, 12 m apart"


@pytest.mark.parametrize(
    ("other_name", "metres", "expected"),
    [
        ("Hackney Empire", 10, 1),  # one source listing a venue twice, almost on top
        ("Hackney Empire", 30, 0),  # same source: must be under 25 m
        ("Hackney Empire Theatre", 10, 0),  # same source: names must be at least 0.9 alike
    ],
)
def test_pairs_within_one_source_need_near_identical_names_very_close(other_name, metres, expected):
    assets = frame(
        ("a", "Hackney Empire", "gla", 0, 0, None), ("b", other_name, "gla", metres, 0, None)
    )
    pairs = candidate_pairs(assets)
    assert len(pairs) == expected
    assert pairs["same_source"].all()


def test_unlike_names_are_not_pairs_however_close():
    assets = frame(
        ("a", "Hackney Empire", "gla", 0, 0, "E8 1EJ"), ("b", "Tesco", "osm", 0, 0, "E8 1EJ")
    )
    assert candidate_pairs(assets).empty


def test_most_likely_first():
    assets = frame(
        ("a", "Rich Mix", "gla", 0, 0, None),
        ("b", "Rich Mix", "osm", 80, 0, None),
        ("c", "Rich Mix Cinema", "osm", 5, 0, None),
    )
    pairs = candidate_pairs(assets)
    assert (pairs["asset_a"][0], pairs["asset_b"][0]) == ("a", "c")
    assert pairs["score"].is_monotonic_decreasing


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("The Hackney Empire Ltd.", "hackney empire"),
        ("St. Mary's Community Center", "st marys community centre"),
        ("Arts & Crafts CIC", "arts crafts"),
        ("Théâtre-Technis", "theatre technis"),
        ("Museum of London", "museum london"),
    ],
)
def test_normalise_name(name, expected):
    assert normalise_name(name) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Hackney Central Library", "Library, Hackney Central", 1.0),
        ("Oak Tree Community Center", "The Oak Tree Community Centre", 1.0),
        ("Library", "Library", 1.0),
        ("", "Library", 0.0),
        ("abcd", "wxyz", 0.0),
    ],
)
def test_name_similarity(a, b, expected):
    assert name_similarity(a, b) == pytest.approx(expected)


def test_a_kind_of_venue_alone_does_not_make_names_alike():
    assert name_similarity("Library", "Hackney Central Library") < 0.6
    assert name_similarity("Hackney Museum", "Camera Museum") < 0.6


def test_bad_input_is_reported_at_once():
    with pytest.raises(ValidationError) as caught:
        candidate_pairs(pd.DataFrame({"id": ["a"], "name": ["x"]}), max_distance_m=0)
    fields = {p.field for p in caught.value.problems}
    assert fields == {"source", "lon", "lat", "postcode", "max_distance_m"}


def test_no_assets_no_pairs():
    pairs = candidate_pairs(frame())
    assert pairs.empty and list(pairs.columns) == list(PAIR_COLUMNS)


def test_clusters_are_connected_components():
    assert duplicate_clusters([("a", "b"), ("c", "b"), ("y", "x"), ("d", "c")]) == [
        ["a", "b", "c", "d"],
        ["x", "y"],
    ]
    assert duplicate_clusters([]) == []


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 300),
            st.integers(0, 300),
            st.sampled_from(["Hall", "Hale", "Oak Hall", "Tesco"]),
            st.sampled_from(["gla", "osm"]),
        ),
        min_size=0,
        max_size=25,
    )
)
def test_spatial_index_finds_what_comparing_every_pair_would(points):
    """The index never misses a pair that comparing all pairs (the slow way) would keep."""
    assets = frame(
        *[(f"{i:03d}", name, source, e, n, None) for i, (e, n, name, source) in enumerate(points)]
    )
    expected = set()
    for (i, (e1, n1, name1, s1)), (j, (e2, n2, name2, s2)) in itertools.combinations(
        enumerate(points), 2
    ):
        metres = math.hypot(e1 - e2, n1 - n2)
        alike = name_similarity(name1, name2)
        if metres > 100 or alike < 0.6:
            continue
        if s1 == s2 and (alike < 0.9 or metres >= 25):
            continue
        expected.add((f"{i:03d}", f"{j:03d}"))
    pairs = candidate_pairs(assets)
    assert set(zip(pairs["asset_a"], pairs["asset_b"], strict=True)) == expected
