"""Street networks: a place's walking, cycling and step-free networks, built from an
OpenStreetMap extract the user supplies and stored for access runs that travel on them.

``import_extract`` reads an ``.osm.pbf`` (:func:`mobilise.formats.osm_network.read_osm_ways`),
builds one network per profile (:func:`mobilise.analysis.street_network.build_network`), checks
that the extract covers the place's areas (refused when most areas fall outside it, a warning
naming them when a few do) and stores every profile in one transaction, replacing the place's
networks of those profiles: a bad file stores nothing. The web app runs it as a job
(``networks.import``) with progress; the CLI runs it in the foreground.

A network is derived data (the extract can be imported again), so a replaced or deleted network
is removed for good, with an audit entry. Each keeps its source, data date, licence ("ODbL 1.0")
and attribution ("© OpenStreetMap contributors"), shown wherever it is used.
"""

from __future__ import annotations

import builtins
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.model.access_plan import TRAVEL_SPEEDS_KMH
from mobilise.store.records import audit, insert_record, now
from mobilise.store.tables import street_networks
from mobilise.workspace._common import Progress, no_progress
from mobilise.workspace._files import FileSource, source_name
from mobilise.workspace._map_rows import place_id as stored_place_id

if TYPE_CHECKING:
    from mobilise.analysis.street_network import StreetNetwork
    from mobilise.workspace._job_kinds import JobContext, Prepared
    from mobilise.workspace.core import Workspace

__all__ = ["PROFILES", "NetworkInfo", "StreetNetworkService"]

PROFILES: tuple[str, ...] = tuple(TRAVEL_SPEEDS_KMH)  # walk, cycle, step-free (the engine's)
ENTITY = "street_network"
_CACHE_SIZE = 6
_cache: OrderedDict[tuple[str, str], StreetNetwork] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class NetworkInfo:
    """A stored network as listed: its source, size and coverage (not its arrays)."""

    id: str
    place: str
    profile: str
    source_name: str
    source_sha256: str
    data_date: str
    licence: str
    attribution: str
    n_nodes: int
    n_edges: int
    length_km: float
    built_at: datetime
    coverage: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "place": self.place,
            "profile": self.profile,
            "source": {
                "name": self.source_name,
                "sha256": self.source_sha256,
                "data_date": self.data_date,
                "licence": self.licence,
                "attribution": self.attribution,
            },
            "n_nodes": self.n_nodes,
            "n_edges": self.n_edges,
            "length_km": round(self.length_km, 3),
            "built_at": self.built_at.isoformat(),
            "coverage": self.coverage,
            "warnings": list(self.warnings),
        }


class StreetNetworkService:
    """Import, list, load and delete a place's street networks (see the module docstring)."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- importing -----------------------------------------------------------------------------
    def import_extract(
        self,
        place: str,
        source: FileSource,
        *,
        name: str | None = None,
        profiles: Sequence[str] = PROFILES,
        progress: Progress = no_progress,
    ) -> builtins.list[NetworkInfo]:
        """Build and store the place's networks of ``profiles`` from an ``.osm.pbf`` extract
        (a path, bytes or a binary stream), replacing those stored; returns them."""
        from mobilise.workspace._network_build import build_all

        chosen = self.check(place, profiles)
        file_name = source_name(source, name)
        data = self._bytes(source, file_name)
        total = 2 + len(chosen)
        progress("Reading the extract", 0, total)
        built = build_all(
            self._ws, place, data, file_name, chosen, progress=lambda s, d: progress(s, d, total)
        )
        progress("Saving the networks", total - 1, total)
        with self._ws.write() as connection:
            place_id = self._place_id(connection, place)
            for item in built:
                self._replace(connection, place_id, place, item)
        progress("Done", total, total)
        return [self.get(place, p) for p in chosen]

    def submit(
        self,
        place: str,
        source: FileSource,
        *,
        name: str | None = None,
        profiles: Sequence[str] = PROFILES,
    ) -> Any:
        """Queue the import as a job (``networks.import``); returns the job."""
        chosen = self.check(place, profiles)
        file_name = source_name(source, name)
        data = self._bytes(source, file_name)
        return self._ws.jobs.submit(
            "networks.import",
            {"place": place, "profiles": chosen},
            file=data,
            name=file_name,
            max_bytes=int(self._ws.limits.max_osm_bytes),
        )

    def job(self, context: JobContext) -> Prepared:
        """What the ``networks.import`` job runs: the networks store themselves."""
        from mobilise.workspace._job_kinds import _Done

        name, data = context.file()
        found = self.import_extract(
            context.params["place"],
            data,
            name=name,
            profiles=context.params.get("profiles") or PROFILES,
            progress=context.progress,
        )
        return _Done({"place": context.params["place"], "networks": [n.to_dict() for n in found]})

    def check(self, place: str, profiles: Sequence[str]) -> builtins.list[str]:
        """The profiles named (each once), checked, for a place that exists."""
        chosen = list(dict.fromkeys(str(p).strip().lower() for p in profiles if str(p).strip()))
        unknown = [p for p in chosen if p not in PROFILES]
        if unknown or not chosen:
            raise ValidationError(
                f"Unknown profile {', '.join(map(repr, unknown)) or '(none)'}: "
                f"use {', '.join(PROFILES)}.",
                problems=[Problem(f"one or more of {', '.join(PROFILES)}", field="profile")],
            )
        with self._ws.read() as connection:
            self._place_id(connection, place)
        return chosen

    # -- reading -------------------------------------------------------------------------------
    def list(self, place: str) -> builtins.list[NetworkInfo]:
        """The place's networks, in the order of :data:`PROFILES`."""
        with self._ws.read() as connection:
            place_id = self._place_id(connection, place)
            rows = connection.execute(
                select(*_listed()).where(street_networks.c.place_id == place_id)
            ).all()
        found = [_info(row, place) for row in rows]
        return sorted(found, key=lambda n: PROFILES.index(n.profile))

    def get(self, place: str, profile: str) -> NetworkInfo:
        with self._ws.read() as connection:
            row = self._row(connection, place, profile, _listed())
        return _info(row, place)

    def load(self, place: str, profile: str) -> StreetNetwork:
        """The stored network itself (kept in this process by its source's sha256)."""
        from mobilise.analysis.street_network import StreetNetwork

        info = self.get(place, profile)
        key = (info.source_sha256, profile)
        with _cache_lock:
            if key in _cache:
                _cache.move_to_end(key)
                return _cache[key]
        with self._ws.read() as connection:
            row = self._row(connection, place, profile, [street_networks.c.arrays])
        network = StreetNetwork.from_bytes(bytes(row.arrays))
        with _cache_lock:
            _cache[key] = network
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        return network

    def delete(self, place: str, profile: str | None = None) -> int:
        """Remove the place's network of ``profile`` (every profile when ``None``); the
        number removed."""
        chosen = [profile] if profile else list(PROFILES)
        with self._ws.write() as connection:
            place_id = self._place_id(connection, place)
            rows = connection.execute(
                select(street_networks.c.id, street_networks.c.profile).where(
                    street_networks.c.place_id == place_id,
                    street_networks.c.profile.in_(chosen),
                )
            ).all()
            if profile and not rows:
                self._row(connection, place, profile, [street_networks.c.id])  # NotFound
            for row in rows:
                self._remove(connection, row.id, f"{place} {row.profile} network deleted.")
        return len(rows)

    # -- helpers -------------------------------------------------------------------------------
    def _bytes(self, source: FileSource, file_name: str) -> bytes:
        """The extract's bytes, refused past ``max_osm_bytes``."""
        limit = int(self._ws.limits.max_osm_bytes)
        if isinstance(source, str | os.PathLike):
            path = Path(source)
            if not path.is_file():
                raise ValidationError(
                    f"Cannot read {file_name}: no such file.",
                    problems=[Problem("no such file", file=file_name)],
                )
            size = path.stat().st_size
            data = path.read_bytes() if size <= limit else b""
        elif isinstance(source, bytes):
            size, data = len(source), source
        else:
            data = source.read(limit + 1)
            size = len(data)
        if size > limit:
            message = (
                f"the extract is larger than {limit:,} bytes (the limit max_osm_bytes, set by "
                "MOBILISE_MAX_OSM_BYTES); cut it to the place first (e.g. `osmium extract`)"
            )
            raise ValidationError(
                f"File {file_name} is over a limit: {message}.",
                problems=[Problem(message, file=file_name)],
            )
        return data

    def _replace(self, connection: Connection, place_id: str, place: str, item: Any) -> None:
        old = connection.execute(
            select(street_networks.c.id).where(
                street_networks.c.place_id == place_id,
                street_networks.c.profile == item.profile,
            )
        ).scalar_one_or_none()
        if old is not None:
            self._remove(connection, old, f"{place} {item.profile} network replaced.")
        insert_record(
            connection,
            street_networks,
            {"place_id": place_id, **item.values(), "built_at": now()},
            actor=self._ws.actor,
            entity_type=ENTITY,
            omit_from_audit=("arrays",),
        )

    def _remove(self, connection: Connection, network_id: str, summary: str) -> None:
        connection.execute(delete(street_networks).where(street_networks.c.id == network_id))
        audit(
            connection,
            actor=self._ws.actor,
            entity_type=ENTITY,
            entity_id=network_id,
            action="delete",
            summary=summary,
        )

    def _place_id(self, connection: Connection, place: str) -> str:
        return stored_place_id(connection, place)

    def _row(self, connection: Connection, place: str, profile: str, columns: Any) -> Any:
        place_id = self._place_id(connection, place)
        row = connection.execute(
            select(*columns).where(
                street_networks.c.place_id == place_id, street_networks.c.profile == profile
            )
        ).first()
        if row is None:
            raise NotFound(
                f"Place {place!r} has no {profile} street network. Import an OpenStreetMap "
                f"extract of it first: `mobilise networks import {place} EXTRACT.osm.pbf` "
                f"(or upload one on /places/{place}/networks)."
            )
        return row


def _listed() -> builtins.list[Any]:
    return [c for c in street_networks.c if c.name != "arrays"]


def _info(row: Any, place: str) -> NetworkInfo:
    return NetworkInfo(
        id=row.id,
        place=place,
        profile=row.profile,
        source_name=row.source_name,
        source_sha256=row.source_sha256,
        data_date=row.data_date,
        licence=row.licence,
        attribution=row.attribution,
        n_nodes=int(row.n_nodes),
        n_edges=int(row.n_edges),
        length_km=float(row.length_km),
        built_at=row.built_at,
        coverage=dict(row.coverage or {}),
        warnings=list(row.warnings or []),
    )
