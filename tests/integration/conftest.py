"""A small asset register shared by the asset tests (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pandas as pd
import pytest

from mobilise.formats.assets import read_assets
from mobilise.formats.ons import read_boundaries

from ..conftest import FIXTURES

HERE = FIXTURES / "workspace"


@pytest.fixture
def register(workspace):
    """Three small areas, a place (testtown) over two of them, two postcodes and four assets."""
    workspace.areas.import_boundaries(read_boundaries(HERE / "three_lsoas.geojson"))
    workspace.places.create("testtown", "Testtown", authorities=["E09000001"])
    workspace.postcodes.import_lookup(
        pd.DataFrame(
            {
                "postcode": ["TT1 1AA", "TT1 1AB"],
                "lsoa11_code": ["E01000001", "E01000002"],
                "lon": [-0.0951, -0.0849],
                "lat": [51.5051, 51.5049],
                "easting": [None, None],
                "northing": [None, None],
                "lad_code": ["E09000001", "E09000001"],
                "quality": [10, 10],
            }
        ),
        file="pc.csv",
    )
    report = workspace.assets.import_file(read_assets(HERE / "assets_small.geojson"))
    assert (report.created, report.geocoded_by_postcode, report.not_geocoded) == (4, 1, 0)
    return workspace
