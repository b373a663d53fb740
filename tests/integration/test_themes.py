"""Themes (issue 16, item 4): the codebook, coding whole contributions and spans, agreement
between coders, counts under disclosure control, suggestions, a theme as a map factor with its
evidence, and REFI-QDA round trips; every read under consent. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace

import pytest

from mobilise.errors import NotFound, ValidationError

from .._coproduction import add_event, consenting

ANALYST = SimpleNamespace(username="ana", role="analyst")
ADMIN = SimpleNamespace(username="root", role="admin")


@pytest.fixture
def sheet(workspace):
    return workspace.consent.add_sheet("Taking part", "v1", "What taking part means ...")


@pytest.fixture
def coded(workspace, sheet):
    """An event with a person's quote and two tables' notes, a small codebook, two coders."""
    person = consenting(workspace, sheet.id, quote="anonymous")
    event = add_event(workspace)
    adds = workspace.event_contributions.add
    quote = adds(
        event,
        kind="quote",
        text="The park is lovely but the bus costs too much",
        participant=person.code,
    )
    note1 = adds(event, kind="note", text="More benches in the green", group_label="Table 1")
    note2 = adds(event, kind="note", text="Fares are too high for families", group_label="Table 2")
    themes = workspace.themes
    green = themes.add("Green space", definition="Parks, trees, benches")
    cost = themes.add("Cost and transport", definition="Fares, buses, the cost of getting there")
    benches = themes.add("Benches", parent=green.id)
    themes.code(quote.id, green.id, coder="ana", span=(0, 18), memo="the park")
    themes.code(quote.id, cost.id, coder="ana", span=(23, 45))
    themes.code(quote.id, "green space", coder="bo")
    themes.code(note1.id, green.id, coder="ana")
    themes.code(note1.id, green.id, coder="bo")
    themes.code(note2.id, cost.id, coder="ana")
    themes.code(note2.id, cost.id, coder="bo")
    return SimpleNamespace(
        person=person,
        event=event,
        quote=quote,
        note1=note1,
        note2=note2,
        green=green,
        cost=cost,
        benches=benches,
    )


def test_the_codebook_nests_sub_themes_and_refuses_bad_fields(workspace, coded):
    names = [t.name for t in workspace.themes.list()]
    assert names == ["Green space", "Benches", "Cost and transport"]
    assert workspace.themes.get("benches").parent_id == coded.green.id
    with pytest.raises(ValidationError) as error:
        workspace.themes.add("", colour="red")
    assert {p.field for p in error.value.problems} == {"name", "colour"}
    with pytest.raises(NotFound):
        workspace.themes.get("no such theme")


def test_coding_spans_are_checked_and_a_duplicate_is_a_conflict(workspace, coded):
    from mobilise.errors import Conflict

    with pytest.raises(ValidationError) as error:
        workspace.themes.code(coded.note1.id, coded.green.id, coder="ana", span=(5, 500))
    assert {p.field for p in error.value.problems} == {"span"}
    with pytest.raises(Conflict):
        workspace.themes.code(coded.note1.id, coded.green.id, coder="ana")
    spans = {
        (c.coder, c.span_start, c.span_end)
        for c in workspace.themes.codings(contributions=[coded.quote.id], theme=coded.green.id)
    }
    assert spans == {("ana", 0, 18), ("bo", None, None)}


def test_agreement_of_two_coders_by_contribution_and_by_span(workspace, coded):
    found = workspace.themes.agreement(event=coded.event)
    assert found["coders"] == ["ana", "bo"] and found["units"] == 3
    by_theme = {row["name"]: row for row in found["themes"]}
    # bo did not code the quote as cost: 2 of 3 units agree on cost, all 3 on green space
    assert by_theme["Green space"]["agreement"] == 1.0
    assert by_theme["Cost and transport"]["agreement"] == pytest.approx(2 / 3)
    assert by_theme["Cost and transport"]["kappa"] == pytest.approx(0.4)  # by hand: (2/3-4/9)/(5/9)
    spans = workspace.themes.agreement(event=coded.event, unit="span")
    assert spans["unit"] == "span" and spans["units"] > 3


def test_a_withdrawal_takes_codings_out_of_every_figure(workspace, coded):
    assert workspace.themes.counts()["rows"]
    workspace.consent.withdraw(coded.person.id, scopes=["all"], method="online")
    assert {c.contribution_id for c in workspace.themes.codings()} == {
        coded.note1.id,
        coded.note2.id,
    }
    assert workspace.themes.agreement(event=coded.event)["units"] == 2
    with pytest.raises(NotFound):
        workspace.themes.code(coded.quote.id, coded.green.id, coder="cy")
    factor_map = workspace.maps.create("What helps", question="What keeps people well?")
    factor = workspace.themes.to_factor(coded.green.id, factor_map.id)
    quotes = workspace.themes.evidence(factor_map.id, factor["id"])["quotes"]
    assert [q["contribution_id"] for q in quotes] == [coded.note1.id]


def test_counts_are_disclosure_controlled_outside_admins(workspace, coded):
    workspace.project_settings.set("disclosure_k", 3)
    as_admin = workspace.themes.counts(viewer=ADMIN, by="event_kind")
    assert as_admin["k"] is None
    rows = {r["name"]: r for r in as_admin["rows"]}
    assert rows["Green space"]["contributions"] == 2 and rows["Green space"]["voices"] == 2
    shown = {r["name"]: r for r in workspace.themes.counts(viewer=ANALYST)["rows"]}
    assert shown["Green space"]["contributions"] is None
    assert shown["Green space"]["voices_shown"] == "fewer than 3"
    pairs = workspace.themes.co_occurrence(viewer=ANALYST)["pairs"]
    assert pairs and pairs[0]["jaccard"] is None
    with pytest.raises(ValidationError):
        workspace.themes.counts(by="postcode")


def test_suggestions_for_uncoded_text(workspace, coded):
    adds = workspace.event_contributions.add
    new = adds(coded.event, kind="note", text="Bus fares cost families a lot", group_label="T3")
    found = workspace.themes.suggest(event=coded.event)
    assert found["uncoded"] == 1
    (suggestion,) = found["suggestions"]
    assert suggestion["contribution_id"] == new.id
    assert suggestion["themes"][0]["name"] == "Cost and transport"
    assert found["clusters"][0]["units"] == [new.id]


def test_a_theme_becomes_a_factor_that_shows_its_evidence(workspace, coded):
    factor_map = workspace.maps.create("What helps", question="What keeps people well?")
    factor = workspace.themes.to_factor(coded.green.id, factor_map.id, x=10, y=20)
    assert factor["label"] == "Green space"
    assert workspace.themes.factors(coded.green.id)[0]["factor_id"] == factor["id"]
    evidence = workspace.themes.evidence(factor_map.id, factor["id"])
    assert evidence["themes"][0]["name"] == "Green space"
    texts = {q["text"] for q in evidence["quotes"]}
    assert "The park is lovely" in texts and "More benches in the green" in texts
    assert all("code" not in q for q in evidence["quotes"])


def test_qdpx_export_validates_and_reimports_the_same_codes_and_spans(workspace, coded):
    from mobilise.formats.refi_qda import validate

    out = io.BytesIO()
    assert workspace.themes.export_qdpx(out, event=coded.event) == 3
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        validate(archive.read("project.qde"))  # against the REFI-QDA schema
    before = {
        (c.contribution_id, c.theme, c.coder, c.span_start, c.span_end)
        for c in workspace.themes.codings()
    }
    for coding in workspace.themes.codings():
        workspace.themes.uncode(coding.id)
    for theme in workspace.themes.list():
        workspace.themes.remove(theme.id)
    added = workspace.themes.import_qdpx(out.getvalue())
    assert added["themes"] == 3 and added["codings"] == len(before)
    after = {
        (c.contribution_id, c.theme, c.coder, c.span_start, c.span_end)
        for c in workspace.themes.codings()
    }
    assert after == before
    assert workspace.themes.get("Benches").parent_id == workspace.themes.get("Green space").id
    again = workspace.themes.import_qdpx(out.getvalue())  # nothing twice
    assert again["codings"] == 0 and again["themes"] == 0


def test_the_demo_codebook_and_two_illustrative_coders(register):
    from mobilise.workspace.demo_engagement import _GROUP_NOTES, _SAID
    from mobilise.workspace.demo_themes import CODERS, build_themes

    event = add_event(register, place="testtown")
    for i, text in enumerate((*_SAID, *_GROUP_NOTES)):
        register.event_contributions.add(
            event, kind="note", text=text, group_label=f"Table {i}", illustrative=True
        )
    added = build_themes(register, seed=16)
    assert added["themes"] == 8 and added["codings"] > 20
    assert build_themes(register, seed=16) == {"themes": 0, "codings": 0}  # once only
    codebook = register.themes.list("testtown")
    assert {t.id for t in register.themes.list(every_place=True)} == {t.id for t in codebook}
    assert all(t.illustrative and t.name.endswith("(illustrative)") for t in codebook)
    found = register.themes.agreement(place="testtown")
    assert found["coders"] == list(CODERS)
    assert found["alpha"] is not None and 0.5 < found["alpha"] < 1


def test_many_contributions_are_asked_for_without_one_huge_in_list(workspace, coded, monkeypatch):
    from mobilise.workspace import _theme_rows

    monkeypatch.setattr(_theme_rows, "MAX_IN", 1)
    found = workspace.themes.codings(contributions=[coded.note1.id, coded.note2.id])
    assert {c.contribution_id for c in found} == {coded.note1.id, coded.note2.id}
    assert set(workspace.themes.usable(event=coded.event)) == {
        coded.quote.id,
        coded.note1.id,
        coded.note2.id,
    }
