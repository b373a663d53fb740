"""Field lengths and number ranges, held on every write (issue 14, finding 3: a 5 MB partner name
and a 5 MB asset name were stored). On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from mobilise import open_workspace
from mobilise.errors import ValidationError
from mobilise.settings import Limits
from mobilise.store.tables import assets, audit_log, partners

FIVE_MB = "x" * 5_000_000


def count(workspace, table) -> int:  # type: ignore[no-untyped-def]
    with workspace.read() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_5mb_partner_name_in_an_import_is_refused(workspace, tmp_path: Path) -> None:
    path = tmp_path / "partners.csv"
    path.write_text(f"name,sector\nGood partner,vcse\n{FIVE_MB},vcse\n")
    before = count(workspace, audit_log)
    with pytest.raises(ValidationError) as error:
        workspace.partners.import_file(path)
    problems = error.value.problems
    assert any(p.field == "name" and "at most 300" in p.message for p in problems), problems
    assert count(workspace, partners) == 0 and count(workspace, audit_log) == before


def test_a_5mb_asset_name_is_refused_on_import_and_edit(workspace, tmp_path: Path) -> None:
    path = tmp_path / "assets.csv"
    path.write_text(
        f"name,category,lat,lon\nLibrary,library,52.24,-0.89\n{FIVE_MB},park,52.2,-0.9\n"
    )
    with pytest.raises(ValidationError) as error:
        workspace.assets.import_file(path)
    assert any(p.field == "name" for p in error.value.problems)
    assert count(workspace, assets) == 0
    path.write_text("name,category,lat,lon\nLibrary,library,52.24,-0.89\n")
    workspace.assets.import_file(path)
    (asset,) = workspace.assets.search().items
    with pytest.raises(ValidationError) as error:
        workspace.assets.update(asset.id, version=asset.version, changes={"name": FIVE_MB})
    assert "name" in str(error.value)
    assert workspace.assets.get(asset.id).name == "Library"


def test_free_text_is_held_to_max_text_chars(tmp_path: Path) -> None:
    limits = Limits(max_text_chars=100)
    ws = open_workspace(tmp_path / "small.sqlite", actor="tester", limits=limits)
    try:
        partner = ws.partners.create("Allotment society", sector="community_group")
        with pytest.raises(ValidationError) as error:
            ws.partners.update(partner.id, {"description": "y" * 101}, version=None)
        text = str(error.value)
        assert "description" in text and "max_text_chars" in text, text
        assert "MOBILISE_MAX_TEXT_CHARS" in text
        ws.partners.update(partner.id, {"description": "y" * 100}, version=None)
    finally:
        ws.close()


def test_whole_numbers_outside_64_bits_are_refused(workspace) -> None:
    # A value no database column holds: an OverflowError (SQLite) or a DataError (PostgreSQL)
    # before; a ValidationError naming the field now.
    from mobilise.store.records import value_problems

    problems = value_problems(audit_log, [{"id": 2**63}], max_text_chars=10)
    assert problems and problems[0].field == "id"
    assert not value_problems(audit_log, [{"id": 2**63 - 1}], max_text_chars=10)


@pytest.mark.parametrize(
    ("verb", "text"),
    [
        ("partners", "name,sector\nA,vcse\nB,vcse\nC,vcse\n"),
        ("maps", "from,to\nA,B\nB,C\nC,A\n"),
    ],
)
def test_the_workspace_holds_its_readers_to_its_own_limits(tmp_path: Path, verb, text) -> None:
    """A workspace opened with limits (the settings', in the CLI and the app) passes them to the
    file readers: three rows are refused where two are allowed, naming the limit."""
    path = tmp_path / f"{verb}.csv"
    path.write_text(text)
    with open_workspace(tmp_path / "ws.sqlite", limits=Limits(max_rows=2)) as small:
        service = small.partners if verb == "partners" else small.map_analysis
        with pytest.raises(ValidationError, match="MOBILISE_MAX_ROWS"):
            service.import_file(path)


def test_a_big_staged_map_import_is_held_to_max_text_chars(tmp_path: Path) -> None:
    # 6,000 links are staged ahead in bulk (straight to the driver): the limits screen each
    # batch column by column, and name the row when one cell is over (here the last link's).
    from mobilise.store.tables import map_links

    ws = open_workspace(tmp_path / "big.sqlite", actor="tester", limits=Limits(max_text_chars=50))
    try:
        rows = [f"F{i},F{i + 1},+,short" for i in range(5_999)] + ["F0,F9,-," + "e" * 51]
        data = ("from,to,polarity,evidence\n" + "\n".join(rows) + "\n").encode()
        causal_map = ws.map_analysis.causal_map(data, name="big.csv")
        with pytest.raises(ValidationError) as error:
            ws.maps.import_map(causal_map)
        assert any(p.field == "evidence" for p in error.value.problems), error.value.problems
        assert "max_text_chars" in str(error.value.problems)
        assert count(ws, map_links) == 0 and ws.maps.list() == []
        shorter = data.replace(b"e" * 51, b"e" * 50)
        info = ws.maps.import_map(ws.map_analysis.causal_map(shorter, name="big.csv"))
        assert info.n_links == 6_000 and count(ws, map_links) == 6_000
    finally:
        ws.close()
