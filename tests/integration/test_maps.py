"""Systems maps through the workspace, on SQLite and PostgreSQL: edits attributed, checked,
versioned and numbered by revision; comments, votes and snapshots."""

from __future__ import annotations

import threading

import pytest

from mobilise import Conflict, NotFound, ValidationError
from mobilise.model.causal_map import CausalMap, Factor, Link
from mobilise.workspace import maps as maps_module


@pytest.fixture
def green(workspace):
    """A small map: green space near home -> physical activity -> mental wellbeing."""
    made = workspace.maps.create(
        "Green space and wellbeing", question="How does green space shape mental health?"
    )
    return workspace, made.id


def add(ws, map_id, label, **fields):
    return ws.maps.add_factor(map_id, {"label": label, **fields})


def test_a_map_is_built_edit_by_edit_and_every_edit_has_a_revision(green):
    ws, map_id = green
    amy = ws.maps.join(map_id, "Amy", "Residents")
    park = add(ws, map_id, "Green space near home", kind="asset", x=10, y=20)
    activity = ws.maps.add_factor(
        map_id, {"label": "Physical activity", "kind": "driver"}, participant_id=amy["id"]
    )
    wellbeing = add(ws, map_id, "Mental wellbeing", kind="outcome")
    one = ws.maps.add_link(
        map_id,
        {"source_id": park["id"], "target_id": activity["id"], "polarity": "+"},
        participant_id=amy["id"],
    )
    two = ws.maps.add_link(
        map_id,
        {"source_id": activity["id"], "target_id": wellbeing["id"], "weight": 0.6},
    )
    assert two["polarity"] == "+"  # from the weight's sign
    assert [park["revision"], activity["revision"], one["revision"], two["revision"]] == [
        3,  # 1: the map was made; 2: Amy joined
        4,
        6,
        7,
    ]
    info = ws.maps.get(map_id)
    assert (info.n_factors, info.n_links, info.revision) == (3, 2, 7)
    content = ws.maps.content(map_id)
    assert [f["label"] for f in content["factors"]] == [
        "Green space near home",
        "Physical activity",
        "Mental wellbeing",
    ]
    assert content["participants"] == [amy]
    events = ws.maps.events(map_id, after=5)
    assert [(e["revision"], e["action"], e["entity_type"]) for e in events] == [
        (6, "create", "link"),
        (7, "create", "link"),
    ]
    causal = ws.maps.to_causal_map(map_id)
    assert causal.factor(activity["id"]).attributes["contributor"] == "Amy"
    graph = causal.to_graph()
    assert graph.number_of_nodes() == 3 and graph.number_of_edges() == 2


def test_a_stale_edit_is_refused_not_lost(green):
    ws, map_id = green
    factor = add(ws, map_id, "Loneliness")
    first = ws.maps.update_factor(
        map_id, factor["id"], {"label": "Loneliness and isolation"}, expected_version=1
    )
    assert first["version"] == 2
    with pytest.raises(Conflict, match="version"):
        ws.maps.update_factor(map_id, factor["id"], {"x": 5}, expected_version=1)
    assert ws.maps.content(map_id)["factors"][0]["label"] == "Loneliness and isolation"


def test_deleting_a_factor_deletes_its_links_in_one_change(green):
    ws, map_id = green
    a, b, c = (add(ws, map_id, name)["id"] for name in "ABC")
    ws.maps.add_link(map_id, {"source_id": a, "target_id": b, "polarity": "+"})
    ws.maps.add_link(map_id, {"source_id": b, "target_id": c, "polarity": "-"})
    ws.maps.add_link(map_id, {"source_id": b, "target_id": b, "polarity": "+"})  # self-loop
    keep = ws.maps.add_link(map_id, {"source_id": c, "target_id": a, "polarity": "?"})
    gone = ws.maps.delete_factor(map_id, b)
    assert len(gone["links"]) == 3
    content = ws.maps.content(map_id)
    assert [link["id"] for link in content["links"]] == [keep["id"]]
    assert (
        ws.maps.events(map_id, after=gone["revision"] - 1)[0]["payload"]["links"] == gone["links"]
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"label": ""}, "label"),
        ({"label": "x", "kind": "widget"}, "kind"),
        ({"label": "x", "x": "left"}, "x"),
        ({"label": "x", "asset_category": "bingo"}, "asset_category"),
        ({"label": "x", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_factor_names_the_field(green, fields, field):
    ws, map_id = green
    with pytest.raises(ValidationError) as caught:
        ws.maps.add_factor(map_id, fields)
    assert [p.field for p in caught.value.problems] == [field]
    assert ws.maps.get(map_id).revision == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"polarity": "up"}, "polarity"),
        ({"weight": 2}, "weight"),
        ({"weight": 0.5, "polarity": "-"}, "polarity"),
        ({"strength": "huge"}, "strength"),
        ({"confidence": -0.1}, "confidence"),
        ({"delay": "yes"}, "delay"),
    ],
)
def test_a_bad_link_names_the_field(green, fields, field):
    ws, map_id = green
    a, b = add(ws, map_id, "A")["id"], add(ws, map_id, "B")["id"]
    with pytest.raises(ValidationError) as caught:
        ws.maps.add_link(map_id, {"source_id": a, "target_id": b, **fields})
    assert [p.field for p in caught.value.problems] == [field]


def test_a_link_must_join_factors_of_the_same_map(green):
    ws, map_id = green
    other = ws.maps.create("Another map").id
    stranger = add(ws, other, "Elsewhere")["id"]
    here = add(ws, map_id, "Here")["id"]
    with pytest.raises(ValidationError) as caught:
        ws.maps.add_link(map_id, {"source_id": here, "target_id": stranger})
    assert [p.field for p in caught.value.problems] == ["target_id"]


def test_parallel_links_are_separate_claims(green):
    ws, map_id = green
    a, b = add(ws, map_id, "Fear of crime")["id"], add(ws, map_id, "Park use")["id"]
    residents = ws.maps.add_link(
        map_id, {"source_id": a, "target_id": b, "polarity": "-", "stakeholder_group": "Residents"}
    )
    police = ws.maps.add_link(
        map_id, {"source_id": a, "target_id": b, "polarity": "+", "stakeholder_group": "Police"}
    )
    graph = ws.maps.to_causal_map(map_id).to_graph()
    assert graph.number_of_edges(a, b) == 2
    assert {graph.edges[a, b, k]["stakeholder_group"] for k in (residents["id"], police["id"])} == {
        "Residents",
        "Police",
    }


def test_comments_votes_and_snapshots(green):
    ws, map_id = green
    amy = ws.maps.join(map_id, "Amy", "Residents")
    bob = ws.maps.join(map_id, "Bob", "ICS")
    assert ws.maps.join(map_id, " Amy ", "Residents") == amy  # the same participant again
    a, b = add(ws, map_id, "A")["id"], add(ws, map_id, "B")["id"]
    link = ws.maps.add_link(map_id, {"source_id": a, "target_id": b, "polarity": "+"})["id"]
    said = ws.map_talk.comment(map_id, "link", link, "Only in summer", participant_id=amy["id"])
    assert (said["pseudonym"], said["stakeholder_group"]) == ("Amy", "Residents")
    ws.map_talk.vote(map_id, "link", link, amy["id"], 1)
    ws.map_talk.vote(map_id, "link", link, bob["id"], 1)
    changed = ws.map_talk.vote(map_id, "link", link, bob["id"], -1)
    assert (changed["agree"], changed["disagree"]) == (1, 1)
    assert ws.map_talk.votes(map_id) == {link: {"agree": 1, "disagree": 1}}
    assert [c["text"] for c in ws.map_talk.comments(map_id, target_id=link)] == ["Only in summer"]

    saved = ws.map_talk.snapshot(map_id, "After the first workshop")
    ws.maps.delete_link(map_id, link)
    (listed,) = ws.map_talk.snapshots(map_id)
    assert (listed["label"], listed["factors"], listed["links"]) == (
        "After the first workshop",
        2,
        1,
    )
    then = ws.map_talk.snapshot_map(saved["id"])
    assert [(k.source, k.target, k.polarity) for k in then.links] == [(a, b, "+")]
    with pytest.raises(ValidationError, match="vote"):
        ws.map_talk.vote(map_id, "factor", a, amy["id"], 2)
    with pytest.raises(NotFound):
        ws.map_talk.comment(map_id, "link", link, "too late")  # the link was deleted


def test_import_keeps_polarity_and_attribution_and_is_all_or_nothing(workspace):
    causal = CausalMap(
        title="Imported",
        factors=[Factor("a", "Parks"), Factor("b", "Walking", kind="driver")],
        links=[Link("l1", "a", "b", polarity="+", stakeholder_group="Residents", delay=True)],
        source="parks.csv",
    )
    info = workspace.maps.import_map(causal)
    assert (info.title, info.n_factors, info.n_links) == ("Imported", 2, 1)
    (link,) = workspace.maps.content(info.id)["links"]
    assert (link["polarity"], link["stakeholder_group"], link["delay"]) == ("+", "Residents", True)
    broken = CausalMap(title="Broken", factors=[Factor("a", "A")], links=[Link("l", "a", "zz")])
    with pytest.raises(ValidationError, match="not a factor"):
        workspace.maps.import_map(broken)
    assert [m.title for m in workspace.maps.list()] == ["Imported"]


def test_share_link_opens_the_map_until_withdrawn(green):
    ws, map_id = green
    token = ws.maps.share(map_id)
    assert ws.maps.share(map_id) == token
    assert ws.maps.by_share_token(token).id == map_id
    ws.maps.unshare(map_id)
    with pytest.raises(NotFound, match="share link"):
        ws.maps.by_share_token(token)


def test_concurrent_edits_get_consecutive_revisions(green):
    """Eight editors adding at once: no edit lost, revisions 1..n with no gap or repeat."""
    ws, map_id = green
    errors = []

    def editor(k):
        try:
            for i in range(5):
                add(ws, map_id, f"Factor {k}-{i}")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=editor, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    revisions = [e["revision"] for e in ws.maps.events(map_id)]
    assert revisions == list(range(1, 42))
    assert ws.maps.get(map_id).n_factors == 40


def test_unknown_map(workspace):
    with pytest.raises(NotFound, match="maps list"):
        workspace.maps.get("nope")
    with pytest.raises(NotFound):
        workspace.maps.add_factor("nope", {"label": "x"})


def test_a_link_added_while_its_factor_is_deleted_never_dangles(green, monkeypatch):
    """Another editor deletes B between the check that B exists and the new link's insert: the
    map's row lock makes the delete wait, then take the new link with it."""
    ws, map_id = green
    a, b = add(ws, map_id, "A")["id"], add(ws, map_id, "B")["id"]
    real_check = maps_module.check_ends
    deleter: list[threading.Thread] = []

    def check_then_race(connection, map_id_, values):
        real_check(connection, map_id_, values)
        if not deleter:
            other = ws.as_actor("bob")
            deleter.append(
                threading.Thread(target=lambda: other.maps.delete_factor(map_id, b), daemon=True)
            )
            deleter[0].start()
            deleter[0].join(timeout=1.0)  # it must wait for this change's lock
            assert deleter[0].is_alive()

    monkeypatch.setattr(maps_module, "check_ends", check_then_race)
    ws.maps.add_link(map_id, {"source_id": a, "target_id": b, "polarity": "+"})
    deleter[0].join(timeout=20)
    content = ws.maps.content(map_id)
    alive = {f["id"] for f in content["factors"]}
    assert alive == {a}
    assert all(k["source_id"] in alive and k["target_id"] in alive for k in content["links"])
    assert content["links"] == []


def test_an_import_names_every_bad_factor_and_link_by_row(workspace):
    broken = CausalMap(
        title="Broken",
        factors=[Factor("a", "x" * 400), Factor("b", "Fine"), Factor("c", "y" * 301)],
        links=[Link("1", "a", "b", attributes={"score": float("nan")})],
        source="workshop.csv",
    )
    with pytest.raises(ValidationError) as caught:
        workspace.maps.import_map(broken)
    problems = caught.value.problems
    assert [(p.file, p.row, p.field) for p in problems] == [
        ("workshop.csv", 1, "label"),
        ("workshop.csv", 3, "label"),
        ("workshop.csv", 1, "attributes"),
    ]
    assert "x" * 61 not in caught.value.message + "".join(p.message for p in problems)
    assert "nothing was imported" in caught.value.message
    assert workspace.maps.list() == []
