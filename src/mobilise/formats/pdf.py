"""A PDF from an HTML page, without a browser: WeasyPrint (HTML and CSS to PDF, maintained by
CourtBouillon, BSD licence) lays the page out with Pango and writes the PDF.

Why WeasyPrint: it needs no browser (the issue rules one out), follows CSS paged media (page
size, margins, running page numbers, ``break-inside``), embeds the fonts it is given, draws
inline SVG (our maps and charts) and tags the PDF for screen readers (``pdf_variant``
``pdf/ua-1``). Its system libraries are Pango and HarfBuzz (Debian: ``libpango-1.0-0``,
``libpangoft2-1.0-0``, ``libharfbuzz-subset0``).

The page's own files (``/static/...``: the stylesheet and the shipped fonts) are read from
``static_dir``; nothing else is fetched, so building a pack never touches the network.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["PdfDocument", "html_to_pdf"]

BASE_URL = "https://pack.invalid/"  # what the page's relative links resolve against
STATIC_PREFIX = BASE_URL + "static/"


@dataclass(frozen=True)
class PdfDocument:
    """A PDF and its number of pages."""

    data: bytes
    pages: int


def _fetcher(static_dir: Path) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = static_dir.resolve()

    class StaticOnly(URLFetcher):
        """Reads ``/static/...`` from ``static_dir``; refuses every other address."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if not url.startswith(STATIC_PREFIX):
                raise ValueError(f"a pack fetches nothing from outside: {url}")
            path = (root / url[len(STATIC_PREFIX) :].split("?")[0]).resolve()
            if root not in path.parents or not path.is_file():
                raise ValueError(f"no such file of the pack: {url}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.suffix == ".woff2":
                kind = "font/woff2"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})

    return StaticOnly()


def html_to_pdf(html: str, *, static_dir: Path, title: str = "") -> PdfDocument:
    """Lay ``html`` out as a PDF (A4, as its stylesheet says), tagged for accessibility.

    ``static_dir`` holds what the page links under ``/static/`` (stylesheet, fonts).
    """
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher(static_dir)).render(
        pdf_variant="pdf/ua-1"
    )
    if title:
        document.metadata.title = title
    data = document.write_pdf()
    return PdfDocument(data=bytes(data or b""), pages=len(document.pages))
