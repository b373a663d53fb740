"""A partner list imported from the partners page in Chromium: the upload answers at once, the
page follows the job and shows its outcome (the counts, or the rows at fault)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..conftest import serving

pytestmark = pytest.mark.browser

GOOD = b"id,name,sector\nq-one,Queen's Park Allotments,environment\nq-two,Tenants Voice,vcse\n"
BAD = b"id,name,sector\nq-three,Three,vcse\nq-four,Four,spaceships\n"


@pytest.fixture
def own_server(sqlite_workspace) -> Iterator[str]:
    from mobilise.settings import Settings
    from mobilise.web.app import create_app

    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    with serving(app) as url:
        yield url


def test_a_partner_import_is_followed_to_its_outcome(page, own_server):
    page.goto(f"{own_server}/partners")
    page.set_input_files("#partners-file", files=[_upload("partners.csv", GOOD)])
    page.click("#import-partners button")
    page.wait_for_selector("#import-result .ok")
    assert page.inner_text("#import-result") == (
        "partners.csv: 2 added, 0 updated, 0 unchanged. Reload the page to see them."
    )
    page.set_input_files("#partners-file", files=[_upload("bad.csv", BAD)])
    page.click("#import-partners button")
    page.wait_for_selector("#import-result .error")
    shown = page.inner_text("#import-result")
    assert "nothing was imported" in shown and "bad.csv, row 2, sector" in shown
    page.reload()
    assert page.locator("text=Tenants Voice").count() == 1
    assert page.locator("text=Four").count() == 0
    assert page.js_errors == []


def _upload(name: str, data: bytes) -> dict[str, object]:
    return {"name": name, "mimeType": "text/csv", "buffer": data}
