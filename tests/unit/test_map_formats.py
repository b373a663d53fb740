"""One table of map formats: each file is recognised, and every writable format reads back."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from mobilise import ValidationError
from mobilise.formats.map_formats import MAP_FORMATS, detect_format, read_map, write_map
from mobilise.model.causal_map import CausalMap, Factor, Link
from mobilise.model.map_files import MAP_FILE_FORMATS, WRITABLE_MAP_FORMATS, map_format_to_write

from ..conftest import FIXTURES

MAPS = FIXTURES / "systems_maps"
DEMO = Path(__file__).parents[2] / "src" / "mobilise" / "demo" / "data" / "systems_maps"


@pytest.mark.parametrize(
    ("path", "format"),
    [
        (MAPS / "green_space.prsm", "prsm"),
        (MAPS / "green_space_compressed.prsm", "prsm"),
        (MAPS / "green_space_prsm.csv", "prsm-csv"),
        (MAPS / "green_space_kumu_blueprint.json", "kumu"),
        (MAPS / "green_space_kumu_export.json", "kumu"),
        (MAPS / "mentalmodeler" / "public_health.mmp", "mentalmodeler"),
        (MAPS / "mentalmodeler" / "fire_model.json.mmp", "mentalmodeler"),
        (MAPS / "edgelist_messy.csv", "csv"),
        (MAPS / "vensim_green_space.mdl", "vensim"),
        (MAPS / "xmile_green_space.xmile", "xmile"),
        (DEMO / "green_space_mental_wellbeing_northamptonshire.json", "mobilise"),
    ],
)
def test_each_file_is_recognised_and_read(path, format):
    data = path.read_bytes()
    assert detect_format(data, path.name) == format
    found = read_map(data, name=path.name)
    assert found.factors and found.links


def small_map() -> CausalMap:
    return CausalMap(
        title="Parks and mood",
        factors=[
            Factor("a", "Green space near home", kind="asset", x=0, y=0),
            Factor("b", "Time outdoors", kind="driver", x=100, y=0),
            Factor("c", "Low mood", kind="outcome", x=200, y=0),
        ],
        links=[
            Link("1", "a", "b", polarity="+"),
            Link("2", "b", "c", polarity="-"),
            Link("3", "c", "b", polarity="-"),
        ],
    )


@pytest.mark.parametrize("format", [name for name, f in MAP_FORMATS.items() if f.write is not None])
def test_every_writable_format_reads_back_the_same_signed_links(format):
    if format.endswith("xlsx"):
        pytest.importorskip("openpyxl")
    written = write_map(small_map(), format)
    name = "map" + MAP_FORMATS[format].suffix
    again = read_map(written, name=name, format=format)
    labels = {f.id: f.label for f in again.factors}
    links = sorted((labels[k.source], labels[k.target], k.polarity) for k in again.links)
    assert links == [
        ("Green space near home", "Time outdoors", "+"),
        ("Low mood", "Time outdoors", "-"),
        ("Time outdoors", "Low mood", "-"),
    ]


def test_unknown_and_read_only_formats_are_refused_in_words():
    with pytest.raises(ValidationError, match="Unknown map format 'visio'"):
        read_map(b"{}", name="x.json", format="visio")
    with pytest.raises(ValidationError, match="Cannot write a map as 'vensim'"):
        write_map(small_map(), "vensim")
    with pytest.raises(ValidationError, match="Cannot tell what kind of map"):
        detect_format(b"\x00\x01", "mystery.bin")


def test_the_catalogue_and_the_readers_and_writers_are_one_list():
    assert list(MAP_FORMATS) == list(MAP_FILE_FORMATS)
    for name, entry in MAP_FILE_FORMATS.items():
        assert MAP_FORMATS[name].suffix == entry.suffix
        assert (MAP_FORMATS[name].write is not None) == entry.writable
    writable = tuple(n for n, f in MAP_FORMATS.items() if f.write is not None)
    assert writable == WRITABLE_MAP_FORMATS
    assert [map_format_to_write(n) for n in ("a.JSON", "b.mmp", "c.xlsx", "d.csv", "e.txt")] == [
        "mobilise",
        "mentalmodeler",
        "prsm-xlsx",
        "csv",
        None,
    ]


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b'<?xml version="1.0" encoding="uef-8"?><graphml/>', "x.graphml", "unknown encoding"),
        (b'<?xml version="1.0" encoding="uef-8"?><xmile/>', "x.xmile", "unknown encoding"),
        (b"PK\x03\x04 a damaged workbook", "x.xlsx", "damaged"),
    ],
)
def test_damaged_files_are_refused_in_words(data, name, words):
    if name.endswith("xlsx"):
        pytest.importorskip("openpyxl")
    with pytest.raises(ValidationError, match=words) as caught:
        read_map(data, name=name)
    assert name in str(caught.value)


def test_a_workbook_damaged_inside_a_sheet_is_refused_in_words():
    """A workbook opened read-only reads a sheet only when its rows are asked for."""
    pytest.importorskip("openpyxl")
    written, damaged = io.BytesIO(write_map(small_map(), "kumu-xlsx")), io.BytesIO()
    with zipfile.ZipFile(written) as whole, zipfile.ZipFile(damaged, "w") as broken:
        for item in whole.infolist():
            content = whole.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]  # the sheet's XML cut off
            broken.writestr(item, content)
    with pytest.raises(ValidationError, match="it is damaged") as caught:
        read_map(damaged.getvalue(), name="broken.xlsx", format="kumu-xlsx")
    assert "broken.xlsx" in str(caught.value)
