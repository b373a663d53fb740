"""Evidence packs on the web (issue 18, items 3 and 4): the pages, the document and its PDF,
the JSON API (202 with a job, bad input a 422 naming the field), and the share link: anyone may
read it until it is withdrawn, then it is a 404."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app

from .._reach import PLACE, build_place
from .conftest import LOCAL

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")


@pytest.fixture
def packed(sqlite_workspace, tmp_path):
    build_place(sqlite_workspace, tmp_path)
    pack = sqlite_workspace.packs.build(PLACE, audience="community")
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    client = TestClient(app, raise_server_exceptions=False, **LOCAL)
    return sqlite_workspace, client, pack


def test_the_pages_the_document_and_the_downloads(packed):
    _, client, pack = packed
    listing = client.get("/packs")
    assert listing.status_code == 200 and pack.title in listing.text
    assert 'action="/packs"' in listing.text  # an admin may make one
    assert pack.title in client.get(f"/places/{PLACE}/packs").text
    page = client.get(f"/packs/{pack.id}")
    assert page.status_code == 200 and f"/packs/{pack.id}/pack.pdf" in page.text
    document = client.get(f"/packs/{pack.id}/view")
    assert document.status_code == 200
    assert '<link rel="stylesheet" href="/static/pack.css">' in document.text
    assert "Download this pack as a PDF" in document.text
    # the strict content security policy holds: no inline style or script in the document
    assert "<style" not in document.text and "<script" not in document.text
    assert not re.search(r"\sstyle=", document.text)
    pdf = client.get(f"/packs/{pack.id}/pack.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    offline = client.get(f"/packs/{pack.id}/pack.html")
    assert "attachment" in offline.headers["content-disposition"]
    assert "data:font/woff2;base64," in offline.text
    assert client.get("/static/pack.css").status_code == 200
    assert (
        client.get("/static/fonts/atkinson-hyperlegible-latin-400-normal.woff2").status_code == 200
    )


def test_the_api_builds_in_the_background_and_refuses_bad_input(packed):
    _, client, pack = packed
    made = client.post("/api/v1/packs", json={"place": PLACE, "audience": "board"})
    assert made.status_code == 202, made.text
    answer = made.json()
    assert answer["status"] == "queued" and answer["job"]["status_url"]
    bad = client.post("/api/v1/packs", json={"place": PLACE, "audience": "boss"})
    assert bad.status_code == 422
    assert [p["field"] for p in bad.json()["error"]["problems"]] == ["audience"]
    unknown = client.post("/api/v1/packs", json={"place": "nowhere", "compare": [PLACE]})
    assert unknown.status_code == 422 and "nowhere" in unknown.text
    assert client.get("/api/v1/packs", params={"place": "Not A Slug!"}).status_code == 422
    listed = client.get("/api/v1/packs", params={"place": PLACE}).json()
    assert pack.id in [p["id"] for p in listed]
    manifest = client.get(f"/api/v1/packs/{pack.id}/manifest").json()
    assert manifest["place"] == PLACE and manifest["sections"]
    assert client.get("/api/v1/packs/no-such-pack").status_code == 404


def test_a_withdrawn_share_link_is_a_404(packed):
    workspace, client, pack = packed
    shared = client.post(f"/api/v1/packs/{pack.id}/share")
    assert shared.status_code == 200
    token = shared.json()["token"]
    assert shared.json()["url"].endswith(f"/p/{token}")
    visitor = TestClient(
        create_app(SHARED, workspace=workspace),
        base_url="https://testserver",
        raise_server_exceptions=False,
    )
    seen = visitor.get(f"/p/{token}")  # anyone with the link, signed in or not
    assert seen.status_code == 200 and pack.title in seen.text
    assert visitor.get(f"/p/{token}/pack.pdf").content.startswith(b"%PDF")
    assert visitor.get(f"/packs/{pack.id}/view", follow_redirects=False).status_code in (302, 303)
    assert client.delete(f"/api/v1/packs/{pack.id}/share").status_code == 204
    assert visitor.get(f"/p/{token}").status_code == 404
    assert visitor.get(f"/p/{token}/pack.pdf").status_code == 404
    again = client.post(f"/packs/{pack.id}/share", follow_redirects=False)
    assert again.status_code == 303
    fresh = workspace.packs.get(pack.id).share_token
    assert visitor.get(f"/p/{fresh}").status_code == 200
    assert client.post(f"/packs/{pack.id}/withdraw", follow_redirects=False).status_code == 303
    assert visitor.get(f"/p/{fresh}").status_code == 404
    assert client.get(f"/api/v1/packs/{pack.id}").status_code == 404
