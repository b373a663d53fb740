"""Imports through the workspace, on SQLite and PostgreSQL: all or nothing, errors that name the
file, row and field."""

from __future__ import annotations

import pandas as pd
import pytest

from mobilise import NotFound, ValidationError
from mobilise.formats.indicators import read_indicator_csv

from ..conftest import FIXTURES

HERE = FIXTURES / "workspace"


@pytest.fixture
def with_areas(workspace):
    workspace.areas.import_boundaries(HERE / "three_lsoas.geojson")
    return workspace


def test_boundaries_create_areas_with_parents_and_centroids(with_areas):
    ws = with_areas
    assert ws.areas.count(area_type="lsoa11") == 3
    area = ws.areas.get("E01000003")
    assert area.name == "Otherby 001A"
    assert area.parent("lad").related_code == "E09000002"
    lon, lat = area.centroid
    assert -0.08 < lon < -0.07 and 51.5 < lat < 51.51  # inside its 0.01 degree square
    assert ws.areas.geometry("E01000003")["type"] == "Polygon"


def test_reimporting_boundaries_updates_instead_of_duplicating(with_areas):
    summary = with_areas.areas.import_boundaries(HERE / "three_lsoas.geojson")
    assert (summary.created, summary.updated) == (0, 3)
    assert with_areas.areas.count() == 3
    assert with_areas.areas.get("E01000001").version == 2


def test_broken_geometry_names_file_row_and_field_and_imports_nothing(workspace):
    with pytest.raises(ValidationError) as caught:
        workspace.areas.import_boundaries(HERE / "broken_geometry.geojson")
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.field) == ("broken_geometry.geojson", 2, "geometry")
    assert workspace.areas.count() == 0


def test_indicator_csv_values_and_metadata(with_areas):
    data = read_indicator_csv(HERE / "indicator_wide.csv")
    with_areas.indicators.import_data(data)
    values = with_areas.indicators.values("green_visits")
    assert values.loc["E01000002", "value"] == 8.0
    assert len(values) == 3
    assert {i.id for i in with_areas.indicators.list()} == {"green_visits", "wellbeing"}


def test_unknown_area_code_names_the_row_and_nothing_is_imported(with_areas):
    data = read_indicator_csv(HERE / "indicator_unknown_area.csv")
    with pytest.raises(ValidationError) as caught:
        with_areas.indicators.import_data(data, area_field="area_code")
    [problem] = caught.value.problems
    assert problem.file == "indicator_unknown_area.csv"
    assert problem.row == 3
    assert problem.field == "area_code"
    assert "E01009999" in problem.message
    assert with_areas.indicators.list() == []


def test_non_numeric_value_names_the_row_and_field(with_areas):
    with pytest.raises(ValidationError) as caught:
        read_indicator_csv(HERE / "indicator_not_numeric.csv")
    [problem] = caught.value.problems
    assert (problem.row, problem.field) == (2, "green_visits")
    assert "lots" in problem.message
    assert with_areas.indicators.list() == []


def test_values_are_replaced_on_reimport(with_areas, tmp_path):
    with_areas.indicators.import_data(read_indicator_csv(HERE / "indicator_wide.csv"))
    changed = tmp_path / "changed.csv"
    changed.write_text("area_code,green_visits\nE01000002,9.5\n")
    with_areas.indicators.import_data(read_indicator_csv(changed))
    values = with_areas.indicators.values("green_visits")
    assert values.loc["E01000002", "value"] == 9.5
    assert values.loc["E01000001", "value"] == 12.5


def test_national_deciles_follow_polarity(with_areas):
    data = read_indicator_csv(HERE / "indicator_wide.csv")
    breaks = {"green_visits": [2, 4, 6, 8, 10, 12, 14, 16, 18]}
    with_areas.indicators.import_data(data, national_breaks=breaks)
    values = with_areas.indicators.values("green_visits")
    # Polarity neutral: decile counts upwards. 12.5 is above the 6th cut point (12) -> decile 7.
    assert values["national_decile"].to_dict() == {
        "E01000001": 7.0,
        "E01000002": 4.0,
        "E01000003": 10.0,
    }


def test_population_and_postcodes(with_areas):
    table = pd.DataFrame(
        {
            "area_code": ["E01000001", "E01000002", "E01009999"],
            "total": [1500, 1600, 10],
            "age_0_15": [300, 320, 1],
            "age_16_59": [900, 950, 5],
            "age_60_plus": [300, 330, 4],
            "working_age": [950, 990, 5],
        }
    )
    summary = with_areas.areas.import_population(table, file="pop.csv", period="mid-2015")
    assert summary.created == 2 and summary.notes
    assert with_areas.areas.get("E01000002").population["total"] == 1600
    lookup = pd.DataFrame(
        {
            "postcode": ["TT1 1AA"],
            "lsoa11_code": ["E01000001"],
            "lon": [-0.095],
            "lat": [51.505],
            "easting": [530000.0],
            "northing": [180000.0],
            "lad_code": ["E09000001"],
            "quality": [10],
        }
    )
    with_areas.postcodes.import_lookup(lookup, file="pc.csv")
    with_areas.places.create("testtown", "Testtown", authorities=["E09000001"])
    found = with_areas.postcodes.geocode(" tt11aa ")
    assert (found.postcode, found.lsoa11_code, found.places) == (
        "TT1 1AA",
        "E01000001",
        ["testtown"],
    )
    with pytest.raises(NotFound, match="TT9 9ZZ"):
        with_areas.postcodes.geocode("TT9 9ZZ")
    with pytest.raises(ValidationError):
        with_areas.postcodes.geocode("not a postcode")


def test_a_failure_midway_rolls_back_every_indicator(with_areas, monkeypatch):
    """The second indicator's insert fails: the first indicator's rows must not stay behind."""
    from mobilise.workspace import indicators as service

    data = read_indicator_csv(HERE / "indicator_wide.csv")
    real_audit = service.audit_import
    calls = []

    def failing_audit(*args, **kwargs):
        calls.append(kwargs.get("entity_id"))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_audit(*args, **kwargs)

    monkeypatch.setattr(service, "audit_import", failing_audit)
    with pytest.raises(RuntimeError):
        with_areas.indicators.import_data(data)
    monkeypatch.undo()
    assert with_areas.indicators.list() == []


def test_polarity_decides_which_end_is_worst(with_areas, tmp_path):
    from mobilise.model.indicators import IndicatorMeta

    meta = {
        "green_visits": IndicatorMeta(
            id="green_visits",
            name="Green visits",
            unit="visits",
            polarity="higher_is_better",
            source="test",
            licence="test",
            period="2024",
        ),
        "wellbeing": IndicatorMeta(
            id="wellbeing",
            name="Low wellbeing",
            unit="score",
            polarity="higher_is_worse",
            source="test",
            licence="test",
            period="2024",
        ),
    }
    data = read_indicator_csv(HERE / "indicator_wide.csv", meta=meta)
    breaks = {
        "green_visits": [2, 4, 6, 8, 10, 12, 14, 16, 18],
        "wellbeing": [1, 2, 3, 4, 5, 6, 7, 7.5, 7.8],
    }
    with_areas.indicators.import_data(data, national_breaks=breaks)
    # More green visits is better: 20 is above every cut point -> the best decile (10).
    assert with_areas.indicators.values("green_visits").loc["E01000003", "national_decile"] == 10
    # Higher wellbeing score is worse here: 7.9 is above every cut point -> the worst decile (1).
    assert with_areas.indicators.values("wellbeing").loc["E01000003", "national_decile"] == 1


def test_postcodes_without_coordinates_are_stored(with_areas):
    lookup = pd.DataFrame(
        {
            "postcode": ["TT1 9ZZ"],
            "lsoa11_code": ["E01000001"],
            "lon": [float("nan")],
            "lat": [float("nan")],
            "easting": [float("nan")],
            "northing": [float("nan")],
            "lad_code": ["E09000001"],
            "quality": [90],
        }
    )
    with_areas.postcodes.import_lookup(lookup, file="pc.csv")
    found = with_areas.postcodes.geocode("TT1 9ZZ")
    assert (found.lon, found.lat, found.lsoa11_code) == (None, None, "E01000001")


def test_reimporting_a_deleted_area_brings_it_back(with_areas):
    from sqlalchemy import update

    from mobilise.store.records import now
    from mobilise.store.tables import areas

    with with_areas.write() as connection:
        connection.execute(
            update(areas)
            .where(areas.c.code == "E01000001")
            .values(deleted_at=now(), deleted_by="t")
        )
    assert with_areas.areas.count() == 2
    with_areas.areas.import_boundaries(HERE / "three_lsoas.geojson")
    assert with_areas.areas.count() == 3


# -- the file verbs: a path, bytes or a stream, parsed inside the workspace ---------------------


def _as(kind, path):
    """The file at ``path`` as the face would hand it over: a path, bytes or a stream."""
    import io

    if kind == "path":
        return path, {}
    if kind == "bytes":
        return path.read_bytes(), {"name": path.name}
    return io.BytesIO(path.read_bytes()), {"name": path.name}


@pytest.mark.parametrize("kind", ["path", "bytes", "stream"])
def test_boundaries_from_a_path_bytes_or_stream(workspace, kind):
    source, named = _as(kind, HERE / "three_lsoas.geojson")
    summary = workspace.areas.import_boundaries(source, **named)
    assert (summary.file, summary.created) == ("three_lsoas.geojson", 3)
    assert workspace.areas.get("E01000003").parent("lad").related_code == "E09000002"


def test_a_bad_boundary_file_given_as_bytes_is_named_in_the_error(workspace):
    data = (HERE / "broken_geometry.geojson").read_bytes()
    with pytest.raises(ValidationError) as caught:
        workspace.areas.import_boundaries(data, name="uploaded.geojson")
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.field) == ("uploaded.geojson", 2, "geometry")
    assert workspace.areas.count() == 0


def test_boundaries_can_join_a_place_in_the_same_transaction(workspace):
    workspace.areas.import_boundaries(HERE / "three_lsoas.geojson")
    workspace.places.create("testtown", "Testtown", area_codes=["E01000001"])
    workspace.areas.import_boundaries(HERE / "three_lsoas.geojson", place="testtown")
    assert workspace.places.get("testtown").n_areas == 3
    with pytest.raises(NotFound):
        workspace.areas.import_boundaries(HERE / "three_lsoas.geojson", place="atlantis")
    assert workspace.areas.get("E01000001").version == 2  # the failed import changed nothing


@pytest.mark.parametrize("kind", ["path", "bytes", "stream"])
def test_indicator_file_from_a_path_bytes_or_stream(with_areas, kind):
    source, named = _as(kind, HERE / "indicator_wide.csv")
    summary = with_areas.indicators.import_file(
        source, columns={"green_visits": "green_visits"}, unit="visits", **named
    )
    assert (summary.file, summary.indicators, summary.values) == (
        "indicator_wide.csv",
        ["green_visits"],
        3,
    )
    indicator = with_areas.indicators.get("green_visits")
    assert (indicator.unit, indicator.source, indicator.licence) == (
        "visits",
        "indicator_wide.csv",
        "unknown",
    )


def test_indicator_file_metadata_options(with_areas):
    with_areas.indicators.import_file(
        HERE / "indicator_wide.csv",
        columns={"wellbeing": "low_wellbeing"},
        indicator_name="Low wellbeing",
        polarity="higher_is_worse",
        period="2024",
        source="Testtown survey",
        licence="OGL-UK-3.0",
    )
    indicator = with_areas.indicators.get("low_wellbeing")
    assert (indicator.name, indicator.polarity, indicator.period) == (
        "Low wellbeing",
        "higher_is_worse",
        "2024",
    )
    assert (indicator.source, indicator.licence) == ("Testtown survey", "OGL-UK-3.0")


def test_indicator_file_errors_name_the_file_row_and_field(with_areas):
    data = (HERE / "indicator_unknown_area.csv").read_bytes()
    with pytest.raises(ValidationError) as caught:
        with_areas.indicators.import_file(data, name="mine.csv", area_column="area_code")
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.field) == ("mine.csv", 3, "area_code")
    with pytest.raises(ValidationError) as caught:
        with_areas.indicators.import_file(HERE / "indicator_wide.csv", layout="sideways")
    assert caught.value.problems[0].field == "layout"
    with pytest.raises(ValidationError) as caught:
        with_areas.indicators.import_file(HERE / "indicator_wide.csv", polarity="upwards")
    assert "upwards" in str(caught.value)
    assert with_areas.indicators.list() == []


def test_iod_file_and_population_from_bytes(with_areas):
    file1 = FIXTURES / "iod2019_file1_excerpt.csv"
    summary = with_areas.indicators.import_file(file1.read_bytes(), name=file1.name, layout="iod")
    assert "imd2019_rank" in summary.indicators
    assert with_areas.indicators.values("imd2019_decile").loc["E01000001", "value"] == 9
    file6 = FIXTURES / "iod2019_file6_excerpt.csv"
    summary = with_areas.areas.import_population(
        file6.read_bytes(), name=file6.name, period="mid-2015"
    )
    assert summary.file == file6.name and summary.created == 3
    assert with_areas.areas.get("E01000001").population["total"] == 1296


@pytest.mark.parametrize("kind", ["path", "bytes", "stream"])
def test_lookup_from_a_path_bytes_or_stream(with_areas, kind):
    source, named = _as(kind, HERE / "msoa_lookup.csv")
    summary = with_areas.areas.import_lookup(source, kind="msoa11", **named)
    assert (summary.file, summary.links) == ("msoa_lookup.csv", 3)
    assert with_areas.areas.get("E01000001").parent("msoa").related_code == "E02000001"


def test_a_bad_lookup_is_named_and_an_unknown_kind_refused(with_areas):
    with pytest.raises(ValidationError) as caught:
        with_areas.areas.import_lookup(b"code,nothing\nE01000001,x\n", name="l.csv", kind="msoa11")
    assert caught.value.problems[0].file == "l.csv"
    with pytest.raises(ValidationError) as caught:
        with_areas.areas.import_lookup(HERE / "msoa_lookup.csv", kind="nope")
    assert caught.value.problems[0].field == "kind"


def test_postcode_lookup_from_a_file_or_its_bytes(workspace):
    path = FIXTURES / "codepoint_excerpt.csv"
    summary = workspace.postcodes.import_lookup(path)
    assert (summary.file, summary.created) == ("codepoint_excerpt.csv", 4)
    assert workspace.postcodes.geocode("CV23 0AE").lsoa11_code == "E01027030"
    with pytest.raises(ValidationError) as caught:
        workspace.postcodes.import_lookup(b"postcode\nNOT A CODE\n", name="pc.csv")
    assert caught.value.problems[0].file == "pc.csv"
    assert workspace.postcodes.count() == 4


def test_area_codes_file_from_bytes(with_areas):
    codes = with_areas.places.read_area_codes(b"\xef\xbb\xbfE01000001\n\n E01000002 \n")
    assert codes == ["E01000001", "E01000002"]
    with pytest.raises(ValidationError) as caught:
        with_areas.places.read_area_codes(b"\xff\xfe\x00E", name="codes.txt")
    assert caught.value.problems[0].file == "codes.txt"
