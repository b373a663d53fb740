"""Community contributions: suggested assets, corrections and "what this place means to me".

Anyone may send one, without signing in; facilitators moderate them in a queue. Accepting one
applies it in one transaction, and the asset's history records who suggested it, who accepted it
and when. Suggestions are rate-limited per sender, counted in the database so the limit holds
across server processes; the sender is known only by ``client_key``, a keyed hash of their address
computed by the web layer (no raw address is stored).
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from mobilise.errors import Conflict, NotFound, Problem, RateLimited, ValidationError
from mobilise.formats import photos
from mobilise.geo import is_postcode, normalise_postcode
from mobilise.model.asset_vocab import CATEGORIES, STATUSES
from mobilise.model.contribution_vocab import (
    CORRECTABLE,
    DEFAULT_SUGGESTIONS_PER_HOUR,
    KINDS,
    MAX_CONTACT,
    MAX_NAME,
    MAX_NOTE,
    MAX_PHOTO_BYTES,
    MAX_STORY_CHARS,
    NEW_ASSET_FIELDS,
    STATUSES_OF_CONTRIBUTIONS,
)
from mobilise.store.records import audit, insert_record, new_id, now, update_record
from mobilise.store.tables import assets, contributions
from mobilise.workspace._rate import sent_in_last_hour
from mobilise.workspace.contribution_records import (
    Contribution,
    Story,
    contribution_from_row,
    published,
    select_contributions,
)

if TYPE_CHECKING:
    from mobilise.workspace.asset_records import Asset
    from mobilise.workspace.core import Workspace

__all__ = [
    "CORRECTABLE",
    "DEFAULT_SUGGESTIONS_PER_HOUR",
    "KINDS",
    "MAX_PHOTO_BYTES",
    "MAX_STORY_CHARS",
    "NEW_ASSET_FIELDS",
    "STATUSES_OF_CONTRIBUTIONS",
    "Contribution",
    "ContributionService",
    "Story",
]

COMMUNITY_SOURCE = "community"
# Left out of the audit trail: bulky bytes, the rate-limit key, and the sender's contact details.
_NOT_AUDITED = ("photo", "client_key", "contact")


def _text(
    value: Any, field: str, limit: int, problems: list[Problem], *, required: bool = False
) -> str:
    found = "" if value is None else str(value).strip()
    if required and not found:
        problems.append(Problem("please fill this in", field=field))
    if len(found) > limit:
        problems.append(Problem(f"please keep this to {limit:,} characters or fewer", field=field))
    return found


def _check_value(field: str, value: str, problems: list[Problem]) -> str:
    """A suggested field value in its stored form (postcodes normalised), noting problems."""
    if field == "postcode" and value:
        if not is_postcode(value):
            problems.append(Problem("this does not look like a UK postcode", field=field))
            return value
        return normalise_postcode(value)
    if field == "url" and value and not value.startswith(("https://", "http://")):
        problems.append(Problem("a website address starts with https:// or http://", field=field))
    if field == "status" and value and value not in STATUSES:
        problems.append(Problem(f"choose one of {', '.join(STATUSES)}", field=field))
    if field == "category" and value and value not in CATEGORIES:
        problems.append(Problem("choose one of the listed kinds of place", field=field))
    if field == "email" and value and "@" not in value:
        problems.append(Problem("an email address has an @ in it", field=field))
    return value


def _raise_if(problems: list[Problem], message: str) -> None:
    if problems:
        raise ValidationError(message, problems=problems)


class ContributionService:
    """Take suggestions from the public, moderate them, and publish the accepted stories."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- suggesting ---------------------------------------------------------------------------
    def suggest_asset(
        self,
        fields: Mapping[str, Any],
        *,
        contributor_name: str = "",
        contact: str = "",
        client_key: str,
        per_hour: int = DEFAULT_SUGGESTIONS_PER_HOUR,
    ) -> Contribution:
        """Suggest a new asset: ``name`` and ``category`` (a CATEGORIES id) are needed;
        ``address``, ``postcode``, ``description`` and ``url`` are optional.

        Raises
        ------
        ValidationError
            Listing every field that cannot be used.
        RateLimited
            When this sender already sent ``per_hour`` suggestions in the last hour.
        """
        problems: list[Problem] = [
            Problem("this cannot be suggested here", field=f)
            for f in sorted(set(fields) - set(NEW_ASSET_FIELDS))
        ]
        payload = {}
        for field, limit in NEW_ASSET_FIELDS.items():
            value = _text(
                fields.get(field), field, limit, problems, required=field in ("name", "category")
            )
            payload[field] = _check_value(field, value, problems)
        name, contact = self._sender(contributor_name, contact, problems)
        _raise_if(problems, "Some of the suggested asset cannot be used.")
        return self._add(
            {"kind": "new_asset", "asset_id": None, "payload": payload},
            name=name,
            contact=contact,
            client_key=client_key,
            per_hour=per_hour,
        )

    def suggest_correction(
        self,
        asset_id: str,
        changes: Mapping[str, Any],
        *,
        note: str = "",
        contributor_name: str = "",
        contact: str = "",
        client_key: str,
        per_hour: int = DEFAULT_SUGGESTIONS_PER_HOUR,
    ) -> Contribution:
        """Suggest corrections to a public asset: new values of :data:`CORRECTABLE` fields
        (values equal to the current ones are left out) and/or a ``note`` of what is wrong."""
        asset = self._ws.assets.get(asset_id, include_private=False)
        problems: list[Problem] = [
            Problem("this cannot be corrected here", field=f)
            for f in sorted(set(changes) - set(CORRECTABLE))
        ]
        suggested: dict[str, str] = {}
        for field, limit in CORRECTABLE.items():
            if field not in changes:
                continue
            value = _check_value(field, _text(changes[field], field, limit, problems), problems)
            current = getattr(asset, field) or ""
            if value != current:
                suggested[field] = value
        if "name" in suggested and not suggested["name"]:
            problems.append(Problem("an asset needs a name", field="name"))
        if "status" in suggested and not suggested["status"]:
            del suggested["status"]
        why = _text(note, "note", MAX_NOTE, problems)
        if not suggested and not why and not problems:
            problems.append(
                Problem("change at least one detail, or tell us what is wrong", field="note")
            )
        name, contact = self._sender(contributor_name, contact, problems)
        _raise_if(problems, "Some of the suggested correction cannot be used.")
        return self._add(
            {
                "kind": "correction",
                "asset_id": asset.id,
                "payload": {"changes": suggested, "note": why, "asset_version": asset.version},
            },
            name=name,
            contact=contact,
            client_key=client_key,
            per_hour=per_hour,
        )

    def add_story(
        self,
        asset_id: str,
        story: str,
        *,
        photo: bytes | None = None,
        photo_type: str | None = None,
        consent_to_publish: bool,
        contributor_name: str = "",
        contact: str = "",
        client_key: str,
        per_hour: int = DEFAULT_SUGGESTIONS_PER_HOUR,
    ) -> Contribution:
        """Add "what this place means to me": a story of 1 to 2,000 characters and optionally a
        JPEG, PNG or WebP photo of at most 2 MB (its type is read from its bytes; ``photo_type``,
        what the sender's browser claimed, is not trusted). Without ``consent_to_publish`` the
        story is kept for the consortium but never published."""
        asset = self._ws.assets.get(asset_id, include_private=False)
        problems: list[Problem] = []
        told = (story or "").strip()
        if not told:
            problems.append(Problem("please write a few words", field="story"))
        elif len(told) > MAX_STORY_CHARS:
            problems.append(
                Problem(
                    f"please keep your story to {MAX_STORY_CHARS:,} characters "
                    f"(it has {len(told):,})",
                    field="story",
                )
            )
        stored_type = None
        if photo:
            stored_type = photos.photo_type(photo)
            if stored_type is None:
                claimed = f" (it says it is {photo_type})" if photo_type else ""
                problems.append(
                    Problem(
                        f"the photo must be a {', '.join(photos.PHOTO_TYPES.values())} picture{claimed}",
                        field="photo",
                    )
                )
            if len(photo) > MAX_PHOTO_BYTES:
                problems.append(
                    Problem(
                        f"the photo is {len(photo) / 1_048_576:.1f} MB; please send one of "
                        "2 MB or less",
                        field="photo",
                    )
                )
        name, contact = self._sender(contributor_name, contact, problems)
        _raise_if(problems, "Your story could not be saved yet.")
        return self._add(
            {
                "kind": "story",
                "asset_id": asset.id,
                "payload": {},
                "story": told,
                "photo": photos.strip_metadata(photo) if photo and stored_type else None,
                "photo_type": stored_type,
                "consent_to_publish": bool(consent_to_publish),
            },
            name=name,
            contact=contact,
            client_key=client_key,
            per_hour=per_hour,
        )

    def _sender(self, name: str, contact: str, problems: list[Problem]) -> tuple[str, str]:
        return (
            _text(name, "contributor_name", MAX_NAME, problems),
            _text(contact, "contact", MAX_CONTACT, problems),
        )

    def _add(
        self, values: dict[str, Any], *, name: str, contact: str, client_key: str, per_hour: int
    ) -> Contribution:
        if not client_key or len(client_key) > 64:
            raise ValidationError(
                "A contribution needs the sender's key (at most 64 characters).",
                problems=[Problem("1 to 64 characters", field="client_key")],
            )
        with self._ws.write() as connection:
            self._check_rate(connection, client_key, per_hour)
            row = insert_record(
                connection,
                contributions,
                {
                    "story": "",
                    "photo": None,
                    "photo_type": None,
                    "consent_to_publish": False,
                    **values,
                    "contributor_name": name,
                    "contact": contact,
                    "status": "pending",
                    "moderated_by": None,
                    "moderated_at": None,
                    "moderation_note": "",
                    "client_key": client_key,
                },
                actor=self._ws.actor,
                entity_type="contribution",
                omit_from_audit=_NOT_AUDITED,
            )
        return self.get(row["id"])

    def _check_rate(self, connection: Connection, client_key: str, per_hour: int) -> None:
        sent, wait = sent_in_last_hour(connection, contributions, client_key, lock_name="")
        if sent >= per_hour:
            raise RateLimited(
                f"Thank you for all your suggestions! You have sent {sent} in the last hour, "
                f"the most we can take. Please try again in about {-(-wait // 60)} minutes.",
                retry_after=wait,
            )

    # -- reading ------------------------------------------------------------------------------
    def get(self, contribution_id: str) -> Contribution:
        with self._ws.read() as connection:
            row = connection.execute(
                select_contributions().where(contributions.c.id == contribution_id)
            ).first()
        if row is None or row.deleted_at is not None:
            raise NotFound(f"No contribution {contribution_id!r}.")
        return contribution_from_row(row)

    def queue(self, status: str = "pending", *, limit: int = 200) -> builtins.list[Contribution]:
        """Contributions with ``status`` (pending, accepted, rejected), oldest first when pending
        (first come, first moderated), newest first otherwise."""
        if status not in STATUSES_OF_CONTRIBUTIONS:
            raise ValidationError(
                "Unknown status.",
                problems=[
                    Problem(f"use one of {', '.join(STATUSES_OF_CONTRIBUTIONS)}", field="status")
                ],
            )
        order = contributions.c.created_at
        query = (
            select_contributions()
            .where(contributions.c.status == status, contributions.c.deleted_at.is_(None))
            .order_by(order if status == "pending" else order.desc(), contributions.c.id)
            .limit(limit)
        )
        with self._ws.read() as connection:
            return [contribution_from_row(r) for r in connection.execute(query)]

    def counts(self) -> dict[str, int]:
        """How many contributions have each status."""
        with self._ws.read() as connection:
            found: dict[str, int] = dict(
                connection.execute(
                    select(contributions.c.status, func.count())
                    .where(contributions.c.deleted_at.is_(None))
                    .group_by(contributions.c.status)
                ).all()
            )
        return {s: int(found.get(s, 0)) for s in STATUSES_OF_CONTRIBUTIONS}

    def stories(self, asset_id: str) -> builtins.list[Story]:
        """The published stories of an asset (accepted, with consent), newest first."""
        with self._ws.read() as connection:
            rows = connection.execute(
                select(
                    contributions.c.id,
                    contributions.c.asset_id,
                    contributions.c.story,
                    contributions.c.contributor_name,
                    contributions.c.photo_type,
                    contributions.c.created_at,
                )
                .where(*published(), contributions.c.asset_id == asset_id)
                .order_by(contributions.c.created_at.desc(), contributions.c.id)
            ).all()
        return [
            Story(
                r.id,
                r.asset_id,
                r.story,
                r.contributor_name,
                r.photo_type is not None,
                r.created_at,
            )
            for r in rows
        ]

    def photo(self, contribution_id: str, *, published_only: bool = True) -> tuple[bytes, str]:
        """A story's photo and its media type; by default only of a published story."""
        query = select(contributions.c.photo, contributions.c.photo_type).where(
            contributions.c.id == contribution_id,
            contributions.c.photo.is_not(None),
            contributions.c.deleted_at.is_(None),
        )
        if published_only:
            query = query.where(*published())
        with self._ws.read() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise NotFound(f"No photo for contribution {contribution_id!r}.")
        return bytes(row.photo), str(row.photo_type)

    # -- moderating ---------------------------------------------------------------------------
    def accept(self, contribution_id: str, *, note: str = "") -> Contribution:
        """Accept a pending contribution, as this workspace's actor (the moderator), in one
        transaction: a correction is applied to the asset, a new asset is created (source
        "community"), a story becomes visible (if its sender consented). The asset's history
        records who suggested it, who accepted it and when."""
        moderator = self._ws.actor
        with self._ws.write() as connection:
            found = self._pending(connection, contribution_id)
            at = now()
            asset_id = found.asset_id
            if found.kind == "correction":
                assert asset_id is not None
                changes = dict(found.payload.get("changes") or {})
                if changes:
                    current = self._ws.assets.get(asset_id)
                    changes = {  # what the asset already says needs no change
                        f: v for f, v in changes.items() if (getattr(current, f) or "") != v
                    }
                    self._check_not_changed_since(found, current, changes)
                    if changes:
                        self._ws.assets.update(asset_id, version=current.version, changes=changes)
            elif found.kind == "new_asset":
                asset_id = self._create_asset(found, at)
            update_record(
                connection,
                contributions,
                found.id,
                {
                    "status": "accepted",
                    "asset_id": asset_id,
                    "moderated_by": moderator,
                    "moderated_at": at,
                    "moderation_note": note.strip(),
                },
                expected_version=found.version,
                actor=moderator,
                entity_type="contribution",
                omit_from_audit=_NOT_AUDITED,
            )
            if asset_id is not None:
                audit(
                    connection,
                    actor=moderator,
                    entity_type="asset",
                    entity_id=asset_id,
                    action="contribution",
                    after={
                        "contribution_id": found.id,
                        "kind": found.kind,
                        "suggested_by": found.suggested_by,
                        "suggested_at": found.created_at.isoformat(),
                        "accepted_by": moderator,
                        "accepted_at": at.isoformat(),
                        "changes": found.payload.get("changes", found.payload),
                    },
                    summary=f"{found.label} suggested by {found.suggested_by} on "
                    f"{found.created_at:%d %B %Y %H:%M} UTC, accepted by {moderator} on "
                    f"{at:%d %B %Y %H:%M} UTC",
                )
        return self.get(contribution_id)

    def _check_not_changed_since(
        self, found: Contribution, current: Asset, changes: Mapping[str, Any]
    ) -> None:
        """Refuse a correction to details someone changed after it was suggested (found in the
        asset's audit trail; changes to other details do not matter): accepting it would undo
        their change without anyone seeing it."""
        moved: dict[str, Any] = {}
        for entry in self._ws.audit.entries(entity_type="asset", entity_id=current.id, limit=1000):
            if entry.at <= found.created_at:
                break  # newest first: the rest came before the suggestion
            before, after = entry.before or {}, entry.after or {}
            for f in changes:
                if f not in moved and f in after and before.get(f) != after[f]:
                    moved[f] = entry
        if moved:
            who = "; ".join(
                f"{f} by {e.actor} on {e.at:%d %B %Y %H:%M} UTC" for f, e in sorted(moved.items())
            )
            raise Conflict(
                f"Since this correction was suggested, {current.name!r} changed ({who}). Compare "
                "the suggestion with the asset as it is now, then change the asset yourself or "
                "reject the suggestion.",
                problems=[Problem("changed since the suggestion", field=f) for f in sorted(moved)],
            )

    def reject(self, contribution_id: str, *, note: str) -> Contribution:
        """Turn a pending contribution down; ``note`` says why (for the record)."""
        with self._ws.write() as connection:
            found = self._pending(connection, contribution_id)
            update_record(
                connection,
                contributions,
                found.id,
                {
                    "status": "rejected",
                    "moderated_by": self._ws.actor,
                    "moderated_at": now(),
                    "moderation_note": note.strip(),
                },
                expected_version=found.version,
                actor=self._ws.actor,
                entity_type="contribution",
                omit_from_audit=_NOT_AUDITED,
            )
        return self.get(contribution_id)

    def _pending(self, connection: Connection, contribution_id: str) -> Contribution:
        row = connection.execute(
            select_contributions().where(contributions.c.id == contribution_id)
        ).first()
        if row is None or row.deleted_at is not None:
            raise NotFound(f"No contribution {contribution_id!r}.")
        found = contribution_from_row(row)
        if found.status != "pending":
            raise Conflict(
                f"This contribution was already {found.status} by {found.moderated_by} on "
                f"{found.moderated_at:%d %B %Y %H:%M}."
            )
        return found

    def _create_asset(self, found: Contribution, at: datetime) -> str:
        from mobilise.model.assets import AssetFile, AssetRecord

        fields = found.payload
        source_id = new_id()
        record = AssetRecord(
            name=fields["name"],
            category=fields["category"],
            source=COMMUNITY_SOURCE,
            source_id=source_id,
            description=fields.get("description", ""),
            address=fields.get("address", ""),
            postcode=fields.get("postcode") or None,
            url=fields.get("url", ""),
            # Who suggested and who accepted stay in the contribution and the audit trail.
            extra={"contribution_id": found.id},
        )
        self._ws.assets.import_file(AssetFile(f"contribution {found.id}", records=[record]))
        with self._ws.read() as connection:
            asset_id: str = connection.execute(
                select(assets.c.id).where(
                    assets.c.source == COMMUNITY_SOURCE, assets.c.source_id == source_id
                )
            ).scalar_one()
        return asset_id
