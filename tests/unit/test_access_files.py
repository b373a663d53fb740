"""Analysis on plain files through the workspace's door: a path, bytes or a stream in, a path or a
stream out, and a bad file named in the error whichever way it came."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from mobilise import ValidationError
from mobilise.formats.access_tables import repeated_pairs
from mobilise.workspace.access_files import compute_on_files, sii_on_file

# Two areas 100 and 300 residents near one asset (capacity 4), one area far from everything.
DEMAND = b"id,population,x,y\na,100,0,0\nb,300,500,0\nc,50,90000,0\n"
SUPPLY = b"id,capacity,x,y\nlib,4,250,0\n"
COSTS = b"origin,dest,cost\na,lib,250\nb,lib,250\nc,lib,89750\n"
DECILES = b"quantile,value,population,se\n" + b"".join(
    f"{q},{10 * q},1000,0.5\n".encode() for q in range(1, 6)
)


def _by_hand(result: pd.DataFrame) -> None:
    # 4 places shared by the 400 residents within reach: 0.01 each; area c reaches nothing.
    assert result["2sfca_1000"].to_dict() == pytest.approx({"a": 0.01, "b": 0.01, "c": 0.0})
    assert result["in_reach_1000"].to_dict() == {"a": 1, "b": 1, "c": 0}


def test_paths_bytes_and_streams_give_the_same_table(tmp_path):
    (tmp_path / "demand.csv").write_bytes(DEMAND)
    (tmp_path / "supply.csv").write_bytes(SUPPLY)
    options = {"method": "2sfca", "catchments_m": [1000]}
    from_paths = compute_on_files(tmp_path / "demand.csv", str(tmp_path / "supply.csv"), **options)
    from_bytes = compute_on_files(DEMAND, SUPPLY, demand_name="d.csv", **options)
    from_streams = compute_on_files(io.BytesIO(DEMAND), io.BytesIO(SUPPLY), **options)
    for result in (from_paths, from_bytes, from_streams):
        _by_hand(result)
    pd.testing.assert_frame_equal(from_paths, from_bytes)
    pd.testing.assert_frame_equal(from_paths, from_streams)


def test_the_table_goes_to_a_path_or_a_stream(tmp_path):
    options = {"method": "2sfca", "catchments_m": [1000]}
    path = tmp_path / "new folder" / "access.csv"
    result = compute_on_files(DEMAND, SUPPLY, output=path, **options)
    stream = io.BytesIO()
    compute_on_files(DEMAND, SUPPLY, output=stream, **options)
    assert stream.getvalue() == path.read_bytes()
    written = pd.read_csv(path, index_col="id")
    _by_hand(written)
    assert list(written.columns) == list(result.columns)


def test_a_cost_table_as_bytes(tmp_path):
    result = compute_on_files(
        DEMAND, SUPPLY, costs=COSTS, method="nearest", catchments_m=[1600], costs_name="c.csv"
    )
    assert result.loc["a", "nearest_1600"] == 250
    assert pd.isna(result.loc["c", "nearest_1600"])


@pytest.mark.parametrize("as_stream", [False, True])
def test_a_bad_file_is_named_whichever_way_it_came(tmp_path, as_stream):
    bad = b"id,population,x,y\na,100,0,0\nb,lots,500,0\n"
    out = tmp_path / "access.csv"
    demand = io.BytesIO(bad) if as_stream else bad
    with pytest.raises(ValidationError) as caught:
        compute_on_files(
            demand,
            SUPPLY,
            demand_name="areas.csv",
            method="2sfca",
            catchments_m=[1000],
            output=out,
        )
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.field) == ("areas.csv", 2, "population")
    assert not out.exists()  # nothing written when the input is refused


def test_a_repeated_pair_in_a_cost_table_is_named_by_its_rows(tmp_path):
    """Row 4 gives a to lib again (row 1 had it): both rows named, and nothing written."""
    repeated = COSTS + b"a,lib,260\n"
    out = tmp_path / "access.csv"
    with pytest.raises(ValidationError, match=r"Cannot read the cost table c\.csv\.") as caught:
        compute_on_files(
            DEMAND,
            SUPPLY,
            costs=repeated,
            costs_name="c.csv",
            method="2sfca",
            catchments_m=[1000],
            output=out,
        )
    assert [str(problem) for problem in caught.value.problems] == [
        "c.csv, row 4, field 'dest': origin 'a' to destination 'lib' is already in row 1; "
        "keep one cost per pair"
    ]
    assert not out.exists()


def test_an_unknown_id_in_a_cost_table_is_named_with_the_file():
    stranger = COSTS + b"zz,lib,10\n"
    with pytest.raises(ValidationError) as caught:
        compute_on_files(
            DEMAND, SUPPLY, costs=stranger, costs_name="c.csv", method="2sfca", catchments_m=[1000]
        )
    (problem,) = caught.value.problems
    assert (problem.file, problem.field) == ("c.csv", "origin")
    assert "1 ids are not among the origins given: zz" in problem.message


def test_many_repeated_pairs_are_shown_twenty_and_counted():
    rows = "".join(f"o{k},d{k},1\n" for k in range(30))
    table = pd.read_csv(io.StringIO("origin,dest,cost\n" + rows * 2), dtype=str)
    problems = repeated_pairs(table, file="t.csv", origin="origin", destination="dest")
    assert [p.row for p in problems[:3]] == [31, 32, 33]
    assert "is already in row 1;" in problems[0].message
    assert problems[-1].message == "10 more rows repeat an origin-destination pair"
    assert len(problems) == 21
    assert repeated_pairs(table.iloc[:30], file="t.csv", origin="origin", destination="dest") == []


def test_a_missing_file_is_a_validation_error(tmp_path):
    with pytest.raises(ValidationError) as caught:
        compute_on_files(tmp_path / "nowhere.csv", SUPPLY, method="2sfca", catchments_m=[1000])
    assert caught.value.problems[0].file == "nowhere.csv"


def test_the_fca_ratio_refuses_a_cost_table():
    with pytest.raises(ValidationError) as caught:
        compute_on_files(DEMAND, SUPPLY, costs=COSTS, method="fca", catchments_m=[1600])
    assert [p.field for p in caught.value.problems] == ["method"]


def test_sii_from_bytes_and_a_stream(tmp_path):
    path = tmp_path / "deciles.csv"
    path.write_bytes(DECILES)
    options = {"value": "value", "population": "population", "quantile": "quantile", "se": "se"}
    results = [
        sii_on_file(source, name="deciles.csv", seed=7, **options)[0]
        for source in (path, DECILES, io.BytesIO(DECILES))
    ]
    assert [r.sii for r in results] == pytest.approx([50, 50, 50])
    assert len({(r.sii_lower, r.sii_upper) for r in results}) == 1  # same seed, same draws
    with pytest.raises(ValidationError) as caught:
        sii_on_file(DECILES, name="rates.csv", **{**options, "value": "rate"})
    assert caught.value.problems[0].file == "rates.csv"
