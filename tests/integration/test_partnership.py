"""The partnership through the workspace, on SQLite and PostgreSQL: partners, rounds, the roster
survey by invitation link, imports, measures with disclosure control, change between rounds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from mobilise import Workspace
from mobilise.demo import DEMO_DATA
from mobilise.errors import Conflict, NotFound, ValidationError
from mobilise.store.tables import audit_log
from mobilise.workspace.demo import build_partnership

FIXTURES = Path(__file__).parent.parent / "fixtures" / "networks"
PARTNERSHIP = DEMO_DATA / "partnership"


def _five(ws: Workspace) -> list[str]:
    """Five partners in three sectors, members since 2025."""
    made = [
        ws.partners.create("Northfield NHS Trust", sector="nhs_trust", joined_on=date(2025, 1, 1)),
        ws.partners.create("Town Council Parks", sector="la_other", joined_on=date(2025, 1, 1)),
        ws.partners.create("Riverside Arts", sector="arts_culture", joined_on=date(2025, 1, 1)),
        ws.partners.create("Canal Gardeners", sector="environment", joined_on=date(2025, 1, 1)),
        ws.partners.create(
            "Member A", sector="lived_experience", kind="individual", joined_on=date(2025, 1, 1)
        ),
    ]
    return [p.id for p in made]


def _yes(level: int = 2, trust: int = 3, value: int = 3) -> dict[str, object]:
    return {
        "works_together": True,
        "frequency": 3,
        "level": level,
        "value_influence": value,
        "value_involvement": value,
        "value_resources": value,
        "trust_reliability": trust,
        "trust_purpose": trust,
        "trust_openness": trust,
    }


def test_partners_keys_versions_membership_and_contacts(workspace: Workspace) -> None:
    ids = _five(workspace)
    again = workspace.partners.create("Riverside Arts", sector="arts_culture")
    assert again.key == "riverside-arts-2"  # keys stay unique
    arts = workspace.partners.get("riverside-arts")
    changed = workspace.partners.update(arts.id, {"description": "Gallery"}, version=arts.version)
    assert changed.description == "Gallery" and changed.version == arts.version + 1
    with pytest.raises(Conflict):
        workspace.partners.update(arts.id, {"description": "Stale"}, version=arts.version)
    with pytest.raises(ValidationError) as error:
        workspace.partners.create("X", sector="hospital wing", latitude=95)
    fields = {p.field for p in error.value.problems}
    assert fields == {"sector", "latitude"}

    workspace.partners.leave(ids[3], on=date(2025, 6, 1))
    assert [p.name for p in workspace.partners.list(on=date(2025, 7, 1))] == [
        "Member A",
        "Northfield NHS Trust",
        "Riverside Arts",  # the second one joined today
        "Town Council Parks",
    ]
    back = workspace.partners.rejoin(ids[3], on=date(2025, 9, 1))
    assert back.member_on(date(2025, 10, 1)) and not back.member_on(date(2025, 7, 1))

    contact = workspace.partners.add_contact(
        ids[0], "Sam Lee", role="Lead", email="sam@nhs.example"
    )
    assert [c.name for c in workspace.partners.contacts(ids[0])] == ["Sam Lee"]
    with pytest.raises(ValidationError):
        workspace.partners.add_contact(ids[0], "No Mail", email="not-an-address")
    with pytest.raises(NotFound):  # not that partner's representative
        workspace.partners.remove_contact(contact.id, partner=ids[1])
    workspace.partners.remove_contact(contact.id, partner=ids[0])
    assert workspace.partners.contacts(ids[0]) == []
    with workspace.engine.connect() as connection:  # erased from the audit trail too
        trail = connection.execute(
            select(audit_log.c.before, audit_log.c.after).where(audit_log.c.entity_id == contact.id)
        ).all()
    assert len(trail) == 3 and "Sam Lee" not in str(trail) and "Lead" not in str(trail)
    with pytest.raises(NotFound):
        workspace.partners.remove_contact(contact.id)


def test_partner_import_is_idempotent_and_all_or_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    workspace.places.create("northamptonshire", "Northamptonshire")
    workspace.places.create("inner-north-east-london", "Inner North and East London")
    first = workspace.partners.import_file(PARTNERSHIP / "partners.csv")
    assert (first.created, first.updated) == (43, 0)
    second = workspace.partners.import_file(PARTNERSHIP / "partners.csv")
    assert (second.created, second.updated, second.unchanged) == (0, 0, 43)
    leavers = [p for p in workspace.partners.list() if not p.active]
    assert len(leavers) == 2

    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,sector,places\nn1,New one,vcse,\nn2,Other,vcse,atlantis\n")
    with pytest.raises(ValidationError) as error:
        workspace.partners.import_file(bad)
    assert any(p.row == 2 and p.field == "places" for p in error.value.problems)
    assert len(workspace.partners.list()) == 43  # nothing half-written


def test_roster_survey_by_invitation_link(workspace: Workspace) -> None:
    ids = _five(workspace)
    round_ = workspace.surveys.create_round("Spring 2026", date=date(2026, 4, 1), status="open")
    assert round_.roster == 5
    links = workspace.surveys.invite(round_.id)
    assert len(links) == 5 and len({link.token for link in links}) == 5
    token = next(link.token for link in links if link.partner_id == ids[0])
    form = workspace.surveys.form(token)
    assert form.respondent_name == "Northfield NHS Trust" and form.status == "not started"
    assert {p["id"] for p in form.roster} == set(ids[1:])  # not asked about itself

    # a draft may be partial, and comes back when the link is opened again
    workspace.surveys.save(token, {ids[1]: _yes(level=3)}, contributions=["staff_time"])
    form = workspace.surveys.form(token)
    assert form.status == "draft" and form.answers[ids[1]]["level"] == 3
    assert form.contributions == ["staff_time"]
    statuses = {
        row["partner_id"]: row["status"] for row in workspace.surveys.completion("Spring 2026")
    }
    assert statuses[ids[0]] == "draft" and statuses[ids[1]] == "invited"

    # submitting asks for every partner on the roster, naming partner and question
    with pytest.raises(ValidationError) as error:
        workspace.surveys.save(
            token, {ids[1]: _yes(), ids[2]: {"works_together": True}}, submit=True
        )
    fields = {p.field for p in error.value.problems}
    assert f"{ids[2]}.level" in fields and f"{ids[3]}.works_together" in fields
    with pytest.raises(ValidationError):  # "no" with a level is a contradiction
        workspace.surveys.save(token, {ids[1]: {"works_together": False, "level": 2}})

    answers = {
        ids[1]: _yes(level=3),
        ids[2]: _yes(level=1, trust=2),
        ids[3]: {"works_together": False},
        ids[4]: _yes(level=1),
    }
    done = workspace.surveys.save(token, answers, achievements=["new_relationships"], submit=True)
    assert done.status == "submitted"
    with pytest.raises(Conflict):  # single use
        workspace.surveys.form(token)

    # a new link for another partner withdraws its old one
    old = next(link.token for link in links if link.partner_id == ids[1])
    workspace.surveys.invite(round_.id, partners_=[ids[1]])
    with pytest.raises(NotFound):
        workspace.surveys.form(old)
    # the network now holds the respondent's ties
    graph = workspace.network.graph(round_.id)
    assert graph.nodes[ids[0]]["responded"] and graph.edges[ids[0], ids[1]]["level"] == 3
    assert graph.edges[ids[0], ids[3]]["level"] == 0
    metrics = workspace.network.metrics(round_.id)
    assert metrics["respondents"] == 1 and metrics["ties"] == 3

    workspace.surveys.update_round(round_.id, {"status": "closed"}, version=None)
    token = next(link.token for link in links if link.partner_id == ids[2])
    with pytest.raises(Conflict):
        workspace.surveys.save(token, {ids[0]: _yes()})
    with pytest.raises(Conflict):  # those who answered stay on the roster
        workspace.surveys.set_roster(round_.id, ids[1:])


def test_scores_from_too_few_raters_are_hidden_but_from_admins(workspace: Workspace) -> None:
    ids = _five(workspace)
    round_ = workspace.surveys.create_round("R", date=date(2026, 1, 1), status="open")
    links = {link.partner_id: link.token for link in workspace.surveys.invite(round_.id)}
    # the NHS trust is rated by three partners, the arts group by one
    for rater in ids[1:4]:
        others = {p: {"works_together": False} for p in ids if p != rater}
        others[ids[0]] = _yes(trust=4)
        if rater != ids[3]:
            others[ids[2] if rater != ids[2] else ids[1]] = _yes(trust=2)
        workspace.surveys.save(links[rater], others, submit=True)
    shown = {r["partner"]: r for r in workspace.network.metrics("R")["partners_table"]}
    assert shown[ids[0]]["trust"] == 4.0 and shown[ids[0]]["raters_trust"] == 3
    assert shown[ids[2]]["trust"] is None and shown[ids[2]]["suppressed"] is True
    admin = {r["partner"]: r for r in workspace.network.metrics("R", admin=True)["partners_table"]}
    assert admin[ids[2]]["trust"] == 2.0
    workspace.surveys.update_round("R", {"min_raters": 1}, version=None)
    shown = {r["partner"]: r for r in workspace.network.metrics("R")["partners_table"]}
    assert shown[ids[2]]["trust"] == 2.0


def test_relationship_import_creates_rounds_partners_and_answers(workspace: Workspace) -> None:
    with pytest.raises(ValidationError) as error:  # new partners need a sector
        workspace.surveys.import_file(FIXTURES / "nfdi_netzwerk_2019.csv", round_="2019")
    assert any(p.field == "sector" for p in error.value.problems)
    assert workspace.partners.list() == [] and workspace.surveys.rounds() == []

    summary = workspace.surveys.import_file(
        FIXTURES / "nfdi_netzwerk_2019.csv", round_="2019", default_sector="academic"
    )
    raw = (FIXTURES / "nfdi_netzwerk_2019.csv").read_text().splitlines()[1:]
    pairs = {tuple(line.split(";")) for line in raw if line.strip()}
    assert summary.links == len(pairs)
    info = workspace.surveys.get_round("2019")
    assert info.date == date(2019, 1, 1) and info.status == "closed"
    respondents = {a for a, _ in pairs}
    assert info.submitted == len(respondents)
    assert info.roster == len({name for pair in pairs for name in pair})


def test_demo_partnership_rounds_and_change(workspace: Workspace) -> None:
    workspace.places.create("northamptonshire", "Northamptonshire")
    workspace.places.create("inner-north-east-london", "Inner North and East London")
    build_partnership(workspace, PARTNERSHIP)
    first, second = workspace.surveys.rounds()
    assert (first.roster, first.submitted, second.roster, second.submitted) == (40, 32, 41, 31)
    change = workspace.network.change(first.name, second.name)
    assert (change["kept"], change["new"], change["lost"]) == (260, 67, 14)
    assert {j["name"] for j in change["leavers"]} == {
        "Corby Old Town Walking Group",
        "Shoreditch Yard Workspace Ltd",
    }
    assert "ties" not in change  # who reported what: admins only
    assert all(set(f) == {"a", "b", "a_name", "b_name", "reasons"} for f in change["fading"])
    assert "ties" in workspace.network.change(first.name, second.name, admin=True)
    answered = workspace.network.metrics(second.name)["partnership"]
    referrals = next(a for a in answered["achievements"] if a["code"] == "more_referrals")
    assert referrals["count"] == 21
    build_partnership(workspace, PARTNERSHIP)  # re-running keeps the rounds as they are
    assert [r.submitted for r in workspace.surveys.rounds()] == [32, 31]


def test_one_link_submitted_twice_at_once_counts_once(workspace: Workspace) -> None:
    import threading

    ids = _five(workspace)
    round_ = workspace.surveys.create_round("Race", date=date(2026, 1, 1), status="open")
    token = next(
        link.token for link in workspace.surveys.invite(round_.id) if link.partner_id == ids[0]
    )
    workspace.surveys.save(token, {ids[1]: _yes()})  # a draft exists: both submits update it
    answers = {p: {"works_together": False} for p in ids[1:]}
    outcomes: list[str] = []

    def submit() -> None:
        try:
            workspace.surveys.save(token, answers, submit=True)
            outcomes.append("submitted")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=submit) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "submitted"]
    assert workspace.surveys.get_round("Race").submitted == 1


def test_links_of_deleted_or_removed_partners_stop_working(workspace: Workspace) -> None:
    ids = _five(workspace)
    round_ = workspace.surveys.create_round("R", date=date(2026, 1, 1), status="open")
    links = {link.partner_id: link.token for link in workspace.surveys.invite(round_.id)}
    workspace.partners.delete(ids[4])
    with pytest.raises(NotFound):
        workspace.surveys.form(links[ids[4]])
    workspace.surveys.set_roster(round_.id, ids[:3])
    with pytest.raises(NotFound):
        workspace.surveys.form(links[ids[3]])
    with pytest.raises(ValidationError) as error:
        workspace.partners.update(
            ids[0], {"url": "javascript:alert(1)", "name": None}, version=None
        )
    assert {p.field for p in error.value.problems} == {"url", "name"}


# -- file verbs: a path, the file's bytes or a stream; exports all or nothing ----------------------
def test_imports_take_bytes_and_streams_named_in_errors(workspace: Workspace) -> None:
    import io

    listed = b"id,name,sector\nnhs,Northfield NHS Trust,nhs_trust\narts,Riverside Arts,arts\n"
    made = workspace.partners.import_file(listed, name="our partners.csv")
    assert (made.file, made.created) == ("our partners.csv", 2)
    again = workspace.partners.import_file(io.BytesIO(listed), name="again.csv")
    assert (again.file, again.unchanged) == ("again.csv", 2)
    with pytest.raises(ValidationError) as error:
        workspace.partners.import_file(b"id,name,sector\nx,Somewhere,spaceport\n", name="bad.csv")
    assert {(p.file, p.row, p.field) for p in error.value.problems} == {("bad.csv", 1, "sector")}

    edges = b"respondent;partner;level\nnhs;arts;2\narts;nhs;3\n"
    summary = workspace.surveys.import_file(io.BytesIO(edges), name="edges.csv", round_="2026")
    assert (summary.file, summary.links) == ("edges.csv", 2)
    assert workspace.surveys.get_round("2026").submitted == 2
    with pytest.raises(ValidationError) as error:
        workspace.surveys.import_file(b"from,to\nnhs,nhs\n", name="self.csv", round_="2026")
    assert [(p.file, p.row) for p in error.value.problems] == [("self.csv", 1)]
    with pytest.raises(ValidationError) as error:  # the suffix of the name says the format
        workspace.surveys.import_file(b"<graphml><graph", name="broken.graphml", round_="2026")
    assert error.value.problems[0].file == "broken.graphml"


def test_round_export_to_a_path_or_stream_all_or_nothing(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    import networkx as nx

    import mobilise.workspace.network as network_service

    ids = _five(workspace)
    round_ = workspace.surveys.create_round("R", date=date(2026, 1, 1), status="open")
    links = {link.partner_id: link.token for link in workspace.surveys.invite(round_.id)}
    workspace.surveys.save(links[ids[0]], {p: _yes() for p in ids[1:]}, submit=True)
    folder = tmp_path / "exports"  # the workspace's database is in tmp_path
    folder.mkdir()

    written = workspace.network.export("R", folder / "round.graphml")
    assert (written.format, written.partners, written.answers) == ("graphml", 5, 4)
    assert nx.read_graphml(folder / "round.graphml").number_of_edges() == 4
    stream = io.BytesIO()
    assert workspace.network.export("R", stream, format="csv").format == "csv"
    assert stream.getvalue().decode().splitlines()[0].startswith("respondent,partner")

    with pytest.raises(ValidationError) as error:
        workspace.network.export("R", folder / "round.json")
    assert error.value.problems[0].file == "round.json"
    assert not (folder / "round.json").exists()

    def fails_half_way(graph: object, path: Path, *, format: str) -> None:
        Path(path).write_text("respondent,partner\n")
        raise OSError("disk full")

    monkeypatch.setattr(network_service, "write_relationships", fails_half_way)
    with pytest.raises(OSError):
        workspace.network.export("R", folder / "again.csv")
    assert sorted(p.name for p in folder.iterdir()) == ["round.graphml"]  # nothing half-written


def test_measure_file_takes_a_path_bytes_or_a_stream() -> None:
    import io

    from mobilise.workspace.network import measure_file

    path = FIXTURES / "nfdi_netzwerk_2019.csv"
    by_path = measure_file(path)
    by_bytes = measure_file(path.read_bytes(), name=path.name)
    by_stream = measure_file(io.BytesIO(path.read_bytes()), name=path.name)
    assert by_path == by_bytes == by_stream
    assert by_stream["round"]["file"] == path.name
    with pytest.raises(ValidationError) as error:
        measure_file(b"from,to\n", name="empty edges.csv")
    assert error.value.problems[0].file == "empty edges.csv"


def test_reimporting_a_list_with_one_field_changed_updates_that_partner(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Found by the importer fuzzing: a changed field on re-import crashed the short-write
    update (positional and keyword values given to one statement)."""
    listing = tmp_path / "partners.csv"
    listing.write_text("name,sector,description\nAllotments,vcse,one\n", encoding="utf-8")
    workspace.partners.import_file(listing)
    listing.write_text("name,sector,description\nAllotments,vcse,two\n", encoding="utf-8")
    summary = workspace.partners.import_file(listing)
    assert (summary.created, summary.updated) == (0, 1)
    (partner,) = workspace.partners.list()
    assert partner.description == "two" and partner.version == 2


def test_a_round_without_ties_has_no_introductions(workspace: Workspace) -> None:
    """Found by schemathesis: introductions of an empty round answered 500 (NetworkX refused
    the empty graph)."""
    empty = workspace.surveys.create_round("Empty round", date=date(2026, 5, 1))
    assert workspace.network.introductions(empty.id) == []
