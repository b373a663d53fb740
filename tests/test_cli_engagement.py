"""mobilise engagement reach: the figures as a table and as JSON, what a partner would see, and
bad input as one line and a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mobilise import open_workspace
from mobilise.cli.main import run

from ._reach import PLACE, UNCHANGED, build_place, event, person, shipped_census_row


@pytest.fixture(scope="module")
def reached(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five participants from Camden 011A at a café, one back at a walk (read-only)."""
    folder = tmp_path_factory.mktemp("reach_cli")
    path = folder / "ws.sqlite"
    ws = open_workspace(path, actor="local")
    build_place(ws, folder)
    sheet = ws.consent.add_sheet("Taking part", "1.0", "What happens.")
    cafe, walk = event(ws, "world_cafe", "2026-03-02"), event(ws, "community_walk", "2026-04-02")
    people = [person(ws, sheet.id, sex="female", disability="disabled") for _ in range(4)]
    people.append(person(ws, sheet.id, sex="male", disability="prefer_not_to_say"))
    for someone in people:
        ws.events.attend(cafe.id, someone.id)
    ws.events.attend(walk.id, people[0].id)
    ws.users.create("pat", "a long enough test password", role="partner")
    ws.close()
    return path


def test_reach_as_json(reached: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["-w", str(reached), "engagement", "reach", PLACE, "--by", "sex", "--json"]
    argv += ["--population-of", "participants_areas"]
    assert run(argv) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["participants"] == 5 and found["k"] is None
    [sex] = found["dimensions"]
    rows = {g["group"]: g for g in sex["groups"]}
    assert [rows["female"]["population"], rows["male"]["population"]] == shipped_census_row(
        "sex", UNCHANGED
    )
    assert rows["female"]["count"] == 4 and rows["female"]["share"] == pytest.approx(0.8)
    assert found["retention"][0]["returned"] == 1


def test_reach_as_tables_and_as_a_partner_sees_it(
    reached: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["-w", str(reached), "engagement", "reach", PLACE, "--by", "disability"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # rich wraps lines to the terminal
    assert "Disability" in out and "Dissimilarity index" in out and "Retention" in out
    assert "Disabled people were" in out
    assert "Office for National Statistics" in out
    argv = ["-w", str(reached), "engagement", "reach", PLACE, "--by", "sex", "--as", "pat"]
    assert run([*argv, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    rows = {g["group"]: g for g in shown["dimensions"][0]["groups"]}
    assert shown["k"] == 3 and rows["male"]["count_shown"] == "fewer than 3"


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["nowhere"], 3, "No place 'nowhere'"),
        ([PLACE, "--by", "wealth"], 2, "no dimension 'wealth'"),
        ([PLACE, "--since", "soon"], 2, "not a date"),
        ([PLACE, "--event-kind", "rave"], 2, "event_kind"),
    ],
)
def test_bad_input_is_one_line(
    reached: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, words: str
) -> None:
    assert run(["-w", str(reached), "engagement", "reach", *args]) == code
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
