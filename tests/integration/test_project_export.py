"""The project package through the workspace (issue 20, item 1), on SQLite and PostgreSQL: the
profile, an export that validates with frictionless and reads back, releases that increase,
withdrawn participants in no figure, nothing half-written, and the serving token."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from mobilise.errors import AuthenticationRequired, Conflict, NotFound, ValidationError
from mobilise.formats.project_package import read_package

from .._reach import PLACE, build_place, event, person


@pytest.fixture
def project(workspace, tmp_path):
    build_place(workspace, tmp_path)
    sheet = workspace.consent.add_sheet("Taking part", "1.0", "What happens.")
    cafe = event(workspace, "world_cafe", "2026-03-02")
    people = [person(workspace, sheet.id, sex="female") for _ in range(7)]
    people += [person(workspace, sheet.id, sex="male") for _ in range(5)]
    for one in people:
        workspace.events.attend(cafe.id, one.id)
    workspace.people = people
    workspace.project.update(
        {
            "title": "Green spaces together",
            "lead_organisation": "A university",
            "places": [PLACE],
            "start_date": "2025-01-01",
            "focus": "Parks and health",
            "public": {"methods": True, "reach": True},
        }
    )
    workspace.project.add_method("world_cafe", said="People came back for the second round.")
    return workspace


def _sex(package) -> dict[str, int | None]:
    reach = package.tables["reach"]
    rows = reach[reach["dimension"] == "sex"]
    return {
        g: (None if pd.isna(c) else int(c))
        for g, c in zip(rows["group"], rows["count"], strict=True)
    }


def test_export_validates_with_frictionless_and_reads_back(project, tmp_path: Path):
    import frictionless

    target = tmp_path / "project.zip"
    exported = project.project.export(target)
    assert exported.release == 1 and "reach" in exported.resources
    with zipfile.ZipFile(target) as archive:
        archive.extractall(tmp_path / "open")
    report = frictionless.validate(str(tmp_path / "open" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
    package = read_package(target)
    assert package.meta["key"] == project.project.get().key
    assert package.meta["title"] == "Green spaces together"
    assert package.meta["places"][0]["code"] == PLACE
    assert package.public["methods"] and package.public["reach"] and not package.public["events"]
    assert package.tables["methods"]["method"].tolist() == ["world_cafe"]
    assert _sex(package)["female"] == 7 and _sex(package)["male"] == 5
    assert package.tables["events"]["count"].tolist() == [1]
    # a second export is the next release, and it is what the project serves
    again = project.project.export(tmp_path / "again.zip")
    assert again.release == 2
    assert project.project.get().release == 2


def test_a_withdrawn_participant_is_in_no_figure(project, tmp_path: Path):
    withdrawn = project.people[-1]  # a man
    project.consent.withdraw(withdrawn.id, scopes=["all"], method="paper")
    project.project.export(tmp_path / "project.zip")
    assert _sex(read_package(tmp_path / "project.zip"))["male"] == 4


def test_small_cells_leave_suppressed(project, tmp_path: Path):
    for one in project.people[-3:]:  # two men are left: fewer than k
        project.consent.withdraw(one.id, scopes=["all"], method="paper")
    project.project.export(tmp_path / "project.zip")
    package = read_package(tmp_path / "project.zip")
    k = int(project.project_settings.get("disclosure_k"))
    reach = package.tables["reach"]
    shown = reach["count"].dropna()
    assert not ((shown >= 1) & (shown < k)).any()
    assert _sex(package)["male"] is None


def test_a_metadata_only_export_holds_only_methods(project, tmp_path: Path):
    exported = project.project.export(tmp_path / "p.zip", metadata_only=True)
    assert exported.resources == ["methods"] and exported.metadata_only


def test_nothing_is_written_when_the_export_is_refused(workspace, tmp_path: Path):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "project.zip"
    with pytest.raises(ValidationError) as error:
        workspace.project.export(target)
    assert {p.field for p in error.value.problems} == {"title", "lead_organisation"}
    assert list(folder.iterdir()) == []
    assert workspace.project.get().release == 0


def test_the_profile_refuses_bad_fields_naming_each(project):
    with pytest.raises(ValidationError) as error:
        project.project.update(
            {
                "places": ["atlantis"],
                "start_date": "2026-13-01",
                "methods": [{"method": "seance"}],
                "public": {"people": True},
                "colour": "red",
            }
        )
    fields = {p.field for p in error.value.problems}
    assert {"places", "start_date", "methods", "public", "colour"} <= fields
    stale = project.project.get().version - 1
    with pytest.raises(Conflict):
        project.project.update({"title": "Another"}, version=stale)
    with pytest.raises(NotFound):
        project.project.remove_method("photovoice")


def test_the_package_is_served_only_with_the_token(project):
    with pytest.raises(NotFound):
        project.project.served_package("anything")
    token = project.project.issue_token()
    assert token not in str(project.project.get().to_dict())
    with pytest.raises(NotFound):  # no release yet
        project.project.served_package(token)
    project.project.export()
    data = project.project.served_package(token)
    assert read_package(io.BytesIO(data)).meta["release"] == 1
    with pytest.raises(AuthenticationRequired):
        project.project.served_package("not-the-token")
    with pytest.raises(AuthenticationRequired):
        project.project.served_package(None)
    project.project.withdraw_token()
    with pytest.raises(NotFound):
        project.project.served_package(token)
