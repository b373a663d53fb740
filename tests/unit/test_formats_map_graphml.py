"""GraphML reader and writer for causal maps (mobilise.formats.map_graphml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise.formats.map_graphml import read_map_graphml, write_map_graphml
from mobilise.formats.mentalmodeler import read_mentalmodeler
from mobilise.model.causal_map import (
    FACTOR_KINDS,
    STRENGTHS,
    CausalMap,
    Factor,
    Link,
    Scenario,
)

from ._map_helpers import refused_messages, weight_and_polarity

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "systems_maps"
GRAPHML = '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">{}</graphml>'


def _factors(causal_map: CausalMap) -> list[tuple[object, ...]]:
    return [
        (
            f.id, f.label, f.kind, f.description, f.group, f.populations, f.indicator_id,
            f.asset_category, f.x, f.y,
        )
        for f in causal_map.factors
    ]  # fmt: skip


def _links(causal_map: CausalMap) -> list[tuple[object, ...]]:
    return [
        (
            k.id, k.source, k.target, k.polarity, k.strength, k.weight, k.delay, k.confidence,
            k.evidence, k.stakeholder_group, k.contested, k.label,
        )
        for k in causal_map.links
    ]  # fmt: skip


def _example() -> CausalMap:
    return CausalMap(
        title="Green space and health",
        question="What keeps people active?",
        description="Drawn at the Northampton workshop",
        factors=[
            Factor(
                "park", "Quality of parks", kind="asset", group="Environment", x=10.5, y=-3,
                populations=("older people", "children"), asset_category="green_space",
                description="How well kept the parks are", attributes={"units": "index"},
            ),
            Factor("walk", "Walking", kind="driver", indicator_id="pa_walk"),
            Factor("well", "Mental wellbeing", kind="outcome"),
        ],
        links=[
            Link("l1", "park", "walk", polarity="+", weight=0.6, strength="strong",
                 confidence=0.8, evidence="survey", stakeholder_group="residents",
                 attributes={"influence": "M+"}),
            Link("l2", "park", "walk", polarity="-", delay=True, contested=True,
                 label="crowding"),
            Link("l3", "walk", "well", polarity="?"),
            Link("l4", "well", "well", polarity="+", weight=1.0),
        ],
        scenarios=[Scenario("More parks", {"park": 1.0, "walk": -0.5}, "invest")],
    )  # fmt: skip


def test_round_trip_keeps_every_field_and_parallel_links() -> None:
    original = _example()
    again = read_map_graphml(write_map_graphml(original), name="health.graphml")
    assert _factors(again) == _factors(original)
    assert _links(again) == _links(original)
    assert (again.title, again.question, again.description) == (
        original.title, original.question, original.description,
    )  # fmt: skip
    assert again.scenarios == original.scenarios
    assert again.factors[0].attributes == {"units": "index"}
    assert again.links[0].attributes == {"influence": "M+"}
    assert again.source == "health.graphml"


def test_written_graphml_is_a_directed_multigraph_with_link_ids() -> None:
    text = write_map_graphml(_example()).decode()
    assert 'edgedefault="directed"' in text
    assert '<edge source="park" target="walk" id="l1">' in text
    assert '<edge source="park" target="walk" id="l2">' in text
    assert 'attr.name="polarity"' in text


def test_mental_modeler_map_survives_graphml() -> None:
    fire = read_mentalmodeler(
        (FIXTURES / "mentalmodeler" / "fire_model.json.mmp").read_bytes(), name="fire.mmp"
    )
    again = read_map_graphml(write_map_graphml(fire), name="fire.graphml")
    assert _factors(again) == _factors(fire)
    assert _links(again) == _links(fire)
    assert again.scenarios == fire.scenarios


# The round trip is exact for every character XML can hold (not U+FFFE and U+FFFF: see
# test_characters_xml_cannot_hold_are_left_out_not_written_raw).
_XML_CHARACTERS = st.characters(
    blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"
)
_TEXT = st.text(_XML_CHARACTERS, max_size=12)
_IDS = st.text(_XML_CHARACTERS, min_size=1, max_size=8)
_UNIT = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def _maps(draw: st.DrawFn) -> CausalMap:
    ids = draw(st.lists(_IDS.filter(str.strip), min_size=1, max_size=6, unique=True))
    factors = [
        Factor(
            factor_id,
            draw(_TEXT.filter(str.strip)),
            kind=draw(st.sampled_from(list(FACTOR_KINDS))),
            group=draw(_TEXT),
            description=draw(_TEXT),
            x=draw(st.none() | st.floats(-1e6, 1e6)),
            y=draw(st.none() | st.floats(-1e6, 1e6)),
        )
        for factor_id in ids
    ]
    links = []
    for number in range(draw(st.integers(0, 8))):
        weight, polarity = weight_and_polarity(draw)
        links.append(
            Link(
                f"link {number}",
                draw(st.sampled_from(ids)),
                draw(st.sampled_from(ids)),
                polarity=polarity,
                weight=weight,
                strength=draw(st.none() | st.sampled_from(STRENGTHS)),
                delay=draw(st.booleans()),
                confidence=draw(st.none() | _UNIT),
                evidence=draw(_TEXT),
                stakeholder_group=draw(_TEXT),
                contested=draw(st.booleans()),
                label=draw(_TEXT),
            )
        )
    return CausalMap(title=draw(_TEXT), factors=factors, links=links)


@settings(max_examples=60, deadline=None)
@given(_maps())
def test_random_small_maps_round_trip(causal_map: CausalMap) -> None:
    again = read_map_graphml(write_map_graphml(causal_map), name="random.graphml")
    assert _factors(again) == _factors(causal_map)
    # NetworkX writes the edges factor by factor: the links come back in that order.
    assert sorted(_links(again)) == sorted(_links(causal_map))


def test_yed_labels_positions_and_signed_edge_labels() -> None:
    yed = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:y="http://www.yworks.com/xml/graphml">
  <key for="node" id="d6" yfiles.type="nodegraphics"/>
  <key for="edge" id="d10" yfiles.type="edgegraphics"/>
  <graph edgedefault="directed" id="G">
    <node id="n0"><data key="d6"><y:ShapeNode><y:Geometry height="30" width="30" x="10" y="20"/>
      <y:NodeLabel>Green space</y:NodeLabel></y:ShapeNode></data></node>
    <node id="n1"><data key="d6"><y:ShapeNode><y:Geometry height="30" width="30" x="110" y="20"/>
      <y:NodeLabel>Walking</y:NodeLabel></y:ShapeNode></data></node>
    <edge id="e0" source="n0" target="n1"><data key="d10"><y:PolyLineEdge>
      <y:EdgeLabel>+</y:EdgeLabel></y:PolyLineEdge></data></edge>
    <edge id="e1" source="n1" target="n0"><data key="d10"><y:PolyLineEdge>
      <y:EdgeLabel>more walkers</y:EdgeLabel></y:PolyLineEdge></data></edge>
  </graph>
</graphml>"""
    causal_map = read_map_graphml(yed, name="drawing.graphml")
    assert [(f.id, f.label, f.x, f.y) for f in causal_map.factors] == [
        ("n0", "Green space", 10.0, 20.0),
        ("n1", "Walking", 110.0, 20.0),
    ]
    assert [(k.id, k.polarity, k.label) for k in causal_map.links] == [
        ("e0", "+", "+"),
        ("e1", "?", "more walkers"),
    ]
    assert causal_map.title == "drawing"


def test_other_tools_names_signs_and_weights() -> None:
    keys = (
        '<key id="n" for="node" attr.name="name" attr.type="string"/>'
        '<key id="w" for="edge" attr.name="weight" attr.type="double"/>'
        '<key id="s" for="edge" attr.name="sign" attr.type="int"/>'
        '<key id="p" for="edge" attr.name="polarity" attr.type="string"/>'
        '<key id="k" for="node" attr.name="kind" attr.type="string"/>'
    )
    graph = (
        '<graph edgedefault="undirected">'
        '<node id="1"><data key="n">A</data><data key="k">Stock</data></node>'
        '<node id="2"><data key="n">B</data></node><node id="3"/>'
        '<edge source="2" target="1"><data key="w">3.5</data></edge>'
        '<edge source="3" target="2"><data key="s">-1</data></edge>'
        '<edge source="3" target="1"><data key="w">-0.5</data></edge>'
        '<edge source="1" target="3"><data key="p">negative</data></edge>'
        "</graph>"
    )
    causal_map = read_map_graphml(GRAPHML.format(keys + graph), name="gephi.graphml")
    assert [(f.id, f.label, f.kind) for f in causal_map.factors] == [
        ("1", "A", "other"),
        ("2", "B", "other"),
        ("3", "3", "other"),
    ]
    assert causal_map.factors[0].attributes == {"kind": "Stock"}
    assert [(k.id, k.source, k.target, k.polarity, k.weight) for k in causal_map.links] == [
        ("e1", "2", "1", "+", None),  # a count, not an influence: only its sign is used
        ("e2", "3", "2", "-", None),
        ("e3", "3", "1", "-", -0.5),
        ("e4", "1", "3", "-", None),
    ]
    assert causal_map.links[0].attributes == {"weight": 3.5}
    assert causal_map.attributes["graphml_directed"] is False


def _problems(data: bytes | str, name: str = "broken.graphml") -> list[str]:
    return refused_messages(read_map_graphml, data, name)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("<graphml><graph>", "cannot parse the XML"),
        ("", "cannot parse the XML"),
        ('{"nodes": []}', "cannot parse the XML"),
        ("<gexf/>", "not <graphml>"),
        (
            GRAPHML.format('<key id="w" for="edge" attr.name="weight" attr.type="double"/>'
                           '<graph><node id="a"/><edge source="a" target="a">'
                           '<data key="w">heavy</data></edge></graph>'),
            "cannot read the GraphML",
        ),
    ],
)  # fmt: skip
def test_text_that_is_not_graphml_is_refused(data: str, expected: str) -> None:
    (message,) = _problems(data)
    assert expected in message


def test_every_bad_edge_is_reported_at_once() -> None:
    keys = (
        '<key id="p" for="edge" attr.name="polarity" attr.type="string"/>'
        '<key id="c" for="edge" attr.name="confidence" attr.type="double"/>'
        '<key id="w" for="edge" attr.name="weight" attr.type="string"/>'
        '<key id="t" for="edge" attr.name="strength" attr.type="string"/>'
    )
    graph = (
        '<graph edgedefault="directed"><node id="a"/><node id="b"/>'
        '<edge id="x" source="a" target="ghost"/>'
        '<edge id="y" source="a" target="b"><data key="p">maybe</data></edge>'
        '<edge id="z" source="b" target="a"><data key="c">3</data>'
        '<data key="w">heavy</data><data key="t">huge</data></edge>'
        '<edge id="v" source="b" target="b"><data key="p">+</data><data key="w">-0.5</data></edge>'
        "</graph>"
    )
    messages = _problems(GRAPHML.format(keys + graph))
    assert messages == [
        "edge 'x' ends at node 'ghost', which is not in the file",
        "edge y has polarity 'maybe'; use +, - or ?",
        "edge z has weight 'heavy', which is not a number",
        "edge z has strength 'huge'; use weak, medium or strong",
        "edge z has confidence 3.0; use 0 to 1",
        "link 'v' has weight -0.5 but polarity '+'",
    ]


def test_characters_xml_cannot_hold_are_left_out_not_written_raw() -> None:
    """A label with U+FFFF or a control character (typed into the editor, say) is exported as a
    GraphML file that reads back, without those characters; before, the file was unreadable."""
    causal_map = CausalMap(
        "Odd \uffff title",
        [Factor("a", "Green\ufffe space\x01"), Factor("b", "Wellbeing")],
        [Link("l1", "a", "b", "+", label="more \x0b green")],
    )
    again = read_map_graphml(write_map_graphml(causal_map), name="odd.graphml")
    assert again.title == "Odd  title"
    assert [f.label for f in again.factors] == ["Green space", "Wellbeing"]
    assert again.links[0].label == "more  green"
