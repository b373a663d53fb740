"""Maps that show where things are (issue 17, item 2), in Chromium at a desk and on a phone.

Streets come from a tile service; here a local one (a tiny server on 127.0.0.1 standing for
OpenStreetMap's), so nothing reaches the network. When the tiles are refused (Playwright aborts
them, as a locked-down network or an offline laptop would), every map says so in words and draws
its offline layer instead of grey: neighbourhood outlines with their names, and Camden's streets
with OpenStreetMap's attribution. axe-core finds nothing on the maps' containers and controls.
"""

from __future__ import annotations

import re
import struct
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ..conftest import serving

pytestmark = pytest.mark.browser

SIZES = {"desk": {"width": 1400, "height": 1000}, "phone": {"width": 390, "height": 844}}
OFFLINE_NOTE = "Street map unavailable — showing neighbourhood outlines"
SOME = re.compile(r"^[1-9]\d*$")
CAMDEN_AREA = "E01000842"  # Camden 011A, in Belsize Park


def _png() -> bytes:
    """A 1x1 light grey PNG: a "tile" the browser can decode."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xdd\xdd\xdd")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def tile_server() -> Iterator[str]:
    """A local tile service: the same small PNG for every tile asked for."""
    tile = _png()

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "image/png")
            self.send_header("content-length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def site(demo_workspace, tile_server) -> Iterator[tuple[str, dict[str, str]]]:
    """The demo served with street tiles from the local tile service, and the map pages."""
    from mobilise.settings import Settings
    from mobilise.web.app import create_app

    settings = Settings(
        host="127.0.0.1",
        tile_url=tile_server + "/tiles/{z}/{x}/{y}.png",
        tile_attribution="Local test tiles",
    )
    asset = demo_workspace.assets.search(text="Clapton Library").items[0]
    pages = {
        "place": "/places/inner-north-east-london",
        "area": f"/areas/{CAMDEN_AREA}",
        "access": "/places/northamptonshire/access",
        "directory": "/assets?where=NW1+2DB&radius=1000",
        "asset": f"/assets/{asset.id}",
    }
    with serving(create_app(settings, workspace=demo_workspace)) as url:
        yield url, pages


def _open(browser, url: str, *, size: str, refuse_tiles: bool) -> object:
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    page.js_errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))  # type: ignore[attr-defined]
    if refuse_tiles:
        page.route("**/tiles/**", lambda route: route.abort("internetdisconnected"))
    page.goto(url)
    return page


@pytest.mark.parametrize(
    ("which", "size"),
    # every map page on a phone, where a layout breaks first; one at desktop width
    [(page, "phone") for page in ("place", "area", "access", "directory", "asset")]
    + [("place", "desk")],
)
def test_refused_tiles_show_the_offline_layer_in_words(browser, site, axe, artifacts, which, size):
    from playwright.sync_api import expect

    url, pages = site
    page = _open(browser, url + pages[which], size=size, refuse_tiles=True)
    try:
        container = page.locator(".leaflet-container").first
        expect(container.locator(".map-offline-note")).to_have_text(OFFLINE_NOTE)
        expect(container).to_have_attribute("data-basemap", "offline")
        expect(container).to_have_attribute("data-outlines", SOME, timeout=20_000)
        label = container.locator(".map-label span").first  # names, as words on the map
        expect(label).to_be_visible()
        assert label.inner_text().strip()
        attribution = container.locator(".leaflet-control-attribution")
        expect(attribution).to_contain_text("Boundaries: ONS")
        assert page.locator(".leaflet-tile-loaded").count() == 0
        page.screenshot(path=str(artifacts / f"offline-map-{which}-{size}.png"))
        assert axe(page, ".leaflet-container") == []
        assert axe(page) == [], "the page with its map"
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_camden_streets_with_their_names_and_attribution(browser, site, artifacts, size):
    from playwright.sync_api import expect

    url, pages = site
    page = _open(browser, url + pages["area"], size=size, refuse_tiles=True)
    try:
        container = page.locator("#area-map")
        expect(container).to_have_attribute("data-streets", SOME, timeout=20_000)
        expect(container.locator(".leaflet-control-attribution")).to_contain_text(
            "© OpenStreetMap contributors, ODbL"
        )
        expect(
            container.locator(".map-label-locality span", has_text="Belsize Park")
        ).to_be_visible()
        page.locator(".leaflet-control-zoom-in").click()  # closer in: street names
        expect(container.locator(".map-label-street span").first).to_be_visible()
        page.screenshot(path=str(artifacts / f"offline-map-camden-streets-{size}.png"))
    finally:
        page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_tiles_from_the_tile_service_are_drawn(browser, site, axe, artifacts, size):
    from playwright.sync_api import expect

    url, pages = site
    page = _open(browser, url + pages["asset"], size=size, refuse_tiles=False)
    try:
        container = page.locator("#asset-point")
        expect(container).to_have_attribute("data-basemap", "tiles")
        expect(page.locator("#asset-point .leaflet-tile-loaded").first).to_be_attached()
        expect(container.locator(".leaflet-control-attribution")).to_contain_text(
            "Local test tiles"
        )
        assert container.locator(".map-offline-note").count() == 0
        # the asset's name on its marker, without a tap
        expect(container.locator(".leaflet-tooltip")).to_have_text("Clapton Library")
        page.screenshot(path=str(artifacts / f"tiled-map-asset-{size}.png"))
        assert axe(page, "#asset-point") == []
    finally:
        page.context.close()
