"""Map files through the workspace, on SQLite and PostgreSQL: one import verb for a path, the
file's bytes or a stream; exports to a path or a stream, and nothing half-written."""

from __future__ import annotations

import io

import pytest

from mobilise import ValidationError
from mobilise.model.causal_map import CausalMap, Factor, Link

from ..conftest import FIXTURES

GREEN = FIXTURES / "systems_maps" / "green_space.prsm"


def test_a_map_file_is_imported_from_a_path_its_bytes_or_a_stream(workspace):
    files = workspace.map_analysis
    from_path = files.import_file(GREEN, place=None)
    from_bytes = files.import_file(GREEN.read_bytes(), name=GREEN.name)
    from_stream = files.import_file(io.BytesIO(GREEN.read_bytes()), name=GREEN.name)
    with GREEN.open("rb") as opened:  # a stream that knows its own name
        from_file = files.import_file(opened)
    sizes = {(m.title, m.n_factors, m.n_links) for m in (from_path, from_bytes, from_stream)}
    assert len(sizes) == 1 and from_path.n_links > 0
    assert (from_file.n_factors, from_file.n_links) == (from_path.n_factors, from_path.n_links)
    assert len(workspace.maps.list()) == 4


def test_a_bad_file_is_named_with_its_row_and_field(workspace):
    data = b"from,to,polarity\nA,B,+\nB,C,sideways\n"
    with pytest.raises(ValidationError) as caught:
        workspace.map_analysis.import_file(io.BytesIO(data), name="workshop.csv")
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.field) == ("workshop.csv", 2, "polarity")
    assert "workshop.csv" in caught.value.message
    with pytest.raises(ValidationError) as missing:
        workspace.map_analysis.import_file(FIXTURES / "no-such-map.prsm")
    assert "no-such-map.prsm" in missing.value.message
    assert workspace.maps.list() == []


@pytest.fixture
def out(tmp_path):
    """A folder for exports alone (the SQLite workspace is in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_export_writes_a_path_or_a_stream(workspace, out):
    stored = workspace.map_analysis.import_file(GREEN)
    written = workspace.map_analysis.export(stored.id, out / "green.mmp")
    assert written.format == "mentalmodeler"  # from the suffix
    assert written.size == (out / "green.mmp").stat().st_size
    assert (out / "green.mmp").read_bytes().lstrip().startswith(b"<")
    assert [p.name for p in out.iterdir()] == ["green.mmp"]

    buffer = io.BytesIO()
    sent = workspace.map_analysis.export(stored.id, buffer, format="graphml")
    assert (sent.file_name, sent.media_type) == (
        "green-space-and-mental-wellbeing.graphml",
        "application/graphml+xml",
    )
    assert sent.size == len(buffer.getvalue())
    again = workspace.map_analysis.causal_map(buffer.getvalue(), name="again.graphml")
    assert len(again.links) == stored.n_links


def test_an_export_that_fails_leaves_nothing_behind(workspace, out):
    twins = CausalMap(
        title="Twins",
        factors=[Factor("a", "Stress"), Factor("b", "Stress"), Factor("c", "Sleep")],
        links=[Link("1", "a", "c", "-"), Link("2", "b", "c", "-")],
    )
    stored = workspace.maps.import_map(twins)
    kept = out / "kept.csv"
    kept.write_text("what was there before\n")
    with pytest.raises(ValidationError, match="both labelled 'Stress'"):
        workspace.map_analysis.export(stored.id, kept)  # an edge list names factors by label
    assert kept.read_text() == "what was there before\n"
    with pytest.raises(ValidationError) as unknown:
        workspace.map_analysis.export(stored.id, out / "twins.txt")
    assert unknown.value.problems[0].field == "format"
    with pytest.raises(ValidationError, match="Cannot write a map as 'vensim'"):
        workspace.map_analysis.export(stored.id, out / "twins.mdl", format="vensim")
    assert [p.name for p in out.iterdir()] == ["kept.csv"]
