"""Limits on what an imported file may hold (issue 14, findings 3 and 7): decompression bombs,
rows, nesting; each refusal a ValidationError that names the limit and its setting."""

from __future__ import annotations

import gzip
import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from mobilise.errors import ValidationError
from mobilise.formats import (
    kumu,
    loopy,
    map_formats,
    map_graphml,
    mentalmodeler,
    partner_files,
    prsm,
    vensim,
)
from mobilise.formats._limits import check_zip, inflate_gzip, json_depth, load_json, parse_xml
from mobilise.formats._lzstring import compress_to_utf16
from mobilise.formats._map_files import read_workbook
from mobilise.formats._tables import read_table, table_from_text
from mobilise.formats.assets import read_assets
from mobilise.formats.map_edgelist import read_edge_list
from mobilise.formats.ons import read_boundaries
from mobilise.settings import Limits, Settings

FIXTURES = Path(__file__).parent.parent / "fixtures"
SMALL = Limits(max_decompressed_mb=1, max_rows=5, max_json_depth=8)


def refused(error: pytest.ExceptionInfo[ValidationError], setting: str) -> None:
    """The error names the limit and the variable that sets it."""
    text = str(error.value)
    assert setting in text and f"MOBILISE_{setting.upper()}" in text, text


def zeros_gzip(size: int) -> bytes:
    """A gzip of ``size`` zero bytes, made without holding them (a bomb of any size)."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1024 * 1024)
    parts = [deflate.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join([*parts, deflate.flush()])


def test_the_settings_give_the_limits() -> None:
    limits = Settings(max_rows=7, max_upload_mb=3).limits
    assert (limits.max_rows, limits.upload_bytes) == (7, 3 * 1024 * 1024)
    assert Settings().limits == Limits()


# -- decompression bombs -----------------------------------------------------------------------
def test_a_gzip_bomb_is_refused_before_it_is_inflated() -> None:
    bomb = zeros_gzip(300 * 1024 * 1024)  # the issue's: 194 KB that inflated to 300 MB
    assert len(bomb) < 400_000
    with pytest.raises(ValidationError) as error:
        inflate_gzip(bomb, name="bomb.csv.gz")
    refused(error, "max_compression_ratio")


def test_a_gzip_that_lies_about_its_size_stops_at_the_limit() -> None:
    bomb = zeros_gzip(50 * 1024 * 1024)
    lying = bomb[:-4] + struct.pack("<I", 10)  # the trailer says 10 bytes
    target = io.BytesIO()
    with pytest.raises(ValidationError) as error:
        inflate_gzip(lying, name="lies.csv.gz", target=target)
    refused(error, "max_compression_ratio")
    assert target.tell() <= len(lying) * 200  # stopped at the allowed size, not at 50 MB


def test_a_gzip_under_the_limits_reads(tmp_path: Path) -> None:
    path = tmp_path / "values.csv.gz"
    path.write_bytes(gzip.compress(b"code,value\nE01000001,1\n") + gzip.compress(b""))
    assert list(read_table(path).frame["value"]) == ["1"]
    with pytest.raises(ValidationError) as error:
        inflate_gzip(b"\x1f\x8b\x08\x00broken", name="x.gz")
    assert "damaged" in str(error.value)


def test_the_decompressed_size_limit(tmp_path: Path) -> None:
    # Random-looking text compresses little: only the decompressed-size limit stops it.
    text = "".join(f"E0{i:07d},{(i * 7919) % 1000}\n" for i in range(200_000)).encode()
    path = tmp_path / "big.csv.gz"
    path.write_bytes(gzip.compress(b"code,value\n" + text))
    with pytest.raises(ValidationError) as error:
        read_table(path, limits=SMALL)
    refused(error, "max_decompressed_mb")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_an_xlsx_bomb_is_refused_before_it_is_opened() -> None:
    # The issue's: a 292 KB workbook whose sheet inflates to hundreds of MB.
    bomb = zip_bytes(
        {"[Content_Types].xml": b"<x/>", "xl/worksheets/sheet1.xml": bytes(60_000_000)}
    )
    with pytest.raises(ValidationError) as error:
        map_formats.read_map(bomb, name="map.xlsx")
    refused(error, "max_compression_ratio")
    with pytest.raises(ValidationError) as error:
        read_workbook(bomb, "partners.xlsx")
    refused(error, "max_compression_ratio")


def test_an_xlsx_bomb_is_refused_by_the_asset_reader(tmp_path: Path) -> None:
    path = tmp_path / "assets.xlsx"
    path.write_bytes(zip_bytes({"xl/worksheets/sheet1.xml": bytes(60_000_000)}))
    with pytest.raises(ValidationError) as error:
        read_assets(path)
    refused(error, "max_compression_ratio")


def lying_zip(declared: int, data: bytes) -> bytes:
    """A zip whose one member declares ``declared`` bytes but holds ``data`` (CRC of all)."""
    honest = zip_bytes({"areas.shp": data})
    real = struct.pack("<I", len(data))
    fake = struct.pack("<I", declared)
    # Both the local header and the central directory carry the uncompressed size.
    return honest.replace(real, fake)


def test_a_zip_that_lies_about_its_size_is_refused_while_inflating(tmp_path: Path) -> None:
    data = bytes(range(256)) * 4096  # 1 MB
    path = tmp_path / "areas.zip"
    path.write_bytes(lying_zip(100, data))
    check_zip(path, name="areas.zip")  # the declared sizes are small...
    with pytest.raises(ValidationError) as error:
        check_zip(path, name="areas.zip", verify=True)  # ...but the member holds more
    assert "damaged" in str(error.value)
    with pytest.raises(ValidationError):
        read_boundaries(path)


def test_a_zipped_shapefile_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "areas.zip"
    path.write_bytes(zip_bytes({"areas.shp": bytes(80_000_000), "areas.dbf": b""}))
    with pytest.raises(ValidationError) as error:
        read_boundaries(path)
    refused(error, "max_compression_ratio")


def test_a_gzipped_geojson_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "areas.geojson.gz"
    path.write_bytes(zeros_gzip(64 * 1024 * 1024))
    with pytest.raises(ValidationError) as error:
        read_boundaries(path)
    refused(error, "max_compression_ratio")
    assets = tmp_path / "assets.geojson.gz"
    assets.write_bytes(path.read_bytes())
    with pytest.raises(ValidationError) as error:
        read_assets(assets)
    refused(error, "max_compression_ratio")


def test_a_gzipped_geojson_under_the_limits_reads(tmp_path: Path) -> None:
    source = FIXTURES / "workspace" / "three_lsoas.geojson"
    path = tmp_path / "three.geojson.gz"
    path.write_bytes(gzip.compress(source.read_bytes()))
    assert len(read_boundaries(path).areas) == len(read_boundaries(source).areas)


def test_an_lz_string_bomb_is_refused() -> None:
    # lz-string output can grow with the square of its input; PRSM files may be lz-strings.
    compressed = compress_to_utf16("{" + " " * 1_500_000 + "}")
    assert len(compressed) < 10_000
    with pytest.raises(ValidationError) as error:
        prsm.read_prsm(compressed.encode("utf-8"), name="map.prsm", limits=SMALL)
    refused(error, "max_decompressed_mb")


def test_workbook_cells_are_counted_as_they_are_read() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.cell(row=1, column=1, value="Label")
    for row in range(2, 5):
        sheet.cell(row=row, column=5000, value="far")  # each row read as 5,000 cells
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ValidationError) as error:
        read_workbook(out.getvalue(), "wide.xlsx", limits=SMALL)
    refused(error, "max_rows")


# -- rows ---------------------------------------------------------------------------------------
def test_rows_over_the_limit_are_refused(tmp_path: Path) -> None:
    rows = "from,to\n" + "".join(f"a{i},b{i}\n" for i in range(6))
    with pytest.raises(ValidationError) as error:
        read_edge_list(rows.encode(), name="links.csv", limits=SMALL)
    refused(error, "max_rows")
    assert len(read_edge_list(rows.encode(), name="links.csv").links) == 6
    with pytest.raises(ValidationError) as error:
        table_from_text(rows, "t.csv", limits=SMALL)
    refused(error, "max_rows")
    partners = tmp_path / "partners.csv"
    partners.write_text("name,sector\n" + "".join(f"P{i},vcse\n" for i in range(6)))
    with pytest.raises(ValidationError) as error:
        partner_files.read_partners(partners, limits=SMALL)
    refused(error, "max_rows")


def test_map_factors_and_links_over_the_limit_are_refused() -> None:
    document = {"elements": [{"label": f"f{i}"} for i in range(7)], "connections": []}
    with pytest.raises(ValidationError) as error:
        map_formats.read_map(json.dumps(document).encode(), name="map.json", limits=SMALL)
    refused(error, "max_rows")


# -- nesting ------------------------------------------------------------------------------------
def test_a_map_of_100000_brackets_is_refused_not_a_recursion_error() -> None:
    # The issue's: a map import of 100,000 "[" raised RecursionError (a 500).
    with pytest.raises(ValidationError) as error:
        map_formats.read_map(b"[" * 100_000, name="map.json")
    refused(error, "max_json_depth")


DEEP_JSON = b'{"a":' * 100 + b"1" + b"}" * 100
DEEP_XML = b"<a>" * 100 + b"</a>" * 100


@pytest.mark.parametrize(
    "read",
    [
        lambda: kumu.read_kumu_json(DEEP_JSON, name="m.json"),
        lambda: prsm.read_prsm(DEEP_JSON, name="m.prsm"),
        lambda: loopy.read_loopy(b"[" * 200 + b"]" * 200, name="m.loopy"),
        lambda: mentalmodeler.read_mentalmodeler(DEEP_JSON, name="m.mmp"),
        lambda: mentalmodeler.read_mentalmodeler(DEEP_XML, name="m.mmp"),
        lambda: map_graphml.read_map_graphml(DEEP_XML, name="m.graphml"),
        lambda: vensim.read_xmile(DEEP_XML, name="m.xmile"),
        lambda: map_formats.read_map(DEEP_JSON, name="m.json", format="mobilise"),
        lambda: load_json(b"[" * 65 + b"]" * 65, name="x.json"),
    ],
    ids=["kumu", "prsm", "loopy", "mmp-json", "mmp-xml", "graphml", "xmile", "mobilise", "json"],
)
def test_deep_nesting_is_refused_by_every_reader(read) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        read()
    refused(error, "max_json_depth")


def test_deep_files_of_assets_boundaries_and_ties(tmp_path: Path) -> None:
    deep = tmp_path / "deep.geojson"
    deep.write_bytes(b'{"type": "FeatureCollection", "features": ' + b"[" * 200 + b"]" * 200 + b"}")
    with pytest.raises(ValidationError) as error:
        read_assets(deep)
    refused(error, "max_json_depth")
    osm = tmp_path / "deep.osm"
    osm.write_bytes(b"<osm>" + DEEP_XML + b"</osm>")
    with pytest.raises(ValidationError) as error:
        read_assets(osm)
    refused(error, "max_json_depth")
    ties = tmp_path / "ties.graphml"
    ties.write_bytes(b"<graphml>" + DEEP_XML + b"</graphml>")
    with pytest.raises(ValidationError) as error:
        partner_files.read_relationships(ties)
    refused(error, "max_json_depth")


def test_json_depth_counts_brackets_outside_strings_only() -> None:
    assert json_depth(b'{"a": [1, [2], "[[[[{"]}') == 3
    assert json_depth(b'["\\"]]]]]]", [[[]]]]') == 4
    assert json_depth(b'"' + b'\\"' * 10_000) == 0  # an unclosed string is read once
    assert load_json(b'\xef\xbb\xbf{"a": [1]}', name="x.json") == {"a": [1]}


def test_numbers_too_long_to_read_are_refused() -> None:
    with pytest.raises(ValidationError) as error:
        load_json(b"[" + b"9" * 5000 + b"]", name="x.json")
    assert "not JSON" in str(error.value)


def test_xml_depth_is_counted_while_parsing() -> None:
    assert parse_xml(b"<a><b><c/></b></a>", name="x.xml", limits=SMALL).tag == "a"
    assert parse_xml('<?xml version="1.0" encoding="UTF-8"?><a/>', name="x.xml").tag == "a"
    with pytest.raises(ValidationError) as error:
        parse_xml(b"<a>" * 9 + b"</a>" * 9, name="x.xml", limits=SMALL)
    refused(error, "max_json_depth")


# -- uploads handed to the workspace -------------------------------------------------------------
def test_uploads_over_the_limit_are_refused_while_they_are_copied(tmp_path: Path) -> None:
    from mobilise.workspace._files import read_bytes, reading_path

    one_mb = Limits(max_upload_mb=1)
    big = b"x" * (1024 * 1024 + 1)
    with pytest.raises(ValidationError) as error:
        read_bytes(big, name="big.csv", limits=one_mb)
    refused(error, "max_upload_mb")
    with pytest.raises(ValidationError) as error, reading_path(io.BytesIO(big), limits=one_mb):
        pass
    refused(error, "max_upload_mb")
    path = tmp_path / "big.csv"  # a file given by its path is the user's own: not limited
    path.write_bytes(big)
    assert len(read_bytes(path, limits=one_mb)) == len(big)
    with reading_path(io.BytesIO(b"small"), name="s.csv", limits=one_mb) as copied:
        assert copied.read_bytes() == b"small"


# -- numbers in imported cells --------------------------------------------------------------------
def test_counts_past_64_bits_in_cells_are_problems_not_wrapped_numbers(tmp_path: Path) -> None:
    # A population of 10**25 was stored as -9223372036854775808 (numpy's int64 wrapped round).
    from mobilise.formats.imd import read_iod_population
    from mobilise.formats.postcodes import read_postcode_lookup

    source = (FIXTURES / "iod2019_file6_excerpt.csv").read_text(encoding="utf-8-sig")
    header, first, *_ = source.splitlines()
    cells = next(iter(__import__("csv").reader([first])))
    cells[4] = "9" * 25
    path = tmp_path / "population.csv"
    path.write_text(header + "\n" + ",".join(f'"{c}"' for c in cells) + "\n")
    with pytest.raises(ValidationError) as error:
        read_iod_population(path)
    assert "not a count of people" in str(error.value)
    postcodes = tmp_path / "postcodes.csv"
    postcodes.write_text(
        "postcode,positional_quality,lsoa11cd,admin_district_code,lon,lat\nCV23 0AE,"
        + "9" * 25
        + ",E01027030,E06000062,-1.18,52.38\n"
    )
    with pytest.raises(ValidationError) as error:
        read_postcode_lookup(postcodes)
    assert "whole-number quality" in str(error.value)
