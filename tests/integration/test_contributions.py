"""Community contributions through the workspace, on SQLite and PostgreSQL."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

import pytest
from sqlalchemy import update

from mobilise import Conflict, ValidationError
from mobilise.formats import photos
from mobilise.store.records import now
from mobilise.store.tables import contributions
from mobilise.workspace.contributions import ContributionService, RateLimited

from ..conftest import FIXTURES

HERE = FIXTURES / "workspace"
KEY = "a" * 64


def tiny_png(*, with_text: bool = False) -> bytes:
    """A valid 1x1 PNG, optionally carrying a text chunk (metadata to be stripped)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    text = chunk(b"tEXt", b"GPS\x0051.5,-0.1") if with_text else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + text
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def public(register):
    return ContributionService(register.as_actor("anonymous"))


@pytest.fixture
def moderator(register):
    return ContributionService(register.as_actor("fiona"))


def library(ws):
    return next(a for a in ws.assets.search(per_page=10).items if a.name == "Testtown Library")


def test_accepted_correction_changes_the_asset_and_records_who(register, public, moderator):
    asset = library(register)
    sent = public.suggest_correction(
        asset.id,
        {"phone": "01234 567890", "name": asset.name},  # the unchanged name is left out
        note="New number since spring",
        contributor_name="Sam",
        contact="sam@example.org",
        client_key=KEY,
    )
    assert sent.payload["changes"] == {"phone": "01234 567890"}
    assert [c.id for c in moderator.queue()] == [sent.id]

    accepted = moderator.accept(sent.id, note="checked by phone")
    assert (accepted.status, accepted.moderated_by) == ("accepted", "fiona")
    changed = register.assets.get(asset.id)
    assert changed.phone == "01234 567890" and changed.updated_by == "fiona"
    history = register.audit.entries(entity_type="asset", entity_id=asset.id)
    update_entry = next(e for e in history if e.action == "update")
    assert update_entry.actor == "fiona"
    record = next(e for e in history if e.action == "contribution")
    assert record.after["suggested_by"] == "Sam" and record.after["accepted_by"] == "fiona"
    assert "Sam" in record.summary and "fiona" in record.summary
    # Contact details stay out of the audit trail.
    trail = register.audit.entries(entity_type="contribution", entity_id=sent.id)
    assert trail and all("contact" not in (e.after or {}) for e in trail)
    assert moderator.queue() == []
    with pytest.raises(Conflict, match="already accepted"):
        moderator.accept(sent.id)


def test_rejected_correction_leaves_the_asset(register, public, moderator):
    asset = library(register)
    sent = public.suggest_correction(asset.id, {"name": "Spam"}, client_key=KEY)
    rejected = moderator.reject(sent.id, note="not a real change")
    assert (rejected.status, rejected.moderation_note) == ("rejected", "not a real change")
    assert register.assets.get(asset.id).name == "Testtown Library"
    assert [c.id for c in moderator.queue("rejected")] == [sent.id]


def test_story_without_consent_is_never_listed(register, public, moderator):
    asset = library(register)
    kept = public.add_story(
        asset.id, "Where I learnt to read.", consent_to_publish=False, client_key=KEY
    )
    shared = public.add_story(
        asset.id,
        "My children's favourite place.",
        photo=tiny_png(with_text=True),
        photo_type="image/png",
        consent_to_publish=True,
        contributor_name="Asha",
        contact="07700 900000",
        client_key=KEY,
    )
    assert public.stories(asset.id) == []  # nothing published before moderation
    moderator.accept(kept.id)
    moderator.accept(shared.id)
    published = public.stories(asset.id)
    assert [s.story for s in published] == ["My children's favourite place."]
    assert "contact" not in published[0].to_dict()
    data, media_type = public.photo(shared.id)
    assert media_type == "image/png" and b"tEXt" not in data and data.endswith(b"IEND\xaeB`\x82")
    assert photos.photo_type(data) == "image/png"


@pytest.mark.parametrize(
    ("story", "photo", "field"),
    [
        ("", None, "story"),
        ("x" * 2001, None, "story"),
        ("fine", b"GIF89a....", "photo"),
        ("fine", b"\xff\xd8\xff" + b"\0" * (2 * 1024 * 1024), "photo"),
    ],
)
def test_story_checks(register, public, story, photo, field):
    with pytest.raises(ValidationError) as error:
        public.add_story(
            library(register).id, story, photo=photo, consent_to_publish=True, client_key=KEY
        )
    assert [p.field for p in error.value.problems] == [field]


def test_eleventh_suggestion_in_an_hour_is_refused(register, public):
    asset = library(register)
    for n in range(10):
        public.suggest_correction(asset.id, {}, note=f"note {n}", client_key=KEY)
    with pytest.raises(RateLimited) as refused:
        public.suggest_correction(asset.id, {}, note="one too many", client_key=KEY)
    assert refused.value.status_code == 429 and refused.value.exit_code == 7
    assert 60 <= refused.value.retry_after <= 3601
    # Another sender is not held back, and an hour later this one may send again.
    public.suggest_correction(asset.id, {}, note="someone else", client_key="b" * 64)
    with register.write() as connection:
        connection.execute(
            update(contributions)
            .where(contributions.c.client_key == KEY)
            .values(created_at=now() - timedelta(hours=1, minutes=1))
        )
    public.suggest_correction(asset.id, {}, note="back again", client_key=KEY)


def test_new_asset_suggestion_becomes_a_community_asset(register, public, moderator):
    sent = public.suggest_asset(
        {
            "name": "Friday Knit and Natter",
            "category": "community_group",
            "postcode": "tt11aa",
            "url": "https://knit.example.org",
        },
        contributor_name="Jo",
        client_key=KEY,
    )
    assert sent.payload["postcode"] == "TT1 1AA"
    accepted = moderator.accept(sent.id)
    made = register.assets.get(accepted.asset_id)
    assert (made.name, made.source, made.category) == (
        "Friday Knit and Natter",
        "community",
        "community_group",
    )
    assert made.source_id and made.lsoa11_code == "E01000001"  # located by its postcode
    # Names stay out of the asset (its fields are public); the contribution keeps who and when.
    assert made.extra == {"contribution_id": sent.id}
    history = register.audit.entries(entity_type="asset", entity_id=made.id)
    assert any(e.action == "contribution" and e.actor == "fiona" for e in history)


def test_bad_suggestions_list_every_problem(register, public):
    with pytest.raises(ValidationError) as error:
        public.suggest_asset(
            {"category": "castle", "postcode": "nowhere", "url": "javascript:alert(1)"},
            client_key=KEY,
        )
    assert sorted(p.field for p in error.value.problems) == ["category", "name", "postcode", "url"]
    with pytest.raises(ValidationError):
        public.suggest_correction(library(register).id, {}, client_key=KEY)  # nothing to say


def test_a_failed_acceptance_changes_nothing(register, public, moderator):
    asset = library(register)
    sent = public.suggest_correction(asset.id, {"phone": "999"}, client_key=KEY)
    register.assets.delete(asset.id)
    with pytest.raises(Exception):  # noqa: B017 - the asset is gone: NotFound
        moderator.accept(sent.id)
    assert moderator.get(sent.id).status == "pending"


def test_a_correction_to_details_changed_since_is_refused_others_still_apply(
    register, public, moderator
):
    asset = library(register)
    phone = public.suggest_correction(asset.id, {"phone": "01234 567890"}, client_key=KEY)
    url = public.suggest_correction(
        asset.id, {"url": "https://library.example.org"}, client_key=KEY
    )
    # An editor changes the phone number after both suggestions were sent.
    register.as_actor("ed").assets.update(
        asset.id, version=asset.version, changes={"phone": "01234 000000"}
    )
    with pytest.raises(Conflict, match="'Testtown Library' changed \\(phone by ed on") as refused:
        moderator.accept(phone.id)
    assert [p.field for p in refused.value.problems] == ["phone"]
    assert register.assets.get(asset.id).phone == "01234 000000"  # the editor's stays
    assert moderator.get(phone.id).status == "pending"
    moderator.accept(url.id)  # a different detail: the editor's change does not matter
    now_ = register.assets.get(asset.id)
    assert (now_.url, now_.phone) == ("https://library.example.org", "01234 000000")
    # A correction the asset already agrees with is accepted and changes nothing.
    same = public.suggest_correction(asset.id, {"email": "desk@example.org"}, client_key=KEY)
    register.as_actor("ed").assets.update(
        asset.id, version=now_.version, changes={"email": "desk@example.org"}
    )
    assert moderator.accept(same.id).status == "accepted"
    assert register.assets.get(asset.id).version == now_.version + 1
