"""Deleting and restoring assets on the web (issue 14, finding 10): the JSON API, the "deleted
assets" page with its restore buttons, who may use them; and the admins' backup API."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..conftest import FIXTURES
from ._helpers import error_shape
from .conftest import LOCAL

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
LOCAL_SETTINGS = Settings(host="127.0.0.1", user="tester")


@pytest.fixture
def register(sqlite_workspace):
    sqlite_workspace.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    sqlite_workspace.assets.import_file(FIXTURES / "workspace" / "assets_small.geojson")
    return sqlite_workspace


@pytest.fixture
def local(register) -> TestClient:
    return TestClient(
        create_app(LOCAL_SETTINGS, workspace=register), raise_server_exceptions=False, **LOCAL
    )


def an_asset(client: TestClient) -> dict:
    return client.get("/api/v1/assets", params={"per_page": 1}).json()["items"][0]


def test_delete_list_and_restore_through_the_api(local: TestClient) -> None:
    asset = an_asset(local)
    deleted = local.delete(f"/api/v1/assets/{asset['id']}", params={"version": asset["version"]})
    assert deleted.status_code == 204
    assert local.get(f"/api/v1/assets/{asset['id']}").status_code == 404
    listed = local.get("/api/v1/assets/deleted").json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == asset["id"]
    assert listed["items"][0]["restorable"] is True
    restored = local.post(
        f"/api/v1/assets/{asset['id']}/restore", params={"version": listed["items"][0]["version"]}
    )
    assert restored.status_code == 200 and restored.json()["name"] == asset["name"]
    assert local.get(f"/api/v1/assets/{asset['id']}").status_code == 200
    again = local.post(f"/api/v1/assets/{asset['id']}/restore")
    assert "not deleted" in error_shape(again, 409, "conflict")["message"]
    error_shape(local.post("/api/v1/assets/no-such-asset/restore"), 404, "not_found")
    error_shape(local.get("/api/v1/assets/deleted", params={"per_page": 0}), 422, "invalid_input")


def test_a_merged_duplicate_is_refused_and_says_why(local: TestClient, register) -> None:
    keep, gone = register.assets.search(per_page=2).items
    register.duplicates.merge(keep.id, gone.id)
    refused = local.post(f"/api/v1/assets/{gone.id}/restore")
    assert "does not undo a merge" in error_shape(refused, 409, "conflict")["message"]


def test_the_deleted_page_restores_with_a_button(local: TestClient) -> None:
    asset = an_asset(local)
    page = local.get(f"/assets/{asset['id']}")
    assert "Delete this asset" in page.text
    gone = local.post(
        f"/assets/{asset['id']}/delete", data={"version": asset["version"]}, follow_redirects=False
    )
    assert gone.status_code == 303 and gone.headers["location"] == "/assets/deleted?done=deleted"
    listing = local.get("/assets/deleted?done=deleted")
    assert listing.status_code == 200 and "Deleted. The asset has left search" in listing.text
    assert f'action="/assets/{asset["id"]}/restore"' in listing.text
    version = local.get("/api/v1/assets/deleted").json()["items"][0]["version"]
    back = local.post(
        f"/assets/{asset['id']}/restore", data={"version": version}, follow_redirects=True
    )
    assert back.status_code == 200 and "Restored. The asset is back" in back.text
    assert "No deleted assets." in back.text
    stale = local.post(f"/assets/{asset['id']}/delete", data={"version": version})
    assert stale.status_code == 409  # the version read before the restore


def test_a_refused_restore_reshows_the_page_with_why(local: TestClient, register) -> None:
    keep, gone = register.assets.search(per_page=2).items
    register.duplicates.merge(keep.id, gone.id)
    register.assets.delete(gone.id)
    page = local.get("/assets/deleted")
    assert "not restorable" in page.text and f'action="/assets/{gone.id}/restore"' not in page.text
    refused = local.post(f"/assets/{gone.id}/restore", data={"page": 1})
    assert refused.status_code == 409 and "does not undo a merge" in refused.text


@pytest.fixture
def shared(register) -> TestClient:
    register.users.create("ana", "correct horse battery", role="analyst")
    register.users.create("vic", "another long secret", role="viewer")
    return TestClient(create_app(SHARED, workspace=register), base_url="https://testserver")


def sign_in(client: TestClient, username: str, password: str) -> None:
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 200, response.text


def test_only_editors_see_and_restore_deleted_assets(shared: TestClient, register) -> None:
    asset = register.assets.search(per_page=1).items[0]
    register.assets.delete(asset.id)
    error_shape(shared.get("/api/v1/assets/deleted"), 401, "authentication_required")
    sign_in(shared, "vic", "another long secret")
    error_shape(shared.get("/api/v1/assets/deleted"), 403, "permission_denied")
    error_shape(shared.post(f"/api/v1/assets/{asset.id}/restore"), 403, "permission_denied")
    assert shared.get("/assets/deleted").status_code == 403
    assert register.assets.deleted().total == 1
    shared.post("/logout")
    sign_in(shared, "ana", "correct horse battery")
    assert shared.get("/api/v1/assets/deleted").json()["total"] == 1
    assert shared.post(f"/api/v1/assets/{asset.id}/restore").status_code == 200
    entries = register.audit.entries(entity_type="asset", entity_id=asset.id)
    assert (entries[0].action, entries[0].actor) == ("restore", "ana")


# -- the admins' backup API ---------------------------------------------------------------------
def test_an_admin_backs_up_into_the_backup_dir(register, tmp_path) -> None:
    settings = dataclasses.replace(LOCAL_SETTINGS, backup_dir=str(tmp_path / "backups"))
    client = TestClient(create_app(settings, workspace=register), **LOCAL)
    made = client.post("/api/v1/admin/backups")
    assert made.status_code == 201 and made.json()["tables"]["assets"] == 4
    listed = client.get("/api/v1/admin/backups").json()
    assert [b["name"] for b in listed["items"]] == [made.json()["name"]]
    register.backup.read(made.json()["path"])  # whole, its checksum as stated


def test_the_backup_api_needs_a_folder_and_an_admin(register, shared: TestClient) -> None:
    local = TestClient(create_app(LOCAL_SETTINGS, workspace=register), **LOCAL)
    refused = local.post("/api/v1/admin/backups")
    assert "MOBILISE_BACKUP_DIR" in error_shape(refused, 409, "conflict")["message"]
    sign_in(shared, "ana", "correct horse battery")
    error_shape(shared.post("/api/v1/admin/backups"), 403, "permission_denied")
    error_shape(shared.get("/api/v1/admin/backups"), 403, "permission_denied")
