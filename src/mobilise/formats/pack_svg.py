"""Static figures of an evidence pack, drawn as SVG on the server: a map of small areas
coloured by a class, bars of values by group, and columns of counts by national decile.

SVG rather than a plotting library: the figures are simple, the same markup shows in the web
page (inline, allowed by the strict content security policy) and in the PDF (WeasyPrint draws
inline SVG), text stays text (searchable, read by screen readers through ``<title>`` and
``<desc>``), and no rendering library is loaded. Every figure carries ``role="img"`` and a
text alternative; the numbers it shows are also in a table beside it.

The map is for seeing only: it draws longitude and latitude with the east-west scale shrunk
by the cosine of the middle latitude (an equirectangular view, close to true shape at the scale
of a county); no distance is measured on it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

__all__ = ["DECILE_COLOURS", "bars", "decile_columns", "map_of_areas"]

# Colour-blind-safe sequential scale (viridis, reversed so decile 1, the most deprived or the
# worst 10% in England, is the darkest); text on it is never needed.
DECILE_COLOURS = (
    "#440154",
    "#482878",
    "#3e4989",
    "#31688e",
    "#26828e",
    "#1f9e89",
    "#35b779",
    "#6ece58",
    "#b5de2b",
    "#fde725",
)
NO_DATA = "#d9d9d9"
INK = "#1b1b1b"
BAR = "#31688e"


def _figure(width: float, height: float, title: str, desc: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width:.0f} '
        f'{height:.0f}" width="{width:.0f}" height="{height:.0f}" class="pack-figure" '
        'font-family="Atkinson Hyperlegible, DejaVu Sans, sans-serif">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{body}</svg>"
    )


def _rings(geometry: Mapping[str, Any]) -> Iterable[Sequence[Sequence[float]]]:
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Polygon":
        yield from coordinates
    elif kind == "MultiPolygon":
        for polygon in coordinates:
            yield from polygon


def map_of_areas(
    areas: Sequence[tuple[Mapping[str, Any], int | None]],
    *,
    title: str,
    desc: str,
    legend: Sequence[str] = (),
    width: float = 640.0,
) -> str:
    """Areas (GeoJSON geometry in WGS84, class 1-10 or None for no data) as one SVG map.

    ``legend`` names the classes 1 to 10 (the first and last are shown with the colour scale).
    """
    points = [p for geometry, _ in areas for ring in _rings(geometry) for p in ring]
    if not points:
        return _figure(width, 40, title, desc, '<text x="0" y="24">No boundaries stored.</text>')
    west = min(p[0] for p in points)
    east = max(p[0] for p in points)
    south = min(p[1] for p in points)
    north = max(p[1] for p in points)
    shrink = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * shrink, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = min(width / span_x, width * 0.75 / span_y)
    width, height = span_x * scale, span_y * scale
    paths = []
    for geometry, group in areas:
        parts = []
        for ring in _rings(geometry):
            xy = _thinned([((p[0] - west) * shrink * scale, (north - p[1]) * scale) for p in ring])
            if xy:
                parts.append(f"M{xy}Z")
        colour = DECILE_COLOURS[group - 1] if group is not None and 1 <= group <= 10 else NO_DATA
        paths.append(f'<path d="{" ".join(parts)}" fill="{colour}"/>')
    body = f'<g stroke="#ffffff" stroke-width="0.3">{"".join(paths)}</g>'
    key_height = 0.0
    if legend:
        body += _legend(height + 10, legend)
        key_height = 46
    return _figure(max(width, 340.0), height + key_height, title, desc, body)


def _thinned(points: Sequence[tuple[float, float]], *, step: float = 1.2) -> str:
    """The points of a ring, dropping each one closer than ``step`` units (drawing pixels) to
    the last one kept: a county's boundaries drawn 640 units wide lose nothing visible, and
    the figure (and the PDF's time to draw it) shrinks several times."""
    kept: list[tuple[float, float]] = []
    for x, y in points:
        if not kept or abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= step:
            kept.append((x, y))
    if len(kept) < 3:
        return ""
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in kept)


def _legend(top: float, legend: Sequence[str]) -> str:
    step = 32.0
    boxes = "".join(
        f'<rect x="{i * step:.0f}" y="{top:.0f}" width="{step:.0f}" height="14" fill="{c}"/>'
        for i, c in enumerate(DECILE_COLOURS)
    )
    first, last = legend[0], legend[-1]
    end = len(DECILE_COLOURS) * step
    return (
        boxes
        + f'<text x="0" y="{top + 32:.0f}" font-size="12" fill="{INK}">{escape(first)}</text>'
        + f'<text x="{end:.0f}" y="{top + 32:.0f}" font-size="12" fill="{INK}" '
        f'text-anchor="end">{escape(last)}</text>'
    )


def bars(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    desc: str,
    unit: str = "",
    width: float = 640.0,
) -> str:
    """Horizontal bars, one per ``(label, value)``, with the value written at the bar's end."""
    rows = [(_short(label), value) for label, value in rows]
    longest = max((len(label) for label, _ in rows), default=10)
    label_width = min(340.0, 24.0 + 7.0 * longest)  # about 7 units a letter at 12 units
    row_height = 24.0
    room = width - label_width - 70
    top = max((v for _, v in rows), default=0.0) or 1.0
    body = []
    for i, (label, value) in enumerate(rows):
        y = i * row_height
        length = max(0.0, value) / top * room
        shown = f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
        body.append(
            f'<text x="{label_width - 8:.0f}" y="{y + 16:.0f}" font-size="12" '
            f'text-anchor="end" fill="{INK}">{escape(label)}</text>'
            f'<rect x="{label_width:.0f}" y="{y + 4:.0f}" width="{length:.1f}" height="16" '
            f'fill="{BAR}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 16:.0f}" font-size="12" '
            f'fill="{INK}">{escape(shown)}{escape(unit)}</text>'
        )
    height = max(row_height, len(rows) * row_height) + 4
    return _figure(width, height, title, desc, "".join(body))


def _short(label: str, most: int = 44) -> str:
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def decile_columns(
    counts: Sequence[int],
    *,
    title: str,
    desc: str,
    first: str = "most deprived 10%",
    last: str = "least deprived 10%",
    width: float = 640.0,
) -> str:
    """Ten columns (counts of areas by national decile 1-10), each coloured as on the map,
    with its count above it and the two ends of the scale named below."""
    height = 180.0
    step = width / 10
    top = max(counts, default=0) or 1
    body = []
    for i, count in enumerate(counts[:10]):
        tall = count / top * (height - 60)
        x = i * step + 4
        y = height - 40 - tall
        body.append(
            f'<rect x="{x:.0f}" y="{y:.1f}" width="{step - 8:.0f}" height="{tall:.1f}" '
            f'fill="{DECILE_COLOURS[i]}"/>'
            f'<text x="{x + (step - 8) / 2:.0f}" y="{y - 4:.1f}" font-size="12" '
            f'text-anchor="middle" fill="{INK}">{count:,}</text>'
            f'<text x="{x + (step - 8) / 2:.0f}" y="{height - 24:.0f}" font-size="12" '
            f'text-anchor="middle" fill="{INK}">{i + 1}</text>'
        )
    body.append(
        f'<text x="0" y="{height - 4:.0f}" font-size="12" fill="{INK}">← {escape(first)}</text>'
        f'<text x="{width:.0f}" y="{height - 4:.0f}" font-size="12" text-anchor="end" '
        f'fill="{INK}">{escape(last)} →</text>'
    )
    return _figure(width, height, title, desc, "".join(body))
