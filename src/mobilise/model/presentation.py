"""How indicators and figures are shown to people (web pages and the CLI): themes, numbers, words."""

from __future__ import annotations

import math

THEMES: tuple[tuple[str, str], ...] = (
    ("deprivation", "Deprivation (IMD 2019)"),
    ("health", "Health"),
    ("access", "Access to green space and services"),
    ("living", "Housing and living environment"),
    ("other", "Other indicators"),
)
_HEALTH = ("ypll", "cidr", "acute_morbidity", "mood_anxiety", "health2019")
_ACCESS = ("parks_", "iod2019_road_distance")
_LIVING = (
    "iod2019_house",
    "iod2019_homeless",
    "iod2019_owner",
    "iod2019_private",
    "iod2019_housing",
    "iod2019_road_traffic",
    "iod2019_nitrogen",
    "iod2019_benzene",
    "iod2019_sulphur",
    "iod2019_particulates",
    "iod2019_air",
)
_DEPRIVATION = (
    "imd2019",
    "income2019",
    "employment2019",
    "education2019",
    "crime2019",
    "barriers2019",
    "living_environment2019",
    "iod2019_staying",
    "iod2019_entry",
    "iod2019_adult",
)


def theme_of(indicator_id: str) -> str:
    """The theme an indicator is listed under."""
    if indicator_id.startswith(_HEALTH):
        return "health"
    if indicator_id.startswith(_ACCESS):
        return "access"
    if indicator_id.startswith(_LIVING):
        return "living"
    if indicator_id.startswith(_DEPRIVATION):
        return "deprivation"
    return "other"


def number(value: float | int | None, unit: str = "") -> str:
    """A value as people read it: thousands separators, sensible decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit in ("rank", "decile") or float(value).is_integer():
        return f"{int(value):,}"
    magnitude = abs(value)
    digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2 if magnitude >= 1 else 3
    return f"{value:,.{digits}f}"


def decile_words(decile: int | None, polarity: str = "higher_is_worse") -> str:
    """Plain words for a national decile. For indicators with a direction, decile 1 is the worst
    10% in England; for neutral ones, the lowest 10%."""
    if decile is None:
        return "no national comparison"
    if polarity not in ("higher_is_better", "higher_is_worse"):
        if decile == 1:
            return "among the lowest 10% in England"
        if decile == 10:
            return "among the highest 10% in England"
        return f"decile {decile} of 10 in England, counting from the lowest"
    if decile == 1:
        return "among the worst 10% in England"
    if decile == 10:
        return "among the best 10% in England"
    if decile <= 3:
        return f"worse than most of England (decile {decile} of 10)"
    if decile >= 8:
        return f"better than most of England (decile {decile} of 10)"
    return f"around the middle for England (decile {decile} of 10)"


def significant(value: float, digits: int = 2) -> str:
    """A figure to ``digits`` significant digits, as people read it: thousands separators and
    never an exponent (1,234; 0.5; 0.00012)."""
    if not math.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    places = digits - 1 - math.floor(math.log10(abs(value)))
    return f"{round(value, places):,.{max(0, places)}f}"


def gradient_words(scenario: dict[str, object], what: str) -> str:
    """One plain sentence on how access to ``what`` follows deprivation in an access scenario."""
    sii = scenario.get("sii")
    if not isinstance(sii, dict) or sii.get("sii") is None:
        return (
            f"There are too few deprivation groups here to measure how access to {what} "
            "follows deprivation."
        )
    unit = str(scenario.get("unit", ""))
    value = float(sii["sii"])
    low, high = sii.get("sii_lower"), sii.get("sii_upper")
    size = f"{significant(abs(value))} {unit}".strip()
    if value > 0:
        trend = f"Access to {what} is higher in the less deprived neighbourhoods"
        change = f"rises by {size}"
    elif value < 0:
        trend = f"Access to {what} is higher in the more deprived neighbourhoods"
        change = f"falls by {size}"
    else:
        return f"Access to {what} does not change with deprivation here."
    sentence = (
        f"{trend}: along the fitted gradient it {change} from the most to the least deprived end"
    )
    if isinstance(low, int | float) and isinstance(high, int | float):
        sure = (low > 0) == (high > 0) and low != 0 and high != 0
        sentence += f" (95% interval {significant(low)} to {significant(high)}"
        sentence += (
            ")." if sure else "; the interval includes no gradient at all, so it may be chance)."
        )
    else:
        sentence += "."
    return sentence


def moran_words(moran: dict[str, object] | None) -> str:
    """Plain words for a global Moran's I: are neighbouring areas alike, unlike, or neither."""
    if not moran or not isinstance(moran.get("i"), int | float):
        return ""
    i = float(moran["i"])  # type: ignore[arg-type]
    p = moran.get("p_sim")
    if not isinstance(p, int | float) or p >= 0.05:
        return "no clear pattern between neighbours"
    if i > 0:
        return f"neighbours are alike (p = {p:.3f})"
    return f"neighbours differ more than chance (p = {p:.3f})"
