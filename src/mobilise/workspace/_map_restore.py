"""Deleted maps, factors and links: listed and restored (a part of
:class:`~mobilise.workspace.maps.MapService`).

Deletion is soft: a deleted map, factor or link keeps its row, and a restore brings it back as
it was, with an audit entry and a map event (editors with the map open see it come back).
Restoring a factor brings back the links deleted with it (those whose other factor is there);
a link whose factor is still deleted is refused, naming the factor to restore first.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, or_, select

from mobilise.errors import Conflict, NotFound
from mobilise.model.visibility import Viewer
from mobilise.store.records import restore_record
from mobilise.store.tables import map_events, map_factors, map_links, systems_maps
from mobilise.workspace._map_fields import factor_record, link_record
from mobilise.workspace._map_people import visible_maps
from mobilise.workspace._map_rows import live_map, map_revision, no_map, record_event
from mobilise.workspace._staging import MARK

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["MapRestoring"]


def _not_staged() -> Any:
    """Not a map an import is still writing (hidden as deleted until it is whole)."""
    return or_(systems_maps.c.deleted_by.is_(None), ~systems_maps.c.deleted_by.startswith(MARK))


def _deleted(record: dict[str, Any], row: Any) -> dict[str, Any]:
    return record | {"deleted_at": row.deleted_at.isoformat(), "deleted_by": row.deleted_by}


class MapRestoring:
    """Listing and restoring what was deleted (mixed into the map service)."""

    _ws: Workspace

    def deleted(self, *, viewer: Viewer | None = None) -> builtins.list[dict[str, Any]]:
        """The deleted maps (those ``viewer`` could see), most recently deleted first."""
        query = (
            select(systems_maps)
            .where(systems_maps.c.deleted_at.is_not(None), _not_staged(), visible_maps(viewer))
            .order_by(systems_maps.c.deleted_at.desc())
        )
        with self._ws.read() as connection:
            return [
                {
                    "id": row.id,
                    "title": row.title,
                    "visibility": row.visibility,
                    "deleted_at": row.deleted_at.isoformat(),
                    "deleted_by": row.deleted_by,
                }
                for row in connection.execute(query)
            ]

    def deleted_parts(self, map_id: str) -> dict[str, builtins.list[dict[str, Any]]]:
        """The map's deleted factors and links, most recently deleted first."""
        found: dict[str, builtins.list[dict[str, Any]]] = {}
        with self._ws.read() as connection:
            map_revision(connection, map_id)  # NotFound for a map that is not live
            for name, table, record in (
                ("factors", map_factors, factor_record),
                ("links", map_links, link_record),
            ):
                rows = connection.execute(
                    select(table)
                    .where(table.c.map_id == map_id, table.c.deleted_at.is_not(None))
                    .order_by(table.c.deleted_at.desc())
                )
                found[name] = [_deleted(record(row), row) for row in rows]
        return found

    def restore(self, map_id: str, *, viewer: Viewer | None = None) -> None:
        """Bring back a deleted map (one ``viewer`` could see), with everything it had."""
        with self._ws.write() as connection:
            row = connection.execute(
                select(systems_maps.c.deleted_at).where(
                    systems_maps.c.id == map_id, _not_staged(), visible_maps(viewer)
                )
            ).first()
            if row is None:
                raise no_map(map_id)
            if row.deleted_at is None:
                raise Conflict("That map is not deleted.")
            self._restore_row(connection, systems_maps, map_id, "systems_map")
            record_event(
                connection, map_id, "restore", "map", map_id, {"id": map_id}, actor=self._ws.actor
            )

    def restore_factor(self, map_id: str, factor_id: str) -> dict[str, Any]:
        """Bring back a deleted factor and the links deleted with it (whose other end is
        there); returns the factor, with those links under ``links``."""
        with self._ws.write() as connection:
            live_map(connection, map_id)
            self._deleted_part(connection, map_factors, map_id, factor_id, "factor")
            self._restore_row(connection, map_factors, factor_id, "map_factor")
            links = []
            for link_id in _deleted_with(connection, map_id, factor_id):
                link = connection.execute(
                    select(map_links).where(map_links.c.id == link_id)
                ).first()
                if link is None or link.deleted_at is None or _dead_end(connection, link):
                    continue
                self._restore_row(connection, map_links, link_id, "map_link")
                links.append(link_id)
            factor = factor_record(_row(connection, map_factors, factor_id))
            payload = factor | {
                "links": [link_record(_row(connection, map_links, k)) for k in links]
            }
            revision = record_event(
                connection, map_id, "restore", "factor", factor_id, payload, actor=self._ws.actor
            )
        return payload | {"revision": revision}

    def restore_link(self, map_id: str, link_id: str) -> dict[str, Any]:
        """Bring back a deleted link; refused while one of its factors is deleted."""
        with self._ws.write() as connection:
            live_map(connection, map_id)
            link = self._deleted_part(connection, map_links, map_id, link_id, "link")
            dead = _dead_end(connection, link)
            if dead is not None:
                raise Conflict(
                    f"Cannot restore the link: its factor {dead.label!r} is deleted. Restore "
                    f"the factor first (id {dead.id}); it brings back the links deleted with it."
                )
            self._restore_row(connection, map_links, link_id, "map_link")
            stored = link_record(_row(connection, map_links, link_id))
            revision = record_event(
                connection, map_id, "restore", "link", link_id, stored, actor=self._ws.actor
            )
        return stored | {"revision": revision}

    # -- helpers -------------------------------------------------------------------------------
    def _restore_row(self, connection: Connection, table: Any, key: str, entity: str) -> None:
        restore_record(
            connection, table, key, expected_version=None, actor=self._ws.actor, entity_type=entity
        )

    @staticmethod
    def _deleted_part(connection: Connection, table: Any, map_id: str, key: str, what: str) -> Any:
        row = connection.execute(
            select(table).where(table.c.id == key, table.c.map_id == map_id)
        ).first()
        if row is None:
            raise NotFound(f"The map has no {what} {key!r}.")
        if row.deleted_at is None:
            raise Conflict(f"That {what} is not deleted.")
        return row


def _row(connection: Connection, table: Any, key: str) -> Any:
    return connection.execute(select(table).where(table.c.id == key)).one()


def _deleted_with(connection: Connection, map_id: str, factor_id: str) -> builtins.list[str]:
    """The links deleted together with the factor (its latest deletion's event)."""
    payload = connection.execute(
        select(map_events.c.payload)
        .where(
            and_(
                map_events.c.map_id == map_id,
                map_events.c.entity_type == "factor",
                map_events.c.entity_id == factor_id,
                map_events.c.action == "delete",
            )
        )
        .order_by(map_events.c.revision.desc())
        .limit(1)
    ).scalar_one_or_none()
    links = payload.get("links", []) if isinstance(payload, dict) else []
    return [str(k) for k in links]


def _dead_end(connection: Connection, link: Any) -> Any:
    """The first deleted factor at either end of a link, or None."""
    for end in (link.source_id, link.target_id):
        factor = _row(connection, map_factors, end)
        if factor.deleted_at is not None:
            return factor
    return None
