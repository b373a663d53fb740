"""System dynamics models as modellers write them (issue 22): structure and polarity from the
equations, the tolerant XMILE reader, modules, and loops classified as a modeller states them.
The models are small ones written for these tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mobilise.analysis.system_loops import feedback_loops
from mobilise.errors import ValidationError
from mobilise.formats.map_formats import read_map
from mobilise.formats.vensim import read_vensim_mdl, read_xmile
from mobilise.model.causal_map import CausalMap, Link

NS = 'xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"'

# The teacup, as in Vensim's own tutorial: equations only, no sketch section.
TEACUP_MDL = """{UTF-8}
Characteristic Time = 10
\t~\tMinutes
\t~\tHow long it takes to cool
\t|
Heat Loss to Room = (Teacup Temperature - Room Temperature) / Characteristic Time
\t~\tDegrees/Minute
\t~\t|
Room Temperature = 70 ~ Degrees ~ |
Teacup Temperature = INTEG(-Heat Loss to Room, 180) ~ Degrees ~ |
********************************************************
\t.Control
********************************************************~
\t\tSimulation Control Parameters
\t|
FINAL TIME  = 30 ~ Minute ~ |
INITIAL TIME  = 0 ~ Minute ~ |
TIME STEP  = 0.125 ~ Minute ~ |
"""

SIR_MDL = """{UTF-8}
Susceptible = INTEG(-Infection Rate, 990) ~ People ~ |
Infected = INTEG(Infection Rate - Recovery Rate, 10) ~ People ~ |
Recovered = INTEG(Recovery Rate, 0) ~ People ~ |
Total Population = Susceptible + Infected + Recovered ~ People ~ |
Contact Rate = 6 ~ 1/Day ~ |
Infectivity = 0.25 ~ Dmnl ~ |
Infection Rate = Contact Rate * Infectivity * Susceptible * Infected / Total Population
\t~ People/Day ~ |
Duration = 5 ~ Day ~ |
Recovery Rate = Infected / Duration ~ People/Day ~ |
\\\\\\---/// Sketch information - do not modify anything except names
V300  Do not put anything below this section - it will be ignored
*View 1
$192-192-192,0,Times New Roman|12||0-0-0|0-0-0|0-0-255|-1--1--1|-1--1--1|96,96,100,0
10,1,Susceptible,100,100,40,20,3,3,0,0,0,0,0,0
10,2,Infected,300,100,40,20,3,3,0,0,0,0,0,0
10,3,Recovered,500,100,40,20,3,3,0,0,0,0,0,0
///---\\\\\\
"""

PREDATOR_PREY = f"""<xmile version="1.0" {NS}>
<header><name>Hares and lynx</name></header>
<model><variables>
  <stock name="Hares"><eqn>50000</eqn><inflow>hare_births</inflow>
    <outflow>hare_deaths</outflow><non_negative/></stock>
  <stock name="Lynx"><eqn>1250</eqn><inflow>lynx_births</inflow>
    <outflow>lynx_deaths</outflow><non_negative/></stock>
  <flow name="hare births"><eqn>Hares * hare_birth_fraction</eqn><non_negative/></flow>
  <flow name="hare deaths"><eqn>Lynx * hares_killed_per_lynx</eqn><non_negative/></flow>
  <aux name="hares killed per lynx"><eqn>hare_density</eqn>
    <gf><xscale min="0" max="500"/><ypts>0,50,100,150,200,250</ypts></gf></aux>
  <aux name="hare density"><eqn>Hares / area</eqn></aux>
  <aux name="area"><eqn>1000</eqn></aux>
  <aux name="hare birth fraction"><eqn>1.25</eqn></aux>
  <flow name="lynx births"><eqn>Lynx * lynx_birth_fraction</eqn><non_negative/></flow>
  <aux name="lynx birth fraction"><eqn>0.25</eqn></aux>
  <flow name="lynx deaths"><eqn>Lynx * lynx_death_fraction</eqn><non_negative/></flow>
  <aux name="lynx death fraction"><eqn>death_lookup(hares_killed_per_lynx)</eqn></aux>
</variables></model>
<gf name="death lookup"><xscale min="0" max="250"/><ypts>0.9,0.5,0.2,0.1,0.05</ypts></gf>
</xmile>"""


def _links(causal_map: CausalMap) -> dict[tuple[str, str], str]:
    labels = {f.id: f.label for f in causal_map.factors}
    return {(labels[k.source], labels[k.target]): k.polarity for k in causal_map.links}


def _link(causal_map: CausalMap, link_id: str) -> Link:
    return next(k for k in causal_map.links if k.id == link_id)


def _loops(causal_map: CausalMap) -> dict[frozenset[str], str]:
    report = feedback_loops(causal_map.to_graph())
    return {frozenset(loop.labels): loop.kind for loop in report.loops}


def test_teacup_without_a_sketch_is_read_from_its_equations() -> None:
    causal_map = read_vensim_mdl(TEACUP_MDL, name="teacup.mdl")
    assert {f.label: f.attributes["sd_type"] for f in causal_map.factors} == {
        "Characteristic Time": "aux",
        "Heat Loss to Room": "aux",
        "Room Temperature": "aux",
        "Teacup Temperature": "stock",
    }
    assert _links(causal_map) == {
        ("Teacup Temperature", "Heat Loss to Room"): "+",
        ("Room Temperature", "Heat Loss to Room"): "-",
        ("Characteristic Time", "Heat Loss to Room"): "?",  # (T - R) / C: the sign of T - R
        ("Heat Loss to Room", "Teacup Temperature"): "-",
    }
    link = _link(causal_map, "teacup temperature -> heat loss to room")
    assert link.attributes["polarity_reason"] == "from the equation"
    unknown = _link(causal_map, "characteristic time -> heat loss to room")
    assert "depends on" in unknown.attributes["polarity_reason"]
    assert _loops(causal_map) == {
        frozenset({"Teacup Temperature", "Heat Loss to Room"}): "balancing"
    }


def test_sir_loops_as_an_epidemiologist_states_them() -> None:
    causal_map = read_vensim_mdl(SIR_MDL, name="sir.mdl")
    assert causal_map.factor("infected").x == 300.0  # the sketch gives positions
    links = _links(causal_map)
    assert links[("Infected", "Infection Rate")] == "+"
    assert links[("Susceptible", "Infection Rate")] == "+"
    assert links[("Total Population", "Infection Rate")] == "-"
    assert links[("Infection Rate", "Susceptible")] == "-"
    assert links[("Recovery Rate", "Infected")] == "-"
    loops = _loops(causal_map)
    assert loops[frozenset({"Infected", "Infection Rate"})] == "reinforcing"  # infection
    assert loops[frozenset({"Susceptible", "Infection Rate"})] == "balancing"  # depletion
    assert loops[frozenset({"Infected", "Recovery Rate"})] == "balancing"  # recovery
    assert "undetermined" not in loops.values()


def test_predator_prey_loops_as_a_modeller_states_them() -> None:
    causal_map = read_xmile(PREDATOR_PREY, name="hares.xmile")
    links = _links(causal_map)
    assert links[("hares killed per lynx", "hare deaths")] == "+"
    assert links[("hare density", "hares killed per lynx")] == "+"  # a rising graph
    assert links[("hares killed per lynx", "lynx death fraction")] == "-"  # a falling one
    assert (
        _link(causal_map, "hare density -> hares killed per lynx").attributes["polarity_reason"]
        == "from the equation"
    )
    loops = _loops(causal_map)
    assert loops[frozenset({"Hares", "hare births"})] == "reinforcing"  # hares breed
    assert loops[frozenset({"Lynx", "lynx births"})] == "reinforcing"
    assert loops[frozenset({"Lynx", "lynx deaths"})] == "balancing"
    # Predation: more hares, more killed per lynx, more hares die.
    assert (
        loops[frozenset({"Hares", "hare density", "hares killed per lynx", "hare deaths"})]
        == "balancing"
    )
    # Food: more hares, lynx die less, more lynx, more hares killed.
    predator_prey = frozenset(
        {
            "Hares",
            "hare density",
            "hares killed per lynx",
            "lynx death fraction",
            "lynx deaths",
            "Lynx",
            "hare deaths",
        }
    )
    assert loops[predator_prey] == "balancing"
    assert "undetermined" not in loops.values()


MODULES = f"""<xmile version="1.0" {NS}>
<model><variables>
  <module name="Hares"><connect to="Hares.lynx" from="Lynx.lynx"/></module>
  <module name="Lynx"><connect to="Lynx.hares" from="Hares.hares"/></module>
  <aux name="total animals"><eqn>Hares.hares + Lynx.lynx</eqn></aux>
</variables>
<views><view>
  <module name="Hares" x="100" y="100"/>
  <connector uid="1"><from>Hares</from><to>total_animals</to></connector>
</view></views>
</model>
<model name="Hares"><variables>
  <stock name="hares"><eqn>100</eqn><inflow>births</inflow><outflow>eaten</outflow>
    <non_negative/></stock>
  <flow name="births"><eqn>hares * 0.1</eqn></flow>
  <flow name="eaten"><eqn>hares * lynx * 0.01</eqn></flow>
  <aux name="lynx" access="input"><eqn>0</eqn></aux>
</variables></model>
<model name="Lynx"><variables>
  <stock name="lynx"><eqn>10</eqn><inflow>born</inflow><non_negative/></stock>
  <flow name="born"><eqn>lynx * hares * 0.001</eqn></flow>
  <aux name="hares" access="input"><eqn>0</eqn></aux>
</variables></model>
</xmile>"""


def test_modules_become_factors_named_with_their_module() -> None:
    causal_map = read_xmile(MODULES, name="modules.xmile")
    labels = {f.label for f in causal_map.factors}
    assert {"Hares.hares", "Hares.births", "Lynx.lynx", "Lynx.hares", "total animals"} <= labels
    links = _links(causal_map)
    assert links[("Hares.hares", "Lynx.hares")] == "+"  # through the module input
    assert links[("Lynx.lynx", "Hares.lynx")] == "+"
    assert links[("Hares.lynx", "Hares.eaten")] == "+"
    assert links[("Hares.hares", "total animals")] == "+"
    loops = _loops(causal_map)
    predation = frozenset(
        {"Hares.hares", "Lynx.hares", "Lynx.born", "Lynx.lynx", "Hares.lynx", "Hares.eaten"}
    )
    assert loops[predation] == "balancing"


LEGACY_STELLA = f"""<xmile version="1.0" {NS}>
<model>
  <stock name="Population"><eqn>100</eqn><inflow>births</inflow><non_negative/></stock>
  <flow name="births"><eqn>Population * birth_rate</eqn></flow>
  <aux name="birth rate"><eqn>0.02</eqn></aux>
</model>
</xmile>"""


def test_legacy_stella_layout_without_a_variables_wrapper() -> None:
    causal_map = read_xmile(LEGACY_STELLA, name="legacy.stmx")
    assert len(causal_map.factors) == 3
    assert _loops(causal_map) == {frozenset({"Population", "births"}): "reinforcing"}


UNDECLARED_ISEE = f"""<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" {NS}>
<header><name>Undeclared</name><isee:prefs show_module_prefix="true"/></header>
<model><variables>
  <stock name="Stock"><eqn>1</eqn><outflow>drain</outflow></stock>
  <flow name="drain"><eqn>Stock / 4</eqn><isee:summing/></flow>
</variables>
<views><view isee:show_pages="false"><stock name="Stock" x="5" y="6"/></view></views>
</model></xmile>"""


def test_undeclared_isee_prefix_is_read_as_stella_reads_it() -> None:
    causal_map = read_map(UNDECLARED_ISEE.encode(), name="undeclared.stmx")
    assert causal_map.title == "Undeclared"
    assert causal_map.factor("stock").x == 5.0
    assert _loops(causal_map) == {frozenset({"Stock", "drain"}): "balancing"}


@pytest.mark.parametrize(
    ("reader", "data", "line", "expected"),
    [
        (read_xmile, f"<xmile {NS}>\n<model>\n<variables>\n</model>", 4, "mismatched tag"),
        (read_xmile, f"<xmile {NS}>\n<model/></xmile>", None, "has no variables"),
        (read_xmile, f"<xmile {NS}><header/></xmile>", None, "no <model> element"),
        (read_vensim_mdl, "just words\n", 1, "no equations"),
    ],
)
def test_every_refusal_names_file_line_and_what_is_wrong(
    reader: object, data: str, line: int | None, expected: str
) -> None:
    assert callable(reader)
    with pytest.raises(ValidationError) as caught:
        reader(data, name="broken.model")
    (problem,) = caught.value.problems
    assert "broken.model" in str(caught.value)
    assert problem.file == "broken.model"
    assert problem.row == line
    assert expected in problem.message


def test_unreadable_equations_leave_a_question_mark_with_the_reason() -> None:
    text = "a = 1 ~~|\nb = a +* ~~|\nc = ABS(a) ~~|\n"
    links = {k.source + ">" + k.target: k for k in read_vensim_mdl(text, name="m.mdl").links}
    assert links["a>b"].polarity == "?"
    assert "cannot be read" in links["a>b"].attributes["polarity_reason"]
    assert links["a>c"].polarity == "?"
    assert "ABS" in links["a>c"].attributes["polarity_reason"]


def test_a_sign_drawn_on_the_diagram_is_kept() -> None:
    text = (
        "a = 1 ~~|\nb = a * 2 ~~|\n"
        "\\\\\\---/// Sketch\nV300\n*View 1\n"
        "10,1,a,1,2,3,4,8,3,0,0,0,0,0,0\n10,2,b,5,6,3,4,8,3,0,0,0,0,0,0\n"
        "1,3,1,2,0,0,45,0,0,64,0,-1--1--1,,1|(1,1)|\n///---\\\\\\\n"
    )
    (link,) = read_vensim_mdl(text, name="m.mdl").links
    assert link.polarity == "-"
    assert link.attributes["polarity_reason"] == "drawn on the diagram"
    assert link.attributes["equation_polarity"] == "+"


def test_equation_reading_is_linear() -> None:
    from sympy.core.cache import clear_cache

    from tests.unit.test_limits_linear import assert_linear

    def make_mdl(n: int) -> bytes:
        chain = "".join(f"v{i + 1} = v{i} * 2 - c{i} ~~|\nc{i} = 3 ~~|\n" for i in range(n))
        return (f"v0 = INTEG(v{n}, 1) ~~|\n" + chain).encode()

    def make_xmile(n: int) -> bytes:
        auxes = "".join(
            f'<aux name="v{i + 1}"><eqn>v{i} / 2 + MAX(v{i}, 1)</eqn></aux>' for i in range(n)
        )
        return (
            f'<xmile {NS}><model><variables><stock name="v0"><eqn>1</eqn>'
            f"<inflow>v{n}</inflow></stock>{auxes}</variables></model></xmile>"
        ).encode()

    def cold(read: Callable[[bytes], object]) -> Callable[[bytes], object]:
        # Each read starts with sympy's cache empty: otherwise the small model, read again
        # and again, is all in the cache and the large one is not.
        def cold_read(data: bytes) -> object:
            clear_cache()
            return read(data)

        return cold_read

    assert_linear(make_mdl, cold(lambda data: read_vensim_mdl(data, name="m.mdl")), 8)
    assert_linear(make_xmile, cold(lambda data: read_xmile(data, name="m.xmile")), 8)


def test_a_very_large_model_keeps_its_structure_without_signs(monkeypatch) -> None:
    monkeypatch.setattr("mobilise.formats.sd_build.MAX_SIGNED_VARIABLES", 3)
    text = "".join(f"v{i + 1} = v{i} * 2 ~~|\n" for i in range(5)) + "v0 = 1 ~~|\n"
    links = read_vensim_mdl(text, name="big.mdl").links
    assert len(links) == 5
    assert {k.polarity for k in links} == {"?"}
    assert "more than 3 variables" in links[0].attributes["polarity_reason"]
