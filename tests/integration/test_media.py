"""Arts-based media (issue 16): files kept by content hash in the media folder, EXIF GPS never
stored (checked on the stored bytes), files whose bytes are not what they say refused, audio
and video that say where they were recorded refused, thumbnails, alt text before anything is
public, links to assets, areas, factors and partners, and what public pages may show; on SQLite
and PostgreSQL (the checks of the files' bytes alone, on SQLite)."""

from __future__ import annotations

import hashlib
import io
import struct
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import update

from mobilise.errors import ConfigurationError, NotFound, ValidationError
from mobilise.store.tables import event_contributions

from .._coproduction import add_event, consenting, png
from ..conftest import FIXTURES

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def media_dir(tmp_path, monkeypatch):
    """Every workspace's media folder (a PostgreSQL workspace needs MOBILISE_MEDIA_DIR)."""
    folder = tmp_path / "media"
    monkeypatch.setenv("MOBILISE_MEDIA_DIR", str(folder))
    return folder


@pytest.fixture
def sheet(workspace):
    return workspace.consent.add_sheet("Photovoice", "v1", "What taking part means ...")


def jpeg_with_gps(colour: str = "green") -> bytes:
    """A JPEG whose EXIF says where it was taken (51°30'N 0°7'W) and on which camera."""
    picture = Image.new("RGB", (640, 480), colour)
    exif = Image.Exif()
    exif[0x010F] = "MakerOfPhones"  # Make
    exif[0x0110] = "Phone 12"  # Model
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (51.0, 30.0, 26.0)
    gps[3], gps[4] = "W", (0.0, 7.0, 39.0)
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(*, location: bool) -> bytes:
    """A small MP4: ftyp, a movie box whose user data may say where it was filmed, media."""
    user_data = box(b"\xa9xyz", b"\x00\x12\x15\xc7+51.5074-000.1278/") if location else b""
    movie = box(b"moov", box(b"mvhd", bytes(100)) + box(b"udta", user_data))
    return box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + movie + box(b"mdat", bytes(64))


def _problems(error):
    return {p.field for p in error.value.problems}


def test_a_jpeg_with_gps_is_stored_without_it(workspace, sheet, media_dir):
    person = consenting(workspace, sheet.id, photos=True)
    event = add_event(workspace)
    sent = jpeg_with_gps()
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(GPS_IFD)  # the test's file has GPS
    added = workspace.event_contributions.add(
        event, kind="photo", media=sent, participant=person.id, alt_text="A green field"
    )
    files = [path for path in media_dir.iterdir() if not path.name.startswith(".")]
    assert len(files) == 1
    stored = files[0].read_bytes()
    assert files[0].name == hashlib.sha256(stored).hexdigest()  # named by its content
    kept = Image.open(io.BytesIO(stored))
    assert kept.size == (640, 480) and kept.format == "JPEG"
    assert not kept.getexif() and not kept.getexif().get_ifd(GPS_IFD)
    assert b"Exif" not in stored and b"MakerOfPhones" not in stored
    assert workspace.event_contributions.media(added.id) == (stored, "image/jpeg")
    assert added.media_bytes == len(stored)
    small = Image.open(io.BytesIO(workspace.event_contributions.thumbnail(added.id)))
    assert small.format == "JPEG" and max(small.size) == 480 and not small.getexif()


def test_a_turned_photo_is_stored_upright_without_its_exif(sqlite_workspace, media_dir):
    picture = Image.new("RGB", (60, 40), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was held on its side
    exif.get_ifd(GPS_IFD)[1] = "N"
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    event = add_event(sqlite_workspace)
    added = sqlite_workspace.event_contributions.add(
        event, kind="drawing", media=out.getvalue(), group_label="Table 1"
    )
    stored, _ = sqlite_workspace.event_contributions.media(added.id)
    kept = Image.open(io.BytesIO(stored))
    assert kept.size == (40, 60) and not kept.getexif()


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xd8\xff\xe0" + b"not a picture at all" * 10,  # starts like a JPEG, is not one
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG signature and nothing readable
        b"PK\x03\x04 a zip file",
        b"GIF89a....",
    ],
)
def test_a_file_whose_bytes_are_not_a_picture_is_refused(sqlite_workspace, data, media_dir):
    event = add_event(sqlite_workspace)
    with pytest.raises(ValidationError) as error:
        sqlite_workspace.event_contributions.add(event, kind="photo", media=data, group_label="T1")
    assert _problems(error) == {"media"}
    assert not media_dir.exists() or not any(media_dir.iterdir())  # nothing kept


def test_video_that_says_where_it_was_filmed_is_refused(sqlite_workspace, media_dir):
    event = add_event(sqlite_workspace)
    adds = sqlite_workspace.event_contributions.add
    with pytest.raises(ValidationError) as error:
        adds(event, kind="video", media=mp4(location=True), group_label="T1")
    assert _problems(error) == {"media"} and "location" in str(error.value.problems[0])
    key = box(b"ftyp", b"M4A \x00\x00\x00\x00") + b"com.apple.quicktime.location.ISO6709"
    with pytest.raises(ValidationError):
        adds(event, kind="audio", media=key + bytes(32), group_label="T1")
    clip = adds(event, kind="video", media=mp4(location=False), group_label="T1")
    assert clip.media_type == "video/mp4"
    assert sqlite_workspace.event_contributions.media(clip.id)[0] == mp4(location=False)


def test_public_needs_alt_text(workspace, sheet):
    event = add_event(workspace)
    adds = workspace.event_contributions.add
    with pytest.raises(ValidationError) as error:
        adds(event, kind="photo", media=png(), group_label="T1", public=True)
    assert _problems(error) == {"alt_text"}
    photo = adds(event, kind="photo", media=png(), group_label="T1", caption="The pond")
    with pytest.raises(ValidationError) as error:
        workspace.media.describe(photo.id, public=True)
    assert _problems(error) == {"alt_text"}
    assert workspace.media.gallery(event=event) == []  # not public yet
    described = workspace.media.describe(
        photo.id, alt_text="Ducks on a pond", maker_words="I go there every day", public=True
    )
    assert (described.public, described.alt_text) == (True, "Ducks on a pond")
    [shown] = workspace.media.gallery(event=event)
    assert (shown.alt_text, shown.caption, shown.maker_words, shown.by) == (
        "Ducks on a pond",
        "The pond",
        "I go there every day",
        "T1",
    )
    note = adds(event, kind="note", text="Benches", group_label="T1", public=True)
    assert note.public  # words need no alt text


def test_withdrawing_take_part_alone_hides_everything_the_person_gave(workspace, sheet):
    person = consenting(workspace, sheet.id, quote="anonymous", photos=True)
    event = add_event(workspace)
    adds = workspace.event_contributions.add
    quote = adds(event, kind="quote", text="The lights are out", participant=person.id)
    photo = adds(
        event, kind="photo", media=png(), participant=person.id, alt_text="A lamp", public=True
    )
    workspace.consent.withdraw(person.id, scopes=["take_part"], method="online")
    assert workspace.event_contributions.list(event) == []
    for hidden in (quote.id, photo.id):
        with pytest.raises(NotFound):
            workspace.event_contributions.get(hidden)
    with pytest.raises(NotFound):
        workspace.media.public_file(photo.id)
    assert workspace.media.gallery(event=event) == []
    with pytest.raises(ValidationError) as error:  # and nothing new under the other scopes
        adds(event, kind="quote", text="again", participant=person.id)
    assert _problems(error) == {"participant"}
    assert "take_part" in str(error.value.problems[0])


def test_links_and_what_public_pages_show_about_a_place(workspace, sheet):
    workspace.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    workspace.assets.import_file(FIXTURES / "workspace" / "assets_small.geojson")
    asset = workspace.assets.search().items[0]
    person = consenting(workspace, sheet.id, quote="named")
    event = add_event(workspace)
    said = workspace.event_contributions.add(
        event, kind="quote", text="The hall is warm", participant=person.id, public=True
    )
    private = workspace.event_contributions.add(
        event, kind="note", text="Not for the public", group_label="T2"
    )
    ec = workspace.event_contributions
    link = ec.link(said.id, "asset", asset.id)
    assert ec.link(said.id, "asset", asset.id) == link  # once
    ec.link(private.id, "asset", asset.id)
    ec.link(said.id, "area", "E01000001")
    with pytest.raises(ValidationError) as error:
        ec.link(said.id, "area", "E99999999")
    assert _problems(error) == {"target_id"}
    with pytest.raises(ValidationError) as error:
        ec.link(said.id, "planet", "x")
    assert _problems(error) == {"target_type"}
    about = workspace.media.said_about("asset", asset.id)
    assert [(c.text, c.by) for c in about] == [("The hall is warm", "A participant")]
    assert "code" not in about[0].to_dict() and person.code not in str(about[0].to_dict())
    assert [c.id for c in workspace.media.said_about("area", "E01000001")] == [said.id]
    assert workspace.media.said_about("asset", asset.id, public_events_only=True) == []
    with pytest.raises(NotFound):  # a link of another contribution
        ec.unlink(private.id, link.id)
    ec.unlink(said.id, link.id)
    assert [x.target_type for x in ec.links(said.id)] == ["area"]
    assert ec.link(said.id, "asset", asset.id).id == link.id  # the same link comes back
    workspace.consent.withdraw(person.id, scopes=["quote"], method="online")
    assert workspace.media.said_about("area", "E01000001") == []
    with pytest.raises(NotFound):
        ec.links(said.id)


def test_galleries_of_public_events_and_places(workspace):
    workspace.places.create("testtown", "Testtown")
    shown = add_event(workspace, "Open day", place="testtown", public=True)
    closed = add_event(workspace, "Staff workshop", place="testtown")
    for event in (shown, closed):
        workspace.event_contributions.add(
            event, kind="drawing", media=png(event.encode()), group_label="T1", alt_text="A map"
        )
        workspace.media.describe(workspace.event_contributions.list(event)[0].id, public=True)
    assert {c.event_title for c in workspace.media.gallery(place="testtown")} == {
        "Open day",
        "Staff workshop",
    }
    visitors = workspace.media.gallery(place="testtown", public_events_only=True)
    assert [c.event_title for c in visitors] == ["Open day"]
    hidden = workspace.media.gallery(event=closed)[0].id
    with pytest.raises(NotFound):
        workspace.media.public_file(hidden, public_events_only=True)
    data, kind = workspace.media.public_file(hidden, thumbnail=True)
    assert kind == "image/jpeg" and data.startswith(b"\xff\xd8")


def test_files_stored_before_the_media_folder_are_still_read(workspace):
    event = add_event(workspace)
    photo = workspace.event_contributions.add(event, kind="photo", media=png(), group_label="T")
    with workspace.write() as connection:
        connection.execute(
            update(event_contributions)
            .where(event_contributions.c.id == photo.id)
            .values(media=b"older bytes", media_hash=None, media_size=None)
        )
    assert workspace.event_contributions.media(photo.id) == (b"older bytes", "image/png")
    assert workspace.event_contributions.get(photo.id).media_bytes == len(b"older bytes")


def test_the_same_file_is_kept_once(sqlite_workspace, media_dir):
    event = add_event(sqlite_workspace)
    for table in ("T1", "T2"):
        sqlite_workspace.event_contributions.add(
            event, kind="photo", media=png(), group_label=table
        )
    assert len([p for p in media_dir.iterdir() if not p.name.startswith(".")]) == 1


def test_postgresql_needs_the_media_folder_setting(workspace, monkeypatch):
    monkeypatch.delenv("MOBILISE_MEDIA_DIR")
    event = add_event(workspace)
    if workspace.dialect == "sqlite":  # beside the workspace file
        workspace.event_contributions.add(event, kind="photo", media=png(), group_label="T")
        assert any(Path(f"{workspace.engine.url.database}.media").iterdir())
        return
    with pytest.raises(ConfigurationError, match="MOBILISE_MEDIA_DIR"):
        workspace.event_contributions.add(event, kind="photo", media=png(), group_label="T")
    assert workspace.event_contributions.list(event) == []


def test_the_demo_draws_its_own_illustrative_pictures(sqlite_workspace):
    import numpy as np

    from mobilise.workspace.demo_media import build_media, draw_mural, draw_park

    for draw in (draw_park, draw_mural):
        one, again = draw(np.random.default_rng(3)), draw(np.random.default_rng(3))
        assert one == again and Image.open(io.BytesIO(one)).size == (800, 600)
    event = add_event(sqlite_workspace, "Arts café (illustrative)", illustrative=True)
    add_event(sqlite_workspace, "A real workshop")
    assert build_media(sqlite_workspace, seed=16) == 2
    shown = sqlite_workspace.media.gallery()
    assert [c.event_id for c in shown] == [event, event]
    assert all(c.illustrative and c.alt_text and "illustrative" in c.maker_words for c in shown)


def test_descriptions_and_files_stay_out_of_the_audit_trail(workspace):
    from sqlalchemy import select

    from mobilise.store.tables import audit_log

    event = add_event(workspace)
    photo = workspace.event_contributions.add(
        event, kind="photo", media=png(), group_label="T1", alt_text="Secret garden gate"
    )
    workspace.media.describe(photo.id, caption="Behind the flats", maker_words="My gran's")
    with workspace.read() as connection:
        trail = connection.execute(
            select(audit_log.c.before, audit_log.c.after).where(audit_log.c.entity_id == photo.id)
        ).all()
    assert len(trail) == 2
    written = str(trail)
    assert "Secret garden" not in written and "Behind the flats" not in written
    assert "gran" not in written and "thumbnail" not in written
