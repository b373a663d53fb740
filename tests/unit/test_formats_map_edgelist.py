"""Edge-list CSV reader and writer for causal maps (mobilise.formats.map_edgelist)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise.errors import ValidationError
from mobilise.formats.map_edgelist import EDGE_LIST_COLUMNS, read_edge_list, write_edge_list
from mobilise.model.causal_map import STRENGTHS, CausalMap, Factor, Link

from ._map_helpers import weight_and_polarity

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "systems_maps"


def _by_label(causal_map: CausalMap) -> list[tuple[object, ...]]:
    """Links with their ends as labels (ids differ between a map and its edge list)."""
    labels = {f.id: f.label for f in causal_map.factors}
    return [
        (
            k.id, labels[k.source], labels[k.target], k.polarity, k.weight, k.strength, k.delay,
            k.confidence, k.evidence, k.stakeholder_group, k.contested, k.label,
        )
        for k in causal_map.links
    ]  # fmt: skip


def test_messy_file_semicolons_bom_crlf_and_blank_lines() -> None:
    data = (FIXTURES / "edgelist_messy.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n\r\n" in data
    causal_map = read_edge_list(data, name="edgelist_messy.csv")
    assert causal_map.title == "edgelist_messy"
    assert [(f.id, f.label) for f in causal_map.factors] == [
        ("quality_of_green_space", "Quality of green space"),
        ("park_visits", "Park visits"),
        ("physical_activity", "Physical activity"),
        ("mental_wellbeing", "Mental wellbeing"),
        ("cost_of_living", "Cost of living"),
    ]
    # Blank lines count as rows, so ids follow the spreadsheet's rows.
    assert [(k.id, k.polarity, k.weight) for k in causal_map.links] == [
        ("L1", "+", 0.6),
        ("L3", "+", None),
        ("L4", "-", -0.25),
        ("L6", "+", None),
        ("L7", "?", None),
    ]
    first, _, wear = causal_map.links[:3]
    assert (first.strength, first.confidence, first.evidence, first.stakeholder_group) == (
        "strong", 0.8, "Residents' survey 2023", "Friends of the park",
    )  # fmt: skip
    assert (wear.delay, wear.strength) == (True, "weak")
    assert causal_map.links[1].attributes == {"Notes": "counts from park gates"}


def test_source_target_columns_and_weight_gives_polarity() -> None:
    data = "Source,Target,Weight,Contested,Label\nA,B,-0.3,yes,less\nB,A,0,,\n"
    causal_map = read_edge_list(data)
    assert [(k.source, k.target, k.polarity, k.weight, k.contested, k.label) for k in
            causal_map.links] == [("a", "b", "-", -0.3, True, "less"), ("b", "a", "?", 0.0,
                                                                      False, "")]  # fmt: skip


def test_labels_are_taken_exactly_and_ids_derived_from_them() -> None:
    data = (
        "from,to\n"
        "Obesity,Access to parks (%)\n"
        "obesity,Obesity \n"
        "Obesity,Access to parks (%)\n"
        "Émigré ☂,???\n"
    )
    causal_map = read_edge_list(data)
    assert [(f.id, f.label) for f in causal_map.factors] == [
        ("obesity", "Obesity"),
        ("access_to_parks", "Access to parks (%)"),
        ("obesity_2", "obesity"),
        ("obesity_3", "Obesity "),
        ("emigre", "Émigré ☂"),
        ("factor", "???"),
    ]
    assert [(k.source, k.target) for k in causal_map.links][2] == ("obesity", "access_to_parks")
    assert read_edge_list(data).factors == causal_map.factors  # the same ids every time


def test_round_trip_by_label() -> None:
    causal_map = CausalMap(
        title="Parks",
        factors=[Factor("p", "Parks, open spaces"), Factor("w", 'Walking "groups"'),
                 Factor("lonely", "Isolated factor")],
        links=[
            Link("1", "p", "w", polarity="+", weight=0.25, strength="weak", confidence=0.5,
                 evidence="survey; interviews", stakeholder_group="residents"),
            Link("2", "w", "p", polarity="-", delay=True, contested=True, label="wear"),
            Link("3", "w", "w", polarity="?"),
        ],
    )  # fmt: skip
    text = write_edge_list(causal_map)
    header = next(csv.reader(io.StringIO(text.decode())))
    assert tuple(header) == EDGE_LIST_COLUMNS
    again = read_edge_list(text, name="parks.csv")
    assert _by_label(again) == _by_label(causal_map)
    assert [f.label for f in again.factors] == ["Parks, open spaces", 'Walking "groups"']


def test_writer_refuses_two_linked_factors_with_one_label() -> None:
    causal_map = CausalMap(
        title="Parks",
        factors=[Factor("a", "Parks"), Factor("b", "Parks")],
        links=[Link("1", "a", "b", polarity="+")],
    )
    with pytest.raises(ValidationError, match="both labelled 'Parks'"):
        write_edge_list(causal_map)


_LABELS = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=10
).filter(str.strip)
_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=10)


@st.composite
def _maps(draw: st.DrawFn) -> CausalMap:
    labels = draw(st.lists(_LABELS, min_size=1, max_size=6, unique=True))
    factors = [Factor(f"f{n}", label) for n, label in enumerate(labels)]
    links = []
    for number in range(draw(st.integers(1, 8))):
        weight, polarity = weight_and_polarity(draw)
        links.append(
            Link(
                f"L{number}",
                draw(st.sampled_from(factors)).id,
                draw(st.sampled_from(factors)).id,
                polarity=polarity,
                weight=weight,
                strength=draw(st.none() | st.sampled_from(STRENGTHS)),
                delay=draw(st.booleans()),
                confidence=draw(st.none() | st.floats(0, 1)),
                evidence=draw(_TEXT),
                stakeholder_group=draw(_TEXT),
                contested=draw(st.booleans()),
                label=draw(_TEXT),
            )
        )
    return CausalMap(title="random", factors=factors, links=links)


@settings(max_examples=60, deadline=None)
@given(_maps())
def test_random_small_maps_round_trip(causal_map: CausalMap) -> None:
    again = read_edge_list(write_edge_list(causal_map), name="random.csv")
    assert _by_label(again) == _by_label(causal_map)


def _problems(data: bytes | str, name: str = "broken.csv") -> list[tuple[int | None, str, str]]:
    with pytest.raises(ValidationError) as caught:
        read_edge_list(data, name=name)
    assert all(p.file == name for p in caught.value.problems)
    assert name in str(caught.value)
    return [(p.row, p.field or "", p.message) for p in caught.value.problems]


def test_every_bad_row_is_reported_at_once_with_row_and_column() -> None:
    data = (
        "From,To,Polarity,Weight,Strength,Delay,Confidence,Id\n"
        "A,,+,0.5,,,,\n"
        "A,B,sometimes,,,,,\n"
        "A,B,+,1.5,,,,\n"
        "A,B,+,-0.5,,,,\n"
        "A,B,,,huge,perhaps,2,\n"
        'A,B,,"0,5",,,,\n'
        ",,,,,,,x\n"
        "A,B,,,,,,x\n"
    )
    assert _problems(data) == [
        (1, "To", "the 'to' cell is blank; every row needs a 'to' factor"),
        (2, "Polarity", "polarity 'sometimes' is not one; use +, - or ? (or positive, negative)"),
        (3, "Weight", "weight 1.5 is out of range; a weight is from -1 to 1"),
        (4, "Polarity", "polarity '+' disagrees with weight -0.5; a weight's sign is its polarity"),
        (5, "Confidence", "confidence 2 is out of range; use 0 to 1"),
        (5, "Strength", "strength 'huge' is not one; use weak, medium or strong"),
        (5, "Delay", "'perhaps' is not yes or no; use true or false"),
        (6, "Weight", "'0,5' is not a number; write digits with '.' for decimals, or leave the "
                      "cell blank for a missing value"),
        (7, "From", "the 'from' cell is blank; every row needs a 'from' factor"),
        (7, "To", "the 'to' cell is blank; every row needs a 'to' factor"),
        (8, "Id", "link id 'x' is used again (first at row 7)"),
    ]  # fmt: skip


def test_missing_columns_are_named() -> None:
    problems = _problems("origin;consequence\nA;B\n")
    assert [(field, message.split(";")[0]) for _, field, message in problems] == [
        ("from", "no 'from' column"),
        ("to", "no 'to' column"),
    ]
    assert "columns found: 'origin', 'consequence'" in problems[0][2]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the file is empty"),
        (b"\n\n", "the file is empty"),
        (b"PK\x03\x04rest", "this is a zip file"),
    ],
)
def test_files_that_are_not_tables_are_refused(data: bytes, expected: str) -> None:
    ((_, _, message),) = _problems(data)
    assert expected in message
