"""Kumu maps (mobilise.formats.kumu): blueprints, full exports and Excel workbooks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise.errors import ConfigurationError, ValidationError
from mobilise.formats.kumu import (
    kind_of,
    read_kumu_json,
    read_kumu_xlsx,
    write_kumu_json,
    write_kumu_xlsx,
)
from mobilise.formats.prsm import read_prsm, write_prsm
from mobilise.model.causal_map import CausalMap, Factor, Link
from tests.unit.test_formats_prsm import (
    green_space,
    same_by_id,
    same_by_label,
    small_maps,
    workbook,
)

from ._map_helpers import refusal

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "systems_maps"
KEYS = [
    "_id",
    "id",
    "label",
    "from",
    "to",
    "type",
    "element type",
    "connection type",
    "direction",
    "reversed",
    "delayed",
    "attributes",
    "connections",
    "element",
    "position",
]
VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 3),
        st.sampled_from(["", "A", "B", "e1", "++", "+-", "mutual", "Outcome"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=10,
)
EXPORT = "green_space_kumu_export.json"
BLUEPRINT = "green_space_kumu_blueprint.json"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize(
    ("element_type", "kind"),
    [
        ("Outcome", "outcome"),
        ("outcomes", "outcome"),
        ("INTERVENTION", "intervention"),
        ("Driver", "driver"),
        ("Asset", "asset"),
        ("Community asset", "asset"),
        ("Community Assets", "asset"),
        ("Other", "other"),
        ("Stock", "other"),
        ("Assets and liabilities", "other"),
        ("", "other"),
    ],
)
def test_element_types_name_factor_kinds(element_type: str, kind: str) -> None:
    assert kind_of(element_type) == kind


# -- full export -----------------------------------------------------------------------------


def test_reads_the_full_export() -> None:
    causal_map = read_kumu_json(fixture(EXPORT), name=EXPORT)
    assert causal_map.title == "Green space and mental wellbeing"
    assert causal_map.description == "Map drawn at a community workshop."
    assert len(causal_map.factors) == 11
    assert len(causal_map.links) == 16
    access = causal_map.factor("elem-access")
    assert (access.kind, access.group) == ("asset", "")  # "Community asset"
    assert access.description == "Green space within a 10-minute walk of home."
    assert access.attributes["tags"] == ["place", "green space"]
    assert access.attributes["kumu"] == {"element type": "Community asset"}
    assert (access.x, access.y) == (-300, -50)  # from the default map's layout
    assert causal_map.factor("elem-activity").x is None
    # a type that is no kind is the group, unless the element has a category
    assert (causal_map.factor("elem-use").kind, causal_map.factor("elem-use").group) == (
        "other",
        "Behaviour",
    )
    assert causal_map.factor("elem-funding").group == "Council"
    assert causal_map.factor("elem-outdoors").group == "Behaviour"
    assert causal_map.factor("elem-wellbeing").populations == ("young people", "older people")
    assert [f.label for f in causal_map.factors].count("Stress") == 2


def test_export_connection_types_give_polarity() -> None:
    causal_map = read_kumu_json(fixture(EXPORT), name=EXPORT)
    links = {link.id: link for link in causal_map.links}
    assert links["conn-1"].polarity == "+"  # ++
    assert links["conn-4"].polarity == "+"  # --
    assert links["conn-5"].polarity == "-"  # +-
    assert links["conn-6"].polarity == "-"  # -+
    assert links["conn-7"].polarity == "-"  # -
    assert links["conn-8"].polarity == "+"  # +
    assert links["conn-16"].polarity == "?"  # no type
    assert links["conn-12"].delay is True
    contested = links["conn-13"]
    assert contested.contested is True
    assert contested.stakeholder_group == "Residents' workshop"
    assert contested.strength == "weak"
    assert links["conn-3"].evidence == "Exercise improves mood."
    assert links["conn-8"].label == "eyes on the park"
    assert links["conn-16"].attributes == {}
    assert links["conn-7"].attributes == {}  # "-" is written again from the polarity
    assert links["conn-6"].attributes == {"kumu": {"connection type": "-+"}}


def test_export_loops_are_kept_in_the_shape_the_writer_takes() -> None:
    causal_map = read_kumu_json(fixture(EXPORT), name=EXPORT)
    assert causal_map.attributes["loops"] == [
        {
            "id": "loop-r1",
            "label": "R1 Eyes on the park",
            "links": ["conn-8", "conn-9"],
            "loop type": "reinforcing",
        },
        {
            "id": "loop-b1",
            "label": "B1 Wear and tear",
            "links": ["conn-10", "conn-11"],
            "loop type": "balancing",
        },
    ]
    assert "perspectives" in causal_map.attributes["kumu"]


def test_export_round_trip_keeps_ids_loops_and_layout() -> None:
    original = read_kumu_json(fixture(EXPORT), name=EXPORT)
    data = write_kumu_json(original)
    back = read_kumu_json(data, name=EXPORT)
    same_by_id(original, back)
    assert back.title == original.title
    assert back.description == original.description
    assert [(f.x, f.y) for f in back.factors] == [(f.x, f.y) for f in original.factors]
    assert [f.attributes for f in back.factors] == [f.attributes for f in original.factors]
    assert [link.attributes for link in back.links] == [link.attributes for link in original.links]
    assert back.attributes == original.attributes
    document = json.loads(data)
    types = {c["_id"]: c["attributes"]["connection type"] for c in document["connections"]}
    assert (types["conn-4"], types["conn-6"], types["conn-16"]) == ("--", "-+", "?")
    assert document["defaultMap"] == "map-main"


def test_writes_loops_given() -> None:
    original = green_space()
    loops = [
        {
            "label": "R1 Time outdoors and wellbeing",
            "links": ["l2", "l3"],
            "loop type": "reinforcing",
        },
        {"id": "B1", "label": "B1", "links": ["l4"]},
    ]
    document = json.loads(write_kumu_json(original, loops=loops))
    assert document["loops"] == [
        {
            "_id": "loop-1",
            "attributes": {"label": "R1 Time outdoors and wellbeing", "loop type": "reinforcing"},
            "connections": ["l2", "l3"],
        },
        {"_id": "B1", "attributes": {"label": "B1"}, "connections": ["l4"]},
    ]
    back = read_kumu_json(json.dumps(document).encode())
    assert [loop["links"] for loop in back.attributes["loops"]] == [["l2", "l3"], ["l4"]]


def test_a_loop_naming_an_unknown_link_is_refused() -> None:
    with pytest.raises(ValidationError, match="'ghost', which is not in the map"):
        write_kumu_json(green_space(), loops=[{"label": "R1", "links": ["l1", "ghost"]}])


def test_new_map_round_trip_through_the_export() -> None:
    original = green_space()
    back = read_kumu_json(write_kumu_json(original))
    same_by_id(original, back)
    assert back.question == original.question
    assert back.scenarios == original.scenarios
    assert (back.factor("a").x, back.factor("a").y) == (10, 20)
    assert back.factor("e").attributes == {"Sector": "NHS", "tags": ["x", "y"]}
    document = json.loads(write_kumu_json(original))
    elements = {e["_id"]: e["attributes"] for e in document["elements"]}
    assert elements["a"]["element type"] == "Asset"
    assert elements["a"]["category"] == "Environment"
    assert elements["b"]["element type"] == "Behaviour"  # a group that is no kind: the type
    assert "element type" not in elements["d"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_maps())
def test_random_maps_round_trip_through_the_export(original: CausalMap) -> None:
    back = read_kumu_json(write_kumu_json(original))
    same_by_id(original, back)


def test_a_prsm_map_goes_to_kumu_and_back() -> None:
    prsm_map = read_prsm(fixture("green_space.prsm"))
    kumu_map = read_kumu_json(write_kumu_json(prsm_map))
    same_by_id(prsm_map, kumu_map)
    same_by_id(prsm_map, read_prsm(write_prsm(kumu_map)))


# -- blueprint -------------------------------------------------------------------------------


def test_reads_the_blueprint() -> None:
    causal_map = read_kumu_json(fixture(BLUEPRINT), name=BLUEPRINT)
    assert causal_map.title == "green_space_kumu_blueprint"
    # the two "Stress" elements are one, as in Kumu; the first one's fields win
    assert len(causal_map.factors) == 10
    stress = causal_map.factor("Stress")
    assert (stress.group, stress.description) == ("Health", "Added again by table B.")
    assert causal_map.factor("Green social prescribing").kind == "intervention"
    # the mutual connection is two links
    assert len(causal_map.links) == 15
    mutual = [link for link in causal_map.links if link.id.startswith("connection-7")]
    assert [(link.id, link.source, link.target) for link in mutual] == [
        ("connection-7", "Use of the local park", "Feeling safe in the park"),
        ("connection-7-reverse", "Feeling safe in the park", "Use of the local park"),
    ]
    assert [link.polarity for link in causal_map.links[-2:]] == ["+", "?"]
    delayed = [link for link in causal_map.links if link.delay]
    assert [(link.source, link.target) for link in delayed] == [
        ("Park maintenance funding", "Litter and wear")
    ]
    assert [link.contested for link in causal_map.links].count(True) == 1


def test_blueprint_reads_ids_reversed_and_undirected_connections() -> None:
    blueprint = {
        "elements": [{"id": "e1", "label": "Stress"}, {"id": "e2", "label": "Stress"}],
        "connections": [
            {"id": "c1", "from": "e1", "to": "e2", "type": "+", "reversed": True},
            {"from": "e2", "to": "e1", "type": "Personal", "direction": "undirected"},
        ],
    }
    causal_map = read_kumu_json(json.dumps(blueprint).encode())
    assert [f.id for f in causal_map.factors] == ["e1", "e2"]
    first, second = causal_map.links
    assert (first.id, first.source, first.target, first.polarity) == ("c1", "e2", "e1", "+")
    assert (second.polarity, second.attributes["kumu"]) == (
        "?",
        {"connection type": "Personal", "direction": "undirected"},
    )
    document = json.loads(write_kumu_json(causal_map, blueprint=True))
    assert document["connections"][1]["type"] == "Personal"
    assert document["connections"][1]["direction"] == "undirected"


def test_a_blueprint_of_connections_only_makes_its_elements() -> None:
    blueprint = {"connections": [{"from": "A", "to": "B", "type": "++"}]}
    causal_map = read_kumu_json(json.dumps(blueprint).encode())
    assert [f.label for f in causal_map.factors] == ["A", "B"]


def test_blueprint_makes_repeated_labels_unique() -> None:
    document = json.loads(write_kumu_json(green_space(), blueprint=True))
    assert [e["label"] for e in document["elements"]] == [
        "Access to green space",
        "Time outdoors",
        "Mental wellbeing",
        "Stress",
        "Stress (2)",
    ]
    assert document["connections"][4] == {
        "from": "Stress (2)",
        "to": "Stress",
        "type": "?",
        "direction": "directed",
    }
    assert "loops" not in document


def test_blueprint_round_trip() -> None:
    original = green_space()
    same_by_label(original, read_kumu_json(write_kumu_json(original, blueprint=True)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_maps())
def test_random_maps_round_trip_through_the_blueprint(original: CausalMap) -> None:
    same_by_label(original, read_kumu_json(write_kumu_json(original, blueprint=True)))


# -- malformed JSON --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "not JSON"),
        (b'{"elements": [', "not JSON"),
        (b"\xff\xfe{", "not UTF-8"),
        (b'{"nodes": []}', "not a Kumu map"),
        (b"[]", "not a Kumu map"),
        (b'{"elements": [], "connections": {}}', "'connections' is not a list"),
    ],
)
def test_files_that_are_not_kumu_json(data: bytes, words: str) -> None:
    assert words in str(refusal(read_kumu_json, data, "kumu.json"))


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=100),
        st.fixed_dictionaries(
            {"elements": st.lists(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4))},
            optional={
                "connections": st.lists(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5)),
                "loops": st.lists(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=3)),
                "maps": st.lists(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=3)),
            },
        ).map(lambda doc: json.dumps(doc).encode()),
    )
)
def test_any_input_reads_or_says_what_is_wrong(data: bytes) -> None:
    try:
        causal_map = read_kumu_json(data, name="any.json")
    except ValidationError as error:
        assert "any.json" in str(error)
    else:
        assert read_kumu_json(write_kumu_json(causal_map)) is not None


def test_every_bad_element_and_connection_is_reported() -> None:
    blueprint = {
        "elements": [{"label": "A"}, {"type": "Outcome"}, "B"],
        "connections": [
            {"from": "A", "to": "Ghost"},
            {"to": "A"},
            {"from": "A", "to": "A", "type": "+"},
        ],
    }
    with pytest.raises(ValidationError) as caught:
        read_kumu_json(json.dumps(blueprint).encode(), name="kumu.json")
    problems = caught.value.problems
    assert [(p.row, p.field) for p in problems] == [(2, "label"), (3, None), (1, "to"), (2, "from")]
    assert "connection 1: 'to' is 'Ghost', which is not the label of an element" in str(
        caught.value
    )


def test_export_connections_to_unknown_elements_are_reported() -> None:
    export = {
        "elements": [{"_id": "e1", "attributes": {"label": "A"}}, {"attributes": {"label": "B"}}],
        "connections": [{"_id": "c1", "from": "e1", "to": "e9"}, {"from": "e1", "to": "e1"}],
        "loops": [{"_id": "l1", "attributes": {"label": "R1"}, "connections": ["c1", "c7"]}],
    }
    with pytest.raises(ValidationError) as caught:
        read_kumu_json(json.dumps(export).encode(), name="kumu.json")
    problems = caught.value.problems
    assert [(p.row, p.field) for p in problems] == [
        (2, "_id"),
        (1, "to"),
        (2, "_id"),
        (None, "loops"),
    ]
    assert "'e9', which is not the _id of an element" in str(caught.value)
    assert "loop 'R1' names connection 'c7'" in str(caught.value)


# -- Excel -----------------------------------------------------------------------------------


def test_reads_a_kumu_workbook() -> None:
    data = workbook(
        {
            "Elements": [
                ["Label", "Type", "Description", "Tags"],
                ["Access to green space", "Community asset", "Parks", "place|green"],
                ["Mental wellbeing", "Outcome", None, None],
                ["Stress", "Factor", None, None],
            ],
            "Notes (ignore)": [["Anything", "at all"]],
            "More elements": [["ID", "Label", "Type"], ["loneliness", "Loneliness", "Driver"]],
            "Connections": [
                ["From", "To", "Type", "Delayed", "Strength"],
                ["Access to green space", "Mental wellbeing|Stress", "++", None, "Strong"],
                ["Stress", "Mental wellbeing", "+-", "yes", None],
                ["loneliness", "Stress", "+", None, 3],
            ],
        }
    )
    causal_map = read_kumu_xlsx(data, name="kumu.xlsx")
    assert [f.id for f in causal_map.factors] == [
        "Access to green space",
        "Mental wellbeing",
        "Stress",
        "loneliness",
    ]
    assert causal_map.factors[0].attributes["Tags"] == ["place", "green"]
    assert causal_map.factors[0].kind == "asset"
    assert causal_map.factors[2].group == "Factor"
    links = causal_map.links
    assert [(link.id, link.target, link.polarity) for link in links[:2]] == [
        ("connection-1-1", "Mental wellbeing", "+"),
        ("connection-1-2", "Stress", "+"),
    ]
    assert links[0].strength == "strong"
    assert (links[2].polarity, links[2].delay) == ("-", True)
    assert links[3].attributes["Strength"] == 3  # not a strength mobilise knows: kept
    assert links[3].source == "loneliness"


def test_workbook_round_trip() -> None:
    original = green_space()
    back = read_kumu_xlsx(write_kumu_xlsx(original))
    same_by_label(original, back)
    assert back.factors[4].attributes["Sector"] == "NHS"
    assert back.factors[4].attributes["tags"] == ["x", "y"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_maps())
def test_random_maps_round_trip_through_excel(original: CausalMap) -> None:
    pytest.importorskip("openpyxl")
    same_by_label(original, read_kumu_xlsx(write_kumu_xlsx(original)))


def test_a_workbook_without_kumu_sheets() -> None:
    data = workbook({"Sheet1": [["Name", "Kind"], ["A", "B"]]})
    error = refusal(read_kumu_xlsx, data, "kumu.xlsx")
    assert "no element sheet ('Label' in A1) or connection sheet" in str(error)


def test_sheets_named_for_kumu_without_its_columns() -> None:
    data = workbook(
        {
            "Elements": [["Name"], ["A"]],
            "Connections": [["Source", "Target"], ["A", "B"]],
        }
    )
    with pytest.raises(ValidationError) as caught:
        read_kumu_xlsx(data, name="kumu.xlsx")
    assert [p.field for p in caught.value.problems] == ["Label", "From"]
    assert "sheet 'Connections' has no 'From' in A1 and 'To' in B1" in str(caught.value)


def test_workbook_connections_to_unknown_labels_name_sheet_and_row() -> None:
    data = workbook(
        {
            "Elements": [["Label", "Type"], ["A", None], [None, "Outcome"], ["B", None]],
            "Links": [["From", "To"], ["A", "B"], ["A", "Ghost"]],
        }
    )
    with pytest.raises(ValidationError) as caught:
        read_kumu_xlsx(data, name="kumu.xlsx")
    problems = caught.value.problems
    assert [(p.row, p.field) for p in problems] == [(2, "label"), (2, "to")]
    message = str(caught.value)
    assert "sheet 'Elements': the element has no label" in message
    assert "sheet 'Links': the connection: 'to' is 'Ghost'" in message


def test_a_bar_in_a_label_is_written_as_a_slash_in_workbooks() -> None:
    causal_map = CausalMap(
        "Bars",
        factors=[Factor("a", "Parks|Gardens"), Factor("b", "Parks/Gardens"), Factor("c", "C")],
        links=[Link("l", "a", "c", "+")],
    ).check()
    back = read_kumu_xlsx(write_kumu_xlsx(causal_map))
    assert [f.label for f in back.factors] == ["Parks/Gardens", "Parks/Gardens (2)", "C"]
    assert back.links[0].source == "Parks/Gardens"


def test_not_a_workbook() -> None:
    pytest.importorskip("openpyxl")
    with pytest.raises(ValidationError, match=r"kumu\.xlsx.*not an Excel workbook"):
        read_kumu_xlsx(b'{"elements": []}', name="kumu.xlsx")


def test_excel_without_openpyxl_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ConfigurationError, match=r"pip install 'mobilise\[xlsx\]'"):
        read_kumu_xlsx(b"PK\x03\x04", name="kumu.xlsx")
    with pytest.raises(ConfigurationError, match=r"pip install 'mobilise\[xlsx\]'"):
        write_kumu_xlsx(CausalMap("Empty"))


def test_mutual_connections_written_as_two() -> None:
    causal_map = CausalMap(
        "Mutual",
        factors=[Factor("a", "A"), Factor("b", "B")],
        links=[Link("c", "a", "b", "+", attributes={"kumu": {"direction": "mutual"}})],
    ).check()
    document = json.loads(write_kumu_json(causal_map))
    assert document["connections"][0]["direction"] == "directed"
