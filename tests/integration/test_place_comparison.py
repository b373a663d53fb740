"""ws.comparison on SQLite and PostgreSQL: two small real places (Camden LSOAs from the bundled
data), an age-standardised indicator computed from counts, and bad input."""

from __future__ import annotations

import io

import numpy as np
import pytest

from mobilise.analysis import rates
from mobilise.errors import NotFound, ValidationError
from mobilise.workspace import Workspace
from mobilise.workspace.place_comparison import SECTION_ORDER

from .._reach import CODES, build_place

NORTH, SOUTH = CODES[:2], CODES[2:]


def _counts() -> tuple[bytes, np.ndarray, np.ndarray]:
    """Deaths and residents by area and ESP 2013 band (the first place's areas older)."""
    events = np.array([[1 + (b // 3) + 2 * (i < 2) for b in range(19)] for i in range(4)])
    people = np.array([[400 + 10 * b + 50 * i for b in range(19)] for i in range(4)])
    lines = ["area_code,age_band,count,population"]
    for i, code in enumerate(CODES):
        for b, band in enumerate(rates.ESP2013_BANDS):
            lines.append(f"{code},{band},{events[i, b]},{people[i, b]}")
    return "\n".join(lines).encode(), events, people


@pytest.fixture
def places(workspace: Workspace, tmp_path) -> Workspace:
    build_place(workspace, tmp_path)
    workspace.places.create("north-part", "North part", area_codes=NORTH)
    workspace.places.create("south-part", "South part", area_codes=SOUTH)
    workspace.places.create("empty-place", "Empty place")
    data, _events, _people = _counts()
    workspace.indicators.compute(
        io.BytesIO(data), name="deaths.csv", indicator_id="deaths_dsr", method="dsr"
    )
    return workspace


def test_sections_in_order_with_their_provenance(places: Workspace) -> None:
    found = places.comparison.compare(["north-part", "south-part"])
    assert [s.key for s in found.sections] == [key for key, _ in SECTION_ORDER]
    for section in found.to_dict()["sections"]:
        assert set(section) >= {"source", "date", "licence", "method", "sentences"}
    assert found.slugs == ["north-part", "south-part"]


def test_age_standardised_indicator_is_the_areas_dsrs_weighted(places: Workspace) -> None:
    found = places.comparison.compare("north-part,south-part", indicators=["deaths_dsr"])
    health = found.section("health")
    _data, events, people = _counts()
    by_area = rates.dsr(events, people)
    north = health.places["north-part"]["indicators"]["deaths_dsr"]
    weights = people[:2].sum(axis=1)
    assert north["value"] == pytest.approx(np.average(by_area.value[:2], weights=weights))
    assert north["standardised"].startswith("age-standardised")
    assert "Age-standardised: Deaths dsr" in health.method
    (gap,) = health.differences
    assert gap["first"] == "north-part" and gap["indicator"] == "deaths_dsr"
    assert gap["lower"] < gap["value"] < gap["upper"]


def test_deprivation_and_assets_are_counted_from_the_store(places: Workspace) -> None:
    found = places.comparison.compare(["north-part", "south-part"])
    deprivation = found.section("deprivation").places["north-part"]
    residents = places.engagement.population("north-part", "imd_decile")
    core20 = residents.loc[residents["group"] <= 2, "count"].sum() / residents["count"].sum()
    assert deprivation["core20_resident_share"] == pytest.approx(core20)
    assets = found.section("assets")
    assert assets.places["north-part"]["assets"] == 0
    assert "not a sample" in assets.method


@pytest.mark.parametrize(
    ("given", "error", "words"),
    [
        (["north-part"], ValidationError, "Cannot compare those places"),
        (["north-part", "north-part"], ValidationError, "Cannot compare those places"),
        (["north-part", "nowhere", "elsewhere"], NotFound, "'nowhere', 'elsewhere'"),
        (["north-part", "empty-place"], ValidationError, "without areas"),
    ],
)
def test_bad_input(places: Workspace, given: list[str], error: type, words: str) -> None:
    with pytest.raises(error, match=words) as raised:
        places.comparison.compare(given)
    if isinstance(raised.value, ValidationError):
        assert raised.value.problems[0].field == "places"
