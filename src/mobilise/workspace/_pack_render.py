"""An evidence pack's sections as an HTML page and a PDF (private to
:mod:`mobilise.workspace.packs`).

The page is ``web/templates/pack_document.html`` with the stylesheet and fonts of
``web/static`` (``pack.css``, ``fonts/``): the web app serves the same files, so the stored
page links them (``/static/pack.css``) and shows under the strict content security policy; the
PDF is laid out from that page by :func:`mobilise.formats.pdf.html_to_pdf`, reading those files
from disk; a downloaded page has the stylesheet and fonts inlined, so it reads offline.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from markupsafe import Markup

from mobilise.workspace._pack_parts import Section, Source

__all__ = ["STATIC_DIR", "render_html", "render_pdf", "standalone", "with_pdf_link"]

_WEB = Path(__file__).resolve().parents[1] / "web"
STATIC_DIR = _WEB / "static"
TEMPLATES_DIR = _WEB / "templates"
LINK = '<link rel="stylesheet" href="/static/pack.css">'


@lru_cache(maxsize=1)
def _template() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"])
    )
    return environment.get_template("pack_document.html")


def render_html(
    sections: Sequence[Section],
    *,
    title: str,
    subtitle: str,
    made_on: str,
    number: int,
    pack_id: str,
    k: int,
    plain: bool,
) -> str:
    """The pack's page, linking ``/static/pack.css``."""
    from mobilise import __version__

    sources: list[Source] = list(
        dict.fromkeys(s for section in sections for s in section.sources())
    )
    return str(
        _template().render(
            title=title,
            subtitle=subtitle,
            made_on=made_on,
            number=number,
            pack_id=pack_id,
            sections=sections,
            sources=sources,
            k=k,
            plain=plain,
            stylesheet=Markup(LINK),
            mobilise_version=__version__,
        )
    )


def render_pdf(html: str, *, title: str) -> tuple[bytes, int]:
    """The PDF of a pack's page and its number of pages."""
    from mobilise.formats.pdf import html_to_pdf

    document = html_to_pdf(html, static_dir=STATIC_DIR, title=title)
    return document.data, document.pages


def standalone(html: str) -> str:
    """The page with its stylesheet and fonts inlined, to read offline once downloaded."""
    css = (STATIC_DIR / "pack.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = (STATIC_DIR / match.group(1)).read_bytes()
        return f'url("data:font/woff2;base64,{base64.b64encode(data).decode()}")'

    css = re.sub(r'url\("(fonts/[a-z0-9-]+\.woff2)"\)', inline, css)
    return html.replace(LINK, f"<style>{css}</style>", 1)


def with_pdf_link(html: str, href: str) -> str:
    """The page with a link to its PDF at the top (for the web; the PDF has none)."""
    link = (
        f'<p class="pack-links"><a href="{escape(href, quote=True)}" download>'
        "Download this pack as a PDF</a></p>"
    )
    return html.replace("<header>", f"<header>\n{link}", 1)
