"""Postcode normalisation and CRS helpers (mobilise.geo)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point

from mobilise.errors import ValidationError
from mobilise.geo import (
    BNG,
    WGS84,
    bng_to_wgs84,
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
