"""What people give at an engagement event: notes, quotes, stories, photos, drawings, audio and
video clips, walk routes; each by a participant (their pseudonym) or by a table or group
(``group_label``) when no one person gave it.

**Consent decides every read.** Each kind needs ``take_part`` and one consent scope
(:data:`~mobilise.model.engagement_vocab.CONTRIBUTION_SCOPE`: a quote or story needs ``quote``, a
photo or drawing ``photos``, audio ``audio``, video ``video``, a note or walk ``take_part``).
Every read here (an event's list, one contribution, its media bytes, the CSV and JSON exports)
keeps only the contributions whose participant is in :meth:`ConsentService.permitted
<mobilise.workspace.consent.ConsentService.permitted>` of ``take_part`` and of that scope *now*
(withdrawing only ``take_part`` hides everything the person gave); a group's
contribution, with no participant, is always kept. So a withdrawal takes a person's quotes and
pictures out of every page, API answer and export from that moment, and a contribution is also
refused when the person has not granted its scope.

**Attribution of quotes and stories** follows the person's ``quote`` consent: ``anonymous``
shows no pseudonym and no participant id (``attribution="anonymous"``); ``named`` shows the
pseudonym code to every staff reader, and the person's name (from their identity) only to
:data:`~mobilise.model.roles.IDENTITY_ROLES` (admins and the data controller) on the pages of
one event; exports never carry names. Other kinds show the pseudonym.

Media files are kept by content hash in the media folder (:mod:`mobilise.workspace.media`):
pictures are read by Pillow, stripped of EXIF (where they were taken) and given a thumbnail;
audio and video that say where they were recorded are refused. A contribution may be about
assets, areas, map factors and partners (:mod:`mobilise.workspace._contribution_links`).

Text and media never enter the audit trail (what a person said stays where consent governs it).
"""

from __future__ import annotations

import builtins
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.formats.media_types import (
    MEDIA_TYPES,
    carries_location,
    media_type,
    picture_container,
)
from mobilise.model.engagement_vocab import CONTRIBUTION_KINDS, CONTRIBUTION_SCOPE
from mobilise.model.roles import IDENTITY_ROLES
from mobilise.store.records import insert_record, soft_delete_record
from mobilise.store.tables import engagement_events, event_contributions, participants
from mobilise.workspace._contribution_links import (
    ContributionLink,
    add_link,
    links_of,
    links_of_many,
    remove_link,
)
from mobilise.workspace.media import NOT_AUDITED, PUBLIC_READER

if TYPE_CHECKING:
    from sqlalchemy import Row

    from mobilise.model.visibility import Viewer
    from mobilise.workspace._files import FileTarget
    from mobilise.workspace.core import Workspace

__all__ = [
    "EXPORT_COLUMNS",
    "MEDIUM_OF",
    "PUBLIC_READER",
    "EventContribution",
    "EventContributionService",
]

MEDIUM_OF: dict[str, str] = {
    "photo": "image",
    "drawing": "image",
    "audio": "audio",
    "video": "video",
}
"""The kinds that are media, and their medium; the others are text."""
MAX_TEXT_CHARS = 10_000
MAX_GROUP_LABEL = 120
EXPORT_COLUMNS = (
    "id",
    "event_id",
    "kind",
    "text",
    "code",
    "attribution",
    "group_label",
    "media_type",
    "media_bytes",
    "illustrative",
    "created_at",
)
"""The export's columns: no names, no participant ids, no media bytes (their size only)."""
HARVEST_PLACE = ("harvest", "round_number", "question_id", "client_key")
"""The columns of a café harvest's place that :meth:`EventContributionService.add` writes."""
WORD_KINDS = ("note", "walk")
"""Kinds whose words need only ``take_part`` for staff, but also ``quote`` on a public page."""


@dataclass(frozen=True)
class EventContribution:
    """A contribution as it may be shown. ``attribution`` is ``named`` or ``pseudonym`` (the
    ``code`` is shown), ``anonymous`` (no code, no participant id) or ``group``; ``name`` is
    filled only for identity readers and named quotes."""

    id: str
    event_id: str
    kind: str
    text: str
    participant_id: str | None
    code: str | None
    attribution: str
    group_label: str
    media_type: str
    media_bytes: int
    illustrative: bool
    created_at: datetime
    version: int
    name: str | None = None
    alt_text: str = ""
    caption: str = ""
    maker_words: str = ""
    public: bool = False
    has_thumbnail: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"created_at": self.created_at.isoformat()}

    def export_row(self) -> list[Any]:
        record = self.to_dict()
        return [record[column] for column in EXPORT_COLUMNS]


class EventContributionService:
    """Add an event's contributions, and read them only as consent allows."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def event_title(self, event: str) -> str:
        """The title of an event (NotFound when there is none)."""
        with self._ws.read() as connection:
            title = connection.execute(
                select(engagement_events.c.title).where(
                    engagement_events.c.id == event, engagement_events.c.deleted_at.is_(None)
                )
            ).scalar_one_or_none()
        if title is None:
            raise NotFound(f"No event {event!r}.")
        return str(title)

    # -- adding -----------------------------------------------------------------------------
    def add(
        self,
        event: str,
        *,
        kind: str,
        text: str = "",
        participant: str | None = None,
        group_label: str = "",
        media: bytes | None = None,
        illustrative: bool = False,
        alt_text: str = "",
        caption: str = "",
        maker_words: str = "",
        public: bool = False,
        file_name: str | None = None,
        harvest: Mapping[str, Any] | None = None,
    ) -> EventContribution:
        """Add a contribution to an event, by a participant (id or pseudonym code) or a group.

        A note, quote, story or walk needs ``text``; a photo, drawing, audio or video clip needs
        ``media`` (its type is read from its bytes; pictures at most ``MOBILISE_MAX_IMAGE_MB``,
        read in full, their metadata removed; audio and video at most the upload limit,
        ``MOBILISE_MAX_UPLOAD_MB``, refused when they say where they were recorded) and may
        carry a caption in ``text`` or ``caption``, its ``alt_text`` and the ``maker_words``.
        ``public`` needs the alt text of a file. The person must be in ``take_part`` and the
        kind's scope. A ``file_name`` whose extension claims another type than the bytes
        are (``photo.jpg`` holding a PNG or a ZIP) is refused. ``harvest``: where a World
        Café's photo goes (``harvest``, ``round_number``, ``question_id``, ``client_key``),
        written in the same transaction (:mod:`mobilise.workspace.cafes`).

        Raises
        ------
        ValidationError
            Naming each field: an unknown kind, neither or both of participant and group, text
            or media missing or too large, a media type not accepted, or a participant who has
            not granted the kind's consent scope.
        """
        from mobilise.workspace.media import description_problems

        problems, kept = self._media_problems(kind, text, media)
        medium = MEDIUM_OF.get(kind)
        found_type = media_type(media, medium) if medium and media else None
        problems += _name_problems(file_name, found_type, problems)
        problems += description_problems(
            kind,
            found_type or "",
            alt_text=alt_text.strip(),
            caption=caption.strip(),
            maker_words=maker_words.strip(),
            public=public,
        )
        label = " ".join(str(group_label).split())
        if bool(participant) == bool(label):
            problems.append(
                Problem(
                    "name either the participant or the group (table) label", field="participant"
                )
            )
        if len(label) > MAX_GROUP_LABEL:
            problems.append(Problem(f"at most {MAX_GROUP_LABEL} characters", field="group_label"))
        # the thumbnail is drawn before the write: a big photo never holds the write lock
        small = _thumbnail(kept) if kept and medium == "image" and not problems else None
        with self._ws.write() as connection:
            self.event_title(event)
            participant_id = None
            if participant:
                participant_id = self._ws.participants.id_of(connection, participant)
                if kind in CONTRIBUTION_SCOPE:
                    problems += self._consent_problems(participant, participant_id, kind)
            if problems:
                raise ValidationError("Cannot add the contribution.", problems=problems)
            stored = self._kept(kept, small)
            row = insert_record(
                connection,
                event_contributions,
                {
                    "event_id": event,
                    "participant_id": participant_id,
                    "group_label": label,
                    "kind": kind,
                    "text": text.strip(),
                    "media_type": found_type or "",
                    "illustrative": illustrative,
                    "alt_text": alt_text.strip(),
                    "caption": caption.strip(),
                    "maker_words": maker_words.strip(),
                    "public": public,
                    **stored,
                    **{k: v for k, v in (harvest or {}).items() if k in HARVEST_PLACE},
                },
                actor=self._ws.actor,
                entity_type="event contribution",
                omit_from_audit=NOT_AUDITED,
            )
        return self.get(row["id"])

    def _consent_problems(self, given: str, participant_id: str, kind: str) -> list[Problem]:
        """The person must be in ``take_part`` and in the kind's own scope, both now."""
        return [
            Problem(
                f"{given} has not consented to {scope!r}, which a {kind} needs", field="participant"
            )
            for scope in dict.fromkeys(("take_part", CONTRIBUTION_SCOPE[kind]))
            if participant_id not in self._ws.consent.permitted(scope)
        ]

    def _kept(self, data: bytes | None, small: bytes | None) -> dict[str, Any]:
        """The row's media columns: the file kept by hash, a picture's thumbnail."""
        if not data:
            return {}
        digest, size = self._ws.media.keep(data)
        return {"media_hash": digest, "media_size": size, "thumbnail": small}

    def _media_problems(
        self, kind: str, text: str, media: bytes | None
    ) -> tuple[list[Problem], bytes | None]:
        """The problems of the content, and the bytes to keep (a picture without metadata)."""
        problems = self._content_problems(kind, text, media)
        medium = MEDIUM_OF.get(kind)
        if problems or not medium or not media:
            return problems, None
        if medium != "image":
            if carries_location(media):
                message = (
                    f"the {kind} says where it was recorded (location metadata), which is not "
                    "kept: export it again with location off, then send it"
                )
                return [Problem(message, field="media")], None
            return [], media
        from mobilise.formats.media_types import clean_picture

        cleaned = clean_picture(media)
        if cleaned is None:
            names = ", ".join(MEDIA_TYPES["image"].values())
            message = f"the file's bytes are not a readable {names} picture"
            return [Problem(message, field="media")], None
        return [], cleaned

    def _content_problems(self, kind: str, text: str, media: bytes | None) -> list[Problem]:
        if kind not in CONTRIBUTION_KINDS:
            return [Problem(f"one of {', '.join(CONTRIBUTION_KINDS)}", field="kind")]
        problems = []
        if len(text) > MAX_TEXT_CHARS:
            problems.append(Problem(f"at most {MAX_TEXT_CHARS:,} characters", field="text"))
        medium = MEDIUM_OF.get(kind)
        if medium is None:
            if not text.strip():
                problems.append(Problem(f"a {kind} needs its words", field="text"))
            if media:
                problems.append(Problem(f"a {kind} is text: send no file", field="media"))
            return problems
        if not media:
            return [*problems, Problem(f"a {kind} needs its file", field="media")]
        limit, setting = (
            (self._ws.limits.max_image_mb * 1_048_576, "MOBILISE_MAX_IMAGE_MB")
            if medium == "image"
            else (self._ws.limits.upload_bytes, "the upload limit, MOBILISE_MAX_UPLOAD_MB")
        )
        if len(media) > limit:
            problems.append(
                Problem(
                    f"the file is {len(media) / 1_048_576:.1f} MB; at most "
                    f"{limit / 1_048_576:.0f} MB ({setting})",
                    field="media",
                )
            )
        if media_type(media, medium) is None:
            names = ", ".join(MEDIA_TYPES[medium].values())
            message = f"a {kind} must be a {names} file"
            if picture := picture_container(media):
                pictures = ", ".join(MEDIA_TYPES["image"].values())
                message = (
                    f"the file is a {picture} picture (a phone's photo format), not a "
                    f"{'film or sound' if medium != 'image' else names + ' picture'}: save it "
                    f"as {pictures} and send it as a photo"
                )
            problems.append(Problem(message, field="media"))
        return problems

    def remove(self, contribution_id: str, *, event: str | None = None) -> None:
        """Take a contribution away (soft deletion: it stays restorable for admins); with
        ``event``, NotFound unless the contribution belongs to that event."""
        found = self.get(contribution_id)
        if event is not None and found.event_id != event:
            raise NotFound(f"No contribution {contribution_id!r} at event {event!r}.")
        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                event_contributions,
                contribution_id,
                expected_version=None,
                actor=self._ws.actor,
                entity_type="event contribution",
            )

    # -- what it is about: assets, areas, factors, partners -----------------------------
    def link(self, contribution_id: str, target_type: str, target_id: str) -> ContributionLink:
        """Say a contribution is about an asset, area (GSS code), map factor or partner."""
        return add_link(self._ws, contribution_id, target_type, target_id)

    def unlink(self, contribution_id: str, link_id: str) -> None:
        """Take one of a contribution's links away."""
        remove_link(self._ws, contribution_id, link_id)

    def links(self, contribution_id: str) -> builtins.list[ContributionLink]:
        """What a contribution is about (NotFound when consent hides the contribution)."""
        return links_of(self._ws, contribution_id)

    def links_of_all(
        self, contributions: Iterable[EventContribution]
    ) -> dict[str, builtins.list[ContributionLink]]:
        """What each of ``contributions`` (as read here, so under consent) is about, by id, in
        one query (a page of an event's contributions)."""
        return links_of_many(self._ws, [c.id for c in contributions])

    # -- reading: consent first -------------------------------------------------------------
    def list(
        self,
        event: str | None = None,
        *,
        viewer: Viewer | None = None,
        kind: str | None = None,
        event_ids: Iterable[str] | None = None,
        ids: Iterable[str] | None = None,
        public_only: bool = False,
    ) -> builtins.list[EventContribution]:
        """The contributions of an event (every event when None; or of ``event_ids``; or with
        ``ids``) that consent lets be shown, oldest first; only those marked public with
        ``public_only``, where a person's words (a note, a walk) need ``quote`` too, as every
        public page's do. Names of named quotes only for identity readers (``viewer`` None, the
        operator, reads them; :data:`PUBLIC_READER` never does)."""
        query = self._query()
        table = event_contributions
        if event is not None:
            query = query.where(table.c.event_id == event)
        if event_ids is not None:
            query = query.where(table.c.event_id.in_(builtins.list(event_ids)))
        if ids is not None:
            query = query.where(table.c.id.in_(builtins.list(ids)))
        if public_only:
            query = query.where(table.c.public.is_(True))
        if kind is not None:
            if kind not in CONTRIBUTION_KINDS:
                raise ValidationError(
                    f"No contribution kind {kind!r}.",
                    problems=[Problem(f"one of {', '.join(CONTRIBUTION_KINDS)}", field="kind")],
                )
            query = query.where(event_contributions.c.kind == kind)
        with self._ws.read() as connection:
            rows = connection.execute(query).all()
        return self._shown(rows, viewer, public=public_only)

    def get(self, contribution_id: str, *, viewer: Viewer | None = None) -> EventContribution:
        """One contribution; NotFound when it does not exist or consent hides it."""
        with self._ws.read() as connection:
            rows = connection.execute(
                self._query().where(event_contributions.c.id == contribution_id)
            ).all()
        shown = self._shown(rows, viewer)
        if not shown:
            raise NotFound(f"No event contribution {contribution_id!r}.")
        return shown[0]

    def media(self, contribution_id: str) -> tuple[bytes, str]:
        """A contribution's file and its media type; NotFound when it has none or consent hides
        it."""
        found, media_type = self.media_source(contribution_id)
        return (found.read_bytes() if isinstance(found, Path) else found), media_type

    def media_source(self, contribution_id: str) -> tuple[Path | bytes, str]:
        """As :meth:`media`, but a file kept in the media folder as its path (a server sends it
        from disk, in the byte ranges a player asks for); bytes only for rows stored before
        the media folder."""
        found = self.get(contribution_id)
        table = event_contributions
        with self._ws.read() as connection:
            row = connection.execute(
                select(table.c.media, table.c.media_hash).where(table.c.id == contribution_id)
            ).one()
        if row.media_hash:
            return self._ws.media.path(row.media_hash), found.media_type
        if row.media is None:
            raise NotFound(f"Event contribution {contribution_id!r} has no file.")
        return bytes(row.media), found.media_type

    def thumbnail(self, contribution_id: str) -> bytes:
        """A picture's thumbnail (a JPEG); NotFound when it has none or consent hides it."""
        self.get(contribution_id)
        with self._ws.read() as connection:
            data = connection.execute(
                select(event_contributions.c.thumbnail).where(
                    event_contributions.c.id == contribution_id
                )
            ).scalar_one_or_none()
        if data is None:
            raise NotFound(f"Event contribution {contribution_id!r} has no thumbnail.")
        return bytes(data)

    def export(
        self, target: FileTarget, *, event: str | None = None, file_format: str = "csv"
    ) -> int:
        """Write the contributions consent lets be shown (of one event, or all) as ``csv``
        (formula-safe) or ``json`` to a path or binary stream; returns how many."""
        if file_format not in ("csv", "json"):
            raise ValidationError(
                f"No export format {file_format!r}.",
                problems=[Problem("csv or json", field="file_format")],
            )
        from mobilise.formats.safe_cells import csv_writer
        from mobilise.workspace._files import write_bytes

        shown = self.list(event)
        if file_format == "json":
            records = [dict(zip(EXPORT_COLUMNS, c.export_row(), strict=True)) for c in shown]
            data = json.dumps({"contributions": records}, ensure_ascii=False, indent=1)
            write_bytes(target, data.encode("utf-8"), name="event-contributions.json")
            return len(shown)
        out = io.StringIO(newline="")
        writer = csv_writer(out)  # no cell is written as a spreadsheet formula
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(c.export_row() for c in shown)
        write_bytes(target, out.getvalue().encode("utf-8"), name="event-contributions.csv")
        return len(shown)

    # -- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _query() -> Any:
        table = event_contributions
        columns = [c for c in table.c if c.name not in ("media", "media_size", "thumbnail")]
        size = func.coalesce(table.c.media_size, func.length(table.c.media), 0)
        return (
            select(*columns, participants.c.code)
            .add_columns(size.label("media_size"))
            .add_columns(table.c.thumbnail.is_not(None).label("has_thumbnail"))
            .outerjoin(participants, participants.c.id == event_contributions.c.participant_id)
            .where(event_contributions.c.deleted_at.is_(None))
            .order_by(event_contributions.c.created_at, event_contributions.c.id)
        )

    def _shown(
        self, rows: Iterable[Row[Any]], viewer: Viewer | None, *, public: bool = False
    ) -> builtins.list[EventContribution]:
        rows = builtins.list(rows)

        def scope_of(kind: str) -> str:
            return "quote" if public and kind in WORD_KINDS else CONTRIBUTION_SCOPE[kind]

        scopes = {scope_of(row.kind) for row in rows if row.participant_id}
        permitted = {scope: self._ws.consent.permitted(scope) for scope in {"take_part", *scopes}}
        kept = [
            row
            for row in rows
            if not row.participant_id
            or (
                row.participant_id in permitted["take_part"]
                and row.participant_id in permitted[scope_of(row.kind)]
            )
        ]
        people = {row.participant_id for row in kept if row.participant_id}
        quoting = {pid: state.quote for pid, state in self._ws.consent.state(people).items()}
        names = self._names(kept, quoting, viewer)
        return [_contribution_of(row, quoting, names) for row in kept]

    def _names(
        self, rows: builtins.list[Row[Any]], quoting: Mapping[str, str], viewer: Viewer | None
    ) -> dict[str, str]:
        """The names of people quoted by name, for identity readers only."""
        if viewer is not None and viewer.role not in IDENTITY_ROLES:
            return {}
        named = [
            row.participant_id
            for row in rows
            if row.participant_id
            and CONTRIBUTION_SCOPE[row.kind] == "quote"
            and quoting.get(row.participant_id) == "named"
        ]
        if not named:
            return {}
        found = self._ws.participants.identities(named, viewer=viewer)
        return {pid: identity.name for pid, identity in found.items() if identity.name}


def _contribution_of(
    row: Row[Any], quoting: Mapping[str, str], names: Mapping[str, str]
) -> EventContribution:
    participant_id, code = row.participant_id, row.code
    if not participant_id:
        attribution = "group"
    elif CONTRIBUTION_SCOPE[row.kind] == "quote":
        attribution = "named" if quoting.get(participant_id) == "named" else "anonymous"
    else:
        attribution = "pseudonym"
    if attribution == "anonymous":
        participant_id = code = None
    return EventContribution(
        id=row.id,
        event_id=row.event_id,
        kind=row.kind,
        text=row.text,
        participant_id=participant_id,
        code=code,
        attribution=attribution,
        group_label=row.group_label,
        media_type=row.media_type,
        media_bytes=int(row.media_size),
        illustrative=bool(row.illustrative),
        created_at=row.created_at,
        version=row.version,
        name=names.get(participant_id) if participant_id else None,
        alt_text=row.alt_text,
        caption=row.caption,
        maker_words=row.maker_words,
        public=bool(row.public),
        has_thumbnail=bool(row.has_thumbnail),
    )


def _name_problems(file_name: str | None, found: str | None, known: list[Problem]) -> list[Problem]:
    """A file named as one type whose bytes are another (or none accepted) is refused."""
    from mobilise.formats.media_types import named_type

    claimed = named_type(file_name) if file_name else None
    if claimed is None or claimed == found or any(p.field == "media" for p in known):
        return []
    what = found or "not a picture, sound or film accepted"
    return [Problem(f"the file is named {file_name!r} but its bytes are {what}", field="media")]


def _thumbnail(picture: bytes) -> bytes | None:
    from mobilise.formats.media_types import thumbnail

    return thumbnail(picture)
