"""Duplicate assets: find candidate pairs, merge them or keep them apart.

The same venue often comes from two sources (a library in the GLA cultural map and in the
libraries list) or twice from one. A reviewer looks at the candidate pairs and decides:

- **merge**: one asset is kept; the other gets ``merged_into`` set to it and leaves search, the
  directory and the ORUK feed, but stays stored with its history. The kept asset gains the merged
  one's provenance and any field it lacked.
- **keep apart**: the pair is not suggested again.

Each decision is a row of ``asset_pair_decisions`` (``asset_a`` < ``asset_b``), written in the same
transaction as the change it made, with the audit trail's before and after.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Connection, select

from mobilise.analysis.duplicates import candidate_pairs, duplicate_clusters
from mobilise.errors import Conflict, NotFound, Problem, ValidationError
from mobilise.store.records import insert_record, update_record
from mobilise.store.tables import asset_pair_decisions, assets
from mobilise.workspace._asset_store import (
    LOCATION_FIELDS,
    RECORD_FIELDS,
    asset_from_row,
    live_assets,
    select_assets,
)
from mobilise.workspace.asset_quality import register_stamp
from mobilise.workspace.asset_records import Asset

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["DECISIONS", "DuplicatePair", "DuplicateService", "PairDecision"]

DECISIONS = ("keep_apart", "merged")
# Filled on the kept asset from the merged one when the kept asset has none: its organisation
# and the record fields, less those that say what the asset is (name, kind, category, status),
# whose source it is (licence, extra), who may see it, and capacity (taken with its unit).
_NOT_FILLED = {"name", "kind", "category", "status", "licence", "extra", "visibility"}
_NOT_FILLED |= {"capacity", "capacity_unit"}
FILLABLE = ("organisation_id", *(f for f in RECORD_FIELDS if f not in _NOT_FILLED))

# The candidate pairs of every live asset, by (database, options, what the assets were): the
# name comparisons take seconds on a large register, and the review and quality pages ask on
# every view. A pair's score depends on its two assets alone, so a place's pairs are the pairs
# of the whole register with both assets in the place.
_PAIRS: dict[tuple[Any, ...], tuple[pd.DataFrame, dict[str, str | None]]] = {}
_PAIRS_LOCK = threading.Lock()
_KEPT_REGISTERS = 8
_LOAD_CHUNK = 900  # ids per IN (...) when loading the assets of pairs


@dataclass(frozen=True)
class DuplicatePair:
    """Two live assets that may be the same venue, why, and any decision already taken."""

    a: Asset
    b: Asset
    distance_m: float | None
    name_similarity: float
    same_postcode: bool
    same_source: bool
    score: float
    reason: str
    decision: str | None = None

    @property
    def ids(self) -> tuple[str, str]:
        return self.a.id, self.b.id

    def to_dict(self) -> dict[str, Any]:
        return {
            "asset_a": _summary(self.a),
            "asset_b": _summary(self.b),
            "distance_m": self.distance_m,
            "name_similarity": self.name_similarity,
            "same_postcode": self.same_postcode,
            "same_source": self.same_source,
            "score": self.score,
            "reason": self.reason,
            "decision": self.decision,
        }


@dataclass(frozen=True)
class PairDecision:
    """A reviewer's decision on a pair: ``keep_apart`` or ``merged``."""

    asset_a: str
    asset_b: str
    decision: str
    note: str
    decided_by: str
    decided_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "asset_a": self.asset_a,
            "asset_b": self.asset_b,
            "decision": self.decision,
            "note": self.note,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat(),
        }


def _summary(asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.id,
        "name": asset.name,
        "category": asset.category,
        "source": asset.source,
        "source_id": asset.source_id,
        "address": asset.address,
        "postcode": asset.postcode,
        "lon": asset.lon,
        "lat": asset.lat,
        "geocode_precision": asset.geocode_precision,
        "url": asset.url,
        "organisation": asset.organisation,
        "version": asset.version,
    }


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class DuplicateService:
    """Candidate duplicate assets and the reviewers' decisions on them."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- reading -----------------------------------------------------------------------------
    def candidates(
        self,
        *,
        place: str | None = None,
        include_decided: bool = False,
        max_distance_m: float = 100,
        min_name_similarity: float = 0.6,
    ) -> list[DuplicatePair]:
        """Pairs of live assets that may be the same venue, most likely first.

        Pairs a reviewer kept apart are left out unless ``include_decided`` (then each carries
        its ``decision``). With ``place``, only assets in the place's areas are compared.
        See :func:`mobilise.analysis.duplicates.candidate_pairs` for the options.
        """
        rows = self._pair_rows(
            place,
            include_decided=include_decided,
            max_distance_m=max_distance_m,
            min_name_similarity=min_name_similarity,
        )
        return self._with_assets(rows)

    def review_page(
        self, *, place: str | None = None, page: int = 1, per_page: int = 20
    ) -> tuple[list[DuplicatePair], int]:
        """One page of the undecided pairs (from 1, most likely first) and how many there are
        in all: only the page's assets are read."""
        rows = self._pair_rows(place)
        start = (page - 1) * per_page
        return self._with_assets(rows[start : start + per_page]), len(rows)

    def clusters(self, place: str | None = None) -> list[list[str]]:
        """Groups of asset ids joined by undecided candidate pairs, biggest first (for the
        quality page: a group of three is one venue listed three times, or a busy corner)."""
        return duplicate_clusters((r["asset_a"], r["asset_b"]) for r in self._pair_rows(place))

    def _pair_rows(
        self,
        place: str | None,
        *,
        include_decided: bool = False,
        max_distance_m: float = 100,
        min_name_similarity: float = 0.6,
    ) -> list[dict[str, Any]]:
        """The candidate pairs (of ``place``) as rows of ids and measures, with ``decision``."""
        codes = set(self._ws.places.area_codes(place)) if place else None
        pairs, areas = self._all_pairs(max_distance_m, min_name_similarity)
        with self._ws.read() as connection:
            decided = self._decisions(connection)
        rows: list[dict[str, Any]] = []
        for found in pairs.to_dict("records"):
            row = {str(key): value for key, value in found.items()}
            a, b = str(row["asset_a"]), str(row["asset_b"])
            if codes is not None and not (areas.get(a) in codes and areas.get(b) in codes):
                continue
            row["decision"] = decided.get((a, b))
            if row["decision"] is None or include_decided:
                rows.append(row)
        return rows

    def _all_pairs(
        self, max_distance_m: float, min_name_similarity: float
    ) -> tuple[pd.DataFrame, dict[str, str | None]]:
        """The candidate pairs of every live asset and the LSOA of each asset in them, kept
        until an asset is added, changed, merged or deleted."""
        with self._ws.read() as connection:
            key = (self._ws.url, max_distance_m, min_name_similarity, register_stamp(connection))
            with _PAIRS_LOCK:
                found = _PAIRS.get(key)
            if found is not None:
                return found
            columns = [assets.c[c] for c in ("id", "name", "source", "lon", "lat", "postcode")]
            frame = pd.DataFrame(
                connection.execute(
                    select(*columns, assets.c.lsoa11_code).where(*live_assets())
                ).all(),
                columns=["id", "name", "source", "lon", "lat", "postcode", "lsoa11_code"],
            )
        pairs = candidate_pairs(
            frame[["id", "name", "source", "lon", "lat", "postcode"]],
            max_distance_m=max_distance_m,
            min_name_similarity=min_name_similarity,
        )
        paired = set(pairs["asset_a"]) | set(pairs["asset_b"])
        areas = {
            str(i): code
            for i, code in zip(frame["id"], frame["lsoa11_code"], strict=True)
            if i in paired
        }
        with _PAIRS_LOCK:
            _PAIRS[key] = (pairs, areas)
            while len(_PAIRS) > _KEPT_REGISTERS:
                _PAIRS.pop(next(iter(_PAIRS)))
        return pairs, areas

    def _with_assets(self, rows: list[dict[str, Any]]) -> list[DuplicatePair]:
        """The pairs of ``rows`` with their assets (a pair whose asset has gone since is left
        out)."""
        found = self._assets({i for r in rows for i in (r["asset_a"], r["asset_b"])})
        result = []
        for row in rows:
            a, b = found.get(str(row["asset_a"])), found.get(str(row["asset_b"]))
            if a is None or b is None:
                continue
            distance = float(row["distance_m"])
            result.append(
                DuplicatePair(
                    a=a,
                    b=b,
                    distance_m=None if math.isnan(distance) else distance,
                    name_similarity=float(row["name_similarity"]),
                    same_postcode=bool(row["same_postcode"]),
                    same_source=bool(row["same_source"]),
                    score=float(row["score"]),
                    reason=str(row["reason"]),
                    decision=row["decision"],
                )
            )
        return result

    def _assets(self, ids: Iterable[str]) -> dict[str, Asset]:
        """The live assets of ``ids``, by id."""
        wanted = sorted(ids)
        found: dict[str, Asset] = {}
        with self._ws.read() as connection:
            for start in range(0, len(wanted), _LOAD_CHUNK):
                chunk = wanted[start : start + _LOAD_CHUNK]
                query = select_assets().where(*live_assets(), assets.c.id.in_(chunk))
                found.update((a.id, a) for a in map(asset_from_row, connection.execute(query)))
        return found

    def decisions(self) -> list[PairDecision]:
        """Every decision taken, newest first."""
        with self._ws.read() as connection:
            rows = connection.execute(
                select(asset_pair_decisions)
                .where(asset_pair_decisions.c.deleted_at.is_(None))
                .order_by(asset_pair_decisions.c.updated_at.desc(), asset_pair_decisions.c.id)
            ).all()
        return [_decision(r) for r in rows]

    def _decisions(self, connection: Connection) -> dict[tuple[str, str], str]:
        rows = connection.execute(
            select(
                asset_pair_decisions.c.asset_a,
                asset_pair_decisions.c.asset_b,
                asset_pair_decisions.c.decision,
            ).where(asset_pair_decisions.c.deleted_at.is_(None))
        ).all()
        return {(r.asset_a, r.asset_b): r.decision for r in rows}

    # -- deciding ----------------------------------------------------------------------------
    def merge(
        self,
        keep_id: str,
        merge_id: str,
        *,
        note: str = "",
        keep_version: int | None = None,
        merge_version: int | None = None,
    ) -> Asset:
        """Merge asset ``merge_id`` into ``keep_id``; returns the kept asset as it is now.

        In one transaction: the merged asset gets ``merged_into`` (it leaves search and the feeds
        but keeps its row and history; assets merged into it earlier now point at the kept one);
        the kept asset gains the merged one's provenance entries and its values for the fields
        it lacks; the pair's decision becomes "merged". Each change is audited with before and
        after.

        Raises
        ------
        ValidationError
            When the two ids are the same.
        NotFound
            When either asset does not exist or is deleted.
        Conflict
            When either was already merged, or was changed since the ``keep_version`` or
            ``merge_version`` you read.
        """
        if keep_id == merge_id:
            raise ValidationError(
                "An asset cannot be merged into itself.",
                problems=[Problem("must differ from the kept asset", field="merge_id")],
            )
        actor = self._ws.actor
        with self._ws.write() as connection:
            keep = self._live_row(connection, keep_id, role="kept")
            gone = self._live_row(connection, merge_id, role="merged")
            _check_pair(keep, keep_version, gone, merge_version)
            update_record(
                connection,
                assets,
                keep_id,
                _merged_values(keep, gone),
                expected_version=keep.version,
                actor=actor,
                entity_type="asset",
            )
            # The merged asset, and those merged into it earlier, now point at the kept one.
            for merged in [
                gone,
                *connection.execute(
                    select(assets.c.id, assets.c.version).where(assets.c.merged_into == merge_id)
                ).all(),
            ]:
                update_record(
                    connection,
                    assets,
                    merged.id,
                    {"merged_into": keep_id},
                    expected_version=merged.version,
                    actor=actor,
                    entity_type="asset",
                )
            self._decide(connection, keep_id, merge_id, "merged", note)
        return self._ws.assets.get(keep_id)

    def keep_apart(self, a: str, b: str, *, note: str = "") -> PairDecision:
        """Record that ``a`` and ``b`` are different venues: the pair is not suggested again."""
        if a == b:
            raise ValidationError(
                "A pair needs two different assets.",
                problems=[Problem("must differ from the first asset", field="b")],
            )
        with self._ws.write() as connection:
            for asset_id in (a, b):
                row = connection.execute(
                    select(assets.c.deleted_at).where(assets.c.id == asset_id)
                ).first()
                if row is None or row.deleted_at is not None:
                    raise NotFound(f"No asset {asset_id!r}.")
            return self._decide(connection, a, b, "keep_apart", note)

    def _live_row(self, connection: Connection, asset_id: str, *, role: str) -> Any:
        row = connection.execute(select(assets).where(assets.c.id == asset_id)).first()
        if row is None or row.deleted_at is not None:
            raise NotFound(f"No asset {asset_id!r} (the {role} one).")
        if row.merged_into is not None:
            raise Conflict(
                f"Asset {row.name!r} ({asset_id}) was already merged into {row.merged_into}."
            )
        return row

    def _decide(
        self, connection: Connection, a: str, b: str, decision: str, note: str
    ) -> PairDecision:
        first, second = _ordered(a, b)
        current = connection.execute(
            select(asset_pair_decisions).where(
                asset_pair_decisions.c.asset_a == first, asset_pair_decisions.c.asset_b == second
            )
        ).first()
        if current is not None and current.decision == "merged":
            raise Conflict("These two assets were already merged.")
        values = {"decision": decision, "note": note}
        if current is None:
            insert_record(
                connection,
                asset_pair_decisions,
                {"asset_a": first, "asset_b": second, **values},
                actor=self._ws.actor,
                entity_type="asset_pair_decision",
            )
        else:
            update_record(
                connection,
                asset_pair_decisions,
                current.id,
                values,
                expected_version=current.version,
                actor=self._ws.actor,
                entity_type="asset_pair_decision",
            )
        row = connection.execute(
            select(asset_pair_decisions).where(
                asset_pair_decisions.c.asset_a == first, asset_pair_decisions.c.asset_b == second
            )
        ).one()
        return _decision(row)


def _check_pair(keep: Any, keep_version: int | None, gone: Any, merge_version: int | None) -> None:
    """Refuse a merge of rows changed since the versions read, or of a private and a public one."""
    for row, version in ((keep, keep_version), (gone, merge_version)):
        if version is not None and version != row.version:
            raise Conflict(
                f"Asset {row.name!r} ({row.id}) was changed by {row.updated_by} at "
                f"{row.updated_at:%Y-%m-%d %H:%M} (now version {row.version}, you had "
                f"version {version}). Reload the pair and decide again."
            )
    if keep.visibility != gone.visibility:
        # Merging would copy a private asset's details into a public one (or hide one).
        raise ValidationError(
            "One of these assets is private and the other public: make them the same "
            "first, then merge.",
            problems=[Problem("visibility differs", field="visibility")],
        )


def _merged_values(keep: Any, gone: Any) -> dict[str, Any]:
    """The kept asset's changes: the merged one's provenance, and values for its empty fields."""
    provenance = list(keep.provenance or [])
    for entry in gone.provenance or []:
        moved = {**entry, "merged_from": gone.id}
        if entry not in provenance and moved not in provenance:
            provenance.append(moved)
    changes: dict[str, Any] = {"provenance": provenance}
    for name in FILLABLE:
        if _is_empty(getattr(keep, name)) and not _is_empty(getattr(gone, name)):
            changes[name] = getattr(gone, name)
    if keep.capacity is None and gone.capacity is not None:
        changes["capacity"], changes["capacity_unit"] = gone.capacity, gone.capacity_unit
    if keep.lon is None and gone.lon is not None:
        changes.update({name: getattr(gone, name) for name in LOCATION_FIELDS})
    extra = dict(gone.extra or {}) | dict(keep.extra or {})
    if extra != dict(keep.extra or {}):
        changes["extra"] = extra
    return changes


def _decision(row: Any) -> PairDecision:
    return PairDecision(
        asset_a=row.asset_a,
        asset_b=row.asset_b,
        decision=row.decision,
        note=row.note,
        decided_by=row.updated_by,
        decided_at=row.updated_at,
    )
