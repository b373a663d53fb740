"""The asset register's file verbs: every import takes a path, bytes or a stream and parses inside
the workspace; every export takes a path or a stream and leaves nothing half-written."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import httpx
import pytest

from mobilise import ValidationError
from mobilise.formats import asset_export as writers

from ..conftest import FIXTURES

HERE = FIXTURES / "workspace"
GEOJSON = HERE / "assets_small.geojson"


@pytest.mark.parametrize("given", ["path", "bytes", "stream"])
def test_import_file_takes_a_path_bytes_or_a_stream(sqlite_workspace, given):
    source = {
        "path": GEOJSON,
        "bytes": GEOJSON.read_bytes(),
        "stream": io.BytesIO(GEOJSON.read_bytes()),
    }[given]
    name = None if given == "path" else "halls.geojson"
    report = sqlite_workspace.assets.import_file(source, name=name, licence="OGL-UK-3.0")
    assert report.created == 4
    assert report.file == ("assets_small.geojson" if given == "path" else "halls.geojson")
    library = sqlite_workspace.assets.search(text="library").items[0]
    assert library.licence == "OGL-UK-3.0"


def test_a_bad_upload_is_named_in_the_error_and_nothing_is_stored(sqlite_workspace):
    upload = io.BytesIO((HERE / "assets_bad.csv").read_bytes())
    with pytest.raises(ValidationError) as caught:
        sqlite_workspace.assets.import_file(upload, name="my halls.csv")
    problems = caught.value.problems
    assert {p.file for p in problems} == {"my halls.csv"}
    assert {(p.row, p.field) for p in problems} >= {(2, "postcode")}
    assert sqlite_workspace.assets.count() == 0
    with pytest.raises(ValidationError) as unknown:
        sqlite_workspace.assets.import_file(b"name,category\n", name="halls.docx")
    assert unknown.value.problems[0].file == "halls.docx"


def test_skipped_rows_are_saved_with_their_problems(sqlite_workspace, tmp_path):
    report = sqlite_workspace.assets.import_file(HERE / "assets_bad.csv", skip_invalid=True)
    assert report.created == 1 and report.invalid == 2
    assert "invalid_rows" not in report.to_dict()
    stream = io.BytesIO()
    assert report.save_invalid_rows(stream) == 2
    rows = list(csv.DictReader(io.StringIO(stream.getvalue().decode("utf-8"))))
    assert [r["name"] for r in rows] == ["Bad Postcode Hall", "Bad Latitude"]
    assert rows[0]["row"] == "2" and "postcode" in rows[0]["problems"]
    target = tmp_path / "bad.invalid.csv"
    report.save_invalid_rows(target)
    assert target.read_bytes() == stream.getvalue()


def test_export_to_a_stream_and_to_a_path(register, tmp_path):
    stream = io.BytesIO()
    assert register.assets.export(stream, format="geojson", place="testtown") == 3
    names = {f["properties"]["name"] for f in json.loads(stream.getvalue())["features"]}
    assert names == {"Testtown Library", "Riverside Park", "Postcode-only Hall"}
    package = io.BytesIO()
    assert register.assets.export(package, format="hsds") == 4
    with zipfile.ZipFile(package) as archive:
        assert "services.csv" in archive.namelist()
    target = tmp_path / "new" / "assets.csv"
    assert register.assets.export(target, format="csv", text="choir") == 1
    assert "Otherby Choir" in target.read_text(encoding="utf-8")


def test_an_hsds_package_goes_into_a_folder_that_exists(register, tmp_path):
    out = tmp_path / "out"
    folder = out / "hsds"
    folder.mkdir(parents=True)
    (folder / "services.csv").write_text("old", encoding="utf-8")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    assert register.assets.export(folder, format="hsds") == 4
    assert "Testtown Library" in (folder / "services.csv").read_text(encoding="utf-8")
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in out.iterdir()) == ["hsds"]


def test_an_export_that_fails_leaves_nothing_behind(register, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()

    def broken(rows, path, *, include_private=False):
        path.write_text("half a file", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(writers, "write_csv", broken)
    with pytest.raises(OSError):
        register.assets.export(out / "assets.csv", format="csv")
    assert list(out.iterdir()) == []
    with pytest.raises(ValidationError) as refused:
        register.assets.export(out / "x.shp", format="shp")
    assert refused.value.problems[0].field == "format"
    with pytest.raises(ValidationError, match="never holds private"):
        register.assets.export(out / "hsds", format="hsds", include_private=True)
    assert list(out.iterdir()) == []


def _serve(path):
    body = path.read_bytes()
    return httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    )


def test_import_oruk_reads_the_feed_through_the_workspace(sqlite_workspace):
    steps = []
    report = sqlite_workspace.assets.import_oruk(
        "https://feed.example.org/oruk/",
        client=_serve(FIXTURES / "oruk" / "default_service_list.json"),
        progress=lambda step, done, total: steps.append(step),
    )
    assert report.created == 1 and report.file == "https://feed.example.org/oruk"
    assert steps[0] == "Reading the feed" and steps[-1] == "Storing assets"
    [asset] = sqlite_workspace.assets.search().items
    assert asset.source == "oruk:https://feed.example.org/oruk"


def test_download_osm_saves_the_overpass_answer(sqlite_workspace):
    saved = io.BytesIO()
    answer = FIXTURES / "assets" / "overpass_small.json"
    elements = sqlite_workspace.assets.download_osm(
        saved, bbox=(-0.2, 51.4, 0.1, 51.6), client=_serve(answer)
    )
    assert elements == len(json.loads(answer.read_text())["elements"]) > 0
    report = sqlite_workspace.assets.import_file(
        saved.getvalue(), name="osm.json", format="overpass"
    )
    assert report.created >= 2
    with pytest.raises(ValidationError, match="place or a bounding box"):
        sqlite_workspace.assets.download_osm(io.BytesIO())


def test_the_feed_service_checks_proximity_and_pages_terms(register):
    with pytest.raises(ValidationError) as caught:
        register.oruk.search(proximity=100)
    assert caught.value.problems[0].field == "proximity"
    base = "https://example.org/oruk"
    first = register.oruk.taxonomy_terms(base_url=base, per_page=2)
    assert first["size"] == 2 and first["total_items"] == len(register.assets.feed_terms())
    found = register.oruk.search(page=1, per_page=10)
    assert found.total == 4 and not found.items and len(found.keys) == 4
    with pytest.raises(ValidationError) as paged:
        register.oruk.organizations(base_url=base, page=0)
    assert {p.field for p in paged.value.problems} == {"page"}
