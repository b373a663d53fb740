"""The asset page says what mobilise wrote from the source's facts and which web address it
corrected (issue 21, item 3): ORUK has no field for either, so the page is where people see it."""

from __future__ import annotations


def _asset(ws, name: str, source_prefix: str):
    return next(a for a in ws.assets.search(text=name).items if a.source.startswith(source_prefix))


def test_a_written_description_is_marked_on_the_page(client, demo_workspace):
    clapton = _asset(demo_workspace, "Clapton Library", "public_libraries")
    page = client.get(f"/assets/{clapton.id}")
    assert page.status_code == 200
    assert "Public library run by the London Borough of Hackney." in page.text
    assert 'id="derived-description"' in page.text
    assert "mobilise wrote this description from the facts the source holds" in page.text
    assert "(from the source&#39;s facts)" in page.text  # the council, written from "Hackney"


def test_a_corrected_web_address_is_noted_on_the_page(client, demo_workspace):
    showroom = next(
        a
        for a in demo_workspace.assets.search(text="Hackney Showroom").items
        if a.url == "https://www.hackneyshowroom.com"
    )
    page = client.get(f"/assets/{showroom.id}")
    assert 'href="https://www.hackneyshowroom.com"' in page.text
    assert "the source wrote “www.hackneyshowroom.com”: https:// added" in page.text


def test_an_edited_description_loses_the_mark(writable_client, sqlite_workspace):
    from ..conftest import FIXTURES

    ws = sqlite_workspace
    ws.assets.import_file(FIXTURES / "assets" / "sources" / "public_libraries_2023_excerpt.geojson")
    clapton = next(a for a in ws.assets.search(text="Clapton").items)
    assert 'id="derived-description"' in writable_client.get(f"/assets/{clapton.id}").text
    ws.assets.update(clapton.id, version=clapton.version, changes={"description": "Our words"})
    page = writable_client.get(f"/assets/{clapton.id}").text
    assert "Our words" in page and 'id="derived-description"' not in page


def test_the_api_marks_what_mobilise_wrote_and_what_it_corrected(client, demo_workspace):
    clapton = _asset(demo_workspace, "Clapton Library", "public_libraries")
    found = client.get(f"/api/v1/assets/{clapton.id}").json()
    assert found["derived"]["description"] == "Public library run by the London Borough of Hackney."
    showroom = next(
        a
        for a in demo_workspace.assets.search(text="Hackney Showroom").items
        if a.url == "https://www.hackneyshowroom.com"
    )
    found = client.get(f"/api/v1/assets/{showroom.id}").json()
    assert found["normalised"]["url"]["given"] == "www.hackneyshowroom.com"


def test_an_edited_description_is_no_longer_marked_in_the_api(writable_client, sqlite_workspace):
    from ..conftest import FIXTURES

    ws = sqlite_workspace
    ws.assets.import_file(FIXTURES / "assets" / "sources" / "public_libraries_2023_excerpt.geojson")
    clapton = next(a for a in ws.assets.search(text="Clapton").items)
    assert "description" in writable_client.get(f"/api/v1/assets/{clapton.id}").json()["derived"]
    ws.assets.update(clapton.id, version=clapton.version, changes={"description": "Our words"})
    assert (
        "description" not in writable_client.get(f"/api/v1/assets/{clapton.id}").json()["derived"]
    )
