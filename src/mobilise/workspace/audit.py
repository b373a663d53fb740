"""Reading the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mobilise.store.tables import audit_log

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["AuditEntry", "AuditService"]


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    entity_type: str
    entity_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    summary: str


class AuditService:
    """Who changed what, when, and from what to what."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def entries(
        self, *, entity_type: str | None = None, entity_id: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """The newest entries first, optionally for one entity type or one entity."""
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if entity_type:
            query = query.where(audit_log.c.entity_type == entity_type)
        if entity_id:
            query = query.where(audit_log.c.entity_id == entity_id)
        with self._ws.read() as connection:
            rows = connection.execute(query).all()
        return [
            AuditEntry(
                r.at, r.actor, r.entity_type, r.entity_id, r.action, r.before, r.after, r.summary
            )
            for r in rows
        ]
