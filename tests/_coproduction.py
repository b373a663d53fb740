"""Small helpers of the co-production tests (payments, event contributions, withdrawal): a
held event, a participant with consent, a tiny PNG."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime
from typing import Any


def add_event(workspace: Any, title: str = "World Café at the library", **values: Any) -> str:
    """The id of a held engagement event (made through the events service)."""
    event = workspace.events.create(
        kind="world_cafe",
        title=title,
        starts_at=datetime(2026, 5, 2, 10, tzinfo=UTC),
        ends_at=datetime(2026, 5, 2, 13, tzinfo=UTC),
        **values,
    )
    workspace.events.update(event.id, {"status": "held"}, version=None)
    return str(event.id)


def consenting(workspace: Any, sheet_id: str, **scopes: Any) -> Any:
    """A new participant who granted ``scopes`` (take part always)."""
    person = workspace.participants.add()
    workspace.consent.give(
        person.id,
        information_sheet=sheet_id,
        method="paper",
        scopes={"take_part": True, **scopes},
    )
    return person


def png(marker: bytes = b"mobilise") -> bytes:
    """A 1x1 PNG with a text chunk (metadata, dropped when stored) and ``marker`` in its pixel
    data, so that two pictures differ."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x7f" + marker)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00taken at 51.5N")
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )
