"""Causal structure of Vensim .mdl and XMILE models (mobilise.formats.vensim)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mobilise.errors import ValidationError
from mobilise.formats.vensim import read_vensim_mdl, read_xmile
from mobilise.model.causal_map import CausalMap

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "systems_maps"

SKETCH_HEAD = (
    "\\\\\\---/// Sketch information - do not modify anything except names\n"
    "V300  Do not put anything below this section - it will be ignored\n"
    "*View 1\n"
    "$192-192-192,0,Times New Roman|12||0-0-0|0-0-0|0-0-255|-1--1--1|-1--1--1|96,96,100,0\n"
)
SKETCH_END = "///---\\\\\\\n:L<%^E!@\n9:Current\n"

# A stock with an inflow from a cloud and an outflow to a cloud; a name in quotes with a comma.
STOCK_AND_FLOWS = (
    SKETCH_HEAD + "10,1,Active residents,400,300,40,20,3,3,0,0,0,0,0,0\n"
    "12,2,48,200,300,10,8,0,3,0,0,-1,0,0,0\n"
    "1,3,5,1,4,0,0,22,0,0,0,-1--1--1,,1|(350,300)|\n"
    "1,4,5,2,100,0,0,22,0,0,0,-1--1--1,,1|(240,300)|\n"
    "11,5,48,300,300,6,8,34,3,0,0,1,0,0,0\n"
    "10,6,taking up activity,300,320,40,11,40,3,0,0,-1,0,0,0\n"
    "12,7,48,600,300,10,8,0,3,0,0,-1,0,0,0\n"
    "1,8,10,7,4,0,0,22,0,0,0,-1--1--1,,1|(560,300)|\n"
    "1,9,10,1,100,0,0,22,0,0,0,-1--1--1,,1|(450,300)|\n"
    "11,10,48,500,300,6,8,34,3,0,0,1,0,0,0\n"
    "10,11,giving up activity,500,320,40,11,40,3,0,0,-1,0,0,0\n"
    '10,12,"Park visits, per week",420,120,40,11,8,3,0,0,0,0,0,0\n'
    "1,13,12,5,0,0,43,0,0,64,0,-1--1--1,,1|(350,200)|\n"
    "1,14,1,11,0,0,0,0,0,64,0,-1--1--1,,1|(480,340)|\n" + SKETCH_END
)


def _links(causal_map: CausalMap) -> set[tuple[str, str, str]]:
    labels = {f.id: f.label for f in causal_map.factors}
    return {(labels[k.source], labels[k.target], k.polarity) for k in causal_map.links}


def test_vensim_loop_diagram() -> None:
    data = (FIXTURES / "vensim_green_space.mdl").read_bytes()
    assert b"\r\n" in data
    causal_map = read_vensim_mdl(data, name="vensim_green_space.mdl")
    assert causal_map.title == "vensim_green_space"
    assert [(f.id, f.label, f.x, f.y) for f in causal_map.factors] == [
        ("quality of green space", "Quality of green space", 180.0, 120.0),
        ("park visits", "Park visits", 420.0, 120.0),
        ("physical activity", "Physical activity", 600.0, 260.0),
        ("friends of the park volunteers", "Friends of the park volunteers", 300.0, 300.0),
    ]  # the shadow variables of the second view are the same factors, not new ones
    assert _links(causal_map) == {
        ("Quality of green space", "Park visits", "+"),  # 43
        ("Park visits", "Physical activity", "+"),  # 43, drawn again in the second view
        ("Park visits", "Friends of the park volunteers", "+"),  # 83, S
        ("Friends of the park volunteers", "Quality of green space", "+"),
        ("Park visits", "Quality of green space", "-"),  # 45
        ("Physical activity", "Park visits", "?"),  # 0: no sign drawn
    }
    assert len(causal_map.links) == 6
    assert {f.attributes["sd_type"] for f in causal_map.factors} == {"aux"}


def test_vensim_stocks_flows_and_quoted_names() -> None:
    causal_map = read_vensim_mdl(STOCK_AND_FLOWS, name="activity.mdl")
    types = {f.label: f.attributes["sd_type"] for f in causal_map.factors}
    assert types == {
        "Active residents": "stock",
        "taking up activity": "flow",
        "giving up activity": "flow",
        "Park visits, per week": "aux",
    }
    assert _links(causal_map) == {
        ("taking up activity", "Active residents", "+"),  # the pipe ends at the stock
        ("giving up activity", "Active residents", "-"),  # the pipe starts there
        ("Park visits, per week", "taking up activity", "+"),  # an arrow to the valve
        ("Active residents", "giving up activity", "?"),
    }


def test_vensim_names_match_across_case_underscores_and_spaces() -> None:
    text = STOCK_AND_FLOWS.replace(
        "1,14,1,11,0,0,0,0,0,64,0,-1--1--1,,1|(480,340)|\n",
        "1,14,1,11,0,0,0,0,0,64,0,-1--1--1,,1|(480,340)|\n"
        "10,15,ACTIVE_RESIDENTS,100,100,40,20,3,2,0,0,0,0,0,0\n"
        "1,16,15,12,0,0,79,0,0,64,0,-1--1--1,,1|(480,340)|\n",
    )
    causal_map = read_vensim_mdl(text.encode("cp1252"), name="activity.mdl")
    assert len(causal_map.factors) == 4
    assert ("Active residents", "Park visits, per week", "-") in _links(causal_map)  # O


def test_vensim_without_utf8_is_read_as_windows_text() -> None:
    text = SKETCH_HEAD + "10,1,Café visits,1,2,3,4,8,3,0,0,0,0,0,0\n" + SKETCH_END
    causal_map = read_vensim_mdl(text.encode("cp1252"), name="cafe.mdl")
    assert causal_map.factors[0].label == "Café visits"


def test_xmile_stock_flows_connectors_and_alias() -> None:
    data = (FIXTURES / "xmile_green_space.xmile").read_bytes()
    causal_map = read_xmile(data, name="xmile_green_space.xmile")
    assert causal_map.title == "Green space and active residents"
    kinds = {f.label: (f.attributes["sd_type"], f.x, f.y) for f in causal_map.factors}
    assert kinds == {
        "Active residents": ("stock", 400.0, 300.0),
        "taking up activity": ("flow", 300.0, 300.0),
        "giving up activity": ("flow", 500.0, 300.0),
        "Quality of green space": ("aux", 180.0, 120.0),
        "Park visits": ("aux", 420.0, 120.0),
        "Friends of the park volunteers": ("aux", 300.0, 40.0),
    }
    assert causal_map.factor("active residents").description.startswith("Residents doing")
    assert _links(causal_map) == {
        ("taking up activity", "Active residents", "+"),
        ("giving up activity", "Active residents", "-"),
        ("Quality of green space", "Park visits", "+"),
        ("Park visits", "taking up activity", "+"),
        ("Active residents", "Park visits", "+"),  # from the alias
        ("Park visits", "Friends of the park volunteers", "+"),
        ("Friends of the park volunteers", "Quality of green space", "+"),
        ("Park visits", "Quality of green space", "-"),
        # No polarity drawn: its equation (Active_residents / 24) says "+" (issue 22).
        ("Active residents", "giving up activity", "+"),
    }
    assert len(causal_map.links) == 9


def _problems(reader: object, data: bytes | str, name: str) -> list[tuple[int | None, str]]:
    assert callable(reader)
    with pytest.raises(ValidationError) as caught:
        reader(data, name=name)
    assert all(p.file == name for p in caught.value.problems)
    assert name in str(caught.value)
    return [(p.row, p.message) for p in caught.value.problems]


def test_vensim_without_equations_or_sketch_is_refused() -> None:
    # Issue 22: a file with equations and no sketch is read from its equations (see
    # tests/unit/test_sd_models.py); only a file with neither is refused.
    ((row, message),) = _problems(read_vensim_mdl, "nothing here\n", "plain.mdl")
    assert "there are no equations" in message and "no sketch section" in message
    assert row == 1


def test_vensim_arrows_to_missing_records_are_reported_with_their_lines() -> None:
    text = (
        SKETCH_HEAD
        + "10,1,Park visits,1,2,3,4,8,3,0,0,0,0,0,0\n"
        + "1,2,1,9,0,0,43,0,0,64,0,-1--1--1,,1|(1,1)|\n"
        + "1,3,8,1,0,0,43,0,0,64,0,-1--1--1,,1|(1,1)|\n"
        + "1,4,1\n"
        + SKETCH_END
    )
    assert _problems(read_vensim_mdl, text, "broken.mdl") == [
        (6, "arrow 2 ends at record 9, which its view does not have"),
        (7, "arrow 3 starts at record 8, which its view does not have"),
        (8, "an arrow record has fewer than 7 fields"),
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("<xmile><model>", "cannot parse the XML"),
        ("<mentalmodeler/>", "not <xmile>"),
        ("<xmile><header/></xmile>", "there is no <model> element"),
    ],
)
def test_text_that_is_not_xmile_is_refused(data: str, expected: str) -> None:
    ((_, message),) = _problems(read_xmile, data, "broken.xmile")
    assert expected in message


def test_xmile_connectors_and_flows_to_missing_variables_are_reported() -> None:
    text = """<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"><model>
      <variables>
        <stock name="People"><inflow>arrivals</inflow></stock>
        <aux name="Parks"/>
        <aux name=" "/>
      </variables>
      <views><view>
        <connector uid="1" polarity="+"><from>Parks</from><to>Pople</to></connector>
        <connector uid="2"><from><alias uid="9"/></from><to>Parks</to></connector>
      </view></views>
    </model></xmile>"""
    assert [message for _, message in _problems(read_xmile, text, "broken.xmile")] == [
        "a <aux> has no name",
        "stock 'People' has 'arrivals' as a flow, which the model does not have",
        "connector 1 ends at 'Pople', which the model does not have",
        "connector 2 starts at alias '9', which this view does not have",
    ]
