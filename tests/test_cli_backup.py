"""`mobilise backup`, `mobilise restore`, scheduled backups under `mobilise serve`, and deleting and
restoring assets from the command line (issue 14, finding 10)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from mobilise import ConfigurationError, open_workspace
from mobilise.cli.main import run
from mobilise.settings import Settings

from .conftest import FIXTURES

HERE = FIXTURES / "workspace"


def words(text: str) -> str:
    """Output as one line (rich wraps long lines at the terminal's width)."""
    return " ".join(text.split())


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as ws:
        ws.areas.import_boundaries(HERE / "three_lsoas.geojson")
        ws.assets.import_file(HERE / "assets_small.geojson")
    return path


def test_backup_then_restore_into_a_new_workspace(filled: Path, tmp_path: Path, capsys) -> None:
    assert run(["-w", str(filled), "backup", str(tmp_path / "backups"), "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["tables"]["assets"] == 4 and len(made["sha256"]) == 64
    restored = tmp_path / "restored.sqlite"
    assert run(["-w", str(restored), "restore", made["path"]]) == 0
    assert "as its manifest counts" in words(capsys.readouterr().out)
    with open_workspace(restored) as ws:
        assert ws.assets.count() == 4
    # A workspace with data is never overwritten: one line, exit code 4 (Conflict).
    assert run(["-w", str(restored), "restore", made["path"]]) == 4
    assert "not empty" in words(capsys.readouterr().err)


def test_a_damaged_backup_is_refused_with_one_line(filled: Path, tmp_path: Path, capsys) -> None:
    run(["-w", str(filled), "backup", str(tmp_path / "backups"), "--json"])
    folder = Path(json.loads(capsys.readouterr().out)["path"])
    with (folder / "database.sqlite").open("r+b") as data:
        data.seek(1000)
        data.write(b"\x00damage\x00")
    assert run(["-w", str(tmp_path / "new.sqlite"), "restore", str(folder)]) == 2
    error = words(capsys.readouterr().err)
    assert "damaged" in error and "Traceback" not in error


def test_backup_goes_to_the_backup_dir_setting(filled, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("MOBILISE_BACKUP_DIR", str(tmp_path / "nightly"))
    assert run(["-w", str(filled), "backup"]) == 0
    assert "Backup written to" in words(capsys.readouterr().out)
    assert len(list((tmp_path / "nightly").glob("mobilise-backup-*/manifest.json"))) == 1


def test_delete_list_and_restore_an_asset(filled: Path, capsys) -> None:
    with open_workspace(filled) as ws:
        asset = ws.assets.search(per_page=1).items[0]
    assert run(["-w", str(filled), "assets", "delete", asset.id]) == 0
    assert f"mobilise assets restore {asset.id}" in words(capsys.readouterr().out)
    assert run(["-w", str(filled), "assets", "deleted", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(a["id"], a["restorable"]) for a in listed["items"]] == [(asset.id, True)]
    assert run(["-w", str(filled), "assets", "restore", asset.id]) == 0
    assert "Restored" in words(capsys.readouterr().out)
    assert run(["-w", str(filled), "assets", "restore", asset.id]) == 4
    assert "is not deleted" in words(capsys.readouterr().err)


def test_serve_writes_scheduled_backups(tmp_path: Path, monkeypatch) -> None:
    """`mobilise serve` with MOBILISE_BACKUP_EVERY_HOURS writes a backup as it starts (none was
    made before) and stops the schedule when the server stops."""
    import uvicorn

    from mobilise.serve import serve

    folder = tmp_path / "backups"

    def server(_app: object, **_options: object) -> None:  # serves until a backup is written
        deadline = time.monotonic() + 120
        while not list(folder.glob("mobilise-backup-*/manifest.json")):
            assert time.monotonic() < deadline, "no scheduled backup within two minutes"
            time.sleep(0.05)

    monkeypatch.setattr(uvicorn, "run", server)
    said: list[str] = []
    settings = Settings(host="127.0.0.1", backup_dir=str(folder), backup_every_hours=24)
    serve(settings, location=str(tmp_path / "ws.sqlite"), announce=said.append)
    assert any(line.startswith("Scheduled backup: ") for line in said)
    with open_workspace(tmp_path / "ws.sqlite") as ws:
        [backup] = ws.backup.list(folder)
    assert backup.manifest.trigger == "scheduled"


def test_serve_refuses_a_schedule_without_a_folder(tmp_path: Path) -> None:
    from mobilise.serve import serve

    with pytest.raises(ConfigurationError, match="MOBILISE_BACKUP_DIR"):
        serve(
            Settings(host="127.0.0.1", backup_every_hours=6),
            location=str(tmp_path / "ws.sqlite"),
            announce=lambda _: None,
        )
