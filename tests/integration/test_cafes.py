"""World Cafés as data (issue 16, item 1): questions, tables, host links, the harvest written
once per client key and read under consent, the plenary, the export, a workshop's agenda; on
SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mobilise.errors import Conflict, NotFound, PermissionDenied, ValidationError
from mobilise.store.tables import event_contributions
from tests._coproduction import add_event, consenting, png

KEY = "test-secret-key"


@pytest.fixture
def cafe(workspace, monkeypatch, tmp_path):
    monkeypatch.setenv("MOBILISE_MEDIA_DIR", str(tmp_path / "media"))  # photos of the sheets
    event = add_event(workspace)
    cafes = workspace.cafes
    q1 = cafes.add_question(event, "What makes green space feel yours?", round_number=1)
    q2 = cafes.add_question(
        event, "What would bring you to a community arts session?", round_number=2
    )
    plenary = cafes.add_question(event, "What one thing should change first?")
    t1 = cafes.add_table(event, "Table 1", host="Sam", position=1)
    t2 = cafes.add_table(event, "Table 2", host="Ade", position=2)
    return {"event": event, "q1": q1, "q2": q2, "plenary": plenary, "t1": t1, "t2": t2}


def _count(workspace) -> int:
    with workspace.read() as connection:
        return int(
            connection.execute(select(func.count()).select_from(event_contributions)).scalar_one()
        )


def test_questions_and_tables_of_a_cafe(workspace, cafe):
    questions = workspace.cafes.questions(cafe["event"])
    assert [q.round_number for q in questions] == [1, 2, None]  # the plenary's last
    assert [t.label for t in workspace.cafes.tables(cafe["event"])] == ["Table 1", "Table 2"]
    assert workspace.cafes.table(cafe["event"], "Table 2").host == "Ade"
    with pytest.raises(Conflict):
        workspace.cafes.add_table(cafe["event"], "table 1")
    with pytest.raises(ValidationError) as error:
        workspace.cafes.add_question(cafe["event"], " ", round_number=99)
    assert {p.field for p in error.value.problems} == {"text", "round_number"}
    with pytest.raises(NotFound):
        workspace.cafes.add_table("no-such-event", "Table 9")


def test_a_note_sent_twice_with_its_client_key_is_stored_once(workspace, cafe):
    key = str(uuid.uuid4())
    first = workspace.cafes.add_note(
        cafe["event"], "More benches by the pond", table="Table 1", round_number=1, client_key=key
    )
    again = workspace.cafes.add_note(
        cafe["event"], "More benches by the pond", table="Table 1", round_number=1, client_key=key
    )
    assert first.stored and not again.stored
    assert again.note.id == first.note.id
    assert first.note.question_id == cafe["q1"].id  # the round's one question, filled in
    assert first.note.table == "Table 1" and first.note.harvest == "table"
    assert _count(workspace) == 1
    other = add_event(workspace, "Another café")
    with pytest.raises(Conflict):
        workspace.cafes.add_note(other, "x", client_key=key)


def test_the_harvest_by_round_table_and_plenary(workspace, cafe):
    event, t2 = cafe["event"], cafe["t2"]
    workspace.cafes.add_note(event, "Shade in summer", table="Table 1", round_number=1)
    workspace.cafes.add_note(event, "Paint the underpass", table=t2.id, round_number=2)
    workspace.cafes.add_note(event, "Start with the park", client_key=str(uuid.uuid4()))
    workspace.cafes.add_photo(event, png(), table="Table 2", round_number=2, caption="Sheet 2")
    harvest = workspace.cafes.harvest(event)
    assert list(harvest.rounds) == [1, 2]
    assert [n.text for n in harvest.rounds[1]["Table 1"]] == ["Shade in summer"]
    assert [n.kind for n in harvest.rounds[2]["Table 2"]] == ["note", "photo"]
    assert [n.text for n in harvest.plenary] == ["Start with the park"]
    assert harvest.plenary[0].question_id == cafe["plenary"].id
    with pytest.raises(ValidationError) as error:
        workspace.cafes.add_note(event, "", table="Table 1", round_number=0, client_key="bad key")
    assert {p.field for p in error.value.problems} == {"text", "client_key", "round_number"}
    with pytest.raises(ValidationError):
        workspace.cafes.add_note(event, "x", table="Table 1", round_number=0)
    with pytest.raises(NotFound):
        workspace.cafes.add_note(event, "x", table="Table 9", round_number=1)


def test_the_export_keeps_consent_and_is_formula_safe(workspace, cafe):
    event = cafe["event"]
    sheet = workspace.consent.add_sheet("Taking part", "v1", "What taking part means")
    person = consenting(workspace, sheet.id)
    workspace.cafes.add_note(event, "=HYPERLINK(1)", table="Table 1", round_number=1)
    added = workspace.event_contributions.add(
        event, kind="note", text="My own words", participant=person.id
    )
    with workspace.write() as connection:  # a person's note in the plenary
        connection.execute(
            event_contributions.update()
            .where(event_contributions.c.id == added.id)
            .values(harvest="plenary")
        )
    assert [n.text for n in workspace.cafes.harvest(event).plenary] == ["My own words"]
    out = io.BytesIO()
    assert workspace.cafes.export_harvest(out, event) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode())))
    assert rows[0]["text"].startswith("'=")  # never a formula
    assert rows[0]["question"] == "What makes green space feel yours?"
    workspace.consent.withdraw(person.id, scopes=["all"], method="paper")
    assert workspace.cafes.harvest(event).plenary == []  # a group's notes stay, the person's go
    out = io.BytesIO()
    assert workspace.cafes.export_harvest(out, event, file_format="json") == 1
    assert [n["table"] for n in json.loads(out.getvalue())["notes"]] == ["Table 1"]
    with pytest.raises(ValidationError):
        workspace.cafes.export_harvest(io.BytesIO(), event, file_format="xlsx")


def test_a_host_link_opens_its_table_only(workspace, cafe):
    event, t1, t2 = cafe["event"], cafe["t1"], cafe["t2"]
    token = workspace.cafes.host_token(t1.id, key=KEY)
    assert workspace.cafes.table_by_token(t1.id, token, key=KEY).label == "Table 1"
    for table, tried, key in ((t2.id, token, KEY), (t1.id, token, "other-key"), (t1.id, "", KEY)):
        with pytest.raises(PermissionDenied):
            workspace.cafes.table_by_token(table, tried, key=key)
    workspace.events.cancel(event)
    with pytest.raises(PermissionDenied):
        workspace.cafes.table_by_token(t1.id, token, key=KEY)


def test_a_removed_table_closes_its_link(workspace, cafe):
    t1 = cafe["t1"]
    token = workspace.cafes.host_token(t1.id, key=KEY)
    workspace.cafes.remove_table(t1.id)
    with pytest.raises(PermissionDenied):
        workspace.cafes.table_by_token(t1.id, token, key=KEY)


def test_a_workshop_agenda_with_notes(workspace):
    event = workspace.events.create(
        kind="whole_system_workshop",
        title="Whole-system workshop",
        starts_at=datetime(2026, 6, 2, 10, tzinfo=UTC),
        ends_at=datetime(2026, 6, 2, 16, tzinfo=UTC),
    ).id
    workspace.cafes.add_agenda_item(event, "Welcome and why we are here")
    workspace.cafes.add_agenda_item(event, "Mapping the system", notes="Loops around isolation")
    agenda = workspace.cafes.agenda(event)
    assert [(a.position, a.title) for a in agenda] == [
        (1, "Welcome and why we are here"),
        (2, "Mapping the system"),
    ]
    assert agenda[1].notes == "Loops around isolation"
    workspace.cafes.remove_agenda_item(agenda[0].id)
    assert len(workspace.cafes.agenda(event)) == 1
    with pytest.raises(ValidationError):
        workspace.cafes.add_agenda_item(event, "")


def test_the_demo_cafe_of_each_demo_place(register):
    from mobilise.workspace.demo_cafes import QUESTIONS, build_cafes

    made = register.events.create(
        kind="world_cafe",
        title="World Café (illustrative)",
        place="testtown",
        starts_at=datetime(2026, 3, 2, 10, tzinfo=UTC),
        ends_at=datetime(2026, 3, 2, 13, tzinfo=UTC),
        illustrative=True,
    )
    register.events.update(made.id, {"status": "held"}, version=None)
    added = build_cafes(register, seed=7)
    assert (added["cafes"], added["questions"], added["tables"]) == (1, 4, 5)
    harvest = register.cafes.harvest(made.id)
    assert list(harvest.rounds) == [1, 2, 3] and all(len(t) == 5 for t in harvest.rounds.values())
    assert [q.text for q in harvest.questions[:3]] == list(QUESTIONS)
    assert len(harvest.plenary) == 4
    assert all(n.illustrative for n in harvest.notes()) and len(harvest.notes()) == added["notes"]
    assert build_cafes(register, seed=7)["notes"] == 0  # once only
    again = build_cafes(register, seed=7)
    assert again == dict.fromkeys(("cafes", "questions", "tables", "notes"), 0)
