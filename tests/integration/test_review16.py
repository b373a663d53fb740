"""The review of issue 16, in the workspace (SQLite and PostgreSQL): what the public pages read,
media stripped of location, disclosure control that subtraction cannot undo, backups that hold
the media, the harvest's client keys (a race, one transaction per photo, replay scoped to its
table and round), host links that expire, codings read by IN, no identity read for a public
page."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import event as sa_event
from sqlalchemy import select

from mobilise import Conflict, PermissionDenied, ValidationError, open_workspace
from mobilise.model.roles import IDENTITY_ROLES
from mobilise.store.tables import cafe_tables
from mobilise.workspace import Workspace, _cafe_harvest
from mobilise.workspace._theme_rows import coding_rows

from .._coproduction import add_event, consenting, png
from .._you_said import add_theme, code, say
from ..conftest import FIXTURES, new_postgres_database


@pytest.fixture
def sheet(workspace: Workspace):
    return workspace.consent.add_sheet("Taking part", "v1", "What taking part means ...")


@pytest.fixture
def town(workspace: Workspace) -> Workspace:
    workspace.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    workspace.places.create("testtown", "Testtown", authorities=["E09000001"])
    return workspace


# -- 1 and 15: the public "you said, we did" ----------------------------------------------------
def test_the_public_page_reads_only_public_events_and_words_marked_public(town, sheet):
    ws = town
    closed = add_event(ws, "Closed workshop", place="testtown", public=False)
    open_ = add_event(ws, "Open café", place="testtown", public=True)
    theme = add_theme(ws, "Access to GPs")
    code(ws, say(ws, closed, "Words from a closed room", group_label="T2", public=True), theme)
    code(ws, say(ws, open_, "Words staff did not mark public", group_label="T3"), theme)
    code(ws, say(ws, open_, "Words for everyone", group_label="T4", public=True), theme)
    page = ws.actions.public_page("testtown").to_dict()
    said = next(t for t in page["themes"] if t["name"] == "Access to GPs")
    assert said["quotes"] == [{"text": "Words for everyone", "who": "T4"}]
    everything = str(page) + ws.actions.atom("testtown", base_url="http://x/").decode()
    assert "closed room" not in everything and "did not mark" not in everything


def test_the_public_page_counts_people_not_contributions(town, sheet):
    ws = town
    ws.project_settings.set("disclosure_k", 3)
    event = add_event(ws, place="testtown", public=True)
    theme = add_theme(ws, "Green space")
    person = consenting(ws, sheet.id, quote="anonymous")
    for n in range(4):  # one person, four times
        code(
            ws, say(ws, event, f"Park {n}", kind="quote", participant=person.id, public=True), theme
        )
    said = next(t for t in ws.actions.public_page("testtown").themes if t.name == "Green space")
    assert said.voices is None and said.contributions is None  # one voice: fewer than 3
    for n in range(2):
        other = consenting(ws, sheet.id, quote="anonymous")
        code(
            ws, say(ws, event, f"Trees {n}", kind="quote", participant=other.id, public=True), theme
        )
    said = next(t for t in ws.actions.public_page("testtown").themes if t.name == "Green space")
    assert said.voices == 3 and said.contributions == 6


# -- 2 and 3: media -----------------------------------------------------------------------------
def _mpo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = io.BytesIO()
    first, second = Image.new("RGB", (64, 64), "red"), Image.new("RGB", (64, 64), "blue")
    first.save(out, "MPO", save_all=True, append_images=[second], exif=exif)
    return out.getvalue()


def test_a_multi_picture_jpeg_is_stored_as_one_picture_without_location(workspace):
    event = add_event(workspace)
    added = workspace.event_contributions.add(
        event, kind="photo", group_label="Table 1", media=_mpo_with_gps(), file_name="sheet.jpg"
    )
    data, media_type = workspace.event_contributions.media(added.id)
    picture = Image.open(io.BytesIO(data))
    assert media_type == "image/jpeg" and b"Exif\x00\x00" not in data
    assert picture.format == "JPEG" and getattr(picture, "n_frames", 1) == 1


def test_a_heic_photo_sent_as_a_video_is_refused_naming_what_it_is(workspace):
    def box(kind: bytes, payload: bytes) -> bytes:
        return (8 + len(payload)).to_bytes(4, "big") + kind + payload

    heic = box(b"ftyp", b"heic\0\0\0\0mif1heic") + box(b"mdat", b"Exif\0\0II*\0")
    with pytest.raises(ValidationError) as refused:
        workspace.event_contributions.add(
            add_event(workspace), kind="video", group_label="Walk", media=heic
        )
    assert "HEIC or AVIF picture" in str(refused.value.problems[0].message)


# -- 4: theme counts ----------------------------------------------------------------------------
def test_theme_counts_split_by_a_group_cannot_be_undone_by_subtraction(workspace, sheet):
    from mobilise.workspace.users import User

    event = add_event(workspace)
    theme = workspace.themes.add("Green space")
    for group, n in (("white_british", 8), ("white_roma", 2)):
        for i in range(n):
            person = workspace.participants.add(answers={"ethnic_group": group})
            workspace.consent.give(
                person.id, information_sheet=sheet.id, method="paper", scopes={"take_part": True}
            )
            said = workspace.event_contributions.add(
                event, kind="note", text=f"park {i}", participant=person.id
            )
            workspace.themes.code(said.id, theme.id, coder="ana")
    analyst = User("u1", "ana", "Ana", "analyst")
    overall = workspace.themes.counts(viewer=analyst)["rows"]
    split = workspace.themes.counts(by="ethnic_group", viewer=analyst)["rows"]
    assert [row["voices"] for row in overall] == [10]  # shown to the same viewer
    hidden = [row for row in split if row["voices"] is None]
    assert len(hidden) >= 2  # the small cell and another: 10 - 8 no longer gives it back


# -- 5: backups hold the media ------------------------------------------------------------------
def test_a_backup_holds_the_media_and_a_restore_brings_them_back(workspace, tmp_path, monkeypatch):
    event = add_event(workspace)
    photo = workspace.event_contributions.add(
        event, kind="photo", group_label="Table 1", media=png(b"sheet")
    )
    before, _ = workspace.event_contributions.media(photo.id)
    backup = workspace.backup.create(tmp_path / "backups")
    assert len(backup.manifest.media) == 1
    (digest,) = backup.manifest.media
    assert (backup.path / "media" / digest).read_bytes() == before
    with _new_database(workspace, tmp_path) as location:
        monkeypatch.setenv("MOBILISE_MEDIA_DIR", str(tmp_path / "restored-media"))
        restored = open_workspace(location, actor="restorer")
        try:
            report = restored.backup.restore(backup.path)
            assert report.media == 1
            data, media_type = restored.event_contributions.media(photo.id)
            assert data == before and media_type == "image/png"
        finally:
            restored.close()


def test_a_backup_whose_media_file_changed_is_refused(workspace, tmp_path):
    event = add_event(workspace)
    workspace.event_contributions.add(event, kind="photo", group_label="T1", media=png(b"x"))
    backup = workspace.backup.create(tmp_path / "backups")
    (digest,) = backup.manifest.media
    (backup.path / "media" / digest).write_bytes(b"not the picture")
    with pytest.raises(ValidationError, match="media files are missing or changed"):
        workspace.backup.read(backup.path)


@contextmanager
def _new_database(workspace: Workspace, tmp_path: Path) -> Iterator[str]:
    """A new database of the kind of ``workspace`` (as test_backup's)."""
    if workspace.dialect == "sqlite":
        yield str(tmp_path / f"{uuid.uuid4().hex[:12]}.sqlite")
        return
    with new_postgres_database(workspace.engine.url, prefix="mobilise_r") as url:
        yield url


# -- 7 and 19: public reads ---------------------------------------------------------------------
def test_a_persons_note_needs_quote_consent_on_public_pages(town, sheet):
    ws = town
    person = consenting(ws, sheet.id)  # take part only
    event = add_event(ws, public=True)
    note = ws.event_contributions.add(
        event, kind="note", text="My son was excluded", participant=person.id
    )
    ws.media.describe(note.id, public=True)
    ws.event_contributions.link(note.id, "area", "E01000001")
    assert ws.media.said_about("area", "E01000001", public_events_only=True) == []
    assert ws.media.gallery(event=event, media_only=False) == []
    assert [c.id for c in ws.event_contributions.list(event)] == [note.id]  # staff still see it
    quoting = consenting(ws, sheet.id, quote="anonymous")
    said = ws.event_contributions.add(
        event, kind="note", text="Open the hall", participant=quoting.id
    )
    ws.media.describe(said.id, public=True)
    assert [c.text for c in ws.media.gallery(event=event, media_only=False)] == ["Open the hall"]


def test_public_reads_never_read_identities(workspace, sheet, monkeypatch):
    person = consenting(workspace, sheet.id, quote="named")
    workspace.participants.set_identity(person.id, {"name": "Rani Example"})
    event = add_event(workspace, public=True)
    workspace.event_contributions.add(
        event, kind="quote", text="The hall is warm", participant=person.id, public=True
    )
    read: list[object] = []
    real = type(workspace.participants).identities

    def spying(self, ids, *, viewer=None):
        read.append(viewer)
        return real(self, ids, viewer=viewer)

    monkeypatch.setattr(type(workspace.participants), "identities", spying)
    shown = workspace.media.gallery(event=event, media_only=False, public_events_only=True)
    assert [c.text for c in shown] == ["The hall is warm"]
    assert read == []
    workspace.event_contributions.list(event)  # the operator may
    assert len(read) == 1 and (read[0] is None or read[0].role in IDENTITY_ROLES)


# -- 8, 9 and 10: the harvest's client keys, host links -----------------------------------------
@pytest.fixture
def cafe(workspace):
    event = add_event(workspace)
    workspace.cafes.add_question(event, "Q?", round_number=1)
    one = workspace.cafes.add_table(event, "Table 1")
    two = workspace.cafes.add_table(event, "Table 2", position=2)
    return workspace, event, one, two


def _racing(monkeypatch):
    """The next look-up of a key finds nothing, as when two sends looked before either wrote."""
    real = _cafe_harvest.HarvestService._by_key
    calls = {"n": 0}

    def racing(self, *args, **kwargs):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(self, *args, **kwargs)

    monkeypatch.setattr(_cafe_harvest.HarvestService, "_by_key", racing)


def test_two_sends_of_one_key_at_once_keep_one_note(cafe, monkeypatch):
    ws, event, one, _ = cafe
    first = ws.cafes.add_note(
        event, "First send", table=one.id, round_number=1, client_key="k-0000001"
    )
    _racing(monkeypatch)
    again = ws.cafes.add_note(
        event, "First send", table=one.id, round_number=1, client_key="k-0000001"
    )
    assert again.stored is False and again.note.id == first.note.id
    assert len(ws.event_contributions.list(event)) == 1


def test_a_photo_and_its_place_in_the_harvest_are_one_write(cafe, monkeypatch):
    ws, event, one, _ = cafe
    key = "k-photo-0001"
    ws.cafes.add_photo(event, png(b"sheet"), table=one.id, round_number=1, client_key=key)
    _racing(monkeypatch)
    again = ws.cafes.add_photo(event, png(b"sheet"), table=one.id, round_number=1, client_key=key)
    assert again.stored is False
    photos = [c for c in ws.event_contributions.list(event) if c.kind == "photo"]
    in_harvest = [n for n in ws.cafes.harvest(event).notes() if n.kind == "photo"]
    assert len(photos) == 1 and len(in_harvest) == 1


def test_a_key_of_another_table_or_round_is_a_conflict_that_shows_nothing(cafe):
    ws, event, one, two = cafe
    key = "0123456789-secret-key"
    ws.cafes.add_note(event, "Table two's words", table=two.id, round_number=1, client_key=key)
    for table, round_number in ((one.id, 1), (two.id, 2), (None, None)):
        with pytest.raises(Conflict) as refused:
            ws.cafes.add_note(event, "x", table=table, round_number=round_number, client_key=key)
        assert "Table two" not in str(refused.value)
    same = ws.cafes.add_note(event, "again", table=two.id, round_number=1, client_key=key)
    assert same.stored is False and same.note.text == "Table two's words"


def test_a_host_link_expires_hours_after_its_event(cafe):
    ws, _event, one, _ = cafe
    key = "a-long-random-test-secret-0123456789"
    token = ws.cafes.host_token(one.id, key=key)
    with ws.read() as connection:
        made = connection.execute(
            select(cafe_tables.c.created_at).where(cafe_tables.c.id == one.id)
        ).scalar_one()
    made = made if made.tzinfo else made.replace(tzinfo=UTC)
    ends = datetime(2026, 5, 2, 13, tzinfo=UTC)  # add_event's end
    until = max(made, ends) + timedelta(hours=48)  # the later of the two
    assert ws.cafes.table_by_token(one.id, token, key=key, valid_hours=48, now=until).id == one.id
    with pytest.raises(PermissionDenied, match=r"expired.*MOBILISE_HOST_LINK_HOURS"):
        ws.cafes.table_by_token(
            one.id, token, key=key, valid_hours=48, now=until + timedelta(seconds=1)
        )


# -- 12: codings read by IN ---------------------------------------------------------------------
def test_coding_rows_asks_the_database_only_for_the_contributions_wanted(workspace):
    event = add_event(workspace)
    theme = workspace.themes.add("Green")
    wanted = workspace.event_contributions.add(event, kind="note", text="a bench", group_label="T1")
    other = workspace.event_contributions.add(event, kind="note", text="other", group_label="T2")
    workspace.themes.code(wanted.id, theme.id, coder="ana")
    workspace.themes.code(other.id, theme.id, coder="ana")
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa_event.listen(workspace.engine, "before_cursor_execute", seen)
    try:
        rows = coding_rows(workspace, [wanted.id])
    finally:
        sa_event.remove(workspace.engine, "before_cursor_execute", seen)
    assert [row.contribution_id for row in rows] == [wanted.id]
    reads = [s for s in statements if "FROM codings" in s]
    assert reads and all("codings.contribution_id IN" in s for s in reads)
