"""Reading demand, supply and cost tables: numbers back as written, bad rows named."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise import ValidationError
from mobilise.formats.access_tables import read_cost_table, read_number_table, read_point_table

ids = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=9)
amounts = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
coordinates = st.floats(min_value=-1e6, max_value=1e7, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(ids, amounts, coordinates, coordinates), min_size=1, max_size=20).filter(
        lambda rows: len({r[0] for r in rows}) == len(rows)
    ),
    st.sampled_from([",", ";", "\t"]),
)
def test_point_tables_read_back_what_was_written(tmp_path_factory, rows, delimiter):
    path = tmp_path_factory.mktemp("t") / "demand.csv"
    lines = [delimiter.join(["id", "population", "x", "y"])]
    lines += [delimiter.join([i, repr(p), repr(x), repr(y)]) for i, p, x, y in rows]
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    table = read_point_table(
        path, id_column="id", value_column="population", x="x", y="y", what="demand"
    )
    assert list(table.index) == [r[0] for r in rows]
    assert table["value"].tolist() == [r[1] for r in rows]
    assert table["x"].tolist() == [r[2] for r in rows]
    assert table["y"].tolist() == [r[3] for r in rows]


def test_every_bad_row_is_named(tmp_path):
    path = tmp_path / "supply.csv"
    path.write_text("id,capacity\nA,1\nA,2\n,3\nB,-1\nC,many\n")
    with pytest.raises(ValidationError) as caught:
        read_point_table(path, id_column="id", value_column="capacity", what="supply")
    found = {(p.row, p.field, p.message.split(" (")[0]) for p in caught.value.problems}
    assert found == {
        (2, "id", "repeats an id given above"),
        (3, "id", "is empty"),
        (4, "capacity", "is negative"),
        (5, "capacity", "is not a number"),
    }
    assert all(p.file == "supply.csv" for p in caught.value.problems)


def test_missing_columns_are_named_with_those_there(tmp_path):
    path = tmp_path / "costs.csv"
    path.write_text("from,to,metres\na,b,1\n")
    with pytest.raises(ValidationError) as caught:
        read_cost_table(path, origin="origin", destination="dest", cost="cost")
    assert len(caught.value.problems) == 3
    assert "it has from, to, metres" in caught.value.problems[0].message


def test_thousands_separators_and_a_number_table(tmp_path):
    path = tmp_path / "deciles.csv"
    path.write_text('quantile,value,population\n1,-2.5,"1,200"\n')
    table = read_number_table(path, {"quantile": True, "value": False, "population": True})
    assert table.iloc[0].tolist() == [1.0, -2.5, 1200.0]


def test_bytes_are_read_as_the_file_and_named_as_given(tmp_path):
    data = b"id,capacity\nA,1\nB,many\n"
    path = tmp_path / "supply.csv"
    path.write_bytes(data)
    for source, name in ((path, None), (data, "supply.csv")):
        with pytest.raises(ValidationError) as caught:
            read_point_table(source, name=name, id_column="id", value_column="capacity", what="s")
        (problem,) = caught.value.problems
        assert (problem.file, problem.row, problem.field) == ("supply.csv", 2, "capacity")
    table = read_number_table(b"q,v\n1,2\n", {"q": True, "v": False}, name="t.csv")
    assert table.iloc[0].tolist() == [1.0, 2.0]
