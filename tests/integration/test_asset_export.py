"""``mobilise assets export`` on a small workspace, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from mobilise.cli._common import State
from mobilise.cli.asset_export import register
from mobilise.settings import Settings
from mobilise.workspace.asset_export import every_asset

from ..conftest import FIXTURES

HERE = FIXTURES / "workspace"


@pytest.fixture
def register_ws(register):
    """The shared small register with the park made private."""
    park = register.assets.search(text="park").items[0]
    register.assets.update(park.id, version=park.version, changes={"visibility": "private"})
    return register


@pytest.fixture
def cli(register_ws):
    """``mobilise assets`` with only ``export`` in it, on the test's workspace."""
    location = register_ws.engine.url.render_as_string(hide_password=False)
    root = typer.Typer()
    assets = typer.Typer()
    register(assets)
    root.add_typer(assets, name="assets")

    @root.callback()
    def _workspace(ctx: typer.Context) -> None:
        ctx.obj = State(Settings(user="tester"), location)

    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(root, ["assets", "export", *args])

    return run


def test_csv_export_holds_the_public_assets(cli, tmp_path):
    target = tmp_path / "out" / "assets.csv"
    result = cli("csv", str(target))
    assert result.exit_code == 0, result.output
    assert "3 assets written" in result.output
    frame = pd.read_csv(target, dtype=str, keep_default_na=False)
    assert list(frame["name"]) == ["Otherby Choir", "Postcode-only Hall", "Testtown Library"]
    assert set(frame["visibility"]) == {"public"}
    hall = frame.set_index("name").loc["Postcode-only Hall"]
    assert (hall["lon"], hall["lat"], hall["geocode_precision"]) == (
        "-0.0849",
        "51.5049",
        "postcode",
    )


def test_private_assets_only_when_asked(cli, tmp_path):
    result = cli("geojson", str(tmp_path / "all.geojson"), "--include-private", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["assets"] == 4
    document = json.loads((tmp_path / "all.geojson").read_text(encoding="utf-8"))
    park = next(f for f in document["features"] if f["properties"]["name"] == "Riverside Park")
    assert park["properties"]["visibility"] == "private"
    assert park["geometry"]["coordinates"] == [-0.085, 51.505]


def test_place_filter_and_geopackage(cli, tmp_path):
    result = cli("gpkg", str(tmp_path / "testtown.gpkg"), "--place", "testtown")
    assert result.exit_code == 0, result.output
    layer = gpd.read_file(tmp_path / "testtown.gpkg", layer="assets")
    # The choir is in Otherby, the park is private.
    assert sorted(layer["name"]) == ["Postcode-only Hall", "Testtown Library"]
    assert layer.crs.to_epsg() == 4326


def test_hsds_package_zip(cli, tmp_path):
    target = tmp_path / "hsds.zip"
    result = cli("hsds", str(target))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as archive:
        package = json.loads(archive.read("datapackage.json"))
        services = list(csv.DictReader(io.StringIO(archive.read("services.csv").decode())))
    assert "services.csv" in {r["path"] for r in package["resources"]}
    assert sorted(s["name"] for s in services) == [
        "Otherby Choir",
        "Postcode-only Hall",
        "Testtown Library",
    ]


def test_hsds_package_folder_refuses_private(cli, tmp_path):
    result = cli("hsds", str(tmp_path / "hsds"), "--include-private")
    assert result.exit_code != 0
    assert "never holds private assets" in str(result.exception)
    assert not (tmp_path / "hsds").exists()
    assert cli("hsds", str(tmp_path / "hsds")).exit_code == 0
    assert (tmp_path / "hsds" / "services.csv").exists()


def test_unknown_format_is_refused(cli, tmp_path):
    result = cli("shp", str(tmp_path / "x.shp"))
    assert result.exit_code == 2
    assert not (tmp_path / "x.shp").exists()


def test_every_asset_reads_all_pages(register_ws):
    pages = []

    def search(page, per_page):
        pages.append(page)
        return register_ws.assets.search(include_private=True, page=page, per_page=per_page)

    found = every_asset(search, per_page=3)
    assert pages == [1, 2]
    assert len({a.id for a in found}) == 4
