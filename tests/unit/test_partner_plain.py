"""A partner list without a single problem is read column by column (``plain_partners``);
whatever file it is given, the partners (or the error) must be exactly what the row-by-row
reading gives."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise.errors import ValidationError
from mobilise.formats import partner_files
from mobilise.formats.partner_files import read_partners

CELLS = {
    "id": ["", "p1", "p2", " p1 "],
    "name": ["Canal Trust", "", "Arts Hub", " Canal Trust "],
    "sector": ["", "vcse", "NHS trust", "nope", "Voluntary and community"],
    "kind": ["", "organisation", "Individual", "robot"],
    "description": ["", "works on parks"],
    "places": ["", "camden", "camden; islington|x"],
    "populations": ["", "older people"],
    "postcode": ["", "NW1 0AA"],
    "lat": ["", "51.5", "91", "north"],
    "lon": ["", "-0.1", "200"],
    "url": ["", "https://e.org"],
    "joined": ["", "2024-03-01", "31/03/2024", "2024-13-01", "2023-01-01T10:00"],
    "left": ["", "2024-06-01", "2020-01-01", "soon"],
    "other": ["", "ignored"],
}
tables = st.lists(st.sampled_from(sorted(CELLS)), min_size=1, unique=True).flatmap(
    lambda columns: st.tuples(
        st.just(columns),
        st.lists(st.tuples(*(st.sampled_from(CELLS[c]) for c in columns)), max_size=6),
        st.sampled_from([None, "vcse", "not a sector"]),
    )
)


def _read(text: str, default: str | None) -> object:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "partners.csv"
        path.write_text(text, encoding="utf-8")
        try:
            return read_partners(path, default_sector=default)
        except ValidationError as error:
            return ("refused", str(error), error.problems)


@given(table=tables)
@settings(max_examples=120, deadline=None)
def test_the_column_reading_gives_what_the_row_reading_gives(
    table: tuple[list[str], list[tuple[str, ...]], str | None],
) -> None:
    columns, rows, default = table
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    fast = _read(out.getvalue(), default)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(partner_files, "plain_partners", lambda *args: None)
        slow = _read(out.getvalue(), default)
    assert fast == slow


def test_a_plain_list_takes_the_column_reading(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    taken = []
    plain = partner_files.plain_partners

    def spy(*args: object) -> object:
        taken.append(found := plain(*args))  # type: ignore[arg-type]
        return found

    monkeypatch.setattr(partner_files, "plain_partners", spy)
    path = tmp_path / "partners.csv"
    path.write_text("id,name,sector,lat,lon,joined\np1,Canal Trust,vcse,51.5,-0.1,2024-03-01\n")
    (partner,) = read_partners(path)
    assert taken and taken[0] is not None
    assert (partner.key, partner.sector, partner.latitude, partner.row) == ("p1", "vcse", 51.5, 1)
