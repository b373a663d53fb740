"""The figures of an evidence pack (SVG drawn on the server) and its disclosure rule for counts
of people."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from mobilise.formats import pack_svg
from mobilise.workspace._pack_parts import people

SVG = "{http://www.w3.org/2000/svg}"


def _square(west: float, south: float, size: float, points: int = 400) -> dict:
    """A square ring with ``points`` points along each side."""
    ring = []
    for side in range(4):
        for i in range(points):
            t = i / points * size
            ring.append(
                [
                    (west + t, south),
                    (west + size, south + t),
                    (west + size - t, south + size),
                    (west, south + size - t),
                ][side]
            )
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def test_a_map_is_well_formed_accessible_and_thinned():
    areas = [(_square(-0.2, 51.5, 0.01), 1), (_square(-0.19, 51.5, 0.01), 10)]
    areas.append(
        ({"type": "MultiPolygon", "coordinates": [_square(-0.18, 51.5, 0.01)["coordinates"]]}, None)
    )
    svg = pack_svg.map_of_areas(
        areas, title="Areas <by> decile", desc="A & B", legend=("1: most", "10: least")
    )
    root = ElementTree.fromstring(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Areas <by> decile"  # escaped, then read back
    paths = root.iter(f"{SVG}path")
    fills = [p.get("fill") for p in paths]
    assert fills == [pack_svg.DECILE_COLOURS[0], pack_svg.DECILE_COLOURS[9], pack_svg.NO_DATA]
    # 1,600 points a square, drawn about 200 units wide: thinned to a few hundred at most
    first = next(root.iter(f"{SVG}path")).get("d")
    assert first.count(",") < 800


def test_no_boundaries_says_so():
    svg = pack_svg.map_of_areas([], title="Map", desc="None")
    assert "No boundaries stored." in svg
    ElementTree.fromstring(svg)


def test_bars_keep_long_labels_readable():
    long = "Health Deprivation and Disability deprivation 2019 decile, a very long name"
    svg = pack_svg.bars([(long, 18.0), ("Short", 0.5)], title="Bars", desc="d", unit="%")
    root = ElementTree.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[0].endswith("…") and len(texts[0]) <= 44
    assert "18%" in texts and "0.5%" in texts


def test_decile_columns_count_each_tenth():
    svg = pack_svg.decile_columns(list(range(10)), title="Deciles", desc="d")
    texts = [t.text for t in ElementTree.fromstring(svg).iter(f"{SVG}text")]
    assert texts[:3] == ["0", "1", "1"]  # count then decile number, per column
    assert "← most deprived 10%" in texts


def test_counts_of_people_below_the_threshold_are_never_printed():
    assert [people(n, 3) for n in (0, 1, 2, 3, 1200)] == [
        "0",
        "fewer than 3",
        "fewer than 3",
        "3",
        "1,200",
    ]
    assert people(None, 5) == "fewer than 5"  # hidden upstream
