"""Evidence packs (issue 18, item 3) through the workspace, on SQLite and PostgreSQL: a pack of a
small real place is made, versioned, listed, saved, shared and withdrawn; every count of people
is disclosure-controlled; nothing from a withdrawn consent reaches it; the manifest rebuilds it;
bad requests are refused naming the field."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest

from mobilise.errors import NotFound, ValidationError

from .._reach import MERGED, PLACE, SPLIT, UNCHANGED, build_place, person
from .._you_said import add_theme, code, say


@pytest.fixture
def place(workspace, tmp_path):
    """Four Camden neighbourhoods; a public café where five people took part (two of them
    from one area: a count below the threshold of 3) and said things, one of whom has since
    withdrawn every consent; a theme answered by an action."""
    ws = workspace
    build_place(ws, tmp_path)
    sheet = ws.consent.add_sheet("Taking part", "1.0", "What happens.")
    cafe = ws.events.create(
        kind="world_cafe",
        title="Café at the library",
        place=PLACE,
        starts_at="2026-03-02T10:00",
        ends_at="2026-03-02T12:00",
        public=True,
    )
    people = [person(ws, sheet.id, area=area) for area in (UNCHANGED, UNCHANGED, UNCHANGED)]
    people += [person(ws, sheet.id, area=a) for a in (SPLIT, MERGED[0])]
    for someone in people:
        ws.events.attend(cafe.id, someone.id)
        ws.consent.give(
            someone.id,
            information_sheet=sheet.id,
            method="paper",
            scopes={"take_part": True, "quote": "anonymous"},
            at=datetime(2026, 1, 2, tzinfo=UTC),
        )
    green = add_theme(ws, "Green space", place=PLACE)
    kept = say(ws, cafe.id, "The park is our garden.", kind="quote", participant=people[0].id)
    gone = say(ws, cafe.id, "My secret words.", kind="quote", participant=people[4].id)
    for said in (kept, gone):
        _public(ws, said)
        code(ws, said, green)
    ws.consent.withdraw(people[4].id, scopes=["all"], method="online")
    ws.actions.add("New benches", place=PLACE, themes=[green])
    return ws


def _public(ws, contribution_id: str) -> None:
    from sqlalchemy import update

    from mobilise.store.tables import event_contributions

    with ws.write() as connection:
        connection.execute(
            update(event_contributions)
            .where(event_contributions.c.id == contribution_id)
            .values(public=True)
        )


def _text(ws, pack_id: str) -> str:
    return re.sub(r"<[^>]+>", " ", ws.packs.html(pack_id))


def test_a_pack_is_made_versioned_and_listed(place):
    ws = place
    pack = ws.packs.build(PLACE, audience="board")
    assert pack.status == "done" and pack.pages and pack.pages >= 1
    assert pack.number == 1 and pack.title.endswith("evidence for an ICS board")
    assert ws.packs.pdf(pack.id).startswith(b"%PDF-")
    text = _text(ws, pack.id)
    # key facts first, in plain words, with the place's own figures
    assert text.index("Key facts") < text.index("The place and its people")
    assert "neighbourhoods" in text and "people took part in 1 events here" in text
    # every figure and table names its source, date, licence and method
    assert text.count("Source:") >= 3 and "licence:" in text and "Method:" in text
    again = ws.packs.build(PLACE, audience="board")
    assert again.number == 2
    assert [p.id for p in ws.packs.list(PLACE)] == [again.id, pack.id]
    assert ws.packs.build(PLACE, audience="community").number == 1  # versions per audience


def test_counts_of_people_are_disclosure_controlled_and_withdrawals_honoured(place):
    ws = place
    k = int(ws.project_settings.get("disclosure_k"))
    pack = ws.packs.build(PLACE, audience="board")
    html = ws.packs.html(pack.id)
    # the people columns (who took part, voices) never hold a count from 1 to k - 1
    cells = re.findall(r"<td>([^<]*)</td>", html)
    assert f"fewer than {k}" in cells
    small = {str(n) for n in range(1, k)}
    tables = re.findall(r"<table>.*?</table>", html, flags=re.S)
    people_tables = [t for t in tables if "Took part" in t or "Voices" in t]
    assert people_tables
    for table in people_tables:
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
            counts = re.findall(r"<td>([^<]*)</td>", row)[:1]
            assert not small.intersection(counts), row
    # the quote of the person who withdrew is nowhere; the other one is there
    assert "My secret words." not in html and "The park is our garden." in html
    assert "My secret words." not in ws.packs.pdf(pack.id).decode("latin-1")


def test_the_manifest_records_the_inputs_and_rebuilds_the_pack(place):
    ws = place
    pack = ws.packs.build(PLACE, audience="funder")
    manifest = ws.packs.manifest(pack.id)
    assert manifest["place"] == PLACE and manifest["audience"] == "funder"
    assert manifest["settings"]["disclosure_k"] == int(ws.project_settings.get("disclosure_k"))
    assert manifest["software"]["schema_revision"] == ws.schema_revision
    keys = [s["key"] for s in manifest["sections"]]
    assert keys[:2] == ["population", "deprivation"]
    deprivation = next(s for s in manifest["sections"] if s["key"] == "deprivation")
    assert deprivation["inputs"]["areas"] == 4 and deprivation["sources"]
    missing = next(s for s in manifest["sections"] if s["key"] == "partnership")
    assert not missing["available"] and missing["note"]  # no survey: said, not hidden
    again = ws.packs.rebuild(pack.id)
    assert (again.place, again.audience, again.number) == (PLACE, "funder", 2)


def test_saved_as_pdf_or_a_page_that_reads_offline(place, tmp_path):
    ws = place
    pack = ws.packs.build(PLACE, audience="community")
    assert ws.packs.save(pack.id, tmp_path / "pack.pdf") > 1000
    assert (tmp_path / "pack.pdf").read_bytes().startswith(b"%PDF-")
    ws.packs.save(pack.id, tmp_path / "pack.html")
    page = (tmp_path / "pack.html").read_text("utf-8")
    assert "<style>" in page and "data:font/woff2;base64," in page
    assert "/static/pack.css" not in page
    stream = io.BytesIO()
    ws.packs.save(pack.id, stream, format="html")
    assert stream.getvalue().startswith(b"<!doctype html>")
    with pytest.raises(ValidationError) as refused:
        ws.packs.save(pack.id, tmp_path / "pack.docx", format="docx")
    assert refused.value.problems[0].field == "format"


def test_a_share_link_works_until_withdrawn(place):
    ws = place
    pack = ws.packs.build(PLACE, audience="community")
    token = ws.packs.share(pack.id)
    assert ws.packs.share(pack.id) == token  # the same link while it stands
    assert ws.packs.by_token(token).id == pack.id
    ws.packs.unshare(pack.id)
    with pytest.raises(NotFound):
        ws.packs.by_token(token)
    fresh = ws.packs.share(pack.id)
    assert fresh != token
    ws.packs.withdraw(pack.id)
    with pytest.raises(NotFound):
        ws.packs.by_token(fresh)
    with pytest.raises(NotFound):
        ws.packs.get(pack.id)
    assert ws.packs.list() == []


def test_bad_requests_name_the_field(place):
    ws = place
    with pytest.raises(ValidationError) as refused:
        ws.packs.build("nowhere", compare=[PLACE, PLACE], audience="boss")
    fields = sorted(p.field for p in refused.value.problems)
    assert fields == ["audience", "place"]
    with pytest.raises(ValidationError) as itself:
        ws.packs.start(PLACE, compare=[PLACE])
    assert itself.value.problems[0].field == "compare"
    assert ws.packs.list() == []  # nothing half-made


def test_a_pack_is_made_by_a_background_job(place):
    ws = place
    pack = ws.packs.submit(PLACE, audience="community")
    assert pack.status == "queued" and pack.job_id
    assert ws.jobs.get(pack.job_id).kind == "packs.build"
    assert ws.jobs.work(worker="test", until_idle=True) == 1
    done = ws.packs.get(pack.id)
    assert done.status == "done" and done.pages
    assert ws.jobs.get(pack.job_id).status == "done"
