"""A map file imported in two steps (private to the map service): checked and, when big,
staged without holding the write lock, then shown in one short transaction.

The new map, its factors and its links are written as records in bulk (see
:mod:`mobilise.workspace._staging`); a big map is staged ahead, hidden, and shown by the final
transaction, which also records the map's "create" event.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from mobilise.errors import Problem
from mobilise.formats.map_edgelist import EdgeListMap
from mobilise.model.causal_map import CausalMap
from mobilise.store.records import new_id
from mobilise.store.tables import map_factors, map_links, systems_maps
from mobilise.workspace._common import Progress, no_progress, problems_renamed
from mobilise.workspace._map_fields import (
    _TEXT_CAP,
    ImportColumns,
    _located,
    _plain_factor_columns,
    _texts_within,
    import_columns,
)
from mobilise.workspace._map_rows import MapInfo, info_query, map_info, place_id, record_event
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
        # A map read from an edge list comes with its links column by column, checked as read:
        # it is laid out from them, without a Link for each row.
        self._laid_out = plain_edge_list(causal_map, stakeholder_group)
        if self._laid_out is None:
            causal_map.check()
        self._ws = workspace
        self.causal_map = causal_map
        self.title = (title or causal_map.title or causal_map.source or "Imported map").strip()
        self._place = place
        self._group = stakeholder_group
        self._progress = progress
        self._n_links = (
            len(self._laid_out.ends[0]) if self._laid_out is not None else len(causal_map.links)
        )
        size = len(causal_map.factors) + self._n_links
        self._staging = Staging(
            workspace, token or new_id(), stage=worth_staging(size), progress=progress
        )
        self.map_id = ""
        self.info: MapInfo | None = None  # the map's header, once written

    def prepare(self) -> None:
        """Check every factor and link (one error names every bad one) and the place, then
        stage a big map ahead (hidden)."""
        laid_out = self._laid_out or import_columns(self.causal_map, self._group)
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
        with self._named_as_the_file(
            lambda: [f"factor {f.label[:60]!r}" for f in self.causal_map.factors]
        ):
            stored = self._staging.add_columns(
                map_factors,
                {**part_of, **_shared(laid_out.factors)},
                count=len(laid_out.factor_ids),
                entity_type="map_factor",
            )
        ids = dict(zip(laid_out.factor_ids, stored, strict=True))
        sources, targets = laid_out.ends
        with self._named_as_the_file(
            lambda: [f"link {i[:40]!r}" for i in link_ids(self.causal_map)]
        ):
            self._staging.add_columns(
                map_links,
                {
                    **part_of,
                    **_shared(laid_out.links),
                    "source_id": list(map(ids.__getitem__, sources)),
                    "target_id": list(map(ids.__getitem__, targets)),
                },
                count=len(sources),
                entity_type="map_link",
            )
        self._staging.write_ahead()

    def _named_as_the_file(self, names: Callable[[], list[str]]) -> AbstractContextManager[None]:
        """A value the store cannot hold (screened before anything is written) named as the
        file's other problems are: by file, row (the factor's or link's number, as ``names``
        names each) and field."""
        where = self.causal_map.source or None

        def renamed(problems: list[Problem]) -> list[Problem]:
            found = names()
            return [
                _located(p, where, p.row, found[p.row - 1])
                if p.row is not None and 0 < p.row <= len(found)
                else p
                for p in problems
            ]

        return problems_renamed(renamed, what=f"Cannot import {where or self.title}")

    def write(self, connection: Connection) -> dict[str, Any]:
        """Inside the final transaction: show the map and record its creation as its first
        event; returns the map's header."""
        self._staging.publish(
            connection,
            entity_type="systems_map",
            entity_id=self.map_id,
            summary=(
                f"Imported {self.causal_map.source or self.title}: a map of "
                f"{len(self.causal_map.factors):,} factors and {self._n_links:,} links."
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
                "links": self._n_links,
            },
            actor=self._ws.actor,
        )
        # the header as stored, its numbers of factors and links those just written (counting
        # them again would read every row of the new map while other writers wait)
        counts = (len(self.causal_map.factors), self._n_links)
        row = connection.execute(info_query(counts).where(systems_maps.c.id == self.map_id)).one()
        self.info = map_info(row)
        return self.info.to_dict()

    def discard(self) -> None:
        self._staging.discard()


def _shared(columns: dict[str, list[Any]]) -> dict[str, list[Any] | Same]:
    """The columns, each that holds one value in every row (an empty list of populations, no
    position) as :class:`Same`: converted for the driver once, not once a row. (``count``
    compares in C, by identity first; equal values are stored alike.)"""
    return {
        name: Same(values[0]) if _one_value(values) else values for name, values in columns.items()
    }


def _one_value(values: list[Any]) -> bool:
    return bool(values) and values[0] is values[-1] and values.count(values[0]) == len(values)


def plain_edge_list(causal_map: CausalMap, stakeholder_group: str) -> ImportColumns | None:
    """What :func:`import_columns` gives a map read from an edge list whose links are still
    columns (:class:`EdgeListMap`), its factors and links all plain (texts within their limits,
    no extra columns); ``None`` for any other map, which then takes :func:`import_columns` (and
    its messages). The reader checked every other value as it read the file."""
    columns = causal_map.link_columns() if isinstance(causal_map, EdgeListMap) else None
    if columns is None or any(columns.fields["attributes"]):
        return None
    fields = columns.fields
    groups = fields["stakeholder_group"]
    if stakeholder_group and not all(groups):  # a blank group takes the one given
        groups = [group or stakeholder_group for group in groups]
    texts = {"evidence": fields["evidence"], "stakeholder_group": groups, "label": fields["label"]}
    if not all(_texts_within(values, _TEXT_CAP[name]) for name, values in texts.items()):
        return None
    factors = _plain_factor_columns(causal_map.factors)
    if factors is None:
        return None
    links = {
        **{name: fields[name] for name in ("polarity", "strength", "weight", "delay")},
        **{name: fields[name] for name in ("confidence", "contested")},
        **{name: list(map(str.strip, values)) for name, values in texts.items()},
        "source_id": columns.sources,
        "target_id": columns.targets,
        "attributes": [{}] * len(columns),  # one empty object, shared: only written
    }
    ends = (columns.sources, columns.targets)
    return ImportColumns([factor.id for factor in causal_map.factors], factors, ends, links)


def link_ids(causal_map: CausalMap) -> list[str]:
    """The ids of a map's links in file order, without making an edge list's links."""
    columns = causal_map.link_columns() if isinstance(causal_map, EdgeListMap) else None
    return columns.ids if columns is not None else [link.id for link in causal_map.links]
