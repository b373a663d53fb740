"""A map read from an edge list is stored from its columns (issue 14, the 50,000-link map
import), on SQLite and PostgreSQL: the same map as from its links one by one, staged or not,
with the same refusals."""

from __future__ import annotations

from typing import Any

import pytest

from mobilise import ValidationError
from mobilise.formats import map_edgelist
from mobilise.formats.map_edgelist import EdgeListMap
from mobilise.model.causal_map import CausalMap


def edge_list(n_links: int, group: str = "") -> bytes:
    rows = "".join(
        f"Factor {i % (n_links // 5 + 2)},Factor {(i * 7 + 1) % (n_links // 5 + 2)},"
        f"{'+-?'[i % 3]},{['', 'weak', 'strong'][i % 3]},{i % 2},{i % 5 / 4}, ev {i} ,{group},"
        f"{'yes' if i % 4 else ''}\n"
        for i in range(n_links)
    )
    header = "from,to,polarity,strength,delay,confidence,evidence,stakeholder_group,contested\n"
    return (header + rows).encode()


def stored(workspace: Any, map_id: str) -> tuple[list[tuple], list[tuple]]:
    """A stored map's factors and links, ids replaced by labels (new ids each import)."""
    content = workspace.maps.content(map_id)
    label = {f["id"]: f["label"] for f in content["factors"]}
    factors = sorted(
        (f["label"], f["kind"], f["theme"], str(f["attributes"])) for f in content["factors"]
    )
    fields = ("polarity", "strength", "weight", "delay", "confidence", "evidence",
              "stakeholder_group", "contested", "label")  # fmt: skip
    links = sorted(
        (label[k["source_id"]], label[k["target_id"]], *(str(k[f]) for f in fields))
        for k in content["links"]
    )
    return factors, links


def as_plain_map(read: CausalMap) -> CausalMap:
    return CausalMap(
        title=read.title, factors=read.factors, links=list(read.links), source=read.source
    )


@pytest.mark.parametrize("n_links", [40, 6_000])  # written at the end; staged ahead
def test_a_map_from_columns_is_stored_as_from_its_links(
    workspace: Any, n_links: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = edge_list(n_links)
    columnar = workspace.map_analysis.causal_map(data, name="links.csv")
    assert isinstance(columnar, EdgeListMap)
    made = []
    monkeypatch.setattr(map_edgelist.LinkColumns, "links", lambda self: made.append(1) or [])
    from_columns = workspace.maps.import_map(columnar, stakeholder_group="residents")
    assert not made  # no Link for a row on the way to the store
    monkeypatch.undo()
    again = workspace.map_analysis.causal_map(data, name="links.csv")
    from_links = workspace.maps.import_map(as_plain_map(again), stakeholder_group="residents")
    assert (from_columns.n_factors, from_columns.n_links) == (from_links.n_factors, n_links)
    assert stored(workspace, from_columns.id) == stored(workspace, from_links.id)
    events = workspace.maps.events(from_columns.id)
    assert events[0]["payload"]["links"] == n_links


def test_a_group_past_its_limit_is_refused_as_before(workspace: Any) -> None:
    data = edge_list(30, group="g" * 121)
    with pytest.raises(ValidationError) as columns:
        workspace.maps.import_map(workspace.map_analysis.causal_map(data, name="links.csv"))
    read = workspace.map_analysis.causal_map(data, name="links.csv")
    with pytest.raises(ValidationError) as links:
        workspace.maps.import_map(as_plain_map(read))
    assert str(columns.value) == str(links.value) and "120" in str(columns.value)
    assert workspace.maps.list() == []


@pytest.mark.parametrize("n_links", [40, 40_000])  # written at the end; staged ahead
def test_a_value_past_the_store_limit_is_refused_by_file_row_and_field(
    workspace: Any, n_links: int
) -> None:
    """Evidence longer than max_text_chars in the last row (the reader keeps any length: the
    store's limit refuses it) is named by the file, its row and field, before anything is
    written; the row is the link's in the file, not its place in a batch of the write."""
    too_long = "e" * (workspace.limits.max_text_chars + 1)
    rows = [f"Factor {i % 8000},Factor {(i * 7 + 1) % 8000},+,ev {i}\n" for i in range(n_links)]
    rows[-1] = f"Factor 1,Factor 2,+,{too_long}\n"
    data = ("from,to,polarity,evidence\n" + "".join(rows)).encode()
    with pytest.raises(ValidationError) as refused:
        workspace.maps.import_map(workspace.map_analysis.causal_map(data, name="links.csv"))
    (problem,) = refused.value.problems
    assert (problem.file, problem.row, problem.field) == ("links.csv", n_links, "evidence")
    assert "max_text_chars" in problem.message
    assert "nothing was imported" in str(refused.value)
    with workspace.engine.connect() as connection:
        left = [
            connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
            for table in ("systems_maps", "map_factors", "map_links")
        ]
    assert left == [0, 0, 0]


def test_a_factor_past_the_store_limit_is_named_as_the_files_factors_are(workspace: Any) -> None:
    from mobilise.model.causal_map import Factor, Link

    long = "x" * (workspace.limits.max_text_chars + 1)
    factors = [Factor(id="a", label="A"), Factor(id="b", label="B", description=long)]
    causal_map = CausalMap(title="t", factors=factors, links=[Link("l", "a", "b")], source="m.json")
    with pytest.raises(ValidationError) as refused:
        workspace.maps.import_map(causal_map)
    (problem,) = refused.value.problems
    assert (problem.file, problem.row, problem.field) == ("m.json", 2, "description")
    assert problem.message.startswith("factor 'B': map_factors.description is 20,001")
    assert workspace.maps.list() == []
