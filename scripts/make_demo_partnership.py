#!/usr/bin/env python3
"""Generate the illustrative partnership-network demo data for mobilise.

Writes ``partners.csv``, ``rounds.csv``, ``ties.csv``, ``answers.csv`` and ``README.md`` to
``src/mobilise/demo/data/partnership/`` (``--out``). Everything is invented: the organisations
are fictional and the survey answers come from a small latent model (numpy ``default_rng`` with
the fixed seed :data:`SEED`), so running the script again rewrites the same bytes.

The model, in short:

* every pair of partners has a latent *closeness*: a base, plus bonuses for sharing a place, for
  being in the same sector family, for sector pairs that usually work together, for hubs (the
  university, the two ICBs and the two public health teams), for pairs who have both been members
  since early 2024, plus partner activity and a pair effect;
* each side of a pair reports the closeness with a little noise of its own, so the two reports
  mostly agree; a tie exists when the report is above zero, and the collaboration level and the
  frequency follow the report (integrated only for the closest pairs);
* trust and value items (1-4) come from partner-level qualities, the respondent's leniency, a
  pair effect shared by both sides, closeness, a penalty across the health / community divide and
  small item noise, rounded and clipped;
* round 2 is round 1 plus drifts, reusing round 1's draws: lived-experience members move in from
  the edge, arts and culture partners and primary care build ties (social prescribing), one VCSE
  that lost its core grant fades, and a few partners join or leave.

Run as ``.venv/bin/python scripts/make_demo_partnership.py``.
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

SEED = 20250415
OUT = Path(__file__).resolve().parents[1] / "src" / "mobilise" / "demo" / "data" / "partnership"

N = "northamptonshire"
L = "inner-north-east-london"
BOTH = f"{N};{L}"

ROUNDS = (
    (
        "Round 1 — spring 2025",
        "2025-04-15",
        "First roster survey, a year after the consortium formed: who works with whom, how "
        "closely, and how much partners value and trust each other.",
    ),
    (
        "Round 2 — spring 2026",
        "2026-04-15",
        "Second roster survey, after a year of work on lived-experience involvement and social "
        "prescribing through arts and culture.",
    ),
)

FAMILY = {
    "nhs_trust": "health",
    "icb": "health",
    "primary_care": "health",
    "la_public_health": "local_authority",
    "la_other": "local_authority",
    "vcse": "community",
    "community_group": "community",
    "faith_group": "community",
    "arts_culture": "culture_environment",
    "environment": "culture_environment",
    "academic": "academic",
    "business": "business",
    "lived_experience": "lived_experience",
}

# Approximate centres of postcode districts inside the two places (latitude, longitude).
DISTRICTS = {
    "NN1": (52.237, -0.894),
    "NN2": (52.266, -0.902),
    "NN3": (52.251, -0.850),
    "NN4": (52.212, -0.889),
    "NN5": (52.245, -0.940),
    "NN6": (52.330, -0.905),
    "NN8": (52.301, -0.694),
    "NN9": (52.322, -0.617),
    "NN10": (52.290, -0.600),
    "NN11": (52.258, -1.158),
    "NN12": (52.134, -0.992),
    "NN15": (52.388, -0.712),
    "NN16": (52.401, -0.731),
    "NN17": (52.489, -0.690),
    "E1": (51.517, -0.060),
    "E2": (51.528, -0.058),
    "E3": (51.528, -0.025),
    "E5": (51.558, -0.053),
    "E7": (51.549, 0.027),
    "E8": (51.543, -0.068),
    "E9": (51.545, -0.041),
    "E13": (51.528, 0.024),
    "E14": (51.508, -0.020),
    "E15": (51.540, 0.000),
    "N1": (51.538, -0.100),
    "N7": (51.553, -0.117),
    "N16": (51.562, -0.078),
    "NW1": (51.535, -0.145),
    "NW5": (51.553, -0.142),
    "WC1": (51.522, -0.125),
}


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    sector: str
    description: str
    places: str
    populations: str
    postcode: str
    joined: str
    left: str = ""
    kind: str = "organisation"


P = Partner
PARTNERS: tuple[Partner, ...] = (
    # academic: the university leads the research across both places
    P("p-kingsmead", "Kingsmead University Centre for Community Health", "academic",
      "Leads the consortium's research on community assets and health inequalities.",
      BOTH, "whole population; researchers", "WC1", "2024-01-15"),
    # NHS trusts
    P("p-nene-nhs", "Nene Valley Community Health NHS Trust", "nhs_trust",
      "Community nursing, therapies and mental health services across the county.",
      N, "older people; people with long-term conditions", "NN4", "2024-01-15"),
    P("p-lea-nhs", "Lea Valley Mental Health NHS Foundation Trust", "nhs_trust",
      "Adult and young people's mental health services in the five boroughs.",
      L, "adults with mental health needs; young people", "E1", "2024-01-15"),
    P("p-fleet-nhs", "Fleet River Hospitals NHS Trust", "nhs_trust",
      "Acute hospital trust with a community health and inequalities programme.",
      L, "whole population", "NW1", "2024-06-10"),
    # integrated care boards (hubs)
    P("p-nene-icb", "Nene and Welland Integrated Care Board", "icb",
      "Plans and funds NHS services for North and West Northamptonshire.",
      N, "whole population", "NN1", "2024-01-15"),
    P("p-lea-icb", "Lea and Thames Integrated Care Board", "icb",
      "Plans and funds NHS services for the five inner north-east London boroughs.",
      L, "whole population", "E14", "2024-01-15"),
    # primary care networks
    P("p-ise-pcn", "Ise Valley Primary Care Network", "primary_care",
      "Seven GP practices with a social prescribing link worker team.",
      N, "patients of member practices; people who are lonely", "NN8", "2024-04-02"),
    P("p-mildmay-pcn", "Mildmay Fields Primary Care Network", "primary_care",
      "GP practices in north Hackney and Islington sharing link workers.",
      L, "patients of member practices; families", "N16", "2024-05-20"),
    P("p-upton-pcn", "Upton Cross Primary Care Network", "primary_care",
      "GP practices in Newham with a large South Asian patient population.",
      L, "patients of member practices; South Asian communities", "E13", "2024-09-09"),
    # local authority public health (hubs)
    P("p-nene-ph", "Nene Shires Public Health Team", "la_public_health",
      "Shared public health team for the two Northamptonshire councils.",
      N, "whole population", "NN1", "2024-01-15"),
    P("p-lea-ph", "Five Boroughs Public Health Collaborative", "la_public_health",
      "Joint public health programme of the inner north-east London boroughs.",
      L, "whole population", "E8", "2024-01-15"),
    # other local authority services
    P("p-nene-parks", "Nene Shires Parks and Countryside Service", "la_other",
      "Runs the council parks, country parks and rangers.",
      N, "whole population; families", "NN3", "2024-02-12"),
    P("p-welland", "Welland Leisure and Wellbeing Service", "la_other",
      "Council leisure centres and exercise on referral.",
      N, "people with long-term conditions; older people", "NN17", "2024-07-01"),
    P("p-lea-libs", "Lea Boroughs Libraries and Heritage Service", "la_other",
      "Libraries running reading groups, digital help and local history.",
      L, "older people; families; people who are digitally excluded", "E3", "2024-02-12"),
    # VCSE
    P("p-nene-well", "Nene Wellbeing Network", "vcse",
      "Mental health charity running peer support and wellbeing cafes.",
      N, "adults with mental health needs; carers", "NN1", "2024-02-12"),
    P("p-carers", "Shires Carers Hub", "vcse",
      "Information, breaks and groups for unpaid carers.",
      N, "carers; older people", "NN15", "2024-03-01"),
    P("p-nene-cva", "Nene Shires Council for Voluntary Action", "vcse",
      "Infrastructure body supporting local charities and volunteers.",
      N, "voluntary organisations; volunteers", "NN1", "2024-01-15"),
    P("p-ageing-well", "East End Ageing Well", "vcse",
      "Befriending, lunch clubs and advice for older residents.",
      L, "older people; people who are lonely", "E2", "2024-02-12"),
    P("p-stepney", "Stepney Green Health Advocates", "vcse",
      "Community health advocates; lost its core grant in autumn 2025.",
      L, "Bangladeshi communities; women", "E1", "2024-01-15"),
    P("p-welcome", "Forest Gate Welcome Network", "vcse",
      "Welcome, advice and English conversation for refugees and migrants.",
      L, "refugees and asylum seekers; migrants", "E7", "2024-06-10"),
    # community groups
    P("p-kingsthorpe", "Kingsthorpe Fields Residents Association", "community_group",
      "Residents' association running a community room and summer fair.",
      N, "residents of social housing; families", "NN2", "2024-04-02"),
    P("p-corby-walks", "Corby Old Town Walking Group", "community_group",
      "Volunteer-led health walks; wound up in late 2025.",
      N, "older people; people with long-term conditions", "NN17", "2024-05-20", "2025-11-30"),
    P("p-hoxton", "Hoxton Wharf Tenants and Residents Association", "community_group",
      "Tenants' association with a community garden and youth nights.",
      L, "residents of social housing; young people", "N1", "2024-04-02"),
    P("p-bow-parents", "Bow Common Parents Network", "community_group",
      "Parents' group running stay-and-play sessions in local parks.",
      L, "families with young children", "E3", "2025-09-15"),
    # faith groups
    P("p-abington", "Abington Vale Interfaith Forum", "faith_group",
      "Churches, mosques and a gurdwara sharing halls and a food project.",
      N, "faith communities; people on low incomes", "NN3", "2024-03-01"),
    P("p-cable-st", "Cable Street Faith Partnership", "faith_group",
      "Faith groups in Tower Hamlets and Newham running warm spaces and meals.",
      L, "faith communities; people on low incomes", "E1", "2024-02-12"),
    # arts and culture
    P("p-nene-arts", "Nene Valley Arts Collective", "arts_culture",
      "Community arts organisation running creative health groups.",
      N, "adults with mental health needs; older people", "NN8", "2024-02-12"),
    P("p-boot-shoe", "Boot and Shoe Heritage Workshop", "arts_culture",
      "Heritage volunteers and reminiscence sessions about the county's shoemaking.",
      N, "older people; people living with dementia", "NN1", "2024-09-09"),
    P("p-marsh-theatre", "Hackney Marshes Community Theatre", "arts_culture",
      "Participatory theatre with young people and older residents.",
      L, "young people; older people", "E9", "2024-03-01"),
    P("p-stratford", "Stratford Yard Arts Studios", "arts_culture",
      "Open studios and arts on prescription sessions.",
      L, "adults with mental health needs; artists", "E15", "2024-06-10"),
    P("p-songbirds", "Kentish Town Songbirds", "arts_culture",
      "Singing for breathing and wellbeing choirs.",
      L, "people with long-term conditions; older people", "NW5", "2025-07-01"),
    # environment and green space
    P("p-lea-garden", "Lea Bridge Community Garden Trust", "environment",
      "Community food growing and green gym on the Lea.",
      L, "families; adults with mental health needs", "E5", "2024-02-12"),
    P("p-canopy", "Mile End Canopy Project", "environment",
      "Street tree planting and nature walks with schools and residents.",
      L, "children and young people; residents", "E3", "2024-05-20"),
    P("p-wetlands", "Nene Wetlands Volunteers", "environment",
      "Conservation volunteering and nature-based wellbeing sessions.",
      N, "adults with mental health needs; volunteers", "NN9", "2024-03-01"),
    P("p-greenway", "Brampton Valley Greenway Friends", "environment",
      "Friends group caring for a former railway path.",
      N, "walkers and cyclists; families", "NN6", "2024-07-01"),
    # business
    P("p-pharmacy", "Grafton Street Pharmacy Group", "business",
      "Independent pharmacies offering health checks and community rooms.",
      N, "whole population", "NN1", "2024-06-10"),
    P("p-workspace", "Shoreditch Yard Workspace Ltd", "business",
      "Workspace company that lent rooms to the consortium; withdrew in 2025.",
      L, "small businesses; local residents", "E2", "2024-05-20", "2025-10-31"),
    # lived-experience groups and members
    P("p-nene-voices", "Nene Voices Experts by Experience", "lived_experience",
      "Paid panel of people with experience of mental ill health and poverty.",
      N, "people with lived experience of mental ill health; people on low incomes",
      "NN5", "2024-04-02"),
    P("p-eastside", "Eastside Lived Experience Panel", "lived_experience",
      "Residents' panel advising on health and community services.",
      L, "people with lived experience of health inequalities", "E8", "2024-04-02"),
    P("p-member-a", "Lived-experience member A", "lived_experience",
      "Individual member with lived experience of caring.",
      N, "carers", "NN3", "2024-04-02", kind="individual"),
    P("p-member-b", "Lived-experience member B", "lived_experience",
      "Individual member with lived experience of long-term illness.",
      N, "people with long-term conditions", "NN16", "2024-09-09", kind="individual"),
    P("p-member-c", "Lived-experience member C", "lived_experience",
      "Individual member with lived experience of mental ill health.",
      L, "adults with mental health needs", "E15", "2024-04-02", kind="individual"),
    P("p-member-d", "Lived-experience member D", "lived_experience",
      "Individual member with lived experience of migration.",
      L, "refugees and asylum seekers", "E7", "2025-10-01", kind="individual"),
)  # fmt: skip

HUBS = {"p-kingsmead", "p-nene-icb", "p-lea-icb"} | {
    "p-nene-ph",
    "p-lea-ph",
}
FADING = "p-stepney"
LONG_STANDING = "2024-07-01"  # members since before this date count as long-standing

# Sector pairs that usually work together (symmetric), added to closeness.
AFFINITY = {
    frozenset({"nhs_trust", "icb"}): 0.8,
    frozenset({"icb", "primary_care"}): 0.9,
    frozenset({"primary_care", "vcse"}): 0.6,
    frozenset({"la_public_health", "vcse"}): 0.4,
    frozenset({"la_public_health", "la_other"}): 0.6,
    frozenset({"la_other", "environment"}): 0.9,
    frozenset({"la_other", "arts_culture"}): 0.5,
    frozenset({"community_group", "faith_group"}): 0.4,
    frozenset({"community_group", "environment"}): 0.5,
    frozenset({"vcse", "lived_experience"}): 0.5,
    frozenset({"nhs_trust", "vcse"}): 0.3,
    frozenset({"arts_culture", "primary_care"}): -0.3,
    frozenset({"business"}): -1.0,  # two businesses rarely work together
}
# Partner-level qualities by sector: how much influence and resources others see.
INFLUENCE = {"icb": 0.8, "la_public_health": 0.6, "nhs_trust": 0.5, "academic": 0.4,
             "la_other": 0.3, "primary_care": 0.3, "community_group": -0.2,
             "faith_group": -0.1, "lived_experience": -0.4}  # fmt: skip
RESOURCES = {"icb": 0.8, "la_public_health": 0.5, "academic": 0.5, "la_other": 0.4,
             "business": 0.4, "nhs_trust": 0.3, "community_group": -0.2,
             "lived_experience": -0.4}  # fmt: skip
OPENNESS = {"icb": -0.25, "nhs_trust": -0.2, "business": -0.2, "community_group": 0.2,
            "lived_experience": 0.2, "faith_group": 0.15}  # fmt: skip
PURPOSE = {"lived_experience": 0.3, "vcse": 0.2, "community_group": 0.1, "business": -0.3}

CONTRIBUTES = {
    "nhs_trust": ("staff_time", "expertise", "data", "spaces"),
    "icb": ("funding", "leadership", "data"),
    "primary_care": ("staff_time", "expertise"),
    "la_public_health": ("data", "funding", "leadership", "expertise"),
    "la_other": ("spaces", "staff_time", "communications"),
    "vcse": ("community_links", "volunteers", "staff_time", "expertise"),
    "community_group": ("volunteers", "community_links", "spaces"),
    "faith_group": ("spaces", "volunteers", "community_links"),
    "arts_culture": ("expertise", "spaces", "communications"),
    "environment": ("spaces", "volunteers", "expertise"),
    "academic": ("data", "expertise", "leadership", "funding"),
    "business": ("funding", "spaces", "communications"),
    "lived_experience": ("lived_experience", "community_links"),
}
CONTRIBUTION_CODES = (
    "funding", "staff_time", "volunteers", "spaces", "data", "expertise", "community_links",
    "lived_experience", "leadership", "communications",
)  # fmt: skip
ACHIEVEMENT_CODES = (
    "new_activities", "more_referrals", "shared_funding", "community_voice", "shared_data",
    "less_duplication", "policy_change", "new_relationships",
)  # fmt: skip
# Chance a respondent ticks each achievement, round 1 and round 2.
ACHIEVED = (
    (0.25, 0.15, 0.15, 0.15, 0.4, 0.2, 0.05, 0.8),
    (0.5, 0.3, 0.3, 0.25, 0.55, 0.3, 0.2, 0.75),
)

COMMENTS_1 = (
    "Good to meet people we had never worked with before.",
    "Too early to see much change, but the meetings are useful.",
    "We would like more time for partners to get to know each other.",
    "The shared map of community assets has already helped our planning.",
    "Hard to find staff time for partnership meetings.",
    "It still feels like the NHS partners set the agenda.",
    "A clear shared purpose, but who does what is not yet clear.",
)
COMMENTS_2 = (
    "We now refer people to each other routinely.",
    "The social prescribing pathway into arts groups is working well.",
    "Joint funding bid was a real step forward.",
    "Lived-experience members now shape the agenda, not just comment on it.",
    "More relationships, but meetings are getting long.",
    "We would like the partnership to say more about what it has changed.",
    "Trust has grown since we started planning activities together.",
)
COMMENTS_BY_SECTOR_2 = {
    "lived_experience": "We feel listened to now; being paid for our time made a difference.",
    "primary_care": "Our link workers now know the arts and green space offers by name.",
    "arts_culture": "Referrals from GP practices have doubled since last spring.",
}
FADING_COMMENT = (
    "Our core grant ended in the autumn, so we have had to step back from most working groups."
)
TIE_COLUMNS = (
    "round", "respondent", "partner", "works_together", "frequency", "level",
    "value_influence", "value_involvement", "value_resources",
    "trust_reliability", "trust_purpose", "trust_openness",
)  # fmt: skip
LEVEL_NAMES = ("none", "cooperative", "coordinated", "integrated")
FREQUENCY_NAMES = ("yearly", "quarterly", "monthly", "weekly")


def member(partner: Partner, on: str) -> bool:
    """Whether ``partner`` is a member on the ISO date ``on``."""
    return partner.joined <= on and (not partner.left or partner.left > on)


def closeness(partners: tuple[Partner, ...], rng: np.random.Generator) -> np.ndarray:
    """The latent round-1 closeness of every pair (symmetric matrix)."""
    n = len(partners)
    activity = rng.normal(0.0, 0.4, n)
    activity -= np.array([0.7 if p.left else 0.0 for p in partners])  # leavers drifted off
    pair = rng.normal(0.0, 0.7, (n, n))
    pair = np.triu(pair, 1) + np.triu(pair, 1).T
    c = np.full((n, n), -1.9)
    for i, a in enumerate(partners):
        for j, b in enumerate(partners):
            if i == j:
                continue
            shared = set(a.places.split(";")) & set(b.places.split(";"))
            c[i, j] += 1.3 if shared else -0.6
            c[i, j] += 1.1 if FAMILY[a.sector] == FAMILY[b.sector] else 0.0
            c[i, j] += 1.3 * ((a.id in HUBS) + (b.id in HUBS))
            if a.id in HUBS and b.id in HUBS and not shared:
                c[i, j] += 0.6  # the hubs meet on the consortium board across places
            c[i, j] += AFFINITY.get(frozenset({a.sector, b.sector}), 0.0)
            if a.joined < LONG_STANDING and b.joined < LONG_STANDING:
                c[i, j] += 0.4
            for p in (a, b):
                if p.sector == "lived_experience":
                    c[i, j] -= 1.2 if p.kind == "individual" else 0.9
                if p.sector == "business":
                    c[i, j] -= 0.4
    c += activity[:, None] + activity[None, :] + pair
    np.fill_diagonal(c, -9.0)
    return c


def drift(partners: tuple[Partner, ...], rng: np.random.Generator) -> np.ndarray:
    """The change in closeness from round 1 to round 2 (symmetric)."""
    n = len(partners)
    d = np.full((n, n), 0.1)
    noise = rng.normal(0.0, 0.25, (n, n))
    d += np.triu(noise, 1) + np.triu(noise, 1).T
    for i, a in enumerate(partners):
        for j, b in enumerate(partners):
            sectors = {a.sector, b.sector}
            shared = set(a.places.split(";")) & set(b.places.split(";"))
            if "lived_experience" in sectors and len(sectors) == 2:
                other = b if a.sector == "lived_experience" else a
                d[i, j] += 1.1 if other.id in HUBS or other.sector == "vcse" else 0.7
            if sectors == {"arts_culture", "primary_care"} and shared:
                d[i, j] += 1.8
            if "arts_culture" in sectors and ("icb" in sectors or "vcse" in sectors) and shared:
                d[i, j] += 0.5
            if FADING in (a.id, b.id):
                d[i, j] -= 1.1
    return d


def clip(x: float) -> int:
    """An item answer: ``x`` rounded and clipped to 1-4."""
    return int(min(4, max(1, round(x))))


def main(out: Path = OUT) -> None:
    rng = np.random.default_rng(SEED)
    partners = PARTNERS
    n = len(partners)
    index = {p.id: i for i, p in enumerate(partners)}
    c1 = closeness(partners, rng)
    c2 = c1 + drift(partners, rng)
    # Each direction's own reading of the pair, reused in round 2 with a little fresh noise.
    report = rng.normal(0.0, 0.3, (n, n))
    report2 = report + rng.normal(0.0, 0.1, (n, n))
    freq = rng.normal(0.0, 0.4, (n, n))
    quality = rng.normal(0.0, 0.35, n)  # how reliable others find a partner
    leniency = rng.normal(0.0, 0.25, n)  # how generously a respondent rates
    activity = rng.normal(0.0, 0.35, n)  # how involved others see a partner
    pair_trust = rng.normal(0.0, 0.55, (n, n))
    pair_trust = np.triu(pair_trust, 1) + np.triu(pair_trust, 1).T
    items = rng.normal(0.0, 0.3, (n, n, 6))
    items2 = items + rng.normal(0.0, 0.15, (n, n, 6))
    propensity = np.array(
        [
            3.0 if p.id in HUBS or p.id == FADING
            else 0.5 if p.kind == "individual" or p.sector == "business"
            else 0.5 if p.sector in ("community_group", "faith_group")
            else 0.8
            for p in partners
        ]
    )  # fmt: skip
    respond_noise = rng.gumbel(0.0, 1.0, n)
    respond_noise2 = 0.8 * respond_noise + 0.6 * rng.gumbel(0.0, 1.0, n)

    ties: list[dict[str, object]] = []
    answers: list[dict[str, object]] = []
    for r, (round_name, on, _) in enumerate(ROUNDS):
        roster = [p for p in partners if member(p, on)]
        ids = [index[p.id] for p in roster]
        score = propensity[ids] + (respond_noise if r == 0 else respond_noise2)[ids]
        if r == 1:  # the consortium worked on lived-experience involvement
            score += np.array([2.0 if partners[i].sector == "lived_experience" else 0 for i in ids])
        k = round((0.80 if r == 0 else 0.75) * len(roster))
        respondents = sorted(ids[m] for m in np.argsort(-score)[:k])
        c = c1 if r == 0 else c2
        noise = report if r == 0 else report2
        item_noise = items if r == 0 else items2
        for i in respondents:
            a = partners[i]
            for j in ids:
                if j == i:
                    continue
                b = partners[j]
                seen = c[i, j] + noise[i, j]
                row: dict[str, object] = {"round": round_name, "respondent": a.id,
                                          "partner": b.id}  # fmt: skip
                if seen <= 0:
                    row.update(works_together="no", level="none")
                    ties.append(row)
                    continue
                level = 1 if seen < 1.3 else 2 if seen < 2.7 else 3
                f = seen + freq[i, j]
                how_often = 0 if f < 0.4 else 1 if f < 1.4 else 2 if f < 2.4 else 3
                near = min(seen, 3.0)
                fa, fb = FAMILY[a.sector], FAMILY[b.sector]
                divide = 0.0
                if fa == fb:
                    divide = 0.3
                elif "health" in (fa, fb) and {fa, fb} & {"community", "lived_experience"}:
                    divide = -0.45
                elif "health" in (fa, fb) and "culture_environment" in (fa, fb):
                    divide = -0.25
                trust = 2.45 + quality[j] + leniency[i] + pair_trust[i, j] + 0.25 * near + divide
                influence = 2.2 + INFLUENCE.get(b.sector, 0.0) + 0.2 * near + leniency[i]
                involvement = 2.3 + activity[j] + 0.25 * near + leniency[i]
                resources = 2.1 + RESOURCES.get(b.sector, 0.0) + 0.15 * near + leniency[i]
                if r == 1 and b.sector == "lived_experience":
                    influence += 0.5
                    involvement += 0.5
                if r == 1 and b.id == FADING:
                    trust -= 0.5
                    involvement -= 0.8
                    resources -= 0.8
                if r == 1 and a.id == FADING:
                    trust -= 0.3
                scores = (
                    influence,
                    involvement,
                    resources,
                    trust - (0.4 if r == 1 and b.id == FADING else 0.0),
                    trust + PURPOSE.get(b.sector, 0.0),
                    trust + OPENNESS.get(b.sector, 0.0),
                )
                row.update(
                    works_together="yes",
                    frequency=FREQUENCY_NAMES[how_often],
                    level=LEVEL_NAMES[level],
                )
                for name, value, e in zip(TIE_COLUMNS[6:], scores, item_noise[i, j], strict=True):
                    row[name] = clip(value + e)
                ties.append(row)
        for i in respondents:
            a = partners[i]
            draw = np.random.default_rng([SEED, i])  # the same partner ticks alike each round
            base = CONTRIBUTES[a.sector]
            gives = [code for code in base if draw.random() < 0.8] or [base[0]]
            extra = CONTRIBUTION_CODES[int(draw.integers(len(CONTRIBUTION_CODES)))]
            if draw.random() < 0.3 and extra not in gives:
                gives.append(extra)
            if r == 1 and a.id == FADING:
                gives = [g for g in gives if g != "staff_time"]
            chance = list(ACHIEVED[r])
            if r == 1 and a.sector in ("primary_care", "arts_culture", "vcse"):
                chance[1] += 0.45
            if r == 1 and a.sector == "lived_experience":
                chance[3] += 0.5
            if r == 1 and a.id in HUBS:
                chance[6] += 0.25
            got = [code for code, p in zip(ACHIEVEMENT_CODES, chance, strict=True)
                   if rng.random() < p] or ["new_relationships"]  # fmt: skip
            comment = ""
            if r == 1 and a.id == FADING:
                comment = FADING_COMMENT
            elif r == 1 and a.sector in COMMENTS_BY_SECTOR_2 and rng.random() < 0.6:
                comment = COMMENTS_BY_SECTOR_2[a.sector]
            elif rng.random() < 0.5:
                pool = COMMENTS_1 if r == 0 else COMMENTS_2
                comment = pool[int(rng.integers(len(pool)))]
            answers.append(
                {
                    "round": round_name,
                    "respondent": a.id,
                    "contributions": ";".join(c for c in CONTRIBUTION_CODES if c in gives),
                    "achievements": ";".join(got),
                    "comment": comment,
                }
            )

    out.mkdir(parents=True, exist_ok=True)
    jitter = rng.uniform(-0.006, 0.006, (n, 2))
    rows = []
    for i, p in enumerate(partners):
        lat, lon = DISTRICTS[p.postcode]
        rows.append(
            {
                "id": p.id,
                "name": p.name,
                "sector": p.sector,
                "kind": p.kind,
                "description": p.description,
                "places": p.places,
                "populations": ";".join(x.strip() for x in p.populations.split(";")),
                "postcode": p.postcode,
                "latitude": f"{lat + jitter[i, 0]:.4f}",
                "longitude": f"{lon + jitter[i, 1]:.4f}",
                "url": "",
                "joined": p.joined,
                "left": p.left,
            }
        )
    write(out / "partners.csv", list(rows[0]), rows)
    write(
        out / "rounds.csv",
        ["name", "date", "status", "description"],
        [{"name": a, "date": b, "status": "closed", "description": d} for a, b, d in ROUNDS],
    )
    write(out / "ties.csv", list(TIE_COLUMNS), ties)
    write(
        out / "answers.csv", ["round", "respondent", "contributions", "achievements", "comment"],
        answers,
    )  # fmt: skip
    (out / "README.md").write_text(README.format(seed=SEED, n=n), encoding="utf-8")
    assert date.fromisoformat(ROUNDS[1][1]) > date.fromisoformat(ROUNDS[0][1])


def write(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    """Write ``rows`` to the CSV file ``path`` (UTF-8, LF line ends)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


README = (
    (
        "# ILLUSTRATIVE, generated data: made by `scripts/make_demo_partnership.py` (seed {seed});"
        " it describes no real organisation or person.\n"
    )
    + """
An invented consortium of {n} partners (organisations and pseudonymised lived-experience members)
working on community assets (green space, arts and culture, community groups) and health
inequalities across the two demo places, `northamptonshire` (North and West Northamptonshire)
and `inner-north-east-london` (Camden, Hackney, Islington, Newham, Tower Hamlets), with two
closed rounds of the roster survey. All names are fictional; any likeness to a real organisation
is accidental. The answers come from a latent model (see the script's docstring), not from a
survey. Licence: CC0 1.0 (public domain dedication).

## The story built in

What a facilitator should find in the measures:

- **Two place clusters joined by hubs.** Most ties are within a place; Kingsmead University
  (which leads the research in both places), the two integrated care boards and the two public
  health teams are hubs with high degree and betweenness, tied across sectors and to each other
  across the places. Integrated ties are rare and mostly between hubs and long-standing members.
- **Sector families stick together.** Ties are more likely within a sector family, so the E-I
  index is below its expected value (it moves towards it in round 2 as new ties cross sectors);
  trust is higher within families than between them, and lowest between health (NHS) partners
  and community or lived-experience partners.
- **Lived experience moves in from the edge.** In round 1 the lived-experience groups and the
  individual members are at the periphery (few ties, low influence scores). In round 2, after a
  year of work on involvement, they have more ties, more of them answer, and others rate their
  influence and involvement higher.
- **Social prescribing through the arts.** Ties between arts and culture partners and primary
  care networks in the same place grow in round 2; more respondents tick "more people referred to
  community activities".
- **A fading partner.** Stepney Green Health Advocates (VCSE) lost its core grant in autumn 2025:
  in round 2 its ties are fewer and at lower levels, and others rate its reliability,
  involvement and resources lower. The change measures flag these as fading ties.
- **Membership changes.** Three partners joined between the rounds (Bow Common Parents Network,
  Kentish Town Songbirds, Lived-experience member D: round 2 only) and two left (Corby Old Town
  Walking Group, Shoreditch Yard Workspace Ltd: round 1 only). Round 2 answers are round 1's plus
  these drifts, so most ties are kept.
- **Two reports of one tie.** Both sides of a pair usually agree; sometimes one reports a tie the
  other does not, and levels mostly differ by one at most (compare union and intersection).

## Files and columns

`partners.csv`: one row per partner.
`id` stable short id; `name`; `sector` (code from `mobilise.model.partner_vocab.SECTORS`);
`kind` `organisation` or `individual`; `description` one line; `places` `;`-separated place
slugs; `populations` `;`-separated populations served; `postcode` a postcode *district* only;
`latitude`, `longitude` a point near the district's centre (WGS84); `url` blank; `joined` and
`left` ISO dates (`left` blank for current members).

`rounds.csv`: `name`, `date` (ISO), `status` (`closed`), `description`. The roster of a round is
the partners who are members on its date.

`ties.csv`: the roster survey, one row per respondent and partner on that round's roster,
including "we do not work together" rows. `round` the round's name; `respondent`, `partner` ids;
`works_together` `yes`/`no`; `frequency` `yearly`, `quarterly`, `monthly` or `weekly` (blank when
no); `level` `none`, `cooperative`, `coordinated` or `integrated`; `value_influence`,
`value_involvement`, `value_resources`, `trust_reliability`, `trust_purpose`, `trust_openness`
answers 1 (not at all) to 4 (a great deal), blank when there is no tie. Partners on the roster
who did not respond have no rows as respondent.

`answers.csv`: one row per respondent and round. `contributions` and `achievements`
`;`-separated codes from `CONTRIBUTIONS` and `ACHIEVEMENTS` in `partner_vocab`; `comment` a short
free-text comment or blank.
"""
)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write the files to")
    main(parser.parse_args().out)
