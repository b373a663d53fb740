"""The demo workspace holds the real data of both places."""

from __future__ import annotations

import gzip

import pandas as pd
from sqlalchemy import func, select

from mobilise.demo import DEMO_DATA
from mobilise.store.tables import indicator_values


def test_1130_lsoas_with_imd_2019(demo_workspace):
    ws = demo_workspace
    assert ws.areas.count(area_type="lsoa11") == 1130
    with ws.read() as connection:
        for indicator in ("imd2019_score", "imd2019_rank", "imd2019_decile"):
            n = connection.execute(
                select(func.count()).where(indicator_values.c.indicator_id == indicator)
            ).scalar_one()
            assert n == 1130, indicator
    places = {p.slug: p for p in ws.places.list()}
    assert places["northamptonshire"].n_areas == 422
    assert places["inner-north-east-london"].n_areas == 708


def test_values_match_the_published_file(demo_workspace):
    """Ranks read through the BOM and thousands separators equal the MHCLG file's."""
    with gzip.open(
        DEMO_DATA / "File_1_IoD2019_IMD_ranks_deciles_lsoa11.csv.gz", "rt", encoding="utf-8-sig"
    ) as f:
        published = pd.read_csv(f, thousands=",").set_index("LSOA code (2011)")
    stored = demo_workspace.indicators.values("imd2019_rank")["value"]
    expected = published["Index of Multiple Deprivation (IMD) Rank"].astype(float)
    pd.testing.assert_series_equal(stored.sort_index(), expected.sort_index(), check_names=False)


def test_population_health_and_access_are_present(demo_workspace):
    ws = demo_workspace
    profile = {v.indicator.id: v for v in ws.indicators.for_area("E01027240")}
    for indicator in (
        "ypll2019",
        "cidr2019",
        "acute_morbidity2019",
        "mood_anxiety2019",
        "parks_distance_m",
    ):
        assert indicator in profile
        assert profile[indicator].national_decile is not None
    area = ws.areas.get("E01027240")
    assert area.population["total"] == 1363
    assert area.parent("msoa").related_code == "E02005667"
    assert any(link.related_type == "ruc11" for link in area.links)
    assert area.centroid_method and area.centroid_method.startswith("pwc21")


def test_core20_matches_imd_deciles(demo_workspace):
    deciles = demo_workspace.indicators.place_values("imd2019_decile", "northamptonshire")["value"]
    place = demo_workspace.places.get("northamptonshire")
    assert place.core20_areas == int((deciles <= 2).sum())


def test_rebuilding_the_demo_is_idempotent(demo_workspace, tmp_path):
    from mobilise import open_workspace
    from mobilise.workspace.demo import build_demo

    ws = open_workspace(tmp_path / "again.sqlite")
    build_demo(ws)
    ws.places.delete("northamptonshire")
    build_demo(ws)
    assert ws.areas.count() == 1130
    assert len(ws.places.list()) == 3  # Camden too: the place of the demo's street network
    assert len(ws.indicators.values("imd2019_score")) == 1130
    assert len(ws.maps.list()) == 2  # the demo's maps are not added twice


def test_demo_builds_on_postgresql(postgres_url):
    from mobilise import open_workspace
    from mobilise.workspace.demo import build_demo

    with open_workspace(postgres_url) as ws:
        report = build_demo(ws)
        assert report.areas == 1130
        assert len(ws.indicators.values("imd2019_score")) == 1130
        assert ws.postcodes.geocode("NN1 1DE").lsoa11_code == "E01027223"
        assert ws.places.get("inner-north-east-london").n_areas == 708
