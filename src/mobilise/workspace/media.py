"""Event media: the files of photos, drawings, audio and video clips, kept by content hash, their
description (alt text, caption, the maker's own words), and what may be shown in public.

**Storage.** A file is kept in the media folder (``MOBILISE_MEDIA_DIR``; by default
``<workspace file>.media/`` beside a SQLite workspace) under its SHA-256 as its name; the row
keeps ``media_hash`` and ``media_size``. Rows written before part 2 keep their bytes in the
``media`` column; reading works for both. A PostgreSQL workspace has no file beside it, so it
needs the setting to store media (a :class:`~mobilise.errors.ConfigurationError` naming it).

**Public.** A contribution is public only when staff mark it so, and a picture, audio or video
clip only once it has alt text. Public pages (galleries, the exhibition, assets and areas) show
only public contributions whose person is, *now*, in both ``take_part`` and the kind's consent
scope (:meth:`ConsentService.permitted <mobilise.workspace.consent.ConsentService.permitted>`;
a person's words, a note or a walk, need ``quote`` too, as on the "you said, we did" page),
and never a pseudonym or name (no identity is read): a person's contribution is "a
participant's", a table's keeps its table. Anonymous visitors see only what was given at public events.
"""

from __future__ import annotations

import builtins
import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mobilise.errors import ConfigurationError, NotFound, Problem, ValidationError
from mobilise.store.records import update_record
from mobilise.store.tables import assets, engagement_events, event_contributions

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace
    from mobilise.workspace.event_contributions import EventContribution

NOT_AUDITED = ("text", "media", "thumbnail", "alt_text", "caption", "maker_words", "route")
"""The columns of a contribution that never enter the audit trail (what people gave)."""

__all__ = [
    "MAX_ALT_TEXT",
    "MAX_CAPTION",
    "NOT_AUDITED",
    "PUBLIC_READER",
    "MediaService",
    "PublicContribution",
    "media_folder",
]


@dataclass(frozen=True)
class _Reader:
    username: str
    role: str


PUBLIC_READER = _Reader("public page", "public")
"""The viewer of what anyone may see (galleries, host links): never reads an identity
(``viewer=None`` is the operator, who may)."""

MAX_ALT_TEXT = 1_000
MAX_CAPTION = 2_000
MAX_MAKER_WORDS = 10_000
DESCRIBED = ("alt_text", "caption", "maker_words", "public")


def media_folder(workspace: Workspace) -> Path:
    """The folder of the workspace's media files (made when missing)."""
    from mobilise.settings import load_settings

    chosen = load_settings().media_dir
    if not chosen:
        database = workspace.engine.url.database
        if workspace.dialect != "sqlite" or not database or database == ":memory:":
            raise ConfigurationError(
                "This workspace has no folder for media: set MOBILISE_MEDIA_DIR to a folder "
                "the server may write to (a PostgreSQL workspace needs it to store files)."
            )
        chosen = f"{database}.media"
    folder = Path(chosen)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class PublicContribution:
    """A contribution as a public page shows it: no pseudonym, no name, no participant id.
    ``by`` is the table or group, or "A participant"."""

    id: str
    event_id: str
    event_title: str
    kind: str
    text: str
    by: str
    media_type: str
    alt_text: str
    caption: str
    maker_words: str
    illustrative: bool
    created_at: datetime
    has_thumbnail: bool = False

    @property
    def medium(self) -> str:
        return self.media_type.split("/")[0] if self.media_type else ""

    def to_dict(self) -> dict[str, Any]:
        found = dict(self.__dict__) | {"created_at": self.created_at.isoformat()}
        if self.media_type:
            found["file_url"] = f"/media/{self.id}"
            found["thumbnail_url"] = self.thumbnail_url
        return found

    @property
    def thumbnail_url(self) -> str:
        """A picture's small copy (the file itself for pictures stored before thumbnails)."""
        if self.medium != "image":
            return ""
        return f"/media/{self.id}/thumbnail" if self.has_thumbnail else f"/media/{self.id}"


class MediaService:
    """Keep media files by content hash, describe them, and read what may be public."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- files ------------------------------------------------------------------------------
    def keep(self, data: bytes) -> tuple[str, int]:
        """Store ``data`` in the media folder under its SHA-256; returns (hash, size). The same
        bytes are kept once; a file is written whole (to a temporary name, then renamed)."""
        digest = hashlib.sha256(data).hexdigest()
        folder = media_folder(self._ws)
        target = folder / digest
        if not target.exists():
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, target)
        return digest, len(data)

    def read(self, digest: str) -> bytes:
        """The bytes kept under ``digest`` (NotFound when the file is missing)."""
        return self.path(digest).read_bytes()

    def path(self, digest: str) -> Path:
        """Where the file kept under ``digest`` is (NotFound when it is missing), for a server
        to send it from disk (in parts, as a player asks) rather than from memory."""
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise NotFound(f"No media file {digest!r}.")
        path = media_folder(self._ws) / digest
        if not path.is_file():
            raise NotFound(f"The media file {digest} is missing from the media folder.")
        return path

    # -- description ------------------------------------------------------------------------
    def describe(
        self,
        contribution_id: str,
        *,
        alt_text: str | None = None,
        caption: str | None = None,
        maker_words: str | None = None,
        public: bool | None = None,
        version: int | None = None,
    ) -> EventContribution:
        """Set a contribution's alt text, caption, maker's words and whether it is public
        (``None`` leaves a field as it is). Making a picture, audio or video clip public needs
        its alt text (a 422 naming ``alt_text``)."""
        found = self._ws.event_contributions.get(contribution_id)
        given = {"alt_text": alt_text, "caption": caption, "maker_words": maker_words}
        values: dict[str, Any] = {k: v.strip() for k, v in given.items() if v is not None}
        if public is not None:
            values["public"] = bool(public)
        merged = {k: getattr(found, k) for k in DESCRIBED} | values
        problems = description_problems(found.kind, found.media_type, **merged)
        if problems:
            raise ValidationError("Cannot describe the contribution.", problems=problems)
        with self._ws.write() as connection:
            update_record(
                connection,
                event_contributions,
                contribution_id,
                values,
                expected_version=version,
                actor=self._ws.actor,
                entity_type="event contribution",
                omit_from_audit=NOT_AUDITED,
            )
        return self._ws.event_contributions.get(contribution_id)

    # -- public reads -----------------------------------------------------------------------
    def gallery(
        self,
        *,
        event: str | None = None,
        place: str | None = None,
        public_events_only: bool = False,
        media_only: bool = True,
        ids: builtins.list[str] | None = None,
    ) -> builtins.list[PublicContribution]:
        """The public contributions (media only, by default) of an event, of a place's events,
        or with the given ``ids``, oldest first; of public events only with
        ``public_events_only`` (anonymous visitors)."""
        titles = self._events(event=event, place=place, public_only=public_events_only)
        if not titles:
            return []
        shown = self._ws.event_contributions.list(
            event_ids=builtins.list(titles), public_only=True, ids=ids, viewer=PUBLIC_READER
        )
        return [
            _public(c, titles[c.event_id])
            for c in shown
            if (c.media_type or not media_only) and (c.alt_text or not c.media_type)
        ]

    def public_file(
        self, contribution_id: str, *, thumbnail: bool = False, public_events_only: bool = False
    ) -> tuple[bytes, str]:
        """The file (or the thumbnail) of a public contribution; NotFound otherwise."""
        found, media_type = self.public_source(
            contribution_id, thumbnail=thumbnail, public_events_only=public_events_only
        )
        return (found.read_bytes() if isinstance(found, Path) else found), media_type

    def public_source(
        self, contribution_id: str, *, thumbnail: bool = False, public_events_only: bool = False
    ) -> tuple[Path | bytes, str]:
        """As :meth:`public_file`, but a file kept in the media folder as its path."""
        shown = self.gallery(ids=[contribution_id], public_events_only=public_events_only)
        if not shown:
            raise NotFound(f"No public media {contribution_id!r}.")
        if thumbnail:
            return self._ws.event_contributions.thumbnail(contribution_id), "image/jpeg"
        return self._ws.event_contributions.media_source(contribution_id)

    def said_about(
        self, target_type: str, target_id: str, *, public_events_only: bool = False
    ) -> builtins.list[PublicContribution]:
        """The public contributions about an asset, an area (and the assets in it), a map
        factor or a partner: words and media, as a public page shows them."""
        from mobilise.workspace._contribution_links import about_ids

        ids = about_ids(self._ws, target_type, [target_id])
        if target_type == "area":
            ids += about_ids(self._ws, "asset", self._assets_in(target_id))
        if not ids:
            return []
        return self.gallery(ids=ids, public_events_only=public_events_only, media_only=False)

    def _assets_in(self, area_code: str) -> builtins.list[str]:
        with self._ws.read() as connection:
            return builtins.list(
                connection.execute(
                    select(assets.c.id).where(
                        assets.c.lsoa11_code == area_code, assets.c.deleted_at.is_(None)
                    )
                ).scalars()
            )

    def _events(self, *, event: str | None, place: str | None, public_only: bool) -> dict[str, str]:
        """The id -> title of the events asked for (all when neither event nor place)."""
        table = engagement_events
        query = select(table.c.id, table.c.title).where(table.c.deleted_at.is_(None))
        if event is not None:
            query = query.where(table.c.id == event)
        if place is not None:
            query = query.where(table.c.place_slug == place)
        if public_only:
            query = query.where(table.c.public.is_(True))
        with self._ws.read() as connection:
            return {row.id: row.title for row in connection.execute(query)}


def description_problems(
    kind: str, media_type: str, *, alt_text: str, caption: str, maker_words: str, public: bool
) -> builtins.list[Problem]:
    """What is wrong with a contribution's description (its lengths, public without alt text)."""
    problems = []
    for field, text, most in (
        ("alt_text", alt_text, MAX_ALT_TEXT),
        ("caption", caption, MAX_CAPTION),
        ("maker_words", maker_words, MAX_MAKER_WORDS),
    ):
        if len(text) > most:
            problems.append(Problem(f"at most {most:,} characters", field=field))
    if public and media_type and not alt_text.strip():
        problems.append(
            Problem(
                f"a {kind} needs alt text (what it shows, for people who cannot see it) "
                "before it is public",
                field="alt_text",
            )
        )
    return problems


def _public(c: EventContribution, event_title: str) -> PublicContribution:
    return PublicContribution(
        id=c.id,
        event_id=c.event_id,
        event_title=event_title,
        kind=c.kind,
        text=c.text,
        by=c.group_label if c.attribution == "group" else "A participant",
        media_type=c.media_type,
        alt_text=c.alt_text,
        caption=c.caption,
        maker_words=c.maker_words,
        illustrative=c.illustrative,
        created_at=c.created_at,
        has_thumbnail=c.has_thumbnail,
    )
