"""A small real place for the "who was reached" tests: four Camden LSOA 2011s from the bundled
demo data (one unchanged in 2021, one split in two, two merged into one), their IMD deciles and
population, the LSOA 2011 -> 2021 lookup, and two postcodes per area."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mobilise.demo import DEMO_DATA
from mobilise.workspace import Workspace

PLACE = "camden-test"
UNCHANGED = "E01000842"  # Camden 011A, the same LSOA in 2021
SPLIT = "E01000953"  # Camden 022B -> E01035708 and E01035709
MERGED = ("E01000864", "E01000865")  # Camden 015A and 015B -> E01035707
CODES = (UNCHANGED, SPLIT, *MERGED)
LSOA21 = (UNCHANGED, "E01035708", "E01035709", "E01035707")
POSTCODES = {UNCHANGED: "NW1 1AA", SPLIT: "NW1 1AB", MERGED[0]: "NW1 1AC", MERGED[1]: "NW1 1AD"}
CENSUS_FILES = {
    "age_band": "age_6cat_lsoa21.csv.gz",
    "sex": "ts008_sex_lsoa21.csv.gz",
    "ethnic_group": "ts021_ethnic_group_5cat_lsoa21.csv.gz",
    "disability": "ts038_disability_lsoa21.csv.gz",
}


def shipped_census_row(dimension: str, lsoa21: str) -> list[int]:
    """The published counts of one LSOA 2021 in the shipped file, read with the csv module
    (not with mobilise), in the file's column order after the total."""
    with gzip.open(DEMO_DATA / "census2021" / CENSUS_FILES[dimension], "rt", encoding="utf-8") as f:
        for row in csv.reader(f):
            if row[0] == lsoa21:
                return [int(v) for v in row[5:]]
    raise LookupError(lsoa21)


def _lines(name: str) -> bytes:
    """The header and the lines of the place's LSOAs of one bundled file."""
    raw = gzip.decompress((DEMO_DATA / name).read_bytes()).splitlines(keepends=True)
    keep = [line for line in raw[1:] if line.decode("utf-8", "replace").split(",", 1)[0] in CODES]
    return raw[0] + b"".join(keep)


def build_place(ws: Workspace, folder: Path) -> None:
    """Areas, lookup, deciles, population and postcodes of the four areas, and the place."""
    features = json.loads((DEMO_DATA / "lsoa11_boundaries.geojson").read_text("utf-8"))
    kept = [f for f in features["features"] if f["properties"]["LSOA11CD"] in CODES]
    boundaries = folder / "camden.geojson"
    boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": kept}))
    ws.areas.import_boundaries(boundaries, area_type="lsoa11")
    ws.areas.import_lookup(
        _lines("lsoa11_lsoa21_lad22_lookup.csv.gz"), name="lookup.csv", kind="lsoa21"
    )
    ws.indicators.import_file(
        io.BytesIO(_lines("File_1_IoD2019_IMD_ranks_deciles_lsoa11.csv.gz")),
        name="file1.csv",
        layout="iod",
    )
    ws.areas.import_population(
        _lines("File_6_IoD2019_population_denominators_lsoa11.csv.gz"),
        name="file6.csv",
        period="mid-2015",
    )
    ws.postcodes.import_lookup(
        pd.DataFrame(
            {
                "postcode": list(POSTCODES.values()),
                "lsoa11_code": list(POSTCODES),
                "lon": [-0.14] * 4,
                "lat": [51.53] * 4,
                "easting": [None] * 4,
                "northing": [None] * 4,
                "lad_code": ["E09000007"] * 4,
                "quality": [10] * 4,
            }
        ),
        file="postcodes.csv",
    )
    ws.places.create(PLACE, "Camden (test)", area_codes=CODES)


def event(ws: Workspace, kind: str, day: str) -> Any:
    return ws.events.create(
        kind=kind,
        title=f"{kind} on {day}",
        place=PLACE,
        starts_at=f"{day}T10:00",
        ends_at=f"{day}T12:00",
    )


def person(
    ws: Workspace,
    sheet: str,
    *,
    area: str = UNCHANGED,
    consent: bool = True,
    **answers: str,
) -> Any:
    """A participant from ``area`` who consented to take part (unless ``consent=False``)."""
    brought_by = answers.pop("brought_by", None)
    found = ws.participants.add(
        place=PLACE, postcode=POSTCODES[area], answers=answers, brought_by=brought_by
    )
    if consent:
        ws.consent.give(
            found.id,
            information_sheet=sheet,
            method="paper",
            scopes={"take_part": True},
            at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    return found
