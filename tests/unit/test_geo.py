"""Postcode normalisation and CRS helpers (mobilise.geo)."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from shapely.geometry import Point

from mobilise.errors import ValidationError
from mobilise.geo import (
    BNG,
    METRES_PER_DEGREE,
    WGS84,
    bng_to_wgs84,
    grid_cell,
    grid_cells_around,
    is_postcode,
    looks_like_lonlat,
    normalise_postcode,
    normalise_postcodes,
    to_bng,
    to_wgs84,
    wgs84_to_bng,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" nn11de ", "NN1 1DE"),
        ("ec1a1bb", "EC1A 1BB"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("w1a  0ax", "W1A 0AX"),
        ("M1 1AE", "M1 1AE"),
        ("b338th", "B33 8TH"),
        ("cr2 6xh", "CR2 6XH"),
        ("dn551pt", "DN55 1PT"),
        ("e1\t0ff", "E1 0FF"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_normalise_postcode_examples(text: str, expected: str) -> None:
    assert normalise_postcode(text) == expected
    assert is_postcode(text)


@pytest.mark.parametrize("text", ["", "hello", "NN1", "1NN 1DE", "NN1 1D", "NN1 DEE", "NN11 1DEE"])
def test_normalise_postcode_rejects_other_shapes(text: str) -> None:
    assert not is_postcode(text)
    with pytest.raises(ValidationError) as caught:
        normalise_postcode(text)
    (problem,) = caught.value.problems
    assert problem.field == "postcode"
    assert repr(text) in problem.message
    assert "NN1 1DE" in problem.message  # the expected shape is shown


_letters = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_digits = st.sampled_from("0123456789")
_outward = st.one_of(
    st.tuples(_letters, _digits).map("".join),
    st.tuples(_letters, _digits, _digits).map("".join),
    st.tuples(_letters, _letters, _digits).map("".join),
    st.tuples(_letters, _letters, _digits, _digits).map("".join),
    st.tuples(_letters, _digits, _letters).map("".join),
    st.tuples(_letters, _letters, _digits, _letters).map("".join),
)
_inward = st.tuples(_digits, _letters, _letters).map("".join)
_space = st.text(alphabet=" \t", max_size=3)


@given(outward=_outward, inward=_inward, data=st.data())
def test_normalise_postcode_any_case_and_spacing(
    outward: str, inward: str, data: st.DataObject
) -> None:
    canonical = f"{outward} {inward}"
    text = data.draw(_space) + outward + data.draw(_space) + inward + data.draw(_space)
    cased = "".join(c.lower() if data.draw(st.booleans()) else c for c in text)
    assert normalise_postcode(cased) == canonical
    assert normalise_postcode(normalise_postcode(cased)) == canonical  # idempotent
    assert normalise_postcodes(pd.Series([cased])).tolist() == [canonical]


def test_normalise_postcodes_marks_bad_values_missing() -> None:
    result = normalise_postcodes(pd.Series(["NN1 1DE", "ec1a1bb", "nope", None, ""]))
    assert result.iloc[:2].tolist() == ["NN1 1DE", "EC1A 1BB"]
    assert result.iloc[2:].isna().all()


def test_bng_round_trip() -> None:
    # ONS population-weighted centroid of E01000001 (City of London 001A).
    lon, lat = bng_to_wgs84([532181.7642], [181792.2818])
    assert lon[0] == pytest.approx(-0.096266, abs=1e-6)
    assert lat[0] == pytest.approx(51.519592, abs=1e-6)
    easting, northing = wgs84_to_bng(lon, lat)
    assert easting[0] == pytest.approx(532181.7642, abs=0.01)
    assert northing[0] == pytest.approx(181792.2818, abs=0.01)


def test_looks_like_lonlat() -> None:
    assert looks_like_lonlat([-0.1, 1.2], [51.5, 52.0])
    assert not looks_like_lonlat([532181.0], [181792.0])


def test_to_bng_and_back() -> None:
    points = gpd.GeoDataFrame(geometry=[Point(-0.096266, 51.519592)], crs=WGS84)
    projected = to_bng(points)
    assert projected.crs == BNG
    assert projected.geometry.x.iloc[0] == pytest.approx(532181.76, abs=0.05)
    back = to_wgs84(projected)
    assert back.crs == WGS84
    assert back.geometry.y.iloc[0] == pytest.approx(51.519592, abs=1e-7)


def test_to_bng_refuses_a_frame_without_crs() -> None:
    with pytest.raises(ValidationError) as caught:
        to_bng(gpd.GeoDataFrame(geometry=[Point(0, 0)]))
    assert caught.value.problems[0].field == "crs"


# -- grid cells for searches around a point ------------------------------------------------------


def test_grid_cell_by_hand():
    # 0.005-degree cells counted from 90 S and 180 W: the middle of a cell avoids rounding doubt.
    # row (51.5025 + 90) / 0.005 = 28300.5 -> 28300; column (-0.0975 + 180) / 0.005 = 35980.5
    assert grid_cell(-0.0975, 51.5025) == 28300 * 100_000 + 35980
    assert grid_cell(-0.0925, 51.5025) == 28300 * 100_000 + 35981  # one cell east
    assert grid_cell(-0.0975, 51.5075) == 28301 * 100_000 + 35980  # one cell north
    assert grid_cell(None, 51.5) is None and grid_cell(float("nan"), 51.5) is None


def test_cells_around_a_small_circle_and_a_wide_one():
    cells = grid_cells_around(-0.0975, 51.5025, 100)
    assert cells == [grid_cell(-0.0975, 51.5025)]  # 100 m from a cell's middle stays inside it
    assert len(grid_cells_around(-0.0975, 51.5025, 1000)) <= 6 * 8
    assert grid_cells_around(-0.0975, 51.5025, 50_000) is None  # too many: the caller uses a box


@given(
    lon=st.floats(-6.0, 1.7),
    lat=st.floats(50.0, 58.5),
    radius=st.floats(1.0, 4_000.0),
    bearing=st.floats(0.0, 2 * math.pi),
    share=st.floats(0.0, 1.0),
)
def test_every_point_within_the_radius_is_in_a_listed_cell(lon, lat, radius, bearing, share):
    # A point ``share`` of the radius away in any direction (distances as the search measures them).
    distance = share * radius
    north = distance * math.cos(bearing) / METRES_PER_DEGREE
    east = distance * math.sin(bearing) / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    cells = grid_cells_around(lon, lat, radius)
    assume(cells is not None)  # too many cells: the search uses a box instead
    assert grid_cell(lon + east, lat + north) in cells
