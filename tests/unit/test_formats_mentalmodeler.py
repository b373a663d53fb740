"""Mental Modeler .mmp reader and writer (mobilise.formats.mentalmodeler)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mobilise.errors import ValidationError
from mobilise.formats.mentalmodeler import (
    INFLUENCE_WEIGHTS,
    read_mentalmodeler,
    write_mentalmodeler,
)
from mobilise.model.causal_map import CausalMap, Factor, Link, Scenario

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "systems_maps" / "mentalmodeler"

# (file, concepts, edges) as counted in the shared systems_maps/SOURCES.md.
COUNTS = [
    ("public_health.mmp", 7, 10),
    ("fishery-manager.mmp", 9, 17),
    ("fish_wetland.mmp", 5, 11),
    ("fish_wetland_ozesmi.mmp", 5, 12),
    ("fire_model.xml.mmp", 24, 41),
    ("fire_model.json.mmp", 24, 41),
    ("compare/covid/reference_model.mmp", 18, 32),
    ("compare/covid/participant_3.mmp", 11, 11),
    ("compare/covid/participant_4.mmp", 16, 29),
    ("compare/covid/participant_5.mmp", 16, 29),
    ("compare/test001/test001_a.mmp", 6, 6),
    ("compare/test001/test001_b.mmp", 6, 7),
    ("compare/test001/test001_c.mmp", 6, 7),
    ("compare/test001/test001_canonical.mmp", 6, 7),
    ("compare/test001/test001_d.mmp", 5, 6),
]


def _read(relative: str) -> CausalMap:
    return read_mentalmodeler((SAMPLES / relative).read_bytes(), name=Path(relative).name)


def _link(causal_map: CausalMap, source: str, target: str) -> Link:
    (found,) = [k for k in causal_map.links if (k.source, k.target) == (source, target)]
    return found


def _shape(causal_map: CausalMap) -> tuple[list[tuple[object, ...]], ...]:
    return (
        [(f.id, f.label, f.group, f.description, f.x, f.y) for f in causal_map.factors],
        [(k.source, k.target, k.polarity, k.weight, k.evidence) for k in causal_map.links],
        [(s.name, sorted(s.clamps.items())) for s in causal_map.scenarios],
    )


@pytest.mark.parametrize(("relative", "concepts", "edges"), COUNTS)
def test_every_sample_reads_with_its_counts(relative: str, concepts: int, edges: int) -> None:
    causal_map = _read(relative)
    assert (len(causal_map.factors), len(causal_map.links)) == (concepts, edges)
    assert causal_map.problems() == []
    assert causal_map.source == Path(relative).name


def test_covid_sample_has_its_title_and_unnamed_groups() -> None:
    causal_map = _read("compare/covid/participant_3.mmp")
    assert causal_map.title == "Cool things this summer"
    assert {f.group for f in causal_map.factors} == {"", "Group 1", "Group 2"}
    assert causal_map.factors[0].attributes["group_index"] == "1"


def test_linguistic_influences_use_mental_modelers_values() -> None:
    causal_map = _read("fish_wetland.mmp")
    high = _link(causal_map, "2", "1")  # H+
    assert (high.weight, high.polarity, high.strength) == (1.0, "+", "strong")
    medium = _link(causal_map, "2", "7")  # M+
    assert (medium.weight, medium.strength) == (0.62, "medium")
    low = _link(causal_map, "2", "8")  # L-
    assert (low.weight, low.polarity, low.strength) == (-0.25, "-", "weak")
    assert low.attributes["influence"] == "L-"
    assert INFLUENCE_WEIGHTS == {
        "H+": 1.0, "M+": 0.62, "L+": 0.25, "H-": -1.0, "M-": -0.62, "L-": -0.25,
    }  # fmt: skip


def test_numeric_influences_are_weights_without_strength() -> None:
    causal_map = _read("public_health.mmp")
    link = _link(causal_map, "1", "4")
    assert (link.weight, link.polarity, link.strength) == (0.6, "+", None)
    assert causal_map.factors[0].description == "Number of people in a city"


def test_zero_influence_is_unknown_polarity_without_weight() -> None:
    causal_map = _read("fish_wetland_ozesmi.mmp")
    zero = [k for k in causal_map.links if k.attributes["influence"] == "0"]
    assert len(zero) == 1
    assert (zero[0].polarity, zero[0].weight) == ("?", None)


def test_scenarios_read_with_their_clamps() -> None:
    fish = _read("fish_wetland.mmp")
    assert [(s.name, s.clamps) for s in fish.scenarios] == [("A lot of fish die", {"1": -1.0})]
    fire = _read("fire_model.xml.mmp")
    assert [(s.name, s.clamps) for s in fire.scenarios] == [
        ("win game", {"1": 1.0, "2": -0.25}),
        ("go team", {"3": -0.25, "4": 0.62, "13": 1.0}),
    ]
    # "selected" only charts a result: Tourism is not charted in "win game".
    assert fire.attributes["mentalmodeler"]["unselected"] == {"win game": ["20"]}
    # Every concept of test001 is "selected" with influence 0: nothing is clamped.
    assert _read("compare/test001/test001_a.mmp").scenarios == [Scenario("Scenario", {})]


def test_fire_model_xml_and_json_give_the_same_map() -> None:
    from_xml = _read("fire_model.xml.mmp")
    from_json = _read("fire_model.json.mmp")
    assert from_xml.title == from_json.title == "Fire"
    assert [f.id for f in from_xml.factors] == [f.id for f in from_json.factors]
    assert [(f.x, f.y) for f in from_xml.factors] == [(f.x, f.y) for f in from_json.factors]
    labels = {f.id: f.label for f in from_json.factors}
    assert labels["6"] == "Concept 6"  # the JSON copy lost its name ("Logging" in the XML)
    assert {f.id: f.label for f in from_xml.factors} == {**labels, "6": "Logging"}
    assert [(k.source, k.target) for k in from_xml.links] == [
        (k.source, k.target) for k in from_json.links
    ]
    differing = [
        (a.source, a.target, a.polarity, b.polarity)
        for a, b in zip(from_xml.links, from_json.links, strict=True)
        if a.polarity != b.polarity
    ]
    assert differing == [("7", "6", "-", "?")]  # L- in the XML, 0 in the JSON
    assert [(s.name, s.clamps) for s in from_xml.scenarios] == [
        (s.name, s.clamps) for s in from_json.scenarios
    ]


def test_json_groups_notes_units_and_confidence() -> None:
    causal_map = _read("fire_model.json.mmp")
    first = causal_map.factors[0]
    assert first.group == "Cool 0 group"
    assert first.attributes["units"] == "some unit value here"
    assert first.description.startswith("Lorem ipsum")
    assert causal_map.factor("2").group == "1 and 1"
    link = _link(causal_map, "1", "20")
    assert link.confidence == pytest.approx(1 / 6)  # slider -2 of -3..3
    assert link.evidence.startswith("Lorem ipsum")
    assert _link(causal_map, "2", "16").confidence is None  # 0, the untouched slider


@pytest.mark.parametrize(("relative", "concepts", "edges"), COUNTS)
@pytest.mark.parametrize("as_json", [False, True])
def test_round_trip_keeps_factors_links_and_scenarios(
    relative: str, concepts: int, edges: int, as_json: bool
) -> None:
    original = _read(relative)
    again = read_mentalmodeler(write_mentalmodeler(original, json=as_json), name="again.mmp")
    assert _shape(again) == _shape(original)
    assert [k.strength for k in again.links] == [None] * edges  # written as numbers
    assert len(again.factors) == concepts


def test_written_xml_mirrors_mental_modelers_layout() -> None:
    causal_map = _read("fish_wetland.mmp")
    root = ET.fromstring(write_mentalmodeler(causal_map))
    assert root.tag == "mentalmodeler"
    assert [child.tag for child in root] == ["info", "groupNames", "concepts", "scenarios"]
    concept = root.find("concepts/concept")
    assert concept is not None
    assert [child.tag for child in concept] == [
        "id", "name", "notes", "units", "group", "x", "y", "preferredState", "actualState",
        "relationships",
    ]  # fmt: skip
    relationship = concept.find("relationships/relationship")
    assert relationship is not None
    assert relationship.findtext("id") == "7"
    assert relationship.findtext("influence") == "1"
    assert root.findtext("scenarios/scenario/concepts/concept/influence") == "-1"
    assert len(root.findall("groupNames/groupName")) == 6


def test_written_json_mirrors_the_web_apps_tree() -> None:
    tree = json.loads(write_mentalmodeler(_read("fire_model.json.mmp"), json=True))
    assert list(tree) == ["info", "groupNames", "concepts", "scenarios"]
    assert tree["groupNames"]["0"] == "Cool 0 group"
    assert tree["concepts"][0]["relationships"][0] == {
        "id": "20",
        "name": "Tourism",
        "notes": tree["concepts"][0]["relationships"][0]["notes"],
        "confidence": "-2",
        "influence": "0.25",
    }


def test_writer_turns_strength_and_polarity_into_mental_modeler_values() -> None:
    causal_map = CausalMap(
        title="Parks",
        factors=[
            Factor("a", "Green space", group="Environment", x=10, y=20),
            Factor("b", "Walking"),
            Factor("c", "Wellbeing"),
        ],
        links=[
            Link("1", "a", "b", polarity="+", strength="medium"),
            Link("2", "b", "c", polarity="-"),
            Link("3", "c", "a", polarity="?", confidence=1.0),
        ],
        scenarios=[Scenario("More parks", {"a": 0.5})],
    )
    again = read_mentalmodeler(write_mentalmodeler(causal_map), name="parks.mmp")
    assert [(k.weight, k.polarity) for k in again.links] == [(0.62, "+"), (-1.0, "-"), (None, "?")]
    assert again.links[2].confidence == 1.0
    assert [f.group for f in again.factors] == ["Environment", "", ""]
    assert again.scenarios[0].clamps == {"a": 0.5}


def _problems(data: bytes | str, name: str = "broken.mmp") -> list[str]:
    with pytest.raises(ValidationError) as caught:
        read_mentalmodeler(data, name=name)
    assert all(p.file == name for p in caught.value.problems)
    assert name in str(caught.value)
    return [p.message for p in caught.value.problems]


def test_bad_xml_names_the_file() -> None:
    (message,) = _problems(b"<mentalmodeler><concepts><concept></mentalmodeler>")
    assert "cannot parse the XML" in message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"nodes": []}', "no 'concepts' list"),
        (b"[1, 2]", "neither XML nor JSON"),
        (b'{"concepts": ', "cannot parse the JSON"),
        (b"<graphml/>", "not <mentalmodeler>"),
        (b"concepts: 3", "neither XML nor JSON"),
    ],
)
def test_text_that_is_not_a_map_is_refused(data: bytes, expected: str) -> None:
    (message,) = _problems(data)
    assert expected in message


def test_every_bad_relationship_is_reported_at_once() -> None:
    tree = {
        "concepts": [
            {
                "id": "1",
                "name": "Green space",
                "x": "left",
                "relationships": [
                    {"id": "9", "influence": "0.5"},
                    {"id": "2", "influence": "1.5"},
                    {"id": "2", "influence": "very high", "confidence": "7"},
                ],
            },
            {"id": "2", "name": "Walking"},
        ],
        "scenarios": [{"name": "More", "concepts": [{"id": "8", "influence": "1"}]}],
    }
    messages = _problems(json.dumps(tree))
    assert len(messages) == 6
    assert "x 'left', which is not a number" in messages[0]
    assert "relationship to concept id '9', which is not in the file" in messages[1]
    assert "influence '1.5' is out of range" in messages[2]
    assert "'very high' is neither a number" in messages[3]
    assert "confidence '7'" in messages[4]
    assert "clamps concept id '8', which is not in the file" in messages[5]


def test_a_repeated_concept_id_is_a_problem() -> None:
    tree = {"concepts": [{"id": "1", "name": "A"}, {"id": "1", "name": "B"}]}
    (message,) = _problems(json.dumps(tree))
    assert "factor id '1' is used twice" in message
