"""Illustrative media for the demo: pictures drawn by the demo builder itself with Pillow.

Each held demo event gets a drawing of a park and a mural-like picture made of shapes and colours
chosen by a seeded random generator (never taken from anywhere), given by a table, with alt text,
a caption and the "maker's words", marked public and **illustrative**. A picture is linked to the
event's venue (an asset) and its neighbourhood when the event has one, so the asset and area pages
show it too. The lead's demo builder calls :func:`build_media` after the events exist.
"""

from __future__ import annotations

import contextlib
import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["build_media", "draw_mural", "draw_park"]

_GREENS = ["#2e7d32", "#43a047", "#66bb6a", "#1b5e20"]
_MURAL = ["#e53935", "#fb8c00", "#fdd835", "#43a047", "#1e88e5", "#8e24aa", "#00897b"]
_WORDS = {
    "park": (
        "A drawing of the park: trees, the pond and the path",
        "Illustrative drawing: the park as the table drew it",
        "This is where I walk the dog every morning; the bench by the pond is mine.",
    ),
    "mural": (
        "Bright circles and stripes in red, yellow, green and blue, like a mural",
        "Illustrative picture: the mural the table would like on the underpass",
        "We want the underpass to feel like somewhere you would stop, not run through.",
    ),
}


def draw_park(rng: Any, *, size: tuple[int, int] = (800, 600)) -> bytes:
    """A simple park: sky, grass, a pond, a path and round trees, as a PNG."""
    from PIL import Image, ImageDraw

    width, height = size
    picture = Image.new("RGB", size, "#bfe3ff")
    draw = ImageDraw.Draw(picture)
    horizon = int(height * rng.uniform(0.35, 0.5))
    draw.rectangle([0, horizon, width, height], fill="#7cb342")
    sun = int(rng.integers(60, width - 60))
    draw.ellipse([sun - 40, 30, sun + 40, 110], fill="#ffd54f")
    pond_x = int(rng.integers(width // 5, width // 2))
    draw.ellipse([pond_x, height - 200, pond_x + 260, height - 90], fill="#4fc3f7")
    draw.polygon(
        [(width // 2 - 30, height), (width // 2 + 30, height), (width - 80, horizon)],
        fill="#d7ccc8",
    )
    for _ in range(int(rng.integers(5, 9))):
        x = int(rng.integers(20, width - 20))
        y = int(rng.integers(horizon - 20, height - 60))
        radius = int(rng.integers(25, 55))
        draw.rectangle([x - 6, y, x + 6, y + radius + 20], fill="#6d4c41")
        draw.ellipse(
            [x - radius, y - radius, x + radius, y + radius // 2], fill=_pick(rng, _GREENS)
        )
    return _png(picture)


def draw_mural(rng: Any, *, size: tuple[int, int] = (800, 600)) -> bytes:
    """A mural of stripes and circles in bright colours, as a PNG."""
    from PIL import Image, ImageDraw

    width, height = size
    picture = Image.new("RGB", size, "#fafafa")
    draw = ImageDraw.Draw(picture)
    stripe = height // 8
    for row in range(8):
        draw.rectangle([0, row * stripe, width, (row + 1) * stripe], fill=_pick(rng, _MURAL))
    for _ in range(int(rng.integers(6, 12))):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        radius = int(rng.integers(30, 110))
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=_pick(rng, _MURAL))
    return _png(picture)


def _pick(rng: Any, colours: list[str]) -> str:
    return colours[int(rng.integers(0, len(colours)))]


def _png(picture: Any) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def build_media(workspace: Workspace, *, seed: int = 16) -> int:
    """Draw and attach the illustrative pictures to every held illustrative event; returns how
    many were added. Run it once, after the demo's events are built."""
    import numpy as np

    rng = np.random.default_rng(seed)
    events, offset = [], 0
    while page := workspace.events.list(status="held", limit=200, offset=offset).items:
        events += page
        offset += len(page)
    added = 0
    for event in (e for e in events if e.illustrative):
        venue = workspace.assets.get(event.venue_asset_id) if event.venue_asset_id else None
        for table, (subject, draw) in enumerate(
            (("park", draw_park), ("mural", draw_mural)), start=1
        ):
            alt_text, caption, words = _WORDS[subject]
            made = workspace.event_contributions.add(
                event.id,
                kind="drawing",
                group_label=f"Table {table}",
                media=draw(rng),
                alt_text=alt_text,
                caption=caption,
                maker_words=f"{words} (illustrative words, generated for the demo)",
                public=True,
                illustrative=True,
            )
            if venue is not None:
                _link(workspace, made.id, venue)
            added += 1
    return added


def _link(workspace: Workspace, contribution_id: str, venue: Any) -> None:
    """The picture is about the venue, and its neighbourhood when that area is loaded."""
    from mobilise.errors import ValidationError

    workspace.event_contributions.link(contribution_id, "asset", venue.id)
    if venue.lsoa11_code:
        with contextlib.suppress(ValidationError):  # the area may not be in the workspace
            workspace.event_contributions.link(contribution_id, "area", venue.lsoa11_code)
