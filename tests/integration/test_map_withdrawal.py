"""Withdrawal reaches the systems maps (issue 15): a map participant linked to a person of the
participants register; when that person's take_part is withdrawn, their comments and votes leave
every read of the map and its exports, and the factors they added lose their name."""

from __future__ import annotations

import io

import pytest

from mobilise.errors import NotFound


@pytest.fixture
def mapped(workspace):
    sheet = workspace.consent.add_sheet("Taking part", "v1", "What taking part means ...")
    person = workspace.participants.add()
    workspace.consent.give(
        person.id, information_sheet=sheet.id, method="paper", scopes={"take_part": True}
    )
    made = workspace.maps.create("Our neighbourhood")
    who = workspace.maps.join(made.id, "Blue heron", "residents")
    other = workspace.maps.join(made.id, "Kestrel", "council")
    park = workspace.maps.add_factor(made.id, {"label": "Green park"}, participant_id=who["id"])
    mood = workspace.maps.add_factor(made.id, {"label": "Mood"}, participant_id=other["id"])
    link = workspace.maps.add_link(
        made.id, {"source_id": park["id"], "target_id": mood["id"]}, participant_id=who["id"]
    )
    talk = workspace.map_talk
    talk.comment(made.id, "factor", park["id"], "Benches by the pond", participant_id=who["id"])
    talk.comment(made.id, "factor", park["id"], "Lights at night", participant_id=other["id"])
    talk.vote(made.id, "link", link["id"], who["id"], 1)
    talk.vote(made.id, "link", link["id"], other["id"], 1)
    linked = workspace.maps.link_person(made.id, "Blue heron", person.code)
    assert linked["person"] == person.code
    return workspace, made.id, person, link["id"]


def _texts(workspace, map_id):
    return [c["text"] for c in workspace.map_talk.comments(map_id, shown=True)]


def test_withdrawing_take_part_leaves_their_comments_and_votes_out(mapped):
    workspace, map_id, person, link_id = mapped
    assert _texts(workspace, map_id) == ["Benches by the pond", "Lights at night"]
    assert workspace.map_talk.votes(map_id)[link_id] == {"agree": 2, "disagree": 0}
    snapshot = workspace.map_talk.snapshot(map_id, "before")
    assert "Blue heron" in repr(workspace.map_talk.snapshot_map(snapshot["id"]))
    before = io.BytesIO()
    workspace.map_analysis.export(map_id, before, format="mobilise")
    assert b"Blue heron" in before.getvalue()
    workspace.consent.withdraw(person.id, scopes=["take_part"], method="online")
    assert _texts(workspace, map_id) == ["Lights at night"]
    assert workspace.map_talk.votes(map_id)[link_id] == {"agree": 1, "disagree": 0}
    view = workspace.maps.view(map_id, viewer=None)
    assert [p["pseudonym"] for p in view["participants"]] == ["Kestrel"]
    assert {f["label"]: f["contributor"] for f in view["factors"]} == {
        "Green park": None,  # stays on the map, without their name
        "Mood": "Kestrel",
    }
    events = workspace.maps.events(map_id, shown=True)
    assert "Benches by the pond" not in repr(events) and "Blue heron" not in repr(events)
    out = io.BytesIO()
    workspace.map_analysis.export(map_id, out, format="mobilise")
    assert b"Blue heron" not in out.getvalue() and b"Benches" not in out.getvalue()
    saved = workspace.map_talk.snapshot_map(snapshot["id"])
    assert "Blue heron" not in repr(saved) and "Kestrel" in repr(saved)


def test_other_withdrawals_and_unlinked_people_change_nothing(mapped):
    workspace, map_id, person, _ = mapped
    workspace.consent.withdraw(person.id, scopes=["quote", "photos"], method="online")
    assert _texts(workspace, map_id) == ["Benches by the pond", "Lights at night"]
    workspace.consent.withdraw(person.id, scopes=["take_part"], method="online")
    workspace.maps.link_person(map_id, "Blue heron", None)  # unlinked: shown again
    assert _texts(workspace, map_id) == ["Benches by the pond", "Lights at night"]
    with pytest.raises(NotFound):
        workspace.maps.link_person(map_id, "Nobody", person.id)
    with pytest.raises(NotFound):
        workspace.maps.link_person(map_id, "Blue heron", "P-NOBODY")
