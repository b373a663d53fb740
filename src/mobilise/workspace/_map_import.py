"""A map file imported in two steps (private to the map service): checked and, when big,
staged without holding the write lock, then shown in one short transaction.

The new map, its factors and its links are written as records in bulk (see
:mod:`mobilise.workspace._staging`); a big map is staged ahead, hidden, and shown by the final
transaction, which also records the map's "create" event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from mobilise.model.causal_map import CausalMap
from mobilise.store.records import new_id
from mobilise.store.tables import map_factors, map_links, systems_maps
from mobilise.workspace._common import Progress, no_progress
from mobilise.workspace._map_fields import import_columns
from mobilise.workspace._map_rows import place_id, record_event
from mobilise.workspace._staging import Same, Staging, worth_staging

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["MapImport"]


class MapImport:
    """A map read from a file, checked and planned as a new map (ids are new; links keep their
    attribution, ``stakeholder_group`` or the one given)."""

    def __init__(
        self,
        workspace: Workspace,
        causal_map: CausalMap,
        *,
        place: str | None = None,
        title: str | None = None,
        stakeholder_group: str = "",
        token: str | None = None,
        progress: Progress = no_progress,
    ) -> None:
        causal_map.check()
        self._ws = workspace
        self.causal_map = causal_map
        self.title = (title or causal_map.title or causal_map.source or "Imported map").strip()
        self._place = place
        self._group = stakeholder_group
        self._progress = progress
        size = len(causal_map.factors) + len(causal_map.links)
        self._staging = Staging(
            workspace, token or new_id(), stage=worth_staging(size), progress=progress
        )
        self.map_id = ""

    def prepare(self) -> None:
        """Check every factor and link (one error names every bad one) and the place, then
        stage a big map ahead (hidden)."""
        laid_out = import_columns(self.causal_map, self._group)
        with self._ws.read() as connection:
            place = place_id(connection, self._place) if self._place else None
        header = {
            "title": self.title[:300],
            "question": self.causal_map.question,
            "description": self.causal_map.description,
            "status": "draft",
            "place_id": place,
            "revision": 0,
            "attributes": {"imported_from": self.causal_map.source},
        }
        self.map_id = self._staging.add(systems_maps, [header], entity_type="systems_map")[0]["id"]
        part_of = {"map_id": Same(self.map_id), "participant_id": Same(None)}
        stored = self._staging.add_columns(
            map_factors,
            {**part_of, **laid_out.factors},
            count=len(laid_out.factor_ids),
            entity_type="map_factor",
        )
        ids = dict(zip(laid_out.factor_ids, stored, strict=True))
        sources, targets = laid_out.ends
        self._staging.add_columns(
            map_links,
            {
                **part_of,
                **laid_out.links,
                "source_id": [ids[source] for source in sources],
                "target_id": [ids[target] for target in targets],
            },
            count=len(sources),
            entity_type="map_link",
        )
        self._staging.write_ahead()

    def write(self, connection: Connection) -> dict[str, Any]:
        """Inside the final transaction: show the map and record its creation as its first
        event; returns the map's header."""
        self._staging.publish(
            connection,
            entity_type="systems_map",
            entity_id=self.map_id,
            summary=(
                f"Imported {self.causal_map.source or self.title}: a map of "
                f"{len(self.causal_map.factors):,} factors and {len(self.causal_map.links):,} links."
            ),
        )
        record_event(
            connection,
            self.map_id,
            "create",
            "map",
            self.map_id,
            {
                "title": self.title,
                "imported_from": self.causal_map.source,
                "factors": len(self.causal_map.factors),
                "links": len(self.causal_map.links),
            },
            actor=self._ws.actor,
        )
        return self._ws.maps.get(self.map_id).to_dict()

    def discard(self) -> None:
        self._staging.discard()
