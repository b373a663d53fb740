"""Reading OpenStreetMap extracts for street networks (formats.osm_network)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise.errors import ValidationError
from mobilise.formats.osm_network import ATTRIBUTION, LICENCE, read_osm_ways
from mobilise.settings import Limits
from tests._streets import write_extract


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    return write_extract(
        tmp_path / "little.osm.pbf",
        {
            1: (0, 0),
            2: (400, 0, {"barrier": "stile", "note": "dropped"}),
            3: (400, 300),
            4: (0, 300, {"amenity": "library"}),
            5: (900, 900),
        },
        [
            ([1, 2, 3], {"highway": "residential", "name": "Little Street", "colour": "red"}),
            ([3, 4], {"highway": "footway", "oneway": "yes"}),
            ([4, 5], {"building": "yes"}),
        ],
    )


@pytest.fixture(scope="module")
def little_extract(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("osm") / "little.osm.pbf"
    nodes = {n: (100.0 * n, 0.0) for n in range(1, 40)}
    return write_extract(path, nodes, [(list(nodes), {"highway": "residential"})]).read_bytes()


def test_reads_highway_ways_in_order_with_the_tags_profiles_need(extract: Path) -> None:
    ways = read_osm_ways(extract)
    assert ways.name == "little.osm.pbf"
    assert ways.n_ways == 2  # the building is not a street
    assert ways.way_tags == [
        {"highway": "residential", "name": "Little Street"},
        {"highway": "footway", "oneway": "yes"},
    ]
    assert list(ways.node_ids) == [1, 2, 3, 4]  # node 5 is used by no street
    nodes = [
        list(ways.node_ids[ways.way_nodes[ways.way_start[w] : ways.way_start[w + 1]]])
        for w in range(ways.n_ways)
    ]
    assert nodes == [[1, 2, 3], [3, 4]]
    assert ways.node_tags == {1: {"barrier": "stile"}}  # only the tags that can stop someone
    assert np.all((ways.lat > 51) & (ways.lat < 52)) and np.all(abs(ways.lon) < 1)


def test_keeps_provenance(extract: Path) -> None:
    ways = read_osm_ways(extract)
    assert ways.data_date == "2021-07-13T17:36:11+00:00"
    assert ways.source["licence"] == LICENCE == "ODbL 1.0"
    assert ways.source["attribution"] == ATTRIBUTION == "© OpenStreetMap contributors"
    assert len(ways.sha256) == 64 and ways.size_bytes == extract.stat().st_size


def test_bytes_read_like_the_file(extract: Path) -> None:
    from_bytes = read_osm_ways(extract.read_bytes(), name="upload.osm.pbf")
    assert from_bytes.name == "upload.osm.pbf"
    assert from_bytes.sha256 == read_osm_ways(extract).sha256
    assert from_bytes.way_tags == read_osm_ways(extract).way_tags


def test_reads_osm_xml(tmp_path: Path) -> None:
    xml = b"""<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="hand">
 <node id="1" lat="51.53" lon="-0.13" timestamp="2020-01-02T03:04:05Z" version="1"/>
 <node id="2" lat="51.531" lon="-0.13" timestamp="2020-01-02T03:04:05Z" version="1"/>
 <way id="7" timestamp="2020-01-02T03:04:05Z" version="1">
  <nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/>
 </way>
</osm>"""
    ways = read_osm_ways(xml, name="hand.osm")
    assert ways.n_ways == 1 and ways.data_date == "2020-01-02T03:04:05+00:00"


def test_a_way_cut_by_the_extract_edge_keeps_its_pieces(tmp_path: Path) -> None:
    path = write_extract(
        tmp_path / "cut.osm.pbf",
        {1: (0, 0), 2: (100, 0), 4: (300, 0), 5: (400, 0)},
        [([1, 2, 3, 4, 5], {"highway": "residential"})],  # node 3 lies outside the extract
    )
    ways = read_osm_ways(path)
    assert list(ways.way_ids) == [1, 1]
    assert list(np.diff(ways.way_start)) == [2, 2]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x00\x00\x00\x0dnot a pbf file at all" * 20, "not a readable OpenStreetMap file"),
        (b"<osm version='0.6'><node id='1' lat='51' lon='0'/></osm>", "no streets"),
        (b"<osm version='0.6'><node id='1' lat='51'", "not a readable OpenStreetMap file"),
        (gzip.compress(b"<osm version='0.6'></osm>", mtime=0), "compressed .osm file"),
    ],
    ids=["empty", "blank", "not-pbf", "no-streets", "cut-xml", "gzipped-osm"],
)
def test_bad_files_are_refused_naming_the_file(content: bytes, expected: str) -> None:
    with pytest.raises(ValidationError) as raised:
        read_osm_ways(content, name="bad.osm.pbf")
    assert expected in str(raised.value)
    assert raised.value.problems[0].file == "bad.osm.pbf"


def test_a_pbf_cut_short_is_refused(extract: Path) -> None:
    data = extract.read_bytes()
    with pytest.raises(ValidationError, match="cut short"):
        read_osm_ways(data[: len(data) // 2], name="half.osm.pbf")


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"Cannot read nowhere\.osm\.pbf"):
        read_osm_ways(tmp_path / "nowhere.osm.pbf")


def test_too_many_streets_names_the_limit_and_setting(extract: Path) -> None:
    with pytest.raises(ValidationError, match="MOBILISE_MAX_ROWS"):
        read_osm_ways(extract, limits=Limits(max_rows=1))


@settings(max_examples=60, deadline=None)
@given(content=st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_cleanly(content: bytes) -> None:
    try:
        read_osm_ways(content, name="fuzz.osm.pbf")
    except ValidationError as error:
        assert error.problems[0].file == "fuzz.osm.pbf"


@settings(max_examples=30, deadline=None)
@given(cut=st.floats(min_value=0.0, max_value=0.999))
def test_any_truncation_is_refused_cleanly(little_extract: bytes, cut: float) -> None:
    with pytest.raises(ValidationError):
        read_osm_ways(little_extract[: int(len(little_extract) * cut)], name="cut.osm.pbf")
