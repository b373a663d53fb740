"""Boundary file reader (mobilise.formats.ons)."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point, box

from mobilise.errors import ValidationError
from mobilise.formats.ons import read_boundaries

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _problems(path: Path, **options: Any) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ValidationError) as caught:
        read_boundaries(path, **options)
    return [(p.row, p.field, p.message) for p in caught.value.problems]


def _bng_squares(codes: list[str], field: str = "LAD22CD") -> gpd.GeoDataFrame:
    # 1 km squares in central London, British National Grid metres.
    squares = [box(530000 + 1000 * i, 180000, 531000 + 1000 * i, 181000) for i in range(len(codes))]
    names = [f"Area {i + 1}" for i in range(len(codes))]
    return gpd.GeoDataFrame(
        {field: codes, field[:-2] + "NM": names}, geometry=squares, crs="EPSG:27700"
    )


def test_geojson_three_features() -> None:
    data = read_boundaries(FIXTURES / "boundaries_three.geojson")
    areas = data.areas
    assert data.area_type == "lsoa11"
    assert data.file == "boundaries_three.geojson"
    assert list(areas.columns[:4]) == ["code", "name", "geometry", "source_row"]
    assert set(areas.columns) == {
        "code",
        "name",
        "geometry",
        "source_row",
        "LAD22CD",
        "Shape__Area",
    }
    assert areas["code"].tolist() == ["E01000001", "E01000002", "E01000003"]
    assert areas["name"].tolist()[0] == "City of London 001A"
    assert areas["source_row"].tolist() == [1, 2, 3]
    assert areas.crs == "EPSG:4326"
    assert areas["LAD22CD"].tolist() == ["E09000001"] * 3
    first = shapely.get_coordinates(areas.geometry.iloc[0])[0]
    assert first.tolist() == [-0.094744, 51.520596]  # rounded to 6 decimals
    assert areas.geometry.is_valid.all()


def test_geojson_gz(tmp_path: Path) -> None:
    path = tmp_path / "areas.geojson.gz"
    path.write_bytes(gzip.compress((FIXTURES / "boundaries_three.geojson").read_bytes()))
    assert len(read_boundaries(path).areas) == 3


def test_bow_tie_is_reported_with_its_reason() -> None:
    ((row, field, message),) = _problems(FIXTURES / "boundaries_bowtie.geojson")
    assert (row, field) == (2, "geometry")
    assert "Self-intersection" in message
    assert "fix_invalid=True" in message


def test_bow_tie_repaired_on_request() -> None:
    areas = read_boundaries(FIXTURES / "boundaries_bowtie.geojson", fix_invalid=True).areas
    assert len(areas) == 3
    repaired = areas.geometry.iloc[1]
    assert repaired.geom_type == "MultiPolygon"
    assert repaired.is_valid
    assert repaired.area == pytest.approx(0.0000005, rel=1e-3)  # two triangles, square degrees


def test_unparseable_geometries_name_their_feature() -> None:
    problems = _problems(FIXTURES / "boundaries_unparseable.geojson")
    assert [(row, field) for row, field, _ in problems] == [(2, "geometry"), (3, "geometry")]
    assert all("cannot be read" in message for _, _, message in problems)


def test_codes_geometry_types_and_duplicates(tmp_path: Path) -> None:
    square = box(-0.1, 51.5, -0.09, 51.51).__geo_interface__
    features = [
        {"LSOA21CD": "E01000001", "geometry": square},
        {"LSOA21CD": "E01000001", "geometry": square},
        {"LSOA21CD": "", "geometry": square},
        {"LSOA21CD": "X123", "geometry": square},
        {"LSOA21CD": "E01000005", "geometry": None},
        {"LSOA21CD": "E01000006", "geometry": Point(-0.1, 51.5).__geo_interface__},
    ]
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"LSOA21CD": f["LSOA21CD"]},
                "geometry": f["geometry"],
            }
            for f in features
        ],
    }
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(document))
    problems = _problems(path)
    assert [(row, field) for row, field, _ in problems] == [
        (2, "LSOA21CD"),
        (3, "LSOA21CD"),
        (4, "LSOA21CD"),
        (5, "geometry"),
        (6, "geometry"),
    ]
    messages = [message for _, _, message in problems]
    assert "first at row 1" in messages[0]
    assert "blank" in messages[1]
    assert "'X123' is not a GSS area code" in messages[2]
    assert "no geometry" in messages[3]
    assert "Point" in messages[4]


def test_no_code_field_lists_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "nocode.geojson"
    gpd.GeoDataFrame({"label": ["a"]}, geometry=[box(0, 51, 0.1, 51.1)], crs=4326).to_file(path)
    ((row, field, message),) = _problems(path)
    assert (row, field) == (None, "code")
    assert "'label'" in message


def test_explicit_code_field(tmp_path: Path) -> None:
    path = tmp_path / "plain.geojson"
    frame = gpd.GeoDataFrame(
        {"code": ["E09000007"], "name": ["Camden"], "id": [7]},
        geometry=[box(-0.2, 51.5, -0.1, 51.6)],
        crs=4326,
    )
    frame.to_file(path)
    data = read_boundaries(path)
    assert data.area_type is None
    assert data.areas[["code", "name", "id"]].values.tolist() == [["E09000007", "Camden", 7]]


def test_geopackage_in_british_national_grid(tmp_path: Path) -> None:
    path = tmp_path / "lads.gpkg"
    _bng_squares(["E09000007", "E09000012"]).to_file(path, layer="lad")
    data = read_boundaries(path)
    assert data.area_type == "lad22"
    assert data.areas.crs == "EPSG:4326"
    assert data.areas["name"].tolist() == ["Area 1", "Area 2"]
    minx, miny, _, _ = data.areas.geometry.iloc[0].bounds
    assert minx == pytest.approx(-0.1279, abs=0.001)
    assert miny == pytest.approx(51.5042, abs=0.001)


def test_geopackage_with_several_layers_needs_a_layer(tmp_path: Path) -> None:
    path = tmp_path / "two.gpkg"
    _bng_squares(["E09000007"]).to_file(path, layer="camden")
    _bng_squares(["E09000012"]).to_file(path, layer="hackney")
    ((_, _, message),) = _problems(path)
    assert "'camden', 'hackney'" in message
    assert read_boundaries(path, layer="hackney").areas["code"].tolist() == ["E09000012"]


def test_zipped_shapefile(tmp_path: Path) -> None:
    folder = tmp_path / "shp"
    folder.mkdir()
    _bng_squares(["E02000001"], field="MSOA11CD").to_file(folder / "msoa.shp")
    archive = tmp_path / "msoa.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for part in folder.iterdir():
            bundle.write(part, part.name)
    data = read_boundaries(archive)
    assert data.area_type == "msoa11"
    assert data.areas["code"].tolist() == ["E02000001"]


def test_shapefile_without_crs(tmp_path: Path) -> None:
    projected = _bng_squares(["E09000007"])
    projected.to_file(tmp_path / "bng.shp")
    (tmp_path / "bng.prj").unlink()
    ((row, field, message),) = _problems(tmp_path / "bng.shp")
    assert (row, field) == (None, "geometry")
    assert "EPSG:27700" in message

    degrees = projected.to_crs(4326)
    degrees.to_file(tmp_path / "deg.shp")
    (tmp_path / "deg.prj").unlink()
    assert read_boundaries(tmp_path / "deg.shp").areas.crs == "EPSG:4326"


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "junk.gpkg"
    path.write_text("not a geopackage")
    ((row, _, message),) = _problems(path)
    assert row is None and "cannot read" in message
    missing = _problems(tmp_path / "absent.geojson")
    assert "does not exist" in missing[0][2]
