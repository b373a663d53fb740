"""A contribution as facilitators see it, a published story, and how both are read from the
database (the contributions service writes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import select

from mobilise.store.tables import assets, contributions

__all__ = ["Contribution", "Story", "contribution_from_row", "published", "select_contributions"]


@dataclass(frozen=True)
class Contribution:
    """One contribution as facilitators see it (contact details included, photo bytes not)."""

    id: str
    kind: str
    asset_id: str | None
    asset_name: str
    payload: dict[str, Any]
    story: str
    has_photo: bool
    photo_type: str | None
    contributor_name: str
    contact: str
    consent_to_publish: bool
    status: str
    moderated_by: str | None
    moderated_at: datetime | None
    moderation_note: str
    created_at: datetime
    created_by: str
    version: int

    SUMMARY: ClassVar[dict[str, str]] = {
        "new_asset": "New asset",
        "correction": "Correction",
        "story": "What this place means to me",
    }

    @property
    def label(self) -> str:
        return self.SUMMARY.get(self.kind, self.kind)

    @property
    def suggested_by(self) -> str:
        return self.contributor_name or "an anonymous visitor"

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        for key in ("moderated_at", "created_at"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return data


@dataclass(frozen=True)
class Story:
    """A published story: accepted, with consent to publish, and no contact details."""

    id: str
    asset_id: str
    story: str
    contributor_name: str
    has_photo: bool
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["created_at"] = self.created_at.isoformat()
        return data


def published() -> tuple[Any, ...]:
    """Conditions of the published stories: accepted, with consent to publish."""
    return (
        contributions.c.kind == "story",
        contributions.c.status == "accepted",
        contributions.c.consent_to_publish.is_(True),
        contributions.c.deleted_at.is_(None),
    )


def select_contributions() -> Any:
    """SELECT of contributions with their asset's name, without photo bytes or sender keys."""
    return select(
        *(c for c in contributions.c if c.name not in ("photo", "client_key")),
        (contributions.c.photo.is_not(None)).label("has_photo"),
        assets.c.name.label("asset_name"),
    ).outerjoin(assets, assets.c.id == contributions.c.asset_id)


def contribution_from_row(row: Any) -> Contribution:
    """A :class:`Contribution` from a row of :func:`select_contributions`."""
    m = row._mapping
    return Contribution(
        id=m["id"],
        kind=m["kind"],
        asset_id=m["asset_id"],
        asset_name=m["asset_name"] or "",
        payload=dict(m["payload"] or {}),
        story=m["story"],
        has_photo=bool(m["has_photo"]),
        photo_type=m["photo_type"],
        contributor_name=m["contributor_name"],
        contact=m["contact"],
        consent_to_publish=bool(m["consent_to_publish"]),
        status=m["status"],
        moderated_by=m["moderated_by"],
        moderated_at=m["moderated_at"],
        moderation_note=m["moderation_note"],
        created_at=m["created_at"],
        created_by=m["created_by"],
        version=m["version"],
    )
