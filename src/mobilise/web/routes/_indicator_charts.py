"""Where the marks of a funnel plot and a spine chart go (SVG coordinates drawn by the
templates, no script): plain arithmetic on what the workspace returns."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["SIGNIFICANCE_WORDS", "funnel_drawing", "spine_drawing"]

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 380, 64, 16, 16, 44
SPINE_WIDTH, SPINE_HEIGHT = 240, 24

SIGNIFICANCE_WORDS: dict[str, tuple[str, str]] = {
    "High (0.001)": ("sig-high3", "higher than expected, beyond the 99.8% limit"),
    "High (0.025)": ("sig-high2", "higher than expected, beyond the 95% limit"),
    "Not significant": ("sig-none", "within the limits: no different from the average"),
    "Low (0.025)": ("sig-low2", "lower than expected, beyond the 95% limit"),
    "Low (0.001)": ("sig-low3", "lower than expected, beyond the 99.8% limit"),
    "Not applicable for events less than 10 for dsrs": (
        "sig-na",
        "fewer than 10 events: not compared",
    ),
}


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = high - low
    if span <= 0:
        return [low]
    step = 10 ** math.floor(math.log10(span / count))
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= count:
            step *= factor
            break
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step) + 1)]


def funnel_drawing(funnel: dict[str, Any]) -> dict[str, Any]:
    """The funnel's lines, points and axes in the SVG's coordinates (y up is higher)."""
    areas = funnel["areas"]
    values = [a["value"] for a in areas] + [funnel["average"]]
    low, high = min(values), max(values)
    pad = (high - low) * 0.25 or abs(high) * 0.25 or 1.0
    y_low, y_high = max(low - pad, 0.0), high + pad
    x_high = max([a["x"] for a in areas] + funnel["x"][-1:]) * 1.02
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return round(LEFT + x / x_high * plot_w, 1)

    def py(y: float) -> float:
        y = min(max(y, y_low), y_high)
        return round(TOP + (1 - (y - y_low) / (y_high - y_low)) * plot_h, 1)

    lines = []
    for level, sides in funnel["limits"].items():
        for side in ("lower", "upper"):
            points = " ".join(
                f"{px(x)},{py(y)}"
                for x, y in zip(funnel["x"], sides[side], strict=True)
                if y is not None and math.isfinite(y)
            )
            lines.append({"level": level, "side": side, "points": points})
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "frame": {"left": LEFT, "top": TOP, "right": WIDTH - RIGHT, "bottom": HEIGHT - BOTTOM},
        "average_y": py(funnel["average"]),
        "lines": lines,
        "points": [
            {
                **a,
                "cx": px(a["x"]),
                "cy": py(a["value"]),
                "css": _significance(a)[0],
                "words": _significance(a)[1],
            }
            for a in areas
        ],
        "x_ticks": [(px(t), t) for t in _ticks(0, x_high)],
        "y_ticks": [(py(t), t) for t in _ticks(y_low, y_high)],
    }


def _significance(area: dict[str, Any]) -> tuple[str, str]:
    return SIGNIFICANCE_WORDS.get(area["significance"], ("sig-none", area["significance"]))


def spine_drawing(row: dict[str, Any]) -> dict[str, Any] | None:
    """A spine chart's marks: the benchmark in the middle, worst on the left, best on the
    right, the 25th-75th percentile band, and the area's value with its 95% interval."""
    bench = row.get("benchmark")
    ends = [row.get(k) for k in ("worst", "best")]
    if bench is None or any(e is None for e in ends):
        return None
    reach = max(abs(float(e) - bench) for e in ends if e is not None) or 1.0
    worst_is_high = (row.get("worst") or 0) > (row.get("best") or 0)

    def sx(value: float | None) -> float | None:
        if value is None or not math.isfinite(value):
            return None
        share = (value - bench) / reach / 2
        share = -share if worst_is_high else share
        return round(SPINE_WIDTH * (0.5 + max(min(share, 0.5), -0.5)), 1)

    q25, q75 = sx(row.get("q25")), sx(row.get("q75"))
    return {
        "width": SPINE_WIDTH,
        "height": SPINE_HEIGHT,
        "inner": (min(q25, q75), abs(q75 - q25)) if q25 is not None and q75 is not None else None,
        "value": sx(row.get("value")),
        "lower": sx(row.get("lower_ci")),
        "upper": sx(row.get("upper_ci")),
    }
