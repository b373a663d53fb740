"""Atom 1.0 feeds (RFC 4287), written with the standard library's ElementTree.

A feed carries ``id``, ``title``, ``updated``, an ``author`` and its ``link`` (rel ``self`` and
``alternate``); every entry its own ``id``, ``title``, ``updated``, an ``alternate`` link and a
plain-text ``summary``. Times are RFC 3339 in UTC. ElementTree escapes every text, and the
characters XML 1.0 cannot hold at all (control characters pasted from a PDF, say) are dropped
(:func:`~mobilise.formats._tables.xml_safe`), so nothing a user typed can break the XML. (A
feed library such as feedgen would add a dependency for a dozen elements; RFC 4287 needs no
more than this.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree

from mobilise.formats._tables import xml_safe

__all__ = ["ATOM_NS", "AtomEntry", "atom_feed"]

ATOM_NS = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class AtomEntry:
    id: str  # a permanent IRI, e.g. "urn:uuid:..."
    title: str
    updated: datetime
    link: str
    summary: str = ""
    category: str = ""


def _stamp(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ElementTree.Element, tag: str, text: str = "", **attributes: str) -> None:
    safe = {name: xml_safe(value) for name, value in attributes.items()}
    child = ElementTree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", safe)
    if text:
        child.text = xml_safe(text)


def atom_feed(
    *,
    feed_id: str,
    title: str,
    updated: datetime,
    self_link: str,
    page_link: str,
    author: str,
    entries: Sequence[AtomEntry],
    subtitle: str = "",
) -> bytes:
    """The feed as UTF-8 bytes with an XML declaration."""
    ElementTree.register_namespace("", ATOM_NS)
    feed = ElementTree.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", feed_id)
    _sub(feed, "title", title)
    if subtitle:
        _sub(feed, "subtitle", subtitle)
    _sub(feed, "updated", _stamp(updated))
    author_element = ElementTree.SubElement(feed, f"{{{ATOM_NS}}}author")
    _sub(author_element, "name", author)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_link)
    _sub(feed, "link", rel="alternate", type="text/html", href=page_link)
    for item in entries:
        entry = ElementTree.SubElement(feed, f"{{{ATOM_NS}}}entry")
        _sub(entry, "id", item.id)
        _sub(entry, "title", item.title)
        _sub(entry, "updated", _stamp(item.updated))
        _sub(entry, "link", rel="alternate", type="text/html", href=item.link)
        if item.category:
            _sub(entry, "category", term=item.category)
        if item.summary:
            _sub(entry, "summary", item.summary, type="text")
    body: bytes = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
