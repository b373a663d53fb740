"""Every HTML page of the served demo, as people see it (issue 17, items 3 and 9).

The pages are found from the app's route table with ids from the demo (as the
Content-Security-Policy walk does, :mod:`tests.browser.test_csp`), so a page added later is
walked without anyone editing this file. Each is opened in Chromium at a desktop size
(1400x1000) and on a phone (390x844), as an admin of a shared deployment (signed in), and the
public pages again on a phone as an anonymous visitor. On each: nothing wider than the window (no sideways
scrolling), no console error and no uncaught script error, and no serious or critical axe-core
violation. A screenshot of each is saved under ``test-artifacts/every-page/`` (git-ignored).

Every problem of every page is collected and reported at once, so one run lists them all.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..conftest import serving
from ..web.test_route_matrix import RULES
from .test_csp import STREAMING, _pages, demo_copy  # noqa: F401 (demo_copy: a fixture)

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1400, 1000), "phone": (390, 844)}
BATCH = 4  # tabs open at once: their requests settle while the next ones load
KEY = "a-long-random-test-secret-for-every-page"
SHARED = Settings(host="0.0.0.0", secret_key=KEY, tile_url="none")
ADMIN = ("every-page-admin", "every page admin password")
NOT_PAGES = (".svg", ".atom", ".pdf", "/media/")  # pictures, feeds, files: not pages
QUERIES = {"/find": "?postcode=E8+1DY"}  # the postcode search shows its answer

# What overflows: the page's width, and the outermost elements that reach past the window's
# right edge (not those inside a box that scrolls), so a failure says where to look.
OVERFLOW = """() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return null;
    const limit = root.clientWidth + 1;
    const wide = [];
    for (const el of document.body.querySelectorAll("*")) {
        if (el.getBoundingClientRect().right <= limit) continue;
        if (wide.some((w) => w.contains(el))) continue;
        let scroller = el.parentElement, clipped = false;
        while (scroller && scroller !== document.body) {
            if (getComputedStyle(scroller).overflowX !== "visible") { clipped = true; break; }
            scroller = scroller.parentElement;
        }
        if (!clipped) wide.push(el);
        if (wide.length >= 3) break;
    }
    const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.classList.length ? "." + [...el.classList].join(".") : "");
    return `${root.scrollWidth} px wide: ${wide.map(name).join(", ")}`;
}"""

SERIOUS = """async () => {
    const results = await axe.run(document, {resultTypes: ["violations"]});
    return results.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .flatMap((v) => v.nodes.map((node) => `${v.id}: ${node.target.join(" ")}`));
}"""


@dataclasses.dataclass
class Walk:
    """One walk: where the app is, its pages, and where the screenshots go."""

    url: str
    pages: list[tuple[str, str]]
    shots: Path
    axe_source: str
    problems: list[str] = dataclasses.field(default_factory=list)


@pytest.fixture(scope="module")
def served(
    demo_workspace,
    demo_copy,  # noqa: F811 (the fixture imported above)
) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """The demo copy served as a shared deployment, with an admin, and its pages."""
    _url, ids, app = demo_copy
    ws = app.state.workspace
    media = Path(f"{demo_workspace.engine.url.database}.media")  # the pictures, beside the file
    shutil.copytree(media, Path(f"{ws.engine.url.database}.media"), dirs_exist_ok=True)
    admin = ws.users.create(*ADMIN, role="admin")
    forgetful = ws.users.create("every-page-viewer", "a viewer's password", role="viewer")
    table = ws.cafes.tables(ids["event_id"]) or None
    cafe_event = next(
        e.id for e in ws.events.list(when="past", limit=200).items if ws.cafes.tables(e.id)
    )
    ids = ids | {
        "host_token": ws.cafes.host_token(ids["table_id"], key=KEY),
        "user_id": forgetful.id,
    }
    reset = ws.as_actor(admin.username).users.reset_link(forgetful.id, key=KEY, hours=2)
    pages = []
    for path, address in _pages(app, ids):
        if path.endswith(NOT_PAGES) or path.startswith(NOT_PAGES):
            continue
        if "/harvest/{table_id}" in path and table is None:  # the table's own event
            address = address.replace(ids["event_id"], cafe_event)
        if path == "/reset/{token}":
            address = reset.path
        pages.append((path, address + QUERIES.get(path, "")))
    shared = create_app(SHARED, workspace=ws)
    with serving(shared) as url:
        yield url, pages


def _shot_name(size: str, path: str) -> str:
    return size + "_" + (re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home") + ".png"


def _open(context: Any, walk: Walk, path: str, address: str) -> Any:
    tab = context.new_page()
    said: list[str] = []

    def console(message: Any) -> None:
        # (a resource of elsewhere refused by the test, e.g. a tile, is not the page's error)
        if message.type == "error" and message.location.get("url", "").startswith(walk.url):
            said.append(f"console: {message.text}")

    tab.on("console", console)
    tab.on("pageerror", lambda error: said.append(f"script error: {error}"))
    tab.said = said
    response = tab.goto(walk.url + address, wait_until="load")
    if response is None or response.status >= 400:
        said.append(f"answered {response.status if response else 'nothing'}")
    elif "/login" in tab.url and not path.startswith("/login"):
        said.append("asked to sign in")
    return tab


def _check(tab: Any, walk: Walk, size: str, path: str) -> None:
    from playwright.sync_api import Error

    try:
        if path in STREAMING:
            tab.wait_for_selector("#live.on", timeout=20_000)
        else:
            tab.wait_for_load_state("networkidle", timeout=20_000)
    except Error as error:  # reported with the page's other problems
        tab.said.append(f"never settled: {error.message.splitlines()[0]}")
    problems = list(tab.said)
    wide = tab.evaluate(OVERFLOW)
    if wide:
        problems.append(f"wider than the window: {wide}")
    tab.evaluate(walk.axe_source)
    problems += [f"axe {v}" for v in tab.evaluate(SERIOUS)]
    tab.screenshot(path=walk.shots / _shot_name(size, path), full_page=True)
    walk.problems += [f"{size} {path}: {p}" for p in problems]


def _walk(
    browser: Any, walk: Walk, *, sizes: tuple[str, ...], sign_in: tuple[str, str] | None = None
) -> None:
    walk.shots.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        width, height = SIZES[size]
        # (nothing from elsewhere: the browser resolves no host name but the test server's,
        # tests/browser/conftest.py; routing every request through the test would slow it)
        context = browser.new_context(viewport={"width": width, "height": height})
        if sign_in:
            signed = context.request.post(
                walk.url + "/login",
                form={"username": sign_in[0], "password": sign_in[1]},
                headers={"Origin": walk.url},
                max_redirects=0,
            )
            assert signed.status == 303, signed.text()
        try:
            for start in range(0, len(walk.pages), BATCH):
                batch = walk.pages[start : start + BATCH]
                opened = [(path, _open(context, walk, path, address)) for path, address in batch]
                for path, tab in opened:
                    _check(tab, walk, size, path)
                    tab.close()
        finally:
            context.close()


def test_every_page_fits_a_desktop_and_passes_axe(browser, served, axe_source, artifacts):
    """Every page, as an admin of a shared deployment (who may open them all), at desktop size
    (the phone size is test_every_page_phone.py: a file of its own, so make test's workers walk
    the two sizes side by side)."""
    url, pages = served
    assert len(pages) > 60
    walk = Walk(url, pages, artifacts / "every-page" / "admin", axe_source)
    _walk(browser, walk, sizes=("desktop",), sign_in=ADMIN)
    assert walk.problems == [], "\n".join(walk.problems)


def test_every_public_page_opens_to_a_visitor_and_passes(browser, served, axe_source, artifacts):
    """The public pages (the route matrix's ``public`` and token-link rules), signed out, on a
    phone: what a visitor sees differs from the admin's pages only in the links offered, and the
    phone is where a page breaks (the desktop is walked as an admin above)."""
    url, pages = served
    public = [(p, a) for p, a in pages if RULES[f"GET {p}"].kind in ("public", "token-link")]
    names = {p for p, _ in public}
    assert {"/", "/assets", "/sources", "/places/{slug}", "/areas/{code}", "/login"} <= names
    walk = Walk(url, public, artifacts / "every-page" / "public", axe_source)
    _walk(browser, walk, sizes=("phone",))
    assert walk.problems == [], "\n".join(walk.problems)


def test_the_navigation_is_one_line_and_its_menu_opens_on_a_phone(browser, served):
    """Today's 15 links wrapped to three lines: the navigation is one line at both sizes, and
    on a phone the Menu opens to every link (and Escape closes it)."""
    from playwright.sync_api import expect

    url, _pages = served
    for width, height in SIZES.values():
        context = browser.new_context(viewport={"width": width, "height": height})
        signed = context.request.post(
            url + "/login",
            form={"username": ADMIN[0], "password": ADMIN[1]},
            headers={"Origin": url},
            max_redirects=0,
        )
        assert signed.status == 303
        page = context.new_page()
        page.goto(url + "/sources")
        header = page.locator("header.top")
        expect(header).to_be_visible()
        assert header.bounding_box()["height"] < 60  # one line (a line of links is ~45 px)
        menu = page.locator("details.nav-menu")
        if width < 700:
            expect(page.locator(".nav-first")).to_be_hidden()
        page.get_by_text("Menu", exact=True).click()
        panel = menu.locator(".nav-panel")
        expect(panel.get_by_role("link", name="Users")).to_be_visible()
        expect(panel.get_by_role("link", name="Community assets")).to_be_visible(
            visible=width < 700  # on a desktop it is on the first line, not in the Menu
        )
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        context.close()
