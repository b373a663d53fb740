"""The CLI: the README's commands, JSON output, errors without tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mobilise import open_workspace
from mobilise.cli.main import run

from .conftest import FIXTURES

HERE = FIXTURES / "workspace"


def mobilise(*args: str, workspace: Path) -> list[str]:
    return ["-w", str(workspace), *args]


def test_init_and_places_json(tmp_path, capsys):
    ws = tmp_path / "ws.sqlite"
    assert run(mobilise("init", "--json", workspace=ws)) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["places"] == 0 and info["schema"] == "0018"
    assert (
        run(mobilise("areas", "import", str(HERE / "three_lsoas.geojson"), "--json", workspace=ws))
        == 0
    )
    assert json.loads(capsys.readouterr().out)["created"] == 3
    code = run(
        mobilise(
            "places", "create", "testtown", "--name", "Testtown", "-a", "E09000001", workspace=ws
        )
    )
    assert code == 0
    capsys.readouterr()
    assert run(mobilise("places", "list", "--json", workspace=ws)) == 0
    [place] = json.loads(capsys.readouterr().out)
    assert (place["slug"], place["n_areas"]) == ("testtown", 2)


def test_indicator_import_and_list(tmp_path, capsys):
    ws = tmp_path / "ws.sqlite"
    run(mobilise("areas", "import", str(HERE / "three_lsoas.geojson"), workspace=ws))
    capsys.readouterr()
    code = run(
        mobilise(
            "indicators",
            "import",
            str(HERE / "indicator_wide.csv"),
            "-c",
            "green_visits=green_visits",
            "--polarity",
            "higher_is_better",
            "--unit",
            "visits",
            "--json",
            workspace=ws,
        )
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["indicators"] == ["green_visits"]
    run(mobilise("indicators", "list", "--json", workspace=ws))
    [indicator] = json.loads(capsys.readouterr().out)
    assert (indicator["id"], indicator["unit"], indicator["polarity"]) == (
        "green_visits",
        "visits",
        "higher_is_better",
    )


@pytest.mark.parametrize(
    ("args", "exit_code", "words"),
    [
        (("places", "show", "atlantis"), 3, "No place 'atlantis'"),
        (("geocode", "not-a-postcode"), 2, "postcode"),
        (("areas", "import", str(HERE / "broken_geometry.geojson")), 2, "row 2"),
        (("indicators", "import", str(HERE / "indicator_not_numeric.csv")), 2, "row 2"),
        (("places", "create", "Bad Slug", "--name", "x"), 2, "slug"),
    ],
)
def test_errors_exit_non_zero_without_traceback(tmp_path, capsys, args, exit_code, words):
    # made first: a command that only reads refuses a workspace that does not exist (issue 17)
    assert run(mobilise("init", workspace=tmp_path / "ws.sqlite")) == 0
    capsys.readouterr()
    code = run(mobilise(*args, workspace=tmp_path / "ws.sqlite"))
    captured = capsys.readouterr()
    assert code == exit_code
    assert words in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_unknown_area_error_names_file_row_and_field(tmp_path, capsys):
    ws = tmp_path / "ws.sqlite"
    run(mobilise("areas", "import", str(HERE / "three_lsoas.geojson"), workspace=ws))
    capsys.readouterr()
    code = run(
        mobilise(
            "indicators",
            "import",
            str(HERE / "indicator_unknown_area.csv"),
            "--area-column",
            "area_code",
            workspace=ws,
        )
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "indicator_unknown_area.csv, row 3, field 'area_code'" in err
    assert "E01009999" in err


@pytest.mark.slow
def test_console_script_demo_no_serve(tmp_path):
    """The README's `mobilise demo --no-serve`, through the installed console script."""
    exe = shutil.which("mobilise", path=str(Path(sys.executable).parent)) or "mobilise"
    ws = tmp_path / "demo.sqlite"
    done = subprocess.run(
        [exe, "--workspace", str(ws), "demo", "--no-serve", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["areas"] == 1130
    assert {p["slug"]: p["n_areas"] for p in report["places"]} == {
        "northamptonshire": 422,
        "inner-north-east-london": 708,
        "camden": 133,  # the one place with a routable street extract (issue 19)
    }
    with open_workspace(ws) as built:
        imd = built.indicators.values("imd2019_score")
        assert len(imd) == 1130 and imd["value"].notna().all()
        # The demo shows access and disparities for both places.
        for slug, n_areas in (("northamptonshire", 422), ("inner-north-east-london", 708)):
            analysis = built.access.latest(slug)
            assert analysis is not None and analysis.status == "done"
            assert {s["areas"] for s in analysis.scenarios} == {n_areas}
            assert all(s["sii"] is not None for s in analysis.scenarios)
            # ... and a systems map with loops of both kinds.
            (made,) = built.maps.list(place=slug)
            counts = built.map_analysis.loops(made.id).to_dict()["counts"]
            assert counts["reinforcing"] > 0 and counts["balancing"] > 0
    geocoded = subprocess.run(
        [exe, "-w", str(ws), "geocode", "NN1 1DE", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert geocoded.returncode == 0, geocoded.stderr
    assert json.loads(geocoded.stdout)[0]["lsoa11_code"] == "E01027223"


def test_import_lookup_links_parents_and_skips_other_areas(tmp_path, capsys):
    ws = tmp_path / "ws.sqlite"
    run(mobilise("areas", "import", str(HERE / "three_lsoas.geojson"), workspace=ws))
    capsys.readouterr()
    code = run(
        mobilise(
            "areas",
            "import-lookup",
            str(HERE / "msoa_lookup.csv"),
            "--kind",
            "msoa11",
            "--json",
            workspace=ws,
        )
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["links"] == 3
    assert summary["notes"] == ["1 rows for areas not in the workspace were skipped"]
    run(mobilise("areas", "show", "E01000003", "--json", workspace=ws))
    area = json.loads(capsys.readouterr().out)
    assert {
        "relation": "parent",
        "related_type": "msoa11",
        "related_code": "E02000002",
        "related_name": "Otherby 001",
        "detail": "",
    } in area["links"]
    assert (
        run(
            mobilise(
                "areas",
                "import-lookup",
                str(HERE / "msoa_lookup.csv"),
                "--kind",
                "nope",
                workspace=ws,
            )
        )
        == 2
    )


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(exe: str, ws: Path, *options: str, within_s: float = 300) -> None:
    """Start `mobilise serve` with ``options``, wait until it answers (as a user would), check
    its health and home page, and stop it. ``within_s`` is only a bound for a server that never
    comes up: on a machine busy with other tests, starting can take a while."""
    import time

    import httpx

    port = _free_port()
    server = subprocess.Popen(
        [exe, "-w", str(ws), "serve", "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + within_s
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=10)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, f"mobilise serve did not answer in {within_s} s"
                time.sleep(0.2)
        assert health.json()["status"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=within_s).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=20)


def _console_script() -> str:
    return shutil.which("mobilise", path=str(Path(sys.executable).parent)) or "mobilise"


def test_console_script_serve(tmp_path):
    """`mobilise serve` answers on 127.0.0.1 and refuses other hosts without users."""
    exe = _console_script()
    ws = tmp_path / "ws.sqlite"
    assert run(["-w", str(ws), "areas", "import", str(HERE / "three_lsoas.geojson")]) == 0
    refused = subprocess.run(
        [exe, "-w", str(ws), "serve", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "MOBILISE_SECRET_KEY": "x" * 40},
    )
    assert refused.returncode == 6
    assert "mobilise users add" in refused.stderr
    _answers(exe, ws)


def test_console_script_serve_with_workers(tmp_path):
    """`mobilise serve --workers 2` starts its worker processes (each builds the app from the
    environment, through mobilise.serve) and answers."""
    ws = tmp_path / "ws.sqlite"
    assert run(["-w", str(ws), "areas", "import", str(HERE / "three_lsoas.geojson")]) == 0
    # Two processes start a server each on CI's two busy cores: allow them a minute.
    _answers(_console_script(), ws, "--workers", "2")


def test_a_failed_command_leaves_nothing_behind(tmp_path, capsys):
    """Registering the source, importing the areas and adding them to a place is one unit."""
    ws = tmp_path / "ws.sqlite"
    code = run(
        mobilise(
            "areas",
            "import",
            str(HERE / "three_lsoas.geojson"),
            "--place",
            "nowhere",
            "--source",
            "Test boundaries",
            "--licence",
            "OGL-UK-3.0",
            workspace=ws,
        )
    )
    assert code == 3 and "No place 'nowhere'" in capsys.readouterr().err
    with open_workspace(ws) as workspace:
        assert workspace.areas.count() == 0
        assert workspace.datasets.list() == []


def test_boundaries_into_a_place_and_a_place_from_an_areas_file(tmp_path, capsys):
    ws = tmp_path / "ws.sqlite"
    codes = tmp_path / "codes.txt"
    codes.write_text("E01000001\n\nE01000002\n", encoding="utf-8")
    run(mobilise("areas", "import", str(HERE / "three_lsoas.geojson"), workspace=ws))
    capsys.readouterr()
    args = ("places", "create", "testtown", "--name", "Testtown", "--areas-file", str(codes))
    assert run(mobilise(*args, "--json", workspace=ws)) == 0
    assert json.loads(capsys.readouterr().out)["n_areas"] == 2
    imported = ("areas", "import", str(HERE / "three_lsoas.geojson"), "--place", "testtown")
    assert run(mobilise(*imported, workspace=ws)) == 0
    with open_workspace(ws) as built:
        assert built.places.get("testtown").n_areas == 3


def test_iod_layout_imports_deprivation(tmp_path, capsys):
    ws = tmp_path / "ws.sqlite"
    run(mobilise("areas", "import", str(HERE / "three_lsoas.geojson"), workspace=ws))
    capsys.readouterr()
    file1 = str(FIXTURES / "iod2019_file1_excerpt.csv")
    assert run(mobilise("indicators", "import", file1, "--layout", "iod", workspace=ws)) == 0
    assert "values of 2 indicators" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["places", "list"], "places"),
        (["-w", "x.sqlite", "places", "list"], "places"),
        (["--workspace", "places", "maps", "list"], "maps"),  # "places" is the option's value
        (["--workspace=x.sqlite", "demo", "--no-serve"], "demo"),
        (["init"], "init"),
        (["--help"], None),
        (["--version", "places"], None),
        (["nope"], None),
        ([], None),
    ],
)
def test_a_command_run_by_name_builds_only_its_group(argv, named):
    """`mobilise places list` loads and builds only the places commands (fast start); anything
    else builds the whole command."""
    from mobilise.cli.main import command_named

    assert command_named(argv) == named


def test_only_the_named_group_is_built_and_building_twice_changes_nothing():
    from mobilise.cli.main import GROUPS, build_app

    assert [g.name for g in build_app("places").registered_groups] == ["places"]
    whole = [build_app() for _ in range(2)][-1]
    assert [g.name for g in whole.registered_groups] == list(GROUPS)
    assets = next(g for g in whole.registered_groups if g.name == "assets").typer_instance
    names = [c.name for c in assets.registered_commands]
    assert len(names) == len(set(names))  # the review commands are registered once


@pytest.mark.parametrize(
    ("module", "reader", "command"),
    [
        ("mobilise.formats.ons", "read_boundaries", ["areas", "import", "three_lsoas.geojson"]),
        (
            "mobilise.formats.lookups",
            "read_lsoa_msoa",
            ["areas", "import-lookup", "msoa_lookup.csv", "--kind", "msoa11"],
        ),
        (
            "mobilise.formats.indicators",
            "read_indicator_csv",
            ["indicators", "import", "indicator_wide.csv"],
        ),
    ],
)
def test_a_file_is_read_before_the_write_lock_is_taken(
    tmp_path, monkeypatch, module, reader, command
):
    """An import reads and checks its file with the database free for other writers, then stores
    it (with the source the user named) in one short transaction."""
    import importlib
    import sqlite3

    ws = tmp_path / "ws.sqlite"
    if command[0] != "areas" or command[1] != "import":
        assert (
            run(mobilise("areas", "import", str(HERE / "three_lsoas.geojson"), workspace=ws)) == 0
        )
    formats = importlib.import_module(module)
    real = getattr(formats, reader)
    free: list[bool] = []

    def probing(*args, **kwargs):
        other = sqlite3.connect(ws, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # what any other writer needs
            other.execute("ROLLBACK")
            free.append(True)
        except sqlite3.OperationalError:
            free.append(False)
        finally:
            other.close()
        return real(*args, **kwargs)

    monkeypatch.setattr(formats, reader, probing)
    words = [str(HERE / w) if w.endswith((".geojson", ".csv")) else w for w in command]
    code = run(
        mobilise(*words, "--source", "ONS test file", "--licence", "OGL-UK-3.0", workspace=ws)
    )
    assert code == 0
    assert free == [True]
    with open_workspace(ws) as opened:
        titles = {d.title for d in opened.datasets.list()}
    assert "ONS test file" in titles
