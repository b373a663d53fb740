"""Partner lists and relationship files: aliases, the public NFDI and global-health networks,
XLSX, GraphML and GEXF round trips, and every kind of bad file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise.errors import ValidationError
from mobilise.formats import _partner_columns as cols
from mobilise.formats.partner_files import (
    partnership_graph,
    read_partners,
    read_relationships,
    write_relationships,
)
from mobilise.formats.safe_cells import needs_guard

NETWORKS = Path(__file__).parents[1] / "fixtures" / "networks"
HEALTH = NETWORKS / "global_health_io_practices_1970_2017_edges.csv"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def _problems(
    error: pytest.ExceptionInfo[ValidationError],
) -> list[tuple[str | None, int | None, str | None]]:
    return [(p.file, p.row, p.field) for p in error.value.problems]


# -- partners ----------------------------------------------------------------------------------


@pytest.mark.parametrize("field", sorted(cols.PARTNER_ALIASES))
def test_every_partner_alias(tmp_path: Path, field: str) -> None:
    cells = {
        "id": "p1", "name": "Blackpool Council", "sector": "council", "kind": "individual",
        "description": "A council", "places": "Blackpool; Fylde", "populations": "older people|carers",
        "postcode": "FY1 1AA", "latitude": "53.8", "longitude": "-3.05", "url": "https://x.org",
        "joined": "01/02/2023", "left": "2024-03-31",
    }  # fmt: skip
    for alias in cols.PARTNER_ALIASES[field]:
        columns = {cols.PARTNER_ALIASES[k][0]: v for k, v in cells.items()}
        del columns[cols.PARTNER_ALIASES[field][0]]
        columns[alias.upper()] = cells[field]
        path = _write(
            tmp_path / "p.csv",
            ",".join(columns) + "\n" + ",".join(f'"{v}"' for v in columns.values()) + "\n",
        )
        (partner,) = read_partners(path)
        expected = {
            "id": partner.key == "p1", "name": partner.name == "Blackpool Council",
            "sector": partner.sector == "la_other", "kind": partner.kind == "individual",
            "description": partner.description == "A council",
            "places": partner.places == ("Blackpool", "Fylde"),
            "populations": partner.populations == ("older people", "carers"),
            "postcode": partner.postcode == "FY1 1AA", "latitude": partner.latitude == 53.8,
            "longitude": partner.longitude == -3.05, "url": partner.url == "https://x.org",
            "joined": partner.joined == dt.date(2023, 2, 1),
            "left": partner.left == dt.date(2024, 3, 31),
        }  # fmt: skip
        assert expected[field], (alias, partner)


@pytest.mark.parametrize(
    ("cell", "kind"),
    [("", "organisation"), ("Organisation", "organisation"), ("individual", "individual"),
     ("Lived-experience member", "individual"), ("person", "individual")],
)  # fmt: skip
def test_partner_kind(tmp_path: Path, cell: str, kind: str) -> None:
    path = _write(tmp_path / "p.csv", f"name,sector,kind\nAnn,lived experience,{cell}\n")
    assert read_partners(path)[0].kind == kind


def test_nfdi_consortia_as_partners_with_default_sector() -> None:
    path = NETWORKS / "nfdi_konsortien_2020.csv"
    assert b";" in path.read_bytes() and b"\r\n" in path.read_bytes()
    partners = read_partners(path, default_sector="University")
    raw = pd.read_csv(path, sep=";")
    assert [p.name for p in partners] == raw["name"].tolist()
    assert [p.key for p in partners] == raw["name"].tolist()
    assert {p.sector for p in partners} == {"academic"}
    assert [p.row for p in partners] == list(range(1, len(raw) + 1))
    with pytest.raises(ValidationError) as error:
        read_partners(path)
    assert len(error.value.problems) == len(raw)
    assert _problems(error)[0] == ("nfdi_konsortien_2020.csv", 1, "sector")


def test_partners_from_xlsx(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Partners")
    sheet.append(["Organisation", "Type", "Joined", "Lat", "Lng"])
    sheet.append(["Fylde Arts", "Arts and culture", dt.datetime(2023, 5, 1), 53.75, -3.0])
    sheet.append([None, None, None, None, None])
    sheet.append(["NHS Blackpool", "nhs", None, None, None])
    book.save(tmp_path / "partners.xlsx")
    partners = read_partners(tmp_path / "partners.xlsx")
    assert [(p.name, p.sector, p.row) for p in partners] == [
        ("Fylde Arts", "arts_culture", 1),
        ("NHS Blackpool", "nhs_trust", 3),
    ]
    assert partners[0].joined == dt.date(2023, 5, 1) and partners[0].longitude == -3.0


def test_bad_partners_file_lists_every_problem(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bad.csv",
        "id;name;sector;latitude;longitude;joined;left\r\n"
        "a;Alpha;Sports club;53;-3;;\r\n"
        "b;Beta;vcse;95;-3;2024-01-01;2023-01-01\r\n"
        "a;Gamma;icb;;;31/02/2024;\r\n",
    )
    with pytest.raises(ValidationError) as error:
        read_partners(path)
    found = _problems(error)
    assert ("bad.csv", 1, "sector") in found
    assert ("bad.csv", 2, "latitude") in found
    assert ("bad.csv", 2, "left") in found
    assert ("bad.csv", 3, "joined") in found
    assert ("bad.csv", 3, "id") in found
    messages = str(error.value)
    assert "NHS trust" in messages and "Lived-experience group" in messages  # the valid labels
    assert "first at row 1, again at row 3" in messages
    assert "nothing was imported" in messages


def test_partners_missing_name_column_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as error:
        read_partners(_write(tmp_path / "p.csv", "title,sector\nA,vcse\n"))
    assert _problems(error) == [("p.csv", None, "name")]
    with pytest.raises(ValidationError) as error:
        read_partners(_write(tmp_path / "empty.csv", ""))
    assert _problems(error) == [("empty.csv", None, None)]


# -- relationships: columns --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "alias"), [(f, a) for f, aliases in cols.TIE_ALIASES.items() for a in aliases]
)
def test_every_tie_alias(tmp_path: Path, field: str, alias: str) -> None:
    cells = {
        "respondent": "A", "partner": "B", "round": "2024", "works_together": "yes",
        "level": "coordinated", "frequency": "monthly", "value": "2.5", "trust": "3.5",
        "respondent_name": "Alpha", "partner_name": "Beta", "respondent_sector": "vcse",
        "partner_sector": "GP", "respondent_kind": "individual", "partner_kind": "",
        **{item: "3" for item in cols.partner_vocab.SCORE_ITEMS},
    }  # fmt: skip
    if field in ("value", "trust"):
        for item in cols.partner_vocab.SCORE_ITEMS:
            del cells[item]
    row = {(alias.title() if k == field else k): v for k, v in cells.items()}
    path = _write(tmp_path / "t.tsv", "\t".join(row) + "\n" + "\t".join(row.values()) + "\n")
    data = read_relationships(path)
    (tie,) = data.ties
    assert (tie.respondent, tie.partner, tie.round, tie.level, tie.frequency) == (
        "A", "B", "2024", 2, 3,
    )  # fmt: skip
    assert tie.works_together is True and tie.attributes == {}
    if field in ("value", "trust"):
        assert (tie.value, tie.trust) == (2.5, 3.5)
    else:
        assert tie.items == dict.fromkeys(cols.partner_vocab.SCORE_ITEMS, 3)
        assert (tie.value, tie.trust) == (3.0, 3.0)
    assert [(p.key, p.name, p.sector, p.kind) for p in data.partners] == [
        ("A", "Alpha", "vcse", "individual"),
        ("B", "Beta", "primary_care", "organisation"),
    ]


def test_levels_works_together_and_scores(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "t.csv",
        "from,to,works_together,level,value_influence,value_resources,trust,weight,note\n"
        "A,B,no,,,,,1,\n"
        "A,C,,,,,,2.5,hello\n"
        "A,D,yes,,1,4,2,,\n"
        "B,A,,integrated,,,,,\n",
    )
    data = read_relationships(path, round="R1")
    levels = [(t.partner, t.level, t.value, t.trust, t.round) for t in data.ties]
    assert levels == [
        ("B", 0, None, None, "R1"),
        ("C", None, None, None, "R1"),
        ("D", None, 2.5, 2.0, "R1"),
        ("A", 3, None, None, "R1"),
    ]
    assert data.ties[1].attributes == {"weight": 2.5, "note": "hello"}
    assert data.rounds == ("R1",) and data.directed


def test_partnership_graph_of_one_round(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "t.csv",
        "respondent,partner,wave,level,respondent_sector\n"
        "A,B,wave 10,1,vcse\nA,B,wave 2,2,vcse\nB,C,wave 2,none,icb\n",
    )
    data = read_relationships(path)
    assert data.rounds == ("wave 2", "wave 10")
    with pytest.raises(ValidationError, match="wave 2, wave 10"):
        partnership_graph(data)
    with pytest.raises(ValidationError, match="not in the data"):
        partnership_graph(data, round="wave 3")
    graph = partnership_graph(data, round="wave 2")
    assert graph.graph["round"] == "wave 2"
    assert dict(graph.nodes(data="responded")) == {"A": True, "B": True, "C": False}
    assert graph.nodes["A"] == {
        "name": "A", "kind": "organisation", "sector": "vcse", "family": "community",
        "responded": True,
    }  # fmt: skip
    assert "sector" not in graph.nodes["C"]
    assert graph.edges["A", "B"]["level"] == 2 and graph.edges["B", "C"]["level"] == 0
    assert graph.edges["A", "B"]["trust_openness"] is None


# -- relationships: the public networks --------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "delimiter", "crlf"),
    [("nfdi_netzwerk_2019.csv", ";", False), ("nfdi_netzwerk_2021.csv", ",", True)],
)
def test_nfdi_waves(file: str, delimiter: str, crlf: bool) -> None:
    path = NETWORKS / file
    assert (b"\r\n" in path.read_bytes()) is crlf
    raw = pd.read_csv(path, sep=delimiter, dtype=str)
    data = read_relationships(path)
    assert [(t.respondent, t.partner) for t in data.ties] == list(
        raw[["from", "to"]].itertuples(index=False, name=None)
    )
    assert all(t.level is None and t.round is None for t in data.ties)
    nodes = set(raw["from"]) | set(raw["to"])
    assert {p.key for p in data.partners} == nodes
    graph = partnership_graph(data)
    assert graph.number_of_nodes() == len(nodes) and graph.number_of_edges() == len(raw)
    assert sum(graph.nodes[n]["responded"] for n in graph) == raw["from"].nunique()


def test_global_health_panel_has_two_repeated_pairs() -> None:
    raw = pd.read_csv(HEALTH, encoding="utf-8-sig")
    raw.index += 1
    repeated = raw[raw.duplicated(["Source", "Target", "Year"])]
    with pytest.raises(ValidationError) as error:
        read_relationships(HEALTH)
    assert [p.row for p in error.value.problems] == repeated.index.tolist()
    for problem, (_, pair) in zip(error.value.problems, repeated.iterrows(), strict=True):
        first = raw[
            (raw[["Source", "Target", "Year"]] == pair[["Source", "Target", "Year"]]).all(axis=1)
        ]
        assert f"first at row {first.index[0]}, again at row {problem.row}" in problem.message


@pytest.mark.parametrize("repeats", ["first", "last"])
def test_the_global_health_panel_keeping_one_row_of_each_repeated_pair(repeats: str) -> None:
    raw = pd.read_csv(HEALTH, encoding="utf-8-sig")
    raw.index += 1
    pair = ["Source", "Target", "Year"]
    data = read_relationships(HEALTH, repeats=repeats)
    assert len(data.ties) == len(raw) - 2 and len(data.left_out) == 2
    dropped = raw[raw.duplicated(pair, keep=repeats)]  # the rows not kept
    kept_rows = [t.row for t in data.ties]
    assert not set(dropped.index) & set(kept_rows)
    for note, (row, line) in zip(data.left_out, dropped.iterrows(), strict=True):
        assert note.startswith(f"row {row}: {line['Source']!r} -> {line['Target']!r}")
    chosen = raw.drop_duplicates(pair, keep=repeats)
    assert [t.attributes["weight"] for t in data.ties] == chosen["Weight"].astype(float).tolist()
    with pytest.raises(ValidationError, match="repeats must be one of"):
        read_relationships(HEALTH, repeats="mean")


def test_global_health_panel(tmp_path: Path) -> None:
    data_bytes = HEALTH.read_bytes()
    # Despite the upstream notes the file has no BOM; the copy read below gets one.
    assert not data_bytes.startswith(b"\xef\xbb\xbf") and b"\r\n" in data_bytes
    raw = pd.read_csv(HEALTH, encoding="utf-8-sig")
    lines = data_bytes.split(b"\r\n")
    keep = ~raw.duplicated(["Source", "Target", "Year"]).to_numpy()
    kept = [lines[0], *(line for line, k in zip(lines[1:], keep, strict=False) if k), b""]
    path = tmp_path / "panel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + b"\r\n".join(kept))  # BOM, CRLF, later repeats dropped
    raw = raw[keep]
    data = read_relationships(path)
    assert len(data.ties) == len(raw)
    assert data.rounds == tuple(str(y) for y in sorted(raw["Year"].unique()))
    assert data.rounds[0] == "1970" and data.rounds[-1] == "2017"
    assert {p.key for p in data.partners} == set(raw["Source"]) | set(raw["Target"])
    assert len(data.partners) == 8
    assert [t.attributes["weight"] for t in data.ties] == raw["Weight"].astype(float).tolist()
    graph = partnership_graph(data, round="2005")
    in_2005 = raw[raw["Year"] == 2005]
    assert graph.number_of_nodes() == 8 and graph.number_of_edges() == len(in_2005)
    first = in_2005.iloc[0]
    assert graph.edges[first["Source"], first["Target"]]["weight"] == float(first["Weight"])
    with pytest.raises(ValidationError, match="round '1999' was given"):
        read_relationships(path, round="1999")


# -- relationships: XLSX, GraphML, GEXF --------------------------------------------------------


def test_relationships_from_xlsx(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["notes"])
    sheet = book.create_sheet("Edges")
    sheet.append(["Source", "Target", "Year", "Level", "Weight"])
    sheet.append(["A", "B", 2019, 2, 1.5])
    sheet.append(["B", "A", 2019, "cooperative", 3])
    book.save(tmp_path / "ties.xlsx")
    data = read_relationships(tmp_path / "ties.xlsx")
    assert [(t.respondent, t.round, t.level, t.attributes) for t in data.ties] == [
        ("A", "2019", 2, {"weight": 1.5}),
        ("B", "2019", 1, {"weight": 3.0}),
    ]


def _survey_graph() -> nx.DiGraph:
    graph = nx.DiGraph(round="2024")
    graph.add_node(
        "a", name="Alpha Trust", sector="nhs_trust", family="health", kind="organisation"
    )
    graph.add_node("b", name="Beta Arts", sector="arts_culture", family="culture_environment",
                   kind="organisation")  # fmt: skip
    graph.add_node("c", name="Carol", kind="individual")
    graph.add_node("d", name="Dormant", sector="business", family="business", kind="organisation")
    empty = dict.fromkeys(cols.partner_vocab.SCORE_ITEMS)
    graph.add_edge(
        "a",
        "b",
        **{
            **empty,
            "level": 2,
            "frequency": 3,
            "value": None,
            "trust": None,
            "value_influence": 4,
            "value_resources": 3,
            "trust_purpose": 2,
        },
    )
    graph.add_edge(
        "b", "a", **{**empty, "level": None, "frequency": None, "value": 2.5, "trust": None}
    )
    graph.add_edge("c", "a", **{**empty, "level": 0, "frequency": None, "value": None,
                                "trust": None})  # fmt: skip
    graph["a"]["b"].update(value=3.5, trust=2.0)
    for node in graph:
        graph.nodes[node]["responded"] = graph.out_degree(node) > 0
    return graph


@pytest.mark.parametrize("suffix", [".graphml", ".gexf", ".csv"])
def test_round_trip_through_write_relationships(tmp_path: Path, suffix: str) -> None:
    graph = _survey_graph()
    path = tmp_path / f"network{suffix}"
    write_relationships(graph, path)
    data = read_relationships(path)
    assert data.directed and data.rounds == ("2024",)
    back = partnership_graph(data)
    assert sorted(back.edges(data=True)) == sorted(graph.edges(data=True))
    expected_nodes = set(graph) if suffix != ".csv" else {"a", "b", "c"}  # CSV: tied partners
    assert set(back) == expected_nodes
    for node in expected_nodes:
        assert back.nodes[node] == graph.nodes[node], node
    assert back.graph["round"] == "2024"


@pytest.mark.parametrize("format", ["graphml", "gexf", "csv"])
def test_write_relationships_in_a_format_the_path_does_not_say(tmp_path: Path, format: str) -> None:
    written = tmp_path / "network.partial"  # e.g. a file written beside the target first
    write_relationships(_survey_graph(), written, format=format)
    final = written.rename(tmp_path / f"network.{format}")
    assert partnership_graph(read_relationships(final)).number_of_edges() == 3
    with pytest.raises(ValidationError, match=r"\.csv, \.graphml or \.gexf"):
        write_relationships(_survey_graph(), tmp_path / "network.csv", format="json")


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_a_name_xml_cannot_hold_still_writes_a_readable_graph(tmp_path: Path, suffix: str) -> None:
    """A partner name holding a control character (pasted from elsewhere) is written without it;
    before, the GraphML or GEXF file could not be read back."""
    graph = _survey_graph()
    graph.nodes["a"]["name"] = "Alpha\x01 Trust\uffff"
    path = tmp_path / f"network{suffix}"
    write_relationships(graph, path)
    back = partnership_graph(read_relationships(path))
    assert back.nodes["a"]["name"] == "Alpha Trust"


def test_undirected_graphml_gives_both_directions(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "u.graphml",
        """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="n0" for="node" attr.name="label" attr.type="string"/>
  <key id="n1" for="node" attr.name="sector" attr.type="string"/>
  <key id="e0" for="edge" attr.name="weight" attr.type="double"/>
  <key id="e1" for="edge" attr.name="level" attr.type="int"/>
  <graph edgedefault="undirected">
    <node id="x"><data key="n0">Council</data><data key="n1">Local authority</data></node>
    <node id="y"><data key="n0">Church</data><data key="n1">faith</data></node>
    <node id="z"/>
    <edge source="x" target="y"><data key="e0">4</data><data key="e1">3</data></edge>
  </graph>
</graphml>
""",
    )
    data = read_relationships(path)
    assert not data.directed
    assert [(t.respondent, t.partner, t.level, t.attributes, t.row) for t in data.ties] == [
        ("x", "y", 3, {"weight": 4.0}, 1),
        ("y", "x", 3, {"weight": 4.0}, 1),
    ]
    assert [(p.key, p.name, p.sector) for p in data.partners] == [
        ("x", "Council", "la_other"),
        ("y", "Church", "faith_group"),
        ("z", "z", None),
    ]
    graph = partnership_graph(data)
    assert graph.number_of_edges() == 2 and graph.nodes["z"]["responded"] is False


# -- bad relationship files --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("from,level\nA,1\n", (None, "partner"), "no 'partner' column"),
        ("from,to,level\nA,B,1\nA,C,very close\n", (2, "level"), "cooperative"),
        ("from,to,level,trust_openness\nA,B,none,3\n", (1, "trust_openness"), "do not work"),
        ("from,to,works_together,level\nA,B,no,2\n", (1, "level"), "do not work together"),
        ("from,to\nA,B\nC,D\nA,B\n", (3, "to"), "first at row 1, again at row 3"),
        ("from,to\nA,A\n", (1, "to"), "self-tie"),
        ("from,to,value_influence\nA,B,5\n", (1, "value_influence"), "from 1 to 4"),
        ("from,to,frequency\nA,B,daily\n", (1, "frequency"), "weekly"),
        ("from,to,works_together\nA,B,maybe\n", (1, "works_together"), "yes or no"),
        ("from,to,year\nA,B,\n", (1, "year"), "round is blank"),
        ("from,to,respondent_sector\nA,B,spaceport\n", (1, "respondent_sector"), "Academic"),
    ],
)
def test_bad_relationship_files(
    tmp_path: Path, text: str, where: tuple[int | None, str], words: str
) -> None:
    with pytest.raises(ValidationError) as error:
        read_relationships(_write(tmp_path / "bad.csv", text))
    assert ("bad.csv", *where) in _problems(error)
    assert words in str(error.value)


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.csv", ""), ("header.csv", "from,to\n"), ("broken.graphml", "<graphml><graph"),
     ("broken.gexf", "not xml at all")],
)  # fmt: skip
def test_empty_and_damaged_files(tmp_path: Path, name: str, content: str) -> None:
    with pytest.raises(ValidationError) as error:
        read_relationships(_write(tmp_path / name, content))
    assert _problems(error) == [(name, None, None)]


def test_write_refuses_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"\.csv, \.graphml or \.gexf"):
        write_relationships(_survey_graph(), tmp_path / "network.json")


# -- any delimiter, BOM and line ending --------------------------------------------------------

_NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
    | st.sampled_from([",", ";", "\t", "|", '"', "'"]),
    min_size=1,
    max_size=12,
).filter(lambda s: s == s.strip() and s != "")
# A name like "'\t:" reads as the formula guard the exports put before "\t:" (formats/safe_cells):
# the readers take that guard off, so such a name does not round-trip through a plain CSV.
_NAMES = _NAMES.filter(lambda s: not (s.startswith("'") and needs_guard(s)))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ties=st.lists(
        st.tuples(_NAMES, _NAMES, st.none() | st.integers(0, 3)).filter(lambda t: t[0] != t[1]),
        min_size=1,
        max_size=8,
        unique_by=lambda t: (t[0], t[1]),
    ),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    bom=st.booleans(),
    crlf=st.booleans(),
)
def test_any_delimiter_round_trip(
    tmp_path: Path,
    ties: list[tuple[str, str, int | None]],
    delimiter: str,
    bom: bool,
    crlf: bool,
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(["respondent", "partner", "level"])
    writer.writerows([(r, p, "" if level is None else level) for r, p, level in ties])
    path = tmp_path / "ties.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
    data = read_relationships(path)
    assert [(t.respondent, t.partner, t.level) for t in data.ties] == ties
