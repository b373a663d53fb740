"""Deleted assets listed and restored through the workspace, on SQLite and PostgreSQL (issue 14,
finding 10: a soft-deleted asset could not be restored by any command or route)."""

from __future__ import annotations

import pytest

from mobilise import Conflict, NotFound, ValidationError
from mobilise.workspace import Workspace

from ..conftest import FIXTURES

HERE = FIXTURES / "workspace"


@pytest.fixture
def register(workspace: Workspace) -> Workspace:
    workspace.areas.import_boundaries(HERE / "three_lsoas.geojson")
    workspace.assets.import_file(HERE / "assets_small.geojson")
    return workspace


def test_a_deleted_asset_is_listed_and_restored_with_audit_entries(register: Workspace):
    asset = register.assets.search(per_page=1).items[0]
    register.assets.delete(asset.id, version=asset.version)
    assert asset.id not in {a.id for a in register.assets.search(per_page=50).items}
    found = register.assets.deleted()
    assert found.total == 1
    [listed] = found.items
    assert (listed.id, listed.name, listed.deleted_by, listed.restorable) == (
        asset.id,
        asset.name,
        "tester",
        True,
    )
    restored = register.assets.restore(asset.id, version=listed.version)
    assert restored.id == asset.id and restored.version == asset.version + 2
    assert asset.id in {a.id for a in register.assets.search(per_page=50).items}
    assert register.assets.deleted().total == 0
    actions = [e.action for e in register.audit.entries(entity_type="asset", entity_id=asset.id)]
    assert {"delete", "restore"} <= set(actions)


def test_what_cannot_be_restored(register: Workspace):
    live = register.assets.search(per_page=2).items
    with pytest.raises(NotFound):
        register.assets.restore("no-such-asset")
    with pytest.raises(Conflict, match="is not deleted"):
        register.assets.restore(live[0].id)
    register.assets.delete(live[0].id)
    with pytest.raises(Conflict, match="changed since you read it"):
        register.assets.restore(live[0].id, version=live[0].version)  # before the deletion
    assert register.assets.deleted().total == 1  # nothing changed


def test_a_merged_duplicate_is_not_restored(register: Workspace):
    """Restoring does not undo a merge: the merged asset says which asset stands for it."""
    keep, gone = register.assets.search(per_page=2).items
    register.duplicates.merge(keep.id, gone.id)
    with pytest.raises(Conflict, match=f"was merged into {keep.id}.*does not undo a merge"):
        register.assets.restore(gone.id)
    register.assets.delete(gone.id)  # merged, then deleted too: listed, not restorable
    [listed] = register.assets.deleted().items
    assert (listed.merged_into, listed.restorable) == (keep.id, False)
    with pytest.raises(Conflict, match="does not undo a merge"):
        register.assets.restore(gone.id)


def test_pages_of_deleted_assets(register: Workspace):
    for asset in register.assets.search(per_page=50).items:
        register.assets.delete(asset.id)
    first, second = (register.assets.deleted(page=p, per_page=3) for p in (1, 2))
    assert (first.total, first.total_pages, len(first.items), len(second.items)) == (4, 2, 3, 1)
    assert first.items[0].deleted_at >= second.items[0].deleted_at  # the latest first
    with pytest.raises(ValidationError):
        register.assets.deleted(per_page=0)
