"""The partnership-network vocabulary: sectors, collaboration levels, how often partners work
together, and the scales of value and trust, in mobilise's own words.

One vocabulary serves the model, the roster survey, imports and the analysis: a sector is stored
by its code (``nhs_trust``); a file may name it by code, by label or by a common alias, in any
case (:func:`sector_code`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "ACHIEVEMENTS",
    "CONTRIBUTIONS",
    "DEFAULT_MIN_RATERS",
    "FREQUENCIES",
    "LEVELS",
    "LEVEL_CODES",
    "ROUND_STATUSES",
    "SCALE",
    "SCORE_ITEMS",
    "SECTORS",
    "SECTOR_BY_CODE",
    "SECTOR_CODES",
    "SECTOR_FAMILIES",
    "TRUST_ITEMS",
    "VALUE_ITEMS",
    "Sector",
    "frequency_code",
    "level_code",
    "score_means",
    "sector_code",
    "sector_label",
]


@dataclass(frozen=True)
class Sector:
    code: str
    label: str
    family: str  # a broader group, for E-I and block densities across families
    colour: str  # for the network drawing and the partner map (readable on white)
    aliases: tuple[str, ...] = ()


SECTORS: tuple[Sector, ...] = (
    Sector("nhs_trust", "NHS trust", "health", "#1f77b4", ("nhs", "hospital", "nhs trusts")),
    Sector(
        "icb",
        "Integrated care board (ICB)",
        "health",
        "#17becf",
        ("integrated care board", "ics", "integrated care system", "ccg"),
    ),
    Sector(
        "primary_care",
        "Primary care",
        "health",
        "#aec7e8",
        ("gp", "general practice", "pcn", "primary care network"),
    ),
    Sector(
        "la_public_health",
        "Local authority public health",
        "local_authority",
        "#d62728",
        ("public health", "public health team"),
    ),
    Sector(
        "la_other",
        "Other local authority",
        "local_authority",
        "#ff9896",
        ("local authority", "council", "local government"),
    ),
    Sector(
        "vcse",
        "Voluntary, community and social enterprise (VCSE)",
        "community",
        "#2ca02c",
        ("voluntary", "voluntary sector", "charity", "third sector", "social enterprise"),
    ),
    Sector(
        "community_group",
        "Community group",
        "community",
        "#98df8a",
        ("community", "residents group", "grassroots"),
    ),
    Sector("faith_group", "Faith group", "community", "#bcbd22", ("faith", "church", "mosque")),
    Sector(
        "arts_culture",
        "Arts and culture",
        "culture_environment",
        "#9467bd",
        ("arts", "culture", "arts and cultural", "museum", "library", "heritage"),
    ),
    Sector(
        "environment",
        "Environment and green space",
        "culture_environment",
        "#8c564b",
        ("green space", "environment", "parks", "environmental"),
    ),
    Sector(
        "academic",
        "Academic",
        "academic",
        "#e377c2",
        ("university", "academia", "research", "higher education"),
    ),
    Sector("business", "Business", "business", "#7f7f7f", ("private", "private sector", "company")),
    Sector(
        "lived_experience",
        "Lived-experience group",
        "lived_experience",
        "#ff7f0e",
        ("lived experience", "experts by experience", "patient group", "service users"),
    ),
)
SECTOR_CODES: tuple[str, ...] = tuple(s.code for s in SECTORS)
SECTOR_BY_CODE: dict[str, Sector] = {s.code: s for s in SECTORS}

SECTOR_FAMILIES: dict[str, str] = {
    "health": "Health (NHS)",
    "local_authority": "Local authority",
    "community": "Voluntary and community",
    "culture_environment": "Arts, culture and environment",
    "academic": "Academic",
    "business": "Business",
    "lived_experience": "Lived experience",
}

# Collaboration levels: 0 is a report of no working relationship.
LEVELS: tuple[tuple[int, str, str], ...] = (
    (0, "none", "We do not work together."),
    (1, "cooperative", "We keep each other informed and help each other out when asked."),
    (
        2,
        "coordinated",
        "We plan some of our work together or line it up towards a goal we share.",
    ),
    (
        3,
        "integrated",
        "We pool money, staff or other resources, or run something as one team.",
    ),
)
LEVEL_CODES: tuple[str, ...] = tuple(code for _, code, _ in LEVELS)

# How often two partners are in touch about their work.
FREQUENCIES: tuple[tuple[int, str, str], ...] = (
    (1, "yearly", "Once a year or less"),
    (2, "quarterly", "A few times a year"),
    (3, "monthly", "About once a month"),
    (4, "weekly", "Every week or more"),
)

# Each score is the mean of three items answered 1 (not at all) to 4 (a great deal).
VALUE_ITEMS: tuple[tuple[str, str], ...] = (
    ("value_influence", "They can make things happen for the people we serve."),
    ("value_involvement", "They take an active part in the partnership's work."),
    ("value_resources", "They bring resources we need: money, people, places, knowledge."),
)
TRUST_ITEMS: tuple[tuple[str, str], ...] = (
    ("trust_reliability", "They do what they say they will do."),
    ("trust_purpose", "They share the partnership's aims."),
    ("trust_openness", "They are open with us and willing to talk things through."),
)
SCORE_ITEMS: tuple[str, ...] = tuple(code for code, _ in VALUE_ITEMS + TRUST_ITEMS)
SCALE: tuple[tuple[int, str], ...] = (
    (1, "Not at all"),
    (2, "A little"),
    (3, "Quite a lot"),
    (4, "A great deal"),
)

# What a respondent's own organisation brings to the partnership (tick all that apply).
CONTRIBUTIONS: tuple[tuple[str, str], ...] = (
    ("funding", "Money or help to find it"),
    ("staff_time", "Staff time"),
    ("volunteers", "Volunteers"),
    ("spaces", "Buildings, rooms or outdoor spaces"),
    ("data", "Data, evidence or research"),
    ("expertise", "Specialist knowledge or skills"),
    ("community_links", "Links with communities the others find hard to reach"),
    ("lived_experience", "Lived experience"),
    ("leadership", "Leadership, convening or a voice in decisions"),
    ("communications", "Getting the word out"),
)

# What the partnership has achieved so far, in the respondent's view (tick all that apply).
ACHIEVEMENTS: tuple[tuple[str, str], ...] = (
    ("new_activities", "New activities or services for residents"),
    ("more_referrals", "More people referred to community activities"),
    ("shared_funding", "Funding won or shared together"),
    ("community_voice", "Residents with more say in decisions"),
    ("shared_data", "Better shared information about needs and assets"),
    ("less_duplication", "Less duplication between organisations"),
    ("policy_change", "Changes to plans, policies or commissioning"),
    ("new_relationships", "New working relationships"),
)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


_SECTOR_KEYS: dict[str, str] = {}
for _sector in SECTORS:
    for _name in (_sector.code, _sector.label, *_sector.aliases):
        _SECTOR_KEYS[_key(_name)] = _sector.code
_LEVEL_KEYS: dict[str, int] = {}
for _value, _code, _ in LEVELS:
    for _name in (str(_value), _code):
        _LEVEL_KEYS[_key(_name)] = _value
_LEVEL_KEYS.update({"no": 0, "cooperation": 1, "coordination": 2, "integration": 3})
_FREQUENCY_KEYS: dict[str, int] = {}
for _value, _code, _label in FREQUENCIES:
    for _name in (str(_value), _code, _label):
        _FREQUENCY_KEYS[_key(_name)] = _value


def sector_label(code: str) -> str:
    """A sector's label by its code (an unknown code as it is)."""
    sector = SECTOR_BY_CODE.get(code)
    return sector.label if sector is not None else code


def score_means(items: Mapping[str, int | None]) -> tuple[float | None, float | None]:
    """Value and trust of one answer: the mean of each score's answered items, None when none
    of its items was answered ("don't know")."""
    means: list[float | None] = []
    for score_items in (VALUE_ITEMS, TRUST_ITEMS):
        answered = [v for code, _ in score_items if (v := items.get(code)) is not None]
        means.append(sum(answered) / len(answered) if answered else None)
    return means[0], means[1]


def sector_code(text: str) -> str | None:
    """The sector code a file's cell names (by code, label or alias, any case), or None."""
    return _SECTOR_KEYS.get(_key(text))


def level_code(text: str) -> int | None:
    """The collaboration level (0-3) a cell names (by number or word), or None."""
    return _LEVEL_KEYS.get(_key(text))


def frequency_code(text: str) -> int | None:
    """How often (1-4) a cell names (by number, code or label), or None."""
    return _FREQUENCY_KEYS.get(_key(text))


ROUND_STATUSES = ("draft", "open", "closed")
"""A survey round's status: being prepared, taking answers, or closed."""

DEFAULT_MIN_RATERS = 3
"""Scores from fewer distinct respondents than this are hidden (disclosure control)."""
