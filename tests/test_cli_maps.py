"""The maps commands: import, list, export, and the analyses on stored maps and on map files."""

from __future__ import annotations

import json

import pytest

from mobilise.cli.main import run

from .conftest import FIXTURES

MAPS = FIXTURES / "systems_maps"
PUBLIC_HEALTH = MAPS / "mentalmodeler" / "public_health.mmp"  # Kosko's city-health FCM


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_import_list_analyse_and_export_a_stored_map(tmp_path, capsys):
    ws = ["-w", str(tmp_path / "ws.sqlite")]
    assert run([*ws, "maps", "import", str(MAPS / "green_space.prsm"), "--json"]) == 0
    made = _json(capsys)
    assert made["n_factors"] > 0 and made["n_links"] > 0
    assert run([*ws, "maps", "list", "--json"]) == 0
    assert [m["id"] for m in _json(capsys)] == [made["id"]]

    assert run([*ws, "maps", "loops", made["id"], "--json"]) == 0
    loops = _json(capsys)
    assert loops["counts"]["reinforcing"] >= 1 and loops["counts"]["balancing"] >= 1

    out = tmp_path / "map.mmp"
    assert run([*ws, "maps", "export", made["id"], "-o", str(out)]) == 0
    assert out.read_bytes().lstrip().startswith(b"<")
    capsys.readouterr()
    # The exported file is a map file the analyses read directly.
    assert run(["maps", "loops", str(out), "--json"]) == 0
    assert _json(capsys)["counts"] == loops["counts"]


def test_loops_on_a_file_without_a_workspace(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MOBILISE_DATABASE_URL", str(tmp_path / "never-made.sqlite"))
    assert run(["maps", "loops", str(PUBLIC_HEALTH), "--json"]) == 0
    found = _json(capsys)
    # Four loops (SOURCES.md): three reinforcing and one balancing.
    assert (found["total"], found["counts"]["reinforcing"], found["counts"]["balancing"]) == (
        4,
        3,
        1,
    )
    assert not (tmp_path / "never-made.sqlite").exists()


def test_centrality_paths_and_scenario_on_a_file(capsys):
    assert run(["maps", "centrality", str(PUBLIC_HEALTH), "--json"]) == 0
    rows = _json(capsys)
    assert len(rows) == 7 and {"betweenness", "leverage"} <= set(rows[0])
    assert run(["maps", "paths", str(PUBLIC_HEALTH), "--from", "C1", "--to", "C6", "--json"]) == 0
    assert _json(capsys)["effects"][0]["outcome_label"] == "C6"
    fire = MAPS / "mentalmodeler" / "fire_model.json.mmp"
    assert run(["maps", "scenario", str(fire), "--saved", "win game", "--json"]) == 0
    rows = _json(capsys)
    assert any(r["clamped"] for r in rows) and all(-1 <= r["scenario"] <= 1 for r in rows)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["maps", "loops", "no-such-map"], 3, "No systems map 'no-such-map'"),
        (["maps", "scenario", str(PUBLIC_HEALTH), "--clamp", "C1"], 2, "is not 'factor=value'"),
        (["maps", "scenario", str(PUBLIC_HEALTH), "--clamp", "Nobody=1"], 2, "no factor 'Nobody'"),
    ],
)
def test_errors_in_words(tmp_path, capsys, args, code, message):
    assert run(["-w", str(tmp_path / "ws.sqlite"), "init"]) == 0  # reading needs a workspace
    capsys.readouterr()
    assert run(["-w", str(tmp_path / "ws.sqlite"), *args]) == code
    assert message in capsys.readouterr().err


def test_a_malformed_file_names_itself(tmp_path, capsys):
    bad = tmp_path / "broken.mmp"
    bad.write_text("<mentalmodeler><concepts><concept>")
    assert run(["-w", str(tmp_path / "ws.sqlite"), "maps", "import", str(bad)]) == 2
    assert "broken.mmp" in capsys.readouterr().err


COVID = MAPS / "mentalmodeler" / "compare" / "covid"


def test_compare_groups_maps_and_store_the_merge(tmp_path, capsys):
    """Three participants' COVID maps with messy labels: matched, agreed, merged."""
    files = [str(COVID / f"participant_{k}.mmp") for k in (3, 4, 5)]
    ws = ["-w", str(tmp_path / "ws.sqlite")]
    assert run([*ws, "maps", "compare", *files, "--merge-as", "All three", "--json"]) == 0
    found = _json(capsys)
    assert found["groups"] == ["participant_3", "participant_4", "participant_5"]
    agreed = found["consensus"]["links"]
    assert agreed and all(len(link["groups"]) >= 2 for link in agreed)
    merged = found["merged_map"]
    assert merged["n_links"] == 11 + 29 + 29  # every link of every group kept
    assert run([*ws, "maps", "compare", files[1], files[2], "--json"]) == 0
    assert "difference" in _json(capsys)
    assert run([*ws, "maps", "compare", files[0]]) == 2
    assert "at least two maps" in capsys.readouterr().err
