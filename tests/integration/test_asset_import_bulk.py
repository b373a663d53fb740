"""A large asset import, made faster (issue 17: 100,000 assets under 20 s), stores what it
read, value by value, on SQLite and PostgreSQL; and no cyclic garbage collection runs while it
reads and stores (a quarter of the old import's time)."""

from __future__ import annotations

import csv
import gc
from datetime import date
from pathlib import Path
from typing import Any

from mobilise.formats.assets import read_assets
from mobilise.workspace._asset_store import RECORD_FIELDS

HEADER = [
    "id", "name", "category", "latitude", "longitude", "website", "email", "opening_hours",
    "wheelchair", "cost", "age_min", "age_max", "languages", "target_groups", "capacity",
    "assured_date", "organisation", "description", "status", "visibility", "notes",
]  # fmt: skip


def _rows(count: int) -> list[list[Any]]:
    return [
        [
            f"b{n}",
            f"Hall {n}",
            ("library", "community_space", "Museum")[n % 3],
            f"{51.5 + n / 100_000:.5f}",
            f"{-0.1 - n / 100_000:.5f}",
            ("www.example.org/b", f"HTTPS://Example.org/{n}", "", "info@example.org")[n % 4],
            "",
            ("", "Mo-Fr 09:00-17:00", "Sa 10:00-12:00; Su off")[n % 3],
            ("yes", "no", "", "limited")[n % 4],
            ("free", "", "paid")[n % 3],
            ("", "5", "18")[n % 3],
            ("", "", "65")[n % 3],
            ("", "English; Polish")[n % 2],
            ("", "older people")[n % 2],
            ("", "120")[n % 2],
            ("", "2025-03-31", "31/03/2024")[n % 3],
            ("", "Org A", "Org B")[n % 3],
            ("", "A hall with a \u201cgarden\u201d.")[n % 2],
            ("", "active", "closed")[n % 3],
            ("", "public", "private")[n % 3],
            ("", "kept beside the asset")[n % 2],
        ]
        for n in range(count)
    ]


def _write(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_every_value_of_a_bulk_import_is_stored_as_read(workspace, tmp_path: Path) -> None:
    """The rows go to the database driver as plain tuples: lists, flags, numbers, dates and
    JSON come back as the reader made them."""
    path = _write(tmp_path / "halls.csv", _rows(1_200))
    records = {r.source_id: r for r in read_assets(path).records}
    report = workspace.assets.import_file(path)
    assert (report.created, report.invalid) == (1_200, 0)
    stored = {
        a.source_id: a
        for page in (1, 2, 3)
        for a in workspace.assets.search(include_private=True, page=page, per_page=500).items
    }
    assert stored.keys() == records.keys()
    for key, record in records.items():
        asset = stored[key]
        for field in RECORD_FIELDS:
            assert getattr(asset, field) == getattr(record, field), (key, field)
        assert (asset.lon, asset.lat) == (record.lon, record.lat)
        assert asset.organisation == record.organisation
        assert asset.provenance == [
            {"source": record.source, "source_id": key, "licence": record.licence}
        ]
    four, five = stored["b4"], stored["b5"]
    assert (four.assured_date, five.assured_date) == (date(2025, 3, 31), date(2024, 3, 31))
    assert (four.step_free, five.step_free, four.age_min, four.languages) == (True, False, 5, [])
    assert (four.url, five.url) == ("https://www.example.org/b", "https://example.org/5")
    assert five.extra["notes"] == "kept beside the asset" and five.visibility == "private"
    assert len({a.id for a in stored.values()}) == 1_200
    if workspace.dialect == "sqlite":  # its bigger page cache was for the import alone
        with workspace.read() as connection:
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar_one() == -2000


def test_no_cyclic_collection_runs_during_a_large_import(workspace, tmp_path: Path) -> None:
    path = _write(tmp_path / "halls.csv", _rows(3_000))
    workspace.assets.import_file(_write(tmp_path / "first.csv", _rows(3)), source="halls")
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.enable()
    gc.callbacks.append(count)
    try:
        report = workspace.assets.import_file(path, source="halls")
    finally:
        gc.callbacks.remove(count)
    assert (report.created, report.unchanged) == (3_000 - 3, 3)
    # The collector catches up at most once as each pause (reading, storing) ends; the import
    # held to it ran a collection every 700 new objects: 112 times for these rows.
    assert len(collections) <= 2
    assert gc.isenabled()


def test_a_value_past_the_store_limit_is_named_by_the_file_and_its_row(
    workspace, tmp_path: Path
) -> None:
    """A description longer than the store keeps, in data row 2,500 of a new file and then of
    a re-import, is refused naming the file, that row and the field (the store counts rows
    within the batch it writes: it said "row 500" with no file), and nothing is stored."""
    import pytest

    from mobilise.errors import ValidationError

    limit = workspace.limits.max_text_chars
    rows = _rows(3_000)
    rows[2_499][HEADER.index("description")] = "x" * (limit + 1)
    path = _write(tmp_path / "halls.csv", rows)
    with pytest.raises(ValidationError) as refused:
        workspace.assets.import_file(path, source="halls")
    [problem] = refused.value.problems
    assert (problem.file, problem.row, problem.field) == ("halls.csv", 2_500, "description")
    assert workspace.assets.search(include_private=True).total == 0

    rows[2_499][HEADER.index("description")] = "short"
    workspace.assets.import_file(_write(tmp_path / "halls.csv", rows), source="halls")
    rows[2_499][HEADER.index("description")] = "x" * (limit + 1)  # now an update
    with pytest.raises(ValidationError) as refused:
        workspace.assets.import_file(_write(tmp_path / "halls.csv", rows), source="halls")
    [problem] = refused.value.problems
    assert (problem.file, problem.row, problem.field) == ("halls.csv", 2_500, "description")
