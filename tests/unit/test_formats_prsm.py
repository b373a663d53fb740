"""PRSM maps (mobilise.formats.prsm): .prsm files plain and compressed, Excel and CSV."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise.errors import ConfigurationError, ValidationError
from mobilise.formats._lzstring import compress_to_utf16, decompress_from_utf16
from mobilise.formats._map_files import unique_labels
from mobilise.formats.prsm import read_prsm, write_prsm
from mobilise.formats.prsm_tables import (
    read_prsm_csv,
    read_prsm_xlsx,
    write_prsm_csv,
    write_prsm_xlsx,
)
from mobilise.model.causal_map import FACTOR_KINDS, STRENGTHS, CausalMap, Factor, Link, Scenario

from ._map_helpers import refusal

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "systems_maps"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# -- random small maps (also used by test_formats_kumu) ---------------------------------------

_WORDS = [
    "park",
    "Stress",
    "stress",
    "green space",
    "café",
    "中文",
    "a,b",
    'say "hi"',
    "=sum",
    "+",
    "1",
]


@st.composite
def small_maps(draw: st.DrawFn) -> CausalMap:
    """Maps of 1-6 factors (labels may repeat) and up to 8 links of every kind."""
    count = draw(st.integers(1, 6))
    factors = []
    for number in range(count):
        label = " ".join(draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3)))
        placed = draw(st.booleans())
        factors.append(
            Factor(
                id=f"f{number}",
                label=label,
                kind=draw(st.sampled_from(sorted(FACTOR_KINDS))),
                description=draw(st.sampled_from(["", "Parks near home.", "Mood; WEMWBS"])),
                group=draw(st.sampled_from(["", "Health", "Place", "Community"])),
                populations=tuple(
                    draw(st.sampled_from([[], ["carers"], ["young people", "carers"]]))
                ),
                x=float(draw(st.integers(-500, 500))) if placed else None,
                y=float(draw(st.integers(-500, 500))) if placed else None,
            )
        )
    links = []
    for number in range(draw(st.integers(0, 8))):
        polarity = draw(st.sampled_from(["+", "-", "?"]))
        weight = None
        if draw(st.booleans()):
            size = draw(st.sampled_from([0.25, 0.5, 1.0]))
            weight = {"+": size, "-": -size, "?": 0.0}[polarity]
        links.append(
            Link(
                id=f"l{number}",
                source=f"f{draw(st.integers(0, count - 1))}",
                target=f"f{draw(st.integers(0, count - 1))}",
                polarity=polarity,
                strength=draw(st.sampled_from([None, *STRENGTHS])),
                weight=weight,
                delay=draw(st.booleans()),
                confidence=draw(st.sampled_from([None, 0.0, 0.8, 1.0])),
                evidence=draw(st.sampled_from(["", "survey 2024", "Workshop: table A"])),
                stakeholder_group=draw(st.sampled_from(["", "Residents", "NHS"])),
                contested=draw(st.booleans()),
                label=draw(st.sampled_from(["", "eyes on the park", "+", "?"])),
            )
        )
    return CausalMap(title="Random map", factors=factors, links=links).check()


def factor_view(factor: Factor, label: str | None = None) -> tuple[Any, ...]:
    return (
        label or factor.label,
        factor.kind,
        factor.group,
        factor.description,
        factor.populations,
    )


def link_view(link: Link, ends: Callable[[str], str] = str) -> tuple[Any, ...]:
    return (
        ends(link.source),
        ends(link.target),
        link.polarity,
        link.strength,
        link.weight,
        link.delay,
        link.confidence,
        link.evidence,
        link.stakeholder_group,
        link.contested,
        link.label,
    )


def same_by_id(original: CausalMap, back: CausalMap) -> None:
    """Factors and links are the same, ids and all."""
    assert [(f.id, *factor_view(f)) for f in back.factors] == [
        (f.id, *factor_view(f)) for f in original.factors
    ]
    assert [(link.id, *link_view(link)) for link in back.links] == [
        (link.id, *link_view(link)) for link in original.links
    ]


def same_by_label(original: CausalMap, back: CausalMap, *, factors: bool = True) -> None:
    """Factors and links are the same, factors named by their (made unique) labels."""
    labels = unique_labels(original.factors)
    if factors:
        assert [factor_view(f) for f in back.factors] == [
            factor_view(f, labels[f.id]) for f in original.factors
        ]
    assert [link_view(link) for link in back.links] == [
        link_view(link, labels.__getitem__) for link in original.links
    ]


def green_space() -> CausalMap:
    return CausalMap(
        title="Green space",
        factors=[
            Factor("a", "Access to green space", kind="asset", group="Environment", x=10, y=20),
            Factor("b", "Time outdoors", group="Behaviour", description="Hours a week"),
            Factor("c", "Mental wellbeing", kind="outcome", populations=("young people",)),
            Factor("d", "Stress"),
            Factor("e", "Stress", attributes={"Sector": "NHS", "tags": ["x", "y"]}),
        ],
        links=[
            Link("l1", "a", "b", "+", evidence="Survey"),
            Link("l2", "b", "c", "+", strength="strong"),
            Link("l3", "c", "b", "+"),
            Link("l4", "d", "c", "-", delay=True, contested=True),
            Link("l5", "e", "d", "?"),
            Link("l6", "a", "c", "-", weight=-0.5),
        ],
        question="What helps people use green space?",
        description="A test map",
        scenarios=[Scenario("More access", {"a": 1.0}, "Open the park gates")],
    ).check()


# -- reading .prsm ---------------------------------------------------------------------------


def test_reads_the_plain_fixture() -> None:
    causal_map = read_prsm(fixture("green_space.prsm"), name="green_space.prsm")
    assert causal_map.title == "Green space and mental wellbeing"  # PRSM's line break unwrapped
    assert causal_map.source == "green_space.prsm"
    assert causal_map.description.startswith("Map drawn at a community workshop")
    assert len(causal_map.factors) == 11
    assert len(causal_map.links) == 16
    access = causal_map.factor("n-access")
    assert access.label == "Access to green space"
    assert access.kind == "asset"  # from the custom attribute titled Kind
    assert access.group == "Environment"  # from the node style's groupLabel
    assert access.description == "Green space within a 10-minute walk of home."
    assert (access.x, access.y) == (-300, -50)
    assert access.attributes["Workshop table"] == "A"
    assert access.attributes["prsm"]["grp"] == "group1"
    assert access.attributes["prsm"]["created"]["user"] == "Workshop facilitator"
    # a Quill note with bold text, and a plain-text note from an older PRSM
    assert causal_map.factor("n-wellbeing").description == "How people feel: WEMWBS scores."
    assert causal_map.factor("n-funding").description.startswith("Council budget")
    # the default style label "Sample" is no group
    assert causal_map.factor("n-stress-b").group == ""
    assert [f.label for f in causal_map.factors].count("Stress") == 2


def test_link_polarity_comes_from_the_link_style() -> None:
    causal_map = read_prsm(fixture("green_space.prsm"), name="green_space.prsm")
    polarity = {link.id: link.polarity for link in causal_map.links}
    assert polarity["e-access-outdoors"] == "+"  # "Positive influence"
    assert polarity["e-litter-use"] == "-"  # "Negative influence"
    assert polarity["e-access-wellbeing-2"] == "?"  # "Not sure"
    # an unstyled link (edge0 has no label) says its polarity in its own label
    assert polarity["e-stressb-outdoors"] == "-"
    parallel = [
        link
        for link in causal_map.links
        if (link.source, link.target) == ("n-access", "n-wellbeing")
    ]
    assert [link.polarity for link in parallel] == ["+", "?"]
    assert parallel[0].evidence == "Attention restoration theory."
    evidence = {link.id: link.evidence for link in causal_map.links}
    assert evidence["e-funding-litter"] == "Takes a season to show."  # a plain-text note


def test_the_edit_history_is_not_kept_but_the_rest_is() -> None:
    causal_map = read_prsm(fixture("green_space.prsm"))
    kept = causal_map.attributes["prsm"]
    assert "history" not in kept
    assert kept["room"] == "GRN-SPC-MNT-HLT"
    assert kept["styles"]["edges"]["edge1"]["groupLabel"] == "Positive influence"
    assert kept["attributeTitles"] == {"att1": "Kind", "att2": "Workshop table"}


def test_compressed_fixture_reads_as_the_plain_one() -> None:
    # green_space_compressed.prsm was compressed by the JavaScript lz-string, with PRSM's BOM
    plain = read_prsm(fixture("green_space.prsm"), name="map.prsm")
    compressed = read_prsm(fixture("green_space_compressed.prsm"), name="map.prsm")
    assert compressed == plain


def test_reads_gephi_style_edges_and_old_numbered_styles() -> None:
    document = {
        "nodes": [{"id": 1, "label": "A", "group": 2}, {"id": 2, "label": "B"}],
        "edges": [{"id": "e", "source": 1, "target": 2}],
        "samples": {"nodes": {"group2": {"groupLabel": "Place"}}},
    }
    causal_map = read_prsm(json.dumps(document).encode())
    assert [f.id for f in causal_map.factors] == ["1", "2"]
    assert causal_map.factors[0].group == "Place"
    assert (causal_map.links[0].source, causal_map.links[0].target) == ("1", "2")


# -- writing .prsm ---------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True])
def test_fixture_round_trip_keeps_everything(compress: bool) -> None:
    original = read_prsm(fixture("green_space.prsm"), name="map.prsm")
    back = read_prsm(write_prsm(original, compress=compress), name="map.prsm")
    same_by_id(original, back)
    assert back.title == original.title
    assert back.description == original.description
    assert [(f.x, f.y) for f in back.factors] == [(f.x, f.y) for f in original.factors]
    assert [f.attributes for f in back.factors] == [f.attributes for f in original.factors]
    assert back.attributes == original.attributes


def test_writing_a_prsm_map_reuses_its_styles_and_rich_notes() -> None:
    original = read_prsm(fixture("green_space.prsm"))
    document = json.loads(write_prsm(original))
    edge_styles = document["styles"]["edges"]
    labels = {key: style.get("groupLabel") for key, style in edge_styles.items()}
    assert labels["edge1"] == "Positive influence"
    assert "+ve" not in labels.values()  # no new style: the map's own are used
    grp = {edge["id"]: edge["grp"] for edge in document["edges"]}
    assert grp["e-access-wellbeing-2"] == "edge3"
    assert grp["e-stressb-outdoors"] == "edge0"
    note = next(n["note"] for n in document["nodes"] if n["id"] == "n-wellbeing")
    assert {"insert": "WEMWBS", "attributes": {"bold": True}} in note["ops"]
    assert document["attributeTitles"]["att1"] == "Kind"
    assert "history" not in document


def test_writing_a_new_map_labels_polarity_styles() -> None:
    document = json.loads(write_prsm(green_space()))
    edges = document["styles"]["edges"]
    assert edges["edge1"]["groupLabel"] == "+ve"
    assert edges["edge2"]["groupLabel"] == "-ve"
    assert edges["edge4"]["groupLabel"] == "?"
    assert [edge["grp"] for edge in document["edges"]] == [
        "edge1",
        "edge1",
        "edge1",
        "edge2",
        "edge4",
        "edge2",
    ]
    nodes = document["styles"]["nodes"]
    assert {nodes[key]["groupLabel"] for key in nodes} == {"Environment", "Behaviour"}
    assert document["description"] == {"text": {"ops": [{"insert": "A test map\n"}]}}
    assert document["mobilise"]["question"] == "What helps people use green space?"
    by_id = {node["id"]: node for node in document["nodes"]}
    assert "note" not in by_id["a"]
    assert by_id["b"]["note"] == {"ops": [{"insert": "Hours a week\n"}]}
    titles = document["attributeTitles"]
    assert by_id["e"][next(k for k, t in titles.items() if t == "tags")] == "x | y"


def test_factors_without_positions_are_laid_out_apart() -> None:
    causal_map = green_space()
    document = json.loads(write_prsm(causal_map))
    positions = [(node["x"], node["y"]) for node in document["nodes"]]
    assert positions[0] == (10, 20)
    assert len(set(positions)) == len(positions)
    assert all(y > 20 for _, y in positions[1:])


def test_round_trip_of_a_new_map() -> None:
    original = green_space()
    back = read_prsm(write_prsm(original, compress=True))
    same_by_id(original, back)
    assert back.question == original.question
    assert back.scenarios == original.scenarios
    assert back.factor("e").attributes["Sector"] == "NHS"


def test_more_groups_than_styles_are_kept_in_a_group_attribute() -> None:
    factors = [Factor(f"f{n}", f"Factor {n}", group=f"Group {n}") for n in range(12)]
    original = CausalMap("Many groups", factors=factors).check()
    back = read_prsm(write_prsm(original))
    assert [f.group for f in back.factors] == [f.group for f in factors]


def test_compressed_output_is_what_lz_string_reads() -> None:
    data = write_prsm(green_space(), compress=True)
    text = data.decode("utf-8")
    assert not text.startswith("{")
    plain = decompress_from_utf16(text)
    assert plain is not None
    assert json.loads(plain)["mapTitle"] == "Green space"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_maps(), st.booleans())
def test_random_maps_round_trip(original: CausalMap, compress: bool) -> None:
    back = read_prsm(write_prsm(original, compress=compress))
    same_by_id(original, back)
    for before, after in zip(original.factors, back.factors, strict=True):
        if before.x is not None:
            assert (after.x, after.y) == (before.x, before.y)


# -- malformed .prsm -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b'{"nodes": [', "JSON is damaged"),
        (b"hello, world", "neither starts with '{'"),
        (compress_to_utf16('{"nodes": ').encode(), "after decompressing, the JSON is damaged"),
        (b"\xff\xfe\x00x", "not UTF-8"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"edges": []}', "no list of 'nodes'"),
        (b'{"nodes": [], "edges": {}}', "'edges' is not a list"),
    ],
)
def test_files_that_are_not_prsm_maps(data: bytes, words: str) -> None:
    assert words in str(refusal(read_prsm, data, "broken.prsm"))


_JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 3),
        st.floats(allow_nan=False),
        st.sampled_from(["", "a", "n1", "n2", "+ve", "group1", "edge1"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "label",
                    "from",
                    "to",
                    "grp",
                    "note",
                    "ops",
                    "insert",
                    "x",
                    "nodes",
                    "edges",
                    "styles",
                    "groupLabel",
                    "attributeTitles",
                    "mobilise",
                    "scenarios",
                ]
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=100), _JSON.map(lambda doc: json.dumps(doc).encode())))
def test_any_input_reads_or_says_what_is_wrong(data: bytes) -> None:
    for reader in (read_prsm, read_prsm_csv):
        try:
            causal_map = reader(data, name="any.prsm")
        except ValidationError as error:
            assert "any.prsm" in str(error)
        else:
            assert read_prsm(write_prsm(causal_map)) is not None


def test_every_bad_node_and_edge_is_reported_at_once() -> None:
    document = {
        "nodes": [{"id": "a", "label": "A"}, "not a node", {"label": "No id"}],
        "edges": [{"id": "e1", "from": "a", "to": "ghost"}, {"id": "e2", "to": "a"}],
    }
    with pytest.raises(ValidationError) as caught:
        read_prsm(json.dumps(document).encode(), name="map.prsm")
    problems = caught.value.problems
    assert [(p.row, p.field) for p in problems] == [(2, None), (3, "id"), (1, "to"), (2, "from")]
    assert "node 2 is not a JSON object" in str(caught.value)
    assert "'ghost', which is not a node of the map" in str(caught.value)


def test_a_node_without_label_fails_the_map_check() -> None:
    document = {"nodes": [{"id": "a", "label": ""}], "edges": []}
    with pytest.raises(ValidationError, match="has no label"):
        read_prsm(json.dumps(document).encode(), name="map.prsm")


def test_bad_scenarios_are_reported() -> None:
    document = {
        "nodes": [{"id": "a", "label": "A"}],
        "edges": [],
        "mobilise": {"scenarios": [{"name": "S", "clamps": {"a": "high"}}, "x"]},
    }
    with pytest.raises(ValidationError) as caught:
        read_prsm(json.dumps(document).encode(), name="map.prsm")
    assert len(caught.value.problems) == 2


# -- Excel -----------------------------------------------------------------------------------


def workbook(sheets: dict[str, Sequence[Sequence[Any]]]) -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_reads_a_workbook_as_prsm_exports_it() -> None:
    data = workbook(
        {
            "Factors": [
                ["label", "x", "y", "style", "groupLabel", "Note", "Sector", "creator"],
                ["Access to green space", 10, 20, 2, "Environment", "Parks\n", "Council", "Ann"],
                ["Mental wellbeing", 30, 40, 1, "Sample", None, None, None],
                ["Stress", None, None, None, None, None, None, None],
                ["Stress", None, None, None, None, None, None, None],
            ],
            "Links": [
                ["from", "to", "label", "style", "groupLabel", "Note"],
                ["Access to green space", "Mental wellbeing", None, 2, "+ve", "Survey"],
                ["Stress", "Mental wellbeing", None, 3, "Negative", None],
                ["Stress", "Stress", "+", None, None, None],
            ],
        }
    )
    causal_map = read_prsm_xlsx(data, name="map.xlsx")
    assert [f.id for f in causal_map.factors] == [
        "Access to green space",
        "Mental wellbeing",
        "Stress",
        "Stress (2)",
    ]
    access = causal_map.factors[0]
    assert (access.group, access.description, access.x) == ("Environment", "Parks", 10)
    assert access.attributes == {"Sector": "Council", "prsm": {"grp": "group1"}}
    assert causal_map.factors[1].group == ""
    assert [link.polarity for link in causal_map.links] == ["+", "-", "+"]
    # a repeated label names the first factor with it, as in PRSM
    assert causal_map.links[1].source == "Stress"
    assert causal_map.links[0].evidence == "Survey"


def test_workbook_round_trip() -> None:
    original = green_space()
    back = read_prsm_xlsx(write_prsm_xlsx(original), name="map.xlsx")
    same_by_label(original, back)
    assert back.factors[4].attributes["Sector"] == "NHS"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_maps())
def test_random_maps_round_trip_through_excel(original: CausalMap) -> None:
    pytest.importorskip("openpyxl")
    same_by_label(original, read_prsm_xlsx(write_prsm_xlsx(original)))


def test_missing_sheets_are_named() -> None:
    data = workbook({"Factors": [["Label"], ["A"]], "Sheet2": [["x"]]})
    with pytest.raises(ValidationError) as caught:
        read_prsm_xlsx(data, name="map.xlsx")
    message = str(caught.value)
    assert "map.xlsx" in message
    assert "no sheet named 'Links'" in message
    assert "'Factors', 'Sheet2'" in message


def test_missing_columns_are_named() -> None:
    data = workbook({"Factors": [["Name"], ["A"]], "Links": [["from", "target"], ["A", "B"]]})
    with pytest.raises(ValidationError) as caught:
        read_prsm_xlsx(data, name="map.xlsx")
    problems = caught.value.problems
    assert [p.field for p in problems] == ["Label"]
    assert "sheet Factors has no 'Label' column" in str(caught.value)
    data = workbook({"Factors": [["Label"], ["A"]], "Links": [["from", "target"], ["A", "B"]]})
    with pytest.raises(ValidationError, match="sheet Links has no 'To' column"):
        read_prsm_xlsx(data, name="map.xlsx")


def test_links_to_unknown_factors_name_the_row() -> None:
    data = workbook(
        {
            "Factors": [["Label", "Style"], ["A", 1], ["B", 12], [None, 1]],
            "Links": [["From", "To"], ["A", "B"], ["A", "Ghost"], [None, "A"]],
        }
    )
    with pytest.raises(ValidationError) as caught:
        read_prsm_xlsx(data, name="map.xlsx")
    problems = caught.value.problems
    assert [(p.row, p.field) for p in problems] == [(2, "Style"), (3, "Label")]
    data = workbook(
        {
            "Factors": [["Label"], ["A"], ["B"]],
            "Links": [["From", "To"], ["A", "B"], ["A", "Ghost"], [None, "A"]],
        }
    )
    with pytest.raises(ValidationError) as caught:
        read_prsm_xlsx(data, name="map.xlsx")
    problems = caught.value.problems
    assert [(p.row, p.field) for p in problems] == [(2, "To"), (3, "From")]
    assert "'Ghost' is not the Label of a factor" in str(caught.value)


@pytest.mark.parametrize("data", [b"Label,Style\nA,1\n", b"PK\x03\x04 not really a zip"])
def test_files_that_are_not_workbooks(data: bytes) -> None:
    pytest.importorskip("openpyxl")
    with pytest.raises(ValidationError, match=r"map\.xlsx.*not an Excel workbook"):
        read_prsm_xlsx(data, name="map.xlsx")


def test_excel_without_openpyxl_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ConfigurationError, match=r"pip install 'mobilise\[xlsx\]'"):
        read_prsm_xlsx(b"PK\x03\x04", name="map.xlsx")
    with pytest.raises(ConfigurationError, match=r"pip install 'mobilise\[xlsx\]'"):
        write_prsm_xlsx(green_space())


def test_text_that_looks_like_a_formula_stays_text() -> None:
    causal_map = CausalMap("Formula", factors=[Factor("a", "=SUM(A1:A3)")]).check()
    assert read_prsm_xlsx(write_prsm_xlsx(causal_map)).factors[0].label == "=SUM(A1:A3)"


# -- CSV -------------------------------------------------------------------------------------


def test_reads_prsm_csv() -> None:
    causal_map = read_prsm_csv(fixture("green_space_prsm.csv"), name="green_space_prsm.csv")
    assert [f.label for f in causal_map.factors] == [
        "Access to green space",
        "Time spent outdoors",
        "Mental wellbeing",
        "Stress",
    ]
    assert len(causal_map.links) == 6
    # PRSM's CSV has no polarity: a style number says nothing of it
    assert {link.polarity for link in causal_map.links} == {"?"}
    assert causal_map.factors[0].attributes["prsm"]["grp"] == "group1"
    assert causal_map.links[0].attributes["prsm"]["grp"] == "edge1"


def test_csv_round_trip() -> None:
    original = green_space()
    text = write_prsm_csv(original).decode()
    assert text.splitlines()[0] == "from,to,fromStyle,toStyle,linkStyle,polarity"
    back = read_prsm_csv(text.encode())
    assert [link_view(link)[:3] for link in back.links] == [
        link_view(link, unique_labels(original.factors).__getitem__)[:3] for link in original.links
    ]


@settings(max_examples=40, deadline=None)
@given(small_maps())
def test_random_maps_round_trip_through_csv(original: CausalMap) -> None:
    back = read_prsm_csv(write_prsm_csv(original))
    labels = unique_labels(original.factors)
    assert [(link.source, link.target, link.polarity) for link in back.links] == [
        (labels[link.source], labels[link.target], link.polarity) for link in original.links
    ]


def test_bad_csv_rows_are_all_reported() -> None:
    data = b"from,to,fromStyle,toStyle,linkStyle\nA,B,1,2,1\n,B,,,\nA,C,x,,\nA,B,,,10\n"
    with pytest.raises(ValidationError) as caught:
        read_prsm_csv(data, name="links.csv")
    problems = caught.value.problems
    assert [(p.row, p.field) for p in problems] == [(2, "from"), (3, "fromStyle"), (4, "linkStyle")]
    assert "links.csv" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "words"), [(b"", "empty"), (b"\x81\x8d\x8f", "not UTF-8"), (b"PK\x03\x04", "zip")]
)
def test_files_that_are_not_csv(data: bytes, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        read_prsm_csv(data, name="links.csv")
