"""Who takes part in a map, who may see maps and rounds, and restoring what was deleted: through
the workspace, on SQLite and PostgreSQL (issue 14, findings 4, 10 and 11)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from mobilise import Conflict, NotFound, ValidationError
from mobilise.workspace.users import User

STAFF = User("u-fran", "fran", "Fran", "facilitator")
PAT = User("u-pat", "pat", "Pat", "partner")
OLLIE = User("u-ollie", "ollie", "Ollie", "partner")
VIC = User("u-vic", "vic", "Vic", "viewer")


@pytest.fixture
def group_map(workspace):
    """A map Pat made and keeps to its group; Ollie and Vic are outsiders."""
    made = workspace.as_actor("pat").maps.create("Our estate", visibility="group")
    return workspace, made.id


def test_joining_binds_the_participant_to_the_user(group_map):
    ws, map_id = group_map
    pat = ws.maps.join(map_id, "Pat", "Residents", username="pat")
    assert ws.maps.join(map_id, "Patricia", "Residents", username="pat")["id"] == pat["id"]
    assert ws.maps.participant_of(map_id, username="pat")["pseudonym"] == "Patricia"
    # the facilitator cannot take Pat's name, so cannot act as Pat's participant
    with pytest.raises(Conflict, match="goes by"):
        ws.maps.join(map_id, "Patricia", username="fran")
    with pytest.raises(Conflict, match="goes by"):
        ws.maps.join(map_id, "Patricia")  # nor can the operator, once it is bound
    fran = ws.maps.join(map_id, "Fran", username="fran")
    assert fran["id"] != pat["id"]
    # in local mode a browser is someone: its token binds (only its hash is stored)
    first = ws.maps.join(map_id, "Kiosk", browser="token-of-one-browser")
    assert ws.maps.participant_of(map_id, browser="token-of-one-browser") == first
    assert ws.maps.participant_of(map_id, browser="another-browser") is None
    assert "token-of-one-browser" not in json.dumps([e.after for e in ws.audit.entries()])


def test_a_group_map_is_seen_by_its_maker_members_and_staff_only(group_map):
    ws, map_id = group_map
    ws.maps.join(map_id, "Mia", username="ollie-friend")
    member = User("u-m", "ollie-friend", "M", "partner")
    for viewer in (PAT, member, STAFF, None):
        assert ws.maps.get(map_id, viewer=viewer).id == map_id
        assert [m.id for m in ws.maps.list(viewer=viewer)] == [map_id]
    for outsider in (OLLIE, VIC):
        with pytest.raises(NotFound):
            ws.maps.get(map_id, viewer=outsider)
        with pytest.raises(NotFound):
            ws.maps.view(map_id, viewer=outsider)
        assert ws.maps.list(viewer=outsider) == []
    ws.maps.set_visibility(map_id, "consortium")
    assert ws.maps.get(map_id, viewer=VIC).visibility == "consortium"


def test_sharing_sets_link_and_leaving_link_withdraws_it(group_map):
    ws, map_id = group_map
    token = ws.maps.share(map_id)
    assert ws.maps.get(map_id).visibility == "link"
    assert ws.maps.by_share_token(token).id == map_id
    assert ws.maps.get(map_id, viewer=VIC).id == map_id  # link: the consortium too
    ws.maps.set_visibility(map_id, "group")
    with pytest.raises(NotFound, match="share link"):
        ws.maps.by_share_token(token)
    assert ws.maps.share(map_id) != token  # a new link
    ws.maps.unshare(map_id)
    assert ws.maps.get(map_id).visibility == "consortium"
    with pytest.raises(ValidationError, match="visibility"):
        ws.maps.set_visibility(map_id, "everyone")
    entries = ws.audit.entries(entity_type="systems_map", entity_id=map_id)
    assert {e.after["visibility"] for e in entries if e.after} >= {"group", "link", "consortium"}
    assert all("share_token" not in (e.after or {}) for e in entries)


def test_viewers_see_people_by_pseudonym_only(group_map):
    ws, map_id = group_map
    pat = ws.maps.join(map_id, "Pat", "Residents", username="pat")
    ws.as_actor("pat").maps.add_factor(map_id, {"label": "Damp"}, participant_id=pat["id"])
    seen = ws.maps.view(map_id, viewer=STAFF, username="fran")
    assert seen["participants"] == [{"pseudonym": "Pat", "stakeholder_group": "Residents"}]
    assert seen["me"] is None
    (factor,) = seen["factors"]
    assert (factor["contributor"], factor["contributor_group"]) == ("Pat", "Residents")
    text = json.dumps(seen) + json.dumps(ws.maps.events(map_id, shown=True))
    assert pat["id"] not in text and '"pat"' not in text and "participant_id" not in text
    assert ws.maps.view(map_id, viewer=PAT, username="pat")["me"]["pseudonym"] == "Pat"


def test_a_vote_is_a_participants(group_map):
    ws, map_id = group_map
    factor = ws.maps.add_factor(map_id, {"label": "Damp"})
    with pytest.raises(ValidationError, match="Join the map"):
        ws.map_talk.vote(map_id, "factor", factor["id"], None, 1)


def test_deleted_factors_links_and_maps_are_restored_with_audit(group_map):
    ws, map_id = group_map
    a, b, c = (ws.maps.add_factor(map_id, {"label": x})["id"] for x in "ABC")
    ab = ws.maps.add_link(map_id, {"source_id": a, "target_id": b, "polarity": "+"})["id"]
    bc = ws.maps.add_link(map_id, {"source_id": b, "target_id": c, "polarity": "-"})["id"]
    ws.maps.delete_link(map_id, bc)
    ws.maps.delete_factor(map_id, b)  # takes a -> b with it
    deleted = ws.maps.deleted_parts(map_id)
    assert [f["id"] for f in deleted["factors"]] == [b]
    assert {k["id"] for k in deleted["links"]} == {ab, bc}
    with pytest.raises(Conflict, match="factor 'B' is deleted"):
        ws.maps.restore_link(map_id, bc)
    back = ws.maps.restore_factor(map_id, b)
    assert [k["id"] for k in back["links"]] == [ab]  # deleted with it; b -> c was not
    assert ws.maps.restore_link(map_id, bc)["id"] == bc
    with pytest.raises(Conflict, match="not deleted"):
        ws.maps.restore_link(map_id, bc)
    assert ws.maps.get(map_id).n_links == 2
    kinds = [(e["entity_type"], e["action"]) for e in ws.maps.events(map_id)[-2:]]
    assert kinds == [("factor", "restore"), ("link", "restore")]
    (newest, *_) = ws.audit.entries(entity_type="map_factor", entity_id=b)
    assert newest.action == "restore"

    ws.maps.delete(map_id)
    assert [m["id"] for m in ws.maps.deleted(viewer=PAT)] == [map_id]
    assert ws.maps.deleted(viewer=OLLIE) == []  # a group map's deletion is its group's
    with pytest.raises(NotFound):
        ws.maps.restore(map_id, viewer=OLLIE)
    ws.maps.restore(map_id, viewer=PAT)
    assert ws.maps.get(map_id).n_factors == 3
    assert ws.audit.entries(entity_type="systems_map", entity_id=map_id)[0].action == "restore"


def test_a_group_round_is_the_staffs(workspace):
    workspace.partners.create("Kingsmead", sector="vcse")
    made = workspace.surveys.create_round("2027", date=dt.date(2027, 1, 1), visibility="group")
    assert [r.id for r in workspace.surveys.rounds(viewer=STAFF)] == [made.id]
    assert workspace.surveys.rounds(viewer=PAT) == []
    with pytest.raises(NotFound):
        workspace.surveys.get_round("2027", viewer=VIC)
    with pytest.raises(NotFound):
        workspace.network.metrics(made.id, viewer=VIC)
    token = workspace.surveys.share(made.id)
    assert workspace.surveys.get_round(made.id, viewer=VIC).visibility == "link"
    shared = workspace.network.shared_measures(token)
    assert "partners_table" not in shared and shared["round"]["name"] == "2027"
    workspace.surveys.set_visibility(made.id, "group")
    with pytest.raises(NotFound):
        workspace.surveys.by_share_token(token)
    entries = workspace.audit.entries(entity_type="survey_round", entity_id=made.id)
    assert all("share_token" not in (e.after or {}) for e in entries)


def test_a_stale_map_edit_says_when_not_who(workspace) -> None:
    """People on a map know each other by pseudonym: a 409 on a stale edit does not name the
    user who made the newer change (the store's own message would)."""
    made = workspace.maps.create("Stale edits")
    first = workspace.as_actor("ana.b.user").maps
    first.update(made.id, {"question": "Why?"}, expected_version=made.version)
    with pytest.raises(Conflict) as caught:
        workspace.as_actor("bo").maps.update(
            made.id, {"question": "How?"}, expected_version=made.version
        )
    assert "ana.b.user" not in str(caught.value) and "someone else" in str(caught.value)


def test_a_map_an_import_is_still_writing_is_not_among_the_deleted(workspace):
    """A staged import hides its map as deleted by "staged:<job>" until it is whole: the list
    of deleted maps does not offer it for restoring (found reading the staging code)."""
    from sqlalchemy import update

    from mobilise.store.records import now
    from mobilise.store.tables import systems_maps
    from mobilise.workspace._staging import MARK

    made = workspace.maps.create("Half-written").id
    with workspace.write() as connection:
        connection.execute(
            update(systems_maps)
            .where(systems_maps.c.id == made)
            .values(deleted_at=now(), deleted_by=f"{MARK}job-1")
        )
    assert workspace.maps.deleted() == []
    with pytest.raises(NotFound):
        workspace.maps.restore(made)
