"""Formula-safe exports (issue 14, finding 6): no CSV or XLSX that mobilise writes holds a cell a
spreadsheet would run, and mobilise reads its own exports back to the original text."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise.formats.asset_export import write_csv, write_hsds_package
from mobilise.formats.assets import read_assets
from mobilise.formats.kumu import read_kumu_xlsx, write_kumu_xlsx
from mobilise.formats.map_edgelist import read_edge_list, write_edge_list
from mobilise.formats.partner_files import (
    partnership_graph,
    read_relationships,
    write_relationships,
)
from mobilise.formats.prsm_tables import (
    read_prsm_csv,
    read_prsm_xlsx,
    write_prsm_csv,
    write_prsm_xlsx,
)
from mobilise.formats.safe_cells import guard, guard_frame, needs_guard, unguard, unguard_frame
from mobilise.model.causal_map import CausalMap, Factor, Link
from mobilise.workspace.access_export import write_results
from mobilise.workspace.access_files import compute_on_files
from mobilise.workspace.asset_records import AssetImportReport

from .test_asset_export import make_asset
from .test_partner_files import _survey_graph

CALC = "=cmd|' /C calc'!A0"
SUM = "+SUM(A1)"
HOSTILE = (CALC, SUM, "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x")')


def cells(data: bytes | str) -> list[list[str]]:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return list(csv.reader(io.StringIO(text)))


def runnable(rows: list[list[str]]) -> list[str]:
    """The cells a spreadsheet would run as a formula."""
    return [c for row in rows for c in row if needs_guard(c) and not c.startswith("'")]


# -- the rule ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_gets_a_quote(text: str) -> None:
    assert guard(text) == "'" + text
    assert unguard(guard(text)) == text


@pytest.mark.parametrize("value", ["-3", "+44 20 7946 0000", "-0.5", "2.5e-08", "+", "-", "Hall"])
def test_numbers_phone_numbers_and_plain_text_are_left_alone(value: str) -> None:
    assert guard(value) == value and unguard(value) == value


def test_only_text_is_touched() -> None:
    assert [guard(v) for v in (-3, -2.5, None, True)] == [-3, -2.5, None, True]


@given(st.text(max_size=12))
def test_unguard_undoes_guard_for_any_text(text: str) -> None:
    assert unguard(guard(text)) == text


def test_frames_guard_text_columns_index_and_names_only() -> None:
    frame = pd.DataFrame(
        {"name": [CALC, "Hall"], "value": [-3.0, 2.0], SUM: ["x", "y"]},
        index=pd.Index(["@id", "b"], name="code"),
    )
    guarded = guard_frame(frame)
    assert guarded["name"].tolist() == ["'" + CALC, "Hall"]
    assert guarded["value"].tolist() == [-3.0, 2.0]
    assert list(guarded.columns) == ["name", "value", "'" + SUM]
    assert guarded.index.tolist() == ["'@id", "b"]
    read = pd.read_csv(io.StringIO(guarded.to_csv(index=False)), dtype=str)
    assert unguard_frame(read)["name"].tolist() == [CALC, "Hall"]
    assert list(unguard_frame(read).columns) == ["name", "value", SUM]


# -- every export --------------------------------------------------------------------------------
def hostile_map() -> CausalMap:
    return CausalMap(
        "Hostile",
        factors=[
            Factor("a", CALC, description=SUM),
            Factor("b", SUM, group="@group"),
            Factor("c", "Plain"),
        ],
        links=[
            Link("L1", "a", "b", polarity="+", weight=0.5, evidence=CALC, label="-1+1"),
            Link("L2", "b", "c", polarity="-", weight=-0.5, stakeholder_group="=g"),
        ],
    ).check()


@pytest.mark.parametrize("writer", [write_edge_list, write_prsm_csv])
def test_map_csv_exports_write_no_formula(writer) -> None:
    rows = cells(writer(hostile_map()))
    assert runnable(rows) == []
    assert "'" + CALC in rows[1] and "'" + SUM in rows[1]
    assert "+" in rows[1] and "-" in rows[2]  # a link's polarity stays as it is


def test_map_edge_list_reads_its_own_export_back() -> None:
    again = read_edge_list(write_edge_list(hostile_map()), name="hostile.csv")
    assert {f.label for f in again.factors} == {CALC, SUM, "Plain"}
    first = next(link for link in again.links if link.id == "L1")
    assert (first.evidence, first.label, first.weight) == (CALC, "-1+1", 0.5)
    second = next(link for link in again.links if link.id == "L2")
    assert (second.stakeholder_group, second.weight) == ("=g", -0.5)


def test_prsm_csv_reads_its_own_export_back() -> None:
    again = read_prsm_csv(write_prsm_csv(hostile_map()), name="hostile.csv")
    assert {f.label for f in again.factors} == {CALC, SUM, "Plain"}


@pytest.mark.parametrize(
    ("writer", "reader", "sheet", "bar"),
    [
        (write_prsm_xlsx, read_prsm_xlsx, "Factors", "|"),
        (write_kumu_xlsx, read_kumu_xlsx, "Elements", "/"),  # Kumu's cells take | as a separator
    ],
)
def test_map_workbooks_store_text_never_formulas(writer, reader, sheet, bar) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    hostile = hostile_map()
    hostile.factors[2].attributes[CALC] = "x"  # a column named like a formula, too
    data = writer(hostile)
    book = openpyxl.load_workbook(io.BytesIO(data))
    every = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]
    assert all(c.data_type != "f" for c in every)
    risky = [c for c in every if isinstance(c.value, str) and needs_guard(c.value)]
    labels = {CALC.replace("|", bar), SUM}
    assert {c.value for c in risky} >= labels | {CALC}  # CALC: the column name
    assert all(c.quotePrefix for c in risky)  # stays text when edited in Excel
    assert {c.value for c in book[sheet]["A"]} >= labels
    assert {f.label for f in reader(data).factors} == labels | {"Plain"}


def test_asset_csv_and_hsds_tables_write_no_formula(tmp_path: Path) -> None:
    assets = [
        make_asset("11111111-1111-4111-8111-111111111111", CALC, description=SUM),
        make_asset("22222222-2222-4222-8222-222222222222", "@Hall", organisation="=Org"),
    ]
    write_csv(assets, tmp_path / "assets.csv")
    rows = cells((tmp_path / "assets.csv").read_text(encoding="utf-8"))
    assert runnable(rows) == []
    assert {"'" + CALC, "'" + SUM, "'@Hall", "'=Org"} <= {c for row in rows for c in row}
    assert "+44 20 7946 0000" in rows[1]  # a phone number is not taken for a formula
    write_hsds_package(assets, tmp_path / "hsds.zip")
    with zipfile.ZipFile(tmp_path / "hsds.zip") as package:
        for name in package.namelist():
            if name.endswith(".csv"):
                assert runnable(cells(package.read(name))) == [], name
        services = cells(package.read("services.csv"))
    assert "'" + CALC in {c for row in services for c in row}


def test_asset_csv_reads_back_as_the_original_names(tmp_path: Path) -> None:
    assets = [make_asset("11111111-1111-4111-8111-111111111111", CALC, description=SUM)]
    write_csv(assets, tmp_path / "assets.csv")
    [record] = read_assets(tmp_path / "assets.csv", source="export").records
    assert (record.name, record.description) == (CALC, SUM)


def hostile_ties(path: Path) -> Path:
    graph = _survey_graph()
    graph.nodes["a"]["name"] = CALC
    graph.nodes["b"]["name"] = SUM
    graph.edges["a", "b"]["=note"] = "@note"  # an extra column from an imported file
    write_relationships(graph, path)
    return path


def test_relationship_csv_writes_no_formula(tmp_path: Path) -> None:
    rows = cells(hostile_ties(tmp_path / "ties.csv").read_text(encoding="utf-8"))
    assert runnable(rows) == []
    assert {"'" + CALC, "'" + SUM, "'=note", "'@note"} <= {c for row in rows for c in row}


def test_relationship_csv_reads_back(tmp_path: Path) -> None:
    back = partnership_graph(read_relationships(hostile_ties(tmp_path / "ties.csv")))
    assert (back.nodes["a"]["name"], back.nodes["b"]["name"]) == (CALC, SUM)
    assert back.edges["a", "b"]["=note"] == "@note"


def test_invalid_rows_file_writes_no_formula(tmp_path: Path) -> None:
    report = AssetImportReport(file="assets.csv", dry_run=False)
    report.invalid_rows = [{"row": 2, "name": CALC, "problems": "- category: unknown"}]
    report.save_invalid_rows(tmp_path / "assets.csv.invalid.csv")
    rows = cells((tmp_path / "assets.csv.invalid.csv").read_text(encoding="utf-8"))
    assert runnable(rows) == [] and "'" + CALC in rows[1]


def test_access_results_csv_writes_no_formula(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "area_code": ["E01000001"],
            "area_name": [CALC],
            "category": ["library"],
            "catchment_m": [1000],
            "decay": ["none"],
            "value": [-0.25],
            "reasons": [[SUM, "few assets"]],
        }
    )
    plan = SimpleNamespace(unit="per 1,000 residents", catchment_unit="m", travel="straight-line")
    run = SimpleNamespace(id="run-1", plan=plan)
    written = io.BytesIO()
    assert write_results(None, run, frame, written, "csv") == 1  # type: ignore[arg-type]
    rows = cells(written.getvalue())
    assert runnable(rows) == []
    assert "'" + CALC in rows[1] and "-0.25" in rows[1]


def test_access_on_files_writes_no_formula(tmp_path: Path) -> None:
    (tmp_path / "demand.csv").write_text(f'id,population,x,y\n"{CALC}",100,0,0\n')
    (tmp_path / "supply.csv").write_text(f'id,capacity,x,y\n"{SUM}",10,0,0\n')
    compute_on_files(
        tmp_path / "demand.csv",
        tmp_path / "supply.csv",
        method="2sfca",
        catchments_m=[1000],
        output=tmp_path / "access.csv",
    )
    rows = cells((tmp_path / "access.csv").read_text(encoding="utf-8"))
    assert runnable(rows) == [] and rows[1][0] == "'" + CALC
