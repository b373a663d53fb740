"""The words "who was reached" is told in: the dimensions, their groups, and plain sentences.

Shared by the workspace (which writes each group's sentence into the figures), the web page and
the command line. Light: no pandas here.
"""

from __future__ import annotations

from mobilise.model.engagement_vocab import (
    AGE_BANDS,
    DISABILITY,
    ETHNIC_HIGH_LEVEL,
    PREFER_NOT_TO_SAY,
    SEX,
)

__all__ = [
    "DIMENSIONS",
    "UNKNOWN",
    "group_label",
    "people",
    "ratio_sentence",
    "times",
]

UNKNOWN = "unknown"
DIMENSIONS: dict[str, str] = {
    "core20": "Deprivation: the most deprived fifth of areas (Core20)",
    "imd_decile": "Deprivation decile of home area (IMD 2019)",
    "age_band": "Age",
    "sex": "Sex",
    "ethnic_group": "Ethnic group",
    "disability": "Disability",
}
"""Each dimension the participants are compared on, in the order shown."""

_CORE20 = {"core20": "Most deprived 20% of areas", "not_core20": "Other areas"}
_PEOPLE: dict[str, dict[str, str]] = {
    "core20": {
        "core20": "People from the most deprived fifth of areas",
        "not_core20": "People from the other four fifths of areas",
    },
    "sex": {"female": "Women", "male": "Men"},
    "disability": {"disabled": "Disabled people", "not_disabled": "People who are not disabled"},
}


def group_label(dimension: str, group: object) -> str:
    """A group's short label (``"16 to 24"``, ``"Decile 1 (most deprived)"``, ``"Prefer not to
    say"``)."""
    if group == PREFER_NOT_TO_SAY:
        return "Prefer not to say"
    if group == UNKNOWN:
        return "Not known"
    if dimension == "imd_decile":
        extreme = {1: " (most deprived)", 10: " (least deprived)"}.get(int(str(group)), "")
        return f"Decile {group}{extreme}"
    labels = {
        "core20": _CORE20,
        "age_band": AGE_BANDS,
        "sex": SEX,
        "ethnic_group": ETHNIC_HIGH_LEVEL,
        "disability": DISABILITY,
    }.get(dimension, {})
    label = labels.get(str(group), str(group))
    return label.split(" (")[0] if dimension == "disability" else label


def people(dimension: str, group: object) -> str:
    """The people of a group, as a sentence's subject."""
    named = _PEOPLE.get(dimension, {}).get(str(group))
    if named:
        return named
    if dimension == "imd_decile":
        return f"People from decile {group} areas"
    if dimension == "age_band":
        return f"People aged {group_label(dimension, group)}"
    if dimension == "ethnic_group":
        return f"People in the {group_label(dimension, group)} group"
    return f"People in the group {group_label(dimension, group)}"


def times(ratio: float) -> str:
    """A ratio as words: ``"3 times as likely"``, ``"twice as likely"``, ``"half as likely"``,
    ``"about as likely"``, ``"0.47 times as likely"``."""
    if 0.95 <= ratio < 1.05:
        return "about as likely"
    if abs(ratio - 2) < 0.05:
        return "twice as likely"
    if abs(ratio - 0.5) < 0.025:
        return "half as likely"
    shown = f"{ratio:.1f}" if ratio >= 1 else f"{ratio:.2f}"
    return f"{shown.rstrip('0').rstrip('.')} times as likely"


def ratio_sentence(
    dimension: str,
    group: object,
    ratio: float | None,
    flag: str,
    population_share: float | None = None,
) -> str:
    """What a group's representation ratio says, in plain words; empty when there is no ratio.

    The sentence says whether the difference is beyond chance: only a flagged ratio (its whole
    interval below 0.8 or above 1.25) is told as a clear difference.
    """
    if ratio is None or ratio != ratio:
        return ""
    who = people(dimension, group)
    if ratio == 0:
        residents = f" (they are {population_share:.0%} of residents)" if population_share else ""
        certain = "" if flag == "under" else "; with so few taking part, this could be chance"
        return f"{who} did not take part at all{residents}{certain}."
    if flag == "over":
        return f"{who} were {times(ratio)} to take part as their share of residents."
    if flag == "under":
        return (
            f"{who} were less likely to take part than their share of residents ({times(ratio)})."
        )
    return (
        f"{who} took part about in line with their share of residents ({times(ratio)}; the "
        "difference could be chance)."
    )
