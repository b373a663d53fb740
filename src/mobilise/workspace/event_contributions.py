"""What people give at an engagement event: notes, quotes, stories, photos, drawings, audio and
video clips, walk routes; each by a participant (their pseudonym) or by a table or group
(``group_label``) when no one person gave it.

**Consent decides every read.** Each kind needs one consent scope
(:data:`~mobilise.model.engagement_vocab.CONTRIBUTION_SCOPE`: a quote or story needs ``quote``, a
photo or drawing ``photos``, audio ``audio``, video ``video``, a note or walk ``take_part``).
Every read here (an event's list, one contribution, its media bytes, the CSV and JSON exports)
keeps only the contributions whose participant is in :meth:`ConsentService.permitted
<mobilise.workspace.consent.ConsentService.permitted>` of that scope *now*; a group's
contribution, with no participant, is always kept. So a withdrawal takes a person's quotes and
pictures out of every page, API answer and export from that moment, and a contribution is also
refused when the person has not granted its scope.

**Attribution of quotes and stories** follows the person's ``quote`` consent: ``anonymous``
shows no pseudonym and no participant id (``attribution="anonymous"``); ``named`` shows the
pseudonym code to every staff reader, and the person's name (from their identity) only to
:data:`~mobilise.model.roles.IDENTITY_ROLES` (admins and the data controller) on the pages of
one event; exports never carry names. Other kinds show the pseudonym.

Text and media never enter the audit trail (what a person said stays where consent governs it).
"""

from __future__ import annotations

import builtins
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.formats.media_types import MEDIA_TYPES, media_type, stored_media
from mobilise.model.contribution_vocab import MAX_PHOTO_BYTES
from mobilise.model.engagement_vocab import CONTRIBUTION_KINDS, CONTRIBUTION_SCOPE
from mobilise.model.roles import IDENTITY_ROLES
from mobilise.store.records import insert_record, soft_delete_record
from mobilise.store.tables import engagement_events, event_contributions, participants

if TYPE_CHECKING:
    from sqlalchemy import Row

    from mobilise.model.visibility import Viewer
    from mobilise.workspace._files import FileTarget
    from mobilise.workspace.core import Workspace

__all__ = ["EXPORT_COLUMNS", "MEDIUM_OF", "EventContribution", "EventContributionService"]

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
_NOT_AUDITED = ("text", "media")


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
    ) -> EventContribution:
        """Add a contribution to an event, by a participant (id or pseudonym code) or a group.

        A note, quote, story or walk needs ``text``; a photo, drawing, audio or video clip needs
        ``media`` (its type is read from its bytes; pictures at most 2 MB, their metadata
        removed; audio and video at most the upload limit, ``MOBILISE_MAX_UPLOAD_MB``) and may
        carry a caption in ``text``.

        Raises
        ------
        ValidationError
            Naming each field: an unknown kind, neither or both of participant and group, text
            or media missing or too large, a media type not accepted, or a participant who has
            not granted the kind's consent scope.
        """
        problems = self._content_problems(kind, text, media)
        label = " ".join(str(group_label).split())
        if bool(participant) == bool(label):
            problems.append(
                Problem(
                    "name either the participant or the group (table) label", field="participant"
                )
            )
        if len(label) > MAX_GROUP_LABEL:
            problems.append(Problem(f"at most {MAX_GROUP_LABEL} characters", field="group_label"))
        medium = MEDIUM_OF.get(kind)
        found_type = media_type(media, medium) if medium and media else None
        with self._ws.write() as connection:
            self.event_title(event)
            participant_id = None
            if participant:
                participant_id = self._ws.participants.id_of(connection, participant)
                scope = CONTRIBUTION_SCOPE.get(kind)
                if scope and participant_id not in self._ws.consent.permitted(scope):
                    problems.append(
                        Problem(
                            f"{participant} has not consented to {scope!r}, which a {kind} needs",
                            field="participant",
                        )
                    )
            if problems:
                raise ValidationError("Cannot add the contribution.", problems=problems)
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
                    "media": stored_media(media, medium) if medium and media else None,
                    "illustrative": illustrative,
                },
                actor=self._ws.actor,
                entity_type="event contribution",
                omit_from_audit=_NOT_AUDITED,
            )
        return self.get(row["id"])

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
            (MAX_PHOTO_BYTES, "2 MB, as for every photo")
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
            problems.append(Problem(f"a {kind} must be a {names} file", field="media"))
        return problems

    def remove(self, contribution_id: str) -> None:
        """Take a contribution away (soft deletion: it stays restorable for admins)."""
        self.get(contribution_id)
        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                event_contributions,
                contribution_id,
                expected_version=None,
                actor=self._ws.actor,
                entity_type="event contribution",
            )

    # -- reading: consent first -------------------------------------------------------------
    def list(
        self, event: str | None = None, *, viewer: Viewer | None = None, kind: str | None = None
    ) -> builtins.list[EventContribution]:
        """The contributions of an event (every event when None) that consent lets be shown,
        oldest first; names of named quotes only for identity readers (``viewer`` None, the
        operator, reads them)."""
        query = self._query()
        if event is not None:
            query = query.where(event_contributions.c.event_id == event)
        if kind is not None:
            if kind not in CONTRIBUTION_KINDS:
                raise ValidationError(
                    f"No contribution kind {kind!r}.",
                    problems=[Problem(f"one of {', '.join(CONTRIBUTION_KINDS)}", field="kind")],
                )
            query = query.where(event_contributions.c.kind == kind)
        with self._ws.read() as connection:
            rows = connection.execute(query).all()
        return self._shown(rows, viewer)

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
        found = self.get(contribution_id)
        with self._ws.read() as connection:
            data = connection.execute(
                select(event_contributions.c.media).where(
                    event_contributions.c.id == contribution_id
                )
            ).scalar_one_or_none()
        if data is None:
            raise NotFound(f"Event contribution {contribution_id!r} has no file.")
        return bytes(data), found.media_type

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
        columns = [c for c in event_contributions.c if c.name != "media"]
        return (
            select(*columns, participants.c.code)
            .add_columns(
                func.coalesce(func.length(event_contributions.c.media), 0).label("media_size")
            )
            .outerjoin(participants, participants.c.id == event_contributions.c.participant_id)
            .where(event_contributions.c.deleted_at.is_(None))
            .order_by(event_contributions.c.created_at, event_contributions.c.id)
        )

    def _shown(
        self, rows: Iterable[Row[Any]], viewer: Viewer | None
    ) -> builtins.list[EventContribution]:
        rows = builtins.list(rows)
        scopes = {CONTRIBUTION_SCOPE[row.kind] for row in rows if row.participant_id}
        permitted = {scope: self._ws.consent.permitted(scope) for scope in scopes}
        kept = [
            row
            for row in rows
            if not row.participant_id
            or row.participant_id in permitted[CONTRIBUTION_SCOPE[row.kind]]
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
    )
