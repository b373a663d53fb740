""" "You said, we did" (issue 16, item 5): actions answering themes, feedback, closure figures
worked by hand, overdue actions, optimistic concurrency and errors naming the field; on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mobilise.errors import Conflict, ValidationError
from mobilise.store.tables import audit_log

from .._coproduction import consenting
from .._you_said import add_theme, code, say

JULY = date(2026, 7, 1)


def _event(workspace, title: str, day: date) -> str:
    event = workspace.events.create(
        kind="world_cafe",
        title=title,
        starts_at=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
        ends_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
        place="testtown",
    )
    return str(event.id)


@pytest.fixture
def place(register):
    """Two events (2 May, 1 June), three themes of testtown and one of the project, four
    actions and five feedback items: the figures below are worked by hand from these."""
    ws = register
    sheet = ws.consent.add_sheet("Taking part", "v1", "What taking part means ...")
    person = consenting(ws, sheet.id, quote="anonymous")
    may, june = (
        _event(ws, "Café in May", date(2026, 5, 2)),
        _event(ws, "Café in June", date(2026, 6, 1)),
    )
    green, arts, buses = (add_theme(ws, name) for name in ("Green space", "Arts", "Buses"))
    add_theme(ws, "Project-wide, never coded here", place=None)
    said = say(ws, may, "The park is our garden.", kind="quote", participant=person.id)
    table = say(ws, may, "More art in the square", group_label="Table 2")
    later = say(ws, june, "Park benches", group_label="Table 1")
    code(ws, said, green)
    code(ws, table, arts)
    code(ws, later, green)
    partner = ws.partners.create("Friends of the Park", sector="vcse")
    a1 = ws.actions.add("New benches", place="testtown", themes=[green], owner=partner.id)
    a1 = ws.actions.done(a1.id, evidence="Six benches installed", done_on=date(2026, 5, 10))
    a2 = ws.actions.add(
        "Art trail", place="testtown", themes=[arts], status="in_progress", due_on=date(2026, 6, 1)
    )
    a3 = ws.actions.add("Bus pass scheme", place="testtown", themes=[buses], status="dropped")
    a4 = ws.actions.add("Tree planting", place="testtown", due_on=date(2026, 8, 1), event=june)
    for action, day in (
        (a1, date(2026, 5, 12)),
        (a2, date(2026, 6, 1)),
        (a4, date(2026, 6, 11)),
        (a1, JULY),
    ):
        ws.actions.add_feedback("We did it", shared_on=day, channel="newsletter", action=action.id)
    ws.actions.add_feedback("Summer update", shared_on=JULY, channel="web", place="testtown")
    return {"ws": ws, "person": person, "actions": (a1, a2, a3, a4), "themes": (green, arts, buses)}


def test_closure_figures_match_the_hand_worked_example(place):
    closure = place["ws"].actions.closure("testtown", today=JULY)
    # Themes of testtown: Green space, Arts, Buses (the project-wide one is coded nowhere here);
    # answered by an action that is not dropped: Green space and Arts.
    assert (closure.themes, closure.themes_with_action) == (3, 2)
    assert closure.theme_share == pytest.approx(2 / 3)
    # Actions not dropped: benches (done), art trail, tree planting; one dropped.
    assert (closure.actions, closure.actions_done, closure.actions_dropped) == (3, 1, 1)
    assert closure.done_share == pytest.approx(1 / 3)
    # Days from the earliest event where it was said to the feedback: benches 2 May -> 12 May
    # (10) and -> 1 July (60); art trail 2 May -> 1 June (30); tree planting has no coded
    # theme, so from the June café that agreed it, 1 June -> 11 June (10). Median of
    # 10, 10, 30, 60 is 20.
    assert closure.days_to_feedback == (10, 10, 30, 60)
    assert closure.median_days_to_feedback == 20
    assert closure.feedback == 5
    assert closure.overdue == 1


def test_overdue_is_past_due_and_not_done_or_dropped(place):
    ws = place["ws"]
    _, a2, _, a4 = place["actions"]
    assert [a.id for a in ws.actions.overdue(place="testtown", today=JULY)] == [a2.id]
    assert ws.actions.overdue(place="testtown", today=date(2026, 6, 1)) == []  # due that day
    assert {a.id for a in ws.actions.overdue(today=date(2026, 8, 2))} == {a2.id, a4.id}
    ws.actions.done(a2.id, evidence="Trail opened")
    assert ws.actions.overdue(place="testtown", today=JULY) == []


def test_median_days_with_no_feedback_is_none(register):
    closure = register.actions.closure("testtown", today=JULY)
    assert closure.median_days_to_feedback is None
    assert (closure.themes, closure.actions, closure.theme_share, closure.done_share) == (
        0,
        0,
        None,
        None,
    )


def test_a_stale_version_is_a_conflict_and_every_change_is_audited(place):
    ws = place["ws"]
    a2 = place["actions"][1]
    ws.actions.update(a2.id, version=a2.version, description="Ten artworks")
    with pytest.raises(Conflict):
        ws.actions.update(a2.id, version=a2.version, description="Twelve")
    assert ws.actions.get(a2.id).description == "Ten artworks"
    with ws.read() as connection:
        kinds = {
            (row.entity_type, row.action)
            for row in connection.execute(select(audit_log).where(audit_log.c.entity_id == a2.id))
        }
    assert kinds == {("action", "create"), ("action", "update")}


def test_themes_are_relinked_on_update(place):
    ws = place["ws"]
    green, _, buses = place["themes"]
    a4 = place["actions"][3]
    assert set(ws.actions.update(a4.id, themes=[green, buses]).themes) == {green, buses}
    assert set(ws.actions.update(a4.id, themes=[buses]).themes) == {buses}
    assert set(ws.actions.update(a4.id, themes=[green, buses]).themes) == {green, buses}
    assert set(ws.actions.update(a4.id, description="unchanged themes").themes) == {green, buses}


def test_errors_name_the_field(place):
    ws = place["ws"]
    with pytest.raises(ValidationError) as error:
        ws.actions.add(
            "",
            place="nowhere",
            status="finished",
            due_on="tomorrow",
            cost_pence=-1,
            owner="no-such-partner",
            themes=["no-such-theme"],
        )
    fields = {p.field for p in error.value.problems}
    assert fields == {"title", "place", "status", "due_on", "cost_pence", "owner", "themes"}
    with pytest.raises(ValidationError) as error:
        ws.actions.done(place["actions"][1].id, evidence="  ")
    assert [p.field for p in error.value.problems] == ["evidence"]
    with pytest.raises(ValidationError) as error:
        ws.actions.add_feedback("", shared_on="soon", channel="pigeon", url="javascript:x")
    assert {p.field for p in error.value.problems} == {
        "summary",
        "shared_on",
        "channel",
        "url",
        "action",
    }
    with pytest.raises(ValidationError) as error:
        ws.actions.list(status="finished")
    assert [p.field for p in error.value.problems] == ["status"]


def test_marking_done_sets_the_day(place):
    ws = place["ws"]
    a4 = place["actions"][3]
    done = ws.actions.update(a4.id, status="done", evidence="Forty trees")
    assert done.done_on == date.today() and done.status == "done"


def test_the_demo_builder_adds_illustrative_actions_once(register):
    from mobilise.workspace.demo_actions import build_actions

    ws = register
    partner = ws.partners.create("Testtown Arts Trust", sector="arts_culture", places=["testtown"])
    _event(ws, "Café (illustrative)", date(2026, 3, 1))
    first = build_actions(ws, seed=2026)
    assert first == {"actions": 7, "feedback": 4}
    assert build_actions(ws, seed=2026) == {"actions": 0, "feedback": 0}
    found = ws.actions.list(place="testtown")
    assert all(a.illustrative and a.title.endswith("(illustrative)") for a in found)
    assert {a.owner for a in found} == {partner.id}
    assert sum(a.status == "done" and bool(a.evidence) for a in found) == 3
    closure = ws.actions.closure("testtown")
    assert closure.overdue == 1 and closure.theme_share == 1.0
    assert closure.median_days_to_feedback is not None
