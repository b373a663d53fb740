"""Deleted assets: listing them and bringing one back.

Deleting an asset is soft: its row stays, with ``deleted_at`` and ``deleted_by``, and it leaves
search, the directory, the exports and the ORUK feed. Restoring clears them, as a new version of
the asset audited as ``restore`` (who, when, before and after); a source re-import never brings a
deleted asset back by itself (see :mod:`~mobilise.workspace.asset_imports`).

A duplicate merged into another asset (:meth:`~mobilise.workspace.asset_duplicates.DuplicateService.merge`)
is not deleted, and restoring does not undo a merge: its details and sources went into the kept
asset, which stands for it in search and the feeds. Restoring one is refused with a Conflict
naming the kept asset; a merged asset that was deleted too is listed as not restorable.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from mobilise.errors import Conflict, NotFound, Problem, ValidationError
from mobilise.store.records import restore_record
from mobilise.store.tables import assets
from mobilise.workspace.asset_records import DeletedAsset, DeletedAssets

__all__ = ["MAX_PER_PAGE", "deleted_assets", "restore_asset"]

MAX_PER_PAGE = 500


def deleted_assets(connection: Connection, *, page: int, per_page: int) -> DeletedAssets:
    """One page of the deleted assets (private ones too), the most recently deleted first."""
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        field = "page" if page < 1 else "per_page"
        raise ValidationError(
            f"Pages start at 1 and hold 1 to {MAX_PER_PAGE} assets.",
            problems=[Problem(f"out of range: {page if page < 1 else per_page}", field=field)],
        )
    deleted = assets.c.deleted_at.is_not(None)
    total = connection.execute(select(func.count()).select_from(assets).where(deleted))
    rows = connection.execute(
        select(
            assets.c.id,
            assets.c.name,
            assets.c.category,
            assets.c.source,
            assets.c.postcode,
            assets.c.visibility,
            assets.c.version,
            assets.c.deleted_at,
            assets.c.deleted_by,
            assets.c.merged_into,
        )
        .where(deleted)
        .order_by(assets.c.deleted_at.desc(), assets.c.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return DeletedAssets(
        items=[DeletedAsset(**row._mapping) for row in rows],
        total=int(total.scalar_one()),
        page=page,
        per_page=per_page,
    )


def restore_asset(
    connection: Connection, asset_id: str, *, version: int | None, actor: str
) -> None:
    """Undo the deletion of asset ``asset_id`` (``version``: the one read; None: any).

    Raises
    ------
    NotFound
        When there is no such asset.
    Conflict
        When it is not deleted, was merged into another asset, or changed since ``version``.
    """
    row = connection.execute(
        select(assets.c.name, assets.c.deleted_at, assets.c.merged_into).where(
            assets.c.id == asset_id
        )
    ).first()
    if row is None:
        raise NotFound(f"No asset {asset_id!r}.")
    if row.merged_into is not None:
        raise Conflict(
            f"Asset {row.name!r} ({asset_id}) was merged into {row.merged_into}, which stands for "
            "it now: restoring does not undo a merge (its details and sources went into that "
            "asset). Edit that asset instead."
        )
    if row.deleted_at is None:
        raise Conflict(
            f"Asset {row.name!r} ({asset_id}) is not deleted: there is nothing to restore."
        )
    restore_record(
        connection,
        assets,
        asset_id,
        expected_version=version,
        actor=actor,
        entity_type="asset",
    )
