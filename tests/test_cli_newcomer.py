"""The command line as a newcomer meets it (issue 17, item 8): one default workspace, no empty
workspace made by a command that only reads, "file not found" for a missing file, hints in the
command line's own syntax, a busy port named before anything claims to serve, flags shown as
flags, tables that wrap in 80 columns."""

from __future__ import annotations

import socket
from pathlib import Path

from typer.testing import CliRunner

from mobilise.cli.main import app, run

from .conftest import FIXTURES


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_a_reading_command_on_a_missing_workspace_says_where_it_looked(
    tmp_path, monkeypatch, capsys
):
    """`mobilise places list` in a folder without a workspace made an empty mobilise.sqlite and
    said "No places yet"."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MOBILISE_WORKSPACE", raising=False)
    monkeypatch.delenv("MOBILISE_DATABASE_URL", raising=False)
    assert run(["places", "list"]) == 3
    said = one_line(capsys.readouterr().err)
    assert f"No workspace at {tmp_path / 'mobilise.sqlite'}" in said
    assert "mobilise demo" in said and "mobilise init" in said and "--workspace" in said
    assert not (tmp_path / "mobilise.sqlite").exists()


def test_the_option_and_the_variable_are_named_when_they_chose(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MOBILISE_DATABASE_URL", raising=False)
    missing = tmp_path / "elsewhere.sqlite"
    assert run(["-w", str(missing), "maps", "list"]) == 3
    assert f"`mobilise --workspace {missing} demo`" in one_line(capsys.readouterr().err)
    monkeypatch.setenv("MOBILISE_WORKSPACE", str(missing))
    assert run(["network", "rounds"]) == 3
    assert "from MOBILISE_WORKSPACE" in one_line(capsys.readouterr().err)
    assert not missing.exists()
    # a command that adds data still makes the workspace it needs
    assert run(["areas", "import", str(FIXTURES / "workspace" / "three_lsoas.geojson")]) == 0
    assert missing.exists()


def test_the_demo_says_how_plain_commands_reach_it(tmp_path, monkeypatch):
    from mobilise.cli._common import State
    from mobilise.cli.serve import _next_steps
    from mobilise.settings import Settings

    monkeypatch.chdir(tmp_path)
    assert "try `mobilise places list`" in _next_steps(State(Settings()))
    chosen = _next_steps(State(Settings(), "demo.sqlite"))
    assert "`mobilise --workspace demo.sqlite places list`" in chosen
    assert "MOBILISE_WORKSPACE=demo.sqlite" in chosen


def test_make_demo_builds_the_default_workspace() -> None:
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    assert "WORKSPACE ?=\n" in makefile
    assert "$(BIN)/mobilise $(if $(WORKSPACE),--workspace $(WORKSPACE)) demo" in makefile


def test_a_missing_map_file_is_file_not_found(tmp_path, capsys, monkeypatch):
    """`maps loops missing.prsm` answered "No systems map 'missing.prsm'"."""
    monkeypatch.chdir(tmp_path)  # (and made an empty mobilise.sqlite here)
    missing = tmp_path / "missing.prsm"
    assert run(["maps", "loops", str(missing)]) == 3
    err = one_line(capsys.readouterr().err)
    assert f"File not found: {missing}" in err and "No systems map" not in err


def test_a_missing_column_hint_is_in_the_command_lines_syntax(tmp_path, capsys):
    """The hint named the Python `column_map={...}`; the command line's option is --column."""
    assets = tmp_path / "assets.csv"
    assets.write_text("Called,Kind\nHackney Empire,arts\n")
    assert run(["-w", str(tmp_path / "ws.sqlite"), "assets", "import", str(assets)]) == 2
    err = one_line(capsys.readouterr().err)
    assert "--column 'Your column=name'" in err and "column_map" not in err


def test_python_words_are_replaced_by_the_options() -> None:
    from mobilise.cli._common import in_cli_words

    assert in_cli_words("name the column of area codes with area_column=") == (
        "name the column of area codes with --area-column COLUMN"
    )
    assert in_cli_words("keep the first or the last (repeats)").endswith(
        "(--repeats first or --repeats last)"
    )


def test_network_metrics_of_a_file_does_not_say_nothing_was_imported(tmp_path, capsys, monkeypatch):
    """Measuring a file imports nothing by design: its error said "nothing was imported"."""
    monkeypatch.chdir(tmp_path)
    ties = tmp_path / "ties.csv"
    ties.write_text("source,target,level\nA,B,banana\n")
    assert run(["network", "metrics", str(ties)]) == 2
    err = one_line(capsys.readouterr().err)
    assert "nothing was measured" in err and "imported" not in err and "row 1" in err


def test_a_busy_port_is_named_with_the_port_option_before_serving(tmp_path, capsys):
    """A busy port printed "serving at ..." and then a raw `Errno 98`."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = run(["-w", str(tmp_path / "ws.sqlite"), "serve", "--port", str(port)])
        demo = run(["-w", str(tmp_path / "demo.sqlite"), "demo", "--port", str(port)])
    captured = capsys.readouterr()
    assert code == demo == 6
    err = one_line(captured.err)
    assert f"Port {port} on 127.0.0.1 is already in use" in err and "--port" in err
    assert "serving" not in captured.out and "Errno" not in err
    assert not (tmp_path / "demo.sqlite").exists()  # refused before the build, not after


def test_on_off_options_are_shown_as_flags() -> None:
    """`--dry-run <bool>` looked as if it took a value."""
    shown = CliRunner().invoke(app, ["assets", "import", "--help"], env={"COLUMNS": "100"})
    assert shown.exit_code == 0
    assert "--dry-run" in shown.output and "<bool>" not in shown.output
    assert "--place" in shown.output and "<str>" in shown.output  # options with values keep it


def test_tables_wrap_in_80_columns_instead_of_cutting_words(capsys) -> None:
    """Tables cut "library" to "libra…" and dates to "2025-04…" in 80 columns."""
    from mobilise.cli._common import Table, console

    table = Table("name", "date", "category", "source", "state", "seen by", "min raters")
    table.add_row(
        "Hackney Central Library",
        "2025-04-15",
        "library",
        "public_libraries_england",
        "in progress, 5 of 41 answered",
        "consortium",
        "3",
    )
    with console.capture() as captured:
        console.print(table, width=80)
    text = captured.get()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "consorti" in text and "library" in text


def test_the_readme_has_a_first_ten_minutes_section() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Your first ten minutes", 1)[1].split("\n## ", 1)[0]
    for step in (
        ".venv/bin/mobilise",
        "source .venv/bin/activate",
        "make demo",
        "http://127.0.0.1:8765/",
        "mobilise assets search --postcode",
        "mobilise maps loops",
        "mobilise access run",
    ):
        assert step in section, step
