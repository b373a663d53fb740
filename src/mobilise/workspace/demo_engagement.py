"""The demo's co-production: illustrative events, participants, consents, attendance,
contributions and payments for both demo places, generated with a fixed seed.

**Everything here is illustrative.** No real person, event or word is copied: the people are
drawn at random, each marked ``illustrative``; their equality-monitoring answers are drawn from
the Census 2021 make-up of their (real) home area, so the demo's "who was reached" page looks
like a real consortium's; event titles say "(illustrative)". The draws are plausible rather than
uniform: people mostly come from near the venue, a little more often from the most deprived
areas (the consortium works with partners there), one in ten leaves a question unanswered or
prefers not to say, some come back for a second event, and a few withdraw consent afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from mobilise.model.engagement_vocab import PREFER_NOT_TO_SAY
from mobilise.store.tables import (
    assets,
    indicator_values,
    place_areas,
    places,
    postcodes,
)

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["SEED", "build_engagement"]

SEED = 2026
PARTICIPANTS_PER_EVENT = (22, 46)
_VENUE_CATEGORIES = ("community_space", "library", "arts_culture", "faith", "park")
_SHEET_TEXT = (
    "Illustrative information sheet for the mobilise demo.\n\n"
    "What is this project? We are working with people who live here, community groups, the "
    "NHS and the council to understand what helps people stay well, and how local places "
    "and groups can help more.\n\n"
    "What will I be asked to do? Come to a session, talk with others and share your ideas. "
    "You choose what you share.\n\n"
    "What happens to what I say? We write down ideas without your name unless you say we may "
    "use it. You can choose whether we may quote you, take photos, or contact you again.\n\n"
    "Can I change my mind? Yes, at any time, without giving a reason. Tell any member of the "
    "team. We will then stop using what you agreed to from that day.\n\n"
    "Who keeps my details? Your name and contact details are kept apart from everything else, "
    "and only the project's data controller can see them."
)
_KINDS = (
    ("world_cafe", "World Café: what keeps us well here?"),
    ("whole_system_workshop", "Whole-system workshop: green spaces and mental wellbeing"),
    ("systems_mapping_workshop", "Mapping what drives loneliness"),
    ("arts_based_session", "Drawing our neighbourhood"),
    ("community_walk", "Community walk: the places that matter"),
    ("photovoice", "Photovoice: a week in pictures"),
    ("world_cafe", "World Café: young people's wellbeing"),
    ("consortium_meeting", "Consortium meeting"),
)
# England's residents within each high-level group (Census 2021, TS021, per cent of all
# residents): the LSOA tables give only the five groups, so the detailed group is drawn with
# these weights within the group drawn from the home area's make-up.
_ETHNIC_WITHIN: dict[str, dict[str, float]] = {
    "asian": {
        "asian_indian": 3.3,
        "asian_pakistani": 2.7,
        "asian_bangladeshi": 1.1,
        "asian_chinese": 0.7,
        "asian_other": 1.6,
    },
    "black": {"black_african": 2.5, "black_caribbean": 1.0, "black_other": 0.5},
    "mixed": {
        "mixed_white_asian": 0.8,
        "mixed_white_black_african": 0.4,
        "mixed_white_black_caribbean": 0.9,
        "mixed_other": 0.8,
    },
    "white": {
        "white_british": 73.5,
        "white_irish": 0.9,
        "white_gypsy_traveller": 0.1,
        "white_roma": 0.2,
        "white_other": 6.2,
    },
    "other": {"other_arab": 0.6, "other_any": 1.6},
}


# Who tends to come to community sessions, relative to their share of residents: fewer
# young adults and men, more people in middle and older age and disabled people (the pattern
# engagement reports describe; illustrative weights, not measured).
_TURNOUT: dict[str, float] = {
    "0_15": 0.15,
    "16_24": 0.6,
    "25_34": 0.8,
    "50_64": 1.4,
    "65_plus": 1.3,
    "male": 0.65,
    "disabled": 1.4,
}


@dataclass(frozen=True)
class _Home:
    postcode: str
    lsoa11: str
    decile: int | None


def build_engagement(
    workspace: Workspace, census_dir: Path, *, places: Sequence[str], seed: int = SEED
) -> dict[str, int]:
    """Add the illustrative co-production of ``places`` once (re-running adds nothing).

    Returns how many events, participants, consents, withdrawals, contributions and payments
    were added.
    """
    added = dict.fromkeys(
        ("events", "participants", "consents", "withdrawals", "contributions", "payments"), 0
    )
    if any(p.illustrative for p in workspace.participants.list(limit=1)):
        return added
    rng = np.random.default_rng(seed)
    census = _census_shares(census_dir)
    with workspace.write():  # one transaction: the demo's people arrive together or not at all
        sheet = workspace.consent.add_sheet(
            "Taking part in the consortium's sessions (illustrative)",
            "1.0",
            _SHEET_TEXT,
            published_on=date(2026, 1, 5),
        )
        workspace.consent.add_sheet(
            "Taking part in the consortium's sessions (illustrative)",
            "1.0",
            "Easy read.\n\nWe want to hear your ideas.\n\nYou choose what you share.\n\n"
            "You can stop at any time.\n\nWe keep your name safe.",
            audience="easy_read",
            published_on=date(2026, 1, 5),
        )
        for place in places:
            _place(workspace, place, rng, census, sheet.id, added)
    return added


def _place(
    workspace: Workspace,
    place: str,
    rng: np.random.Generator,
    census: dict[str, dict[str, pd.Series]],
    sheet_id: str,
    added: dict[str, int],
) -> None:
    homes = _homes(workspace, place)
    venues = _venues(workspace, place)
    if homes.empty or venues.empty:
        return
    partner_ids = [p.id for p in workspace.partners.list() if place in p.places][:12]
    people: list[str] = []
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for number, (kind, title) in enumerate(_KINDS):
        venue = venues.iloc[int(rng.integers(len(venues)))]
        held = number < len(_KINDS) - 2
        days = -300 + number * 40 if held else 14 * (number - 5)
        starts = today + timedelta(days=days + int(rng.integers(-6, 7)))
        starts = starts.replace(hour=int(rng.choice([10, 13, 18])))
        event = _add_event(
            workspace,
            place=place,
            kind=kind,
            title=f"{title} (illustrative)",
            venue=venue,
            starts=starts,
            partners=list(rng.choice(partner_ids, size=min(3, len(partner_ids)), replace=False))
            if partner_ids
            else [],
            held=held,
            capacity=12 if kind == "world_cafe" and not held else 40,
        )
        added["events"] += 1
        size = int(rng.integers(*PARTICIPANTS_PER_EVENT))
        returning = [p for p in people if rng.random() < 0.12][: size // 3]
        newcomers = size - len(returning)
        chosen = _near(homes, venue, newcomers, rng)
        for home in chosen:
            person = _person(workspace, place, home, rng, census, partner_ids)
            people.append(person)
            added["participants"] += 1
            _consent(workspace, person, sheet_id, event, starts, rng)
            added["consents"] += 1
        attendees = _take_part(
            workspace, event, returning + people[len(people) - newcomers :], rng, held, starts
        )
        if held:
            workspace.events.update(event, {"status": "held"}, version=None)
            added["contributions"] += _contribute(workspace, event, kind, attendees, rng)
            added["payments"] += _pay(workspace, event, attendees, starts)
    _cancelled_walk(workspace, place, venues.iloc[0], people[:5], today, partner_ids)
    added["events"] += 1
    for person in people:
        if rng.random() < 0.05:
            scopes = ["all"] if rng.random() < 0.3 else ["quote", "photos", "audio", "video"]
            workspace.consent.withdraw(person, scopes=scopes, method="online")
            added["withdrawals"] += 1


def _homes(workspace: Workspace, place: str) -> pd.DataFrame:
    """Every postcode of the place's areas, with its area's IMD decile."""
    with workspace.read() as connection:
        rows = connection.execute(
            select(
                postcodes.c.postcode,
                postcodes.c.lsoa11_code,
                postcodes.c.lon,
                postcodes.c.lat,
                indicator_values.c.value.label("decile"),
            )
            .join(place_areas, place_areas.c.area_code == postcodes.c.lsoa11_code)
            .join(places, places.c.id == place_areas.c.place_id)
            .outerjoin(
                indicator_values,
                (indicator_values.c.area_code == postcodes.c.lsoa11_code)
                & (indicator_values.c.indicator_id == "imd2019_decile"),
            )
            .where(places.c.slug == place, postcodes.c.lon.is_not(None))
        ).all()
    return pd.DataFrame(rows, columns=["postcode", "lsoa11", "lon", "lat", "decile"])


def _venues(workspace: Workspace, place: str) -> pd.DataFrame:
    with workspace.read() as connection:
        rows = connection.execute(
            select(assets.c.id, assets.c.name, assets.c.lon, assets.c.lat)
            .join(place_areas, place_areas.c.area_code == assets.c.lsoa11_code)
            .join(places, places.c.id == place_areas.c.place_id)
            .where(
                places.c.slug == place,
                assets.c.category.in_(_VENUE_CATEGORIES),
                assets.c.deleted_at.is_(None),
                assets.c.lon.is_not(None),
            )
            .order_by(assets.c.name)
            .limit(400)
        ).all()
    return pd.DataFrame(rows, columns=["id", "name", "lon", "lat"])


def _near(homes: pd.DataFrame, venue: pd.Series, n: int, rng: np.random.Generator) -> list[_Home]:
    """``n`` homes drawn mostly near the venue, a little more often in deprived areas."""
    dx = (homes["lon"].to_numpy() - venue["lon"]) * 111.0 * math.cos(math.radians(venue["lat"]))
    dy = (homes["lat"].to_numpy() - venue["lat"]) * 111.0
    km = np.hypot(dx, dy)
    weights = np.exp(-km / 1.2)
    deciles = homes["decile"].fillna(6).to_numpy(dtype=float)
    weights *= np.where(deciles <= 2, 2.0, np.where(deciles <= 4, 1.3, 1.0))
    picked = rng.choice(
        len(homes), size=min(n, len(homes)), replace=False, p=weights / weights.sum()
    )
    chosen = homes.iloc[picked]
    return [
        _Home(str(postcode), str(lsoa11), None if pd.isna(decile) else int(decile))
        for postcode, lsoa11, decile in zip(
            chosen["postcode"], chosen["lsoa11"], chosen["decile"], strict=True
        )
    ]


def _census_shares(census_dir: Path) -> dict[str, dict[str, pd.Series]]:
    """Each LSOA 2011's share of residents in each group, per dimension (through the lookup of
    LSOA 2011 to 2021: a split area takes its first 2021 part's make-up)."""
    from mobilise.formats.census2021 import read_census2021

    lookup = pd.read_csv(
        census_dir.parent / "lsoa11_lsoa21_lad22_lookup.csv.gz", usecols=["LSOA11CD", "LSOA21CD"]
    ).drop_duplicates("LSOA11CD")
    to21 = dict(zip(lookup["LSOA11CD"], lookup["LSOA21CD"], strict=True))
    shares: dict[str, dict[str, pd.Series]] = {"_to21": {"map": pd.Series(to21)}}
    for path in sorted(census_dir.glob("*.csv.gz")):
        tidy = read_census2021(path)
        for dimension, part in tidy.groupby("dimension"):
            table = part.pivot_table(index="lsoa21_code", columns="group", values="count")
            table = table.div(table.sum(axis=1), axis=0)
            shares[str(dimension)] = {str(code): row for code, row in table.iterrows()}
    return shares


def _draw(rng: np.random.Generator, shares: pd.Series | None) -> str | None:
    """One answer drawn from an area's make-up, tilted by who tends to come
    (:data:`_TURNOUT`); sometimes not asked or "prefer not to say"."""
    roll = rng.random()
    if roll < 0.06:
        return None
    if roll < 0.10 or shares is None:
        return PREFER_NOT_TO_SAY
    tilted = shares * np.array([_TURNOUT.get(str(group), 1.0) for group in shares.index])
    return str(rng.choice(tilted.index.to_numpy(), p=tilted.to_numpy() / tilted.sum()))


def _person(
    workspace: Workspace,
    place: str,
    home: _Home,
    rng: np.random.Generator,
    census: dict[str, dict[str, pd.Series]],
    partner_ids: list[str],
) -> str:
    area21 = str(census["_to21"]["map"].get(home.lsoa11))
    answers: dict[str, Any] = {
        dimension: _draw(rng, census.get(dimension, {}).get(area21))
        for dimension in ("age_band", "sex", "disability")
    }
    under_16 = answers["age_band"] == "0_15"
    high = _draw(rng, census.get("ethnic_group", {}).get(area21))
    if high in _ETHNIC_WITHIN:
        weights = pd.Series(_ETHNIC_WITHIN[high])
        answers["ethnic_group"] = str(rng.choice(weights.index, p=weights / weights.sum()))
    else:
        answers["ethnic_group"] = high
    answers["carer"] = str(rng.choice(["yes", "no", "no", "no", "no"]))
    answers["young_person"] = "yes" if answers["age_band"] in ("0_15", "16_24") else "no"
    lived = ["severe_mental_illness"] if rng.random() < 0.08 else []
    brought = str(rng.choice(partner_ids)) if partner_ids and rng.random() < 0.4 else None
    person = workspace.participants.add(
        place=place,
        postcode=home.postcode,
        answers=answers,
        lived_experience=lived,
        brought_by=brought,
        under_16=under_16,
        identity={"guardian_name": "A parent (illustrative)"} if under_16 else None,
        illustrative=True,
    )
    return person.id


def _consent(
    workspace: Workspace,
    person: str,
    sheet_id: str,
    event: str,
    at: datetime,
    rng: np.random.Generator,
) -> None:
    method = str(rng.choice(["paper", "paper", "paper", "online", "verbal"]))
    workspace.consent.give(
        person,
        information_sheet=sheet_id,
        method=method,
        witness="A. Facilitator (illustrative)" if method == "verbal" else "",
        scopes={
            "take_part": True,
            "quote": str(rng.choice(["anonymous", "anonymous", "named", "none"])),
            "photos": bool(rng.random() < 0.7),
            "audio": bool(rng.random() < 0.4),
            "video": bool(rng.random() < 0.2),
            "recontact": bool(rng.random() < 0.6),
            "archive": bool(rng.random() < 0.5),
        },
        guardian=workspace.participants.get(person).under_16,
        event=event,
        at=min(at, datetime.now(UTC)),  # registering for a later event: consent given now
    )


# What people say at a session: short illustrative notes and quotes, written for the demo
# (not said by anyone), in the register of a World Café table's harvest.
_SAID = (
    "The park is the only place my kids can run about, but the lights are out by the gate.",
    "I didn't know the library did a knit and natter group. I'd go if someone came with me.",
    "The community centre feels like it's for other people. Nobody told us we could use it.",
    "Walking group got me out of the house after my husband died.",
    "The bus stopped coming on Sundays, so I can't get to church or the market.",
    "We need somewhere warm to sit that doesn't cost anything.",
    "Young people get moved on from everywhere. Give us a space and we'll look after it.",
    "Allotments have a five-year waiting list. The council could open the old bowling green.",
    "Art class is the one time in the week I forget about my pain.",
    "Leaflets don't reach us. Ask the mosque, the school gate, the barber's.",
    "The canal path is lovely but I don't feel safe there after dark.",
    "My GP sent me to a gardening project. Best prescription I've had.",
    "Forms for the hall booking are online only; a lot of the older ones can't do that.",
    "If the food bank and the advice service were in the same place it would save a trip.",
)
_GROUP_NOTES = (
    "Table harvest: green spaces matter, but people need to feel safe getting there.",
    "Table harvest: trusted people (faith leaders, youth workers) are how word gets round.",
    "Table harvest: cost and transport come up again and again.",
    "Table harvest: groups want a shared calendar of what's on.",
)


def _contribute(
    workspace: Workspace, event: str, kind: str, attendees: list[str], rng: np.random.Generator
) -> int:
    """A few quotes from people who agreed to be quoted, and each table's harvest note."""
    quotable = workspace.consent.permitted("quote")
    speakers = [person for person in attendees if person in quotable]
    count = 0
    for person in speakers[: int(rng.integers(2, 6))]:
        workspace.event_contributions.add(
            event,
            kind="quote",
            text=str(rng.choice(_SAID)),
            participant=person,
            illustrative=True,
        )
        count += 1
    if kind in ("world_cafe", "whole_system_workshop"):
        for table in range(1, 4):
            workspace.event_contributions.add(
                event,
                kind="note",
                text=str(rng.choice(_GROUP_NOTES)),
                group_label=f"Table {table}",
                illustrative=True,
            )
            count += 1
    return count


def _pay(workspace: Workspace, event: str, attendees: list[str], at: datetime) -> int:
    """Half-day involvement payments to the people with lived experience who took part."""
    count = 0
    for person in attendees:
        if workspace.participants.get(person).lived_experience:
            workspace.payments.add(
                person,
                activity="Workshop or meeting, half day",
                paid_on=at.date() + timedelta(days=7),
                event=event,
                note="Illustrative payment of the mobilise demo.",
            )
            count += 1
    return count


def _add_event(
    workspace: Workspace,
    *,
    place: str,
    kind: str,
    title: str,
    venue: pd.Series,
    starts: datetime,
    partners: list[str],
    held: bool,
    capacity: int = 40,
) -> str:
    event = workspace.events.create(
        kind=kind,
        title=title,
        place=place,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2, minutes=30),
        partners=partners,
        purpose="An illustrative event of the mobilise demo: people, events and words here "
        "are generated, not real.",
        venue_asset_id=str(venue["id"]),
        facilitators=["A. Facilitator (illustrative)"],
        accessibility="Step-free access; hearing loop; quiet room; refreshments.",
        capacity=capacity,
        public=kind != "consortium_meeting",
        illustrative=True,
    )
    if not held:
        workspace.events.open_registration(event.id)
    return event.id


def _take_part(
    workspace: Workspace,
    event: str,
    people: list[str],
    rng: np.random.Generator,
    held: bool,
    at: datetime,
) -> list[str]:
    """Registrations (with the partner who brought each person), and for a held event who
    came: most registered and came, a few registered and did not, some walked in. Returns who
    came."""
    came = []
    for person in people:
        walk_in = held and rng.random() < 0.2
        if not walk_in:
            brought = workspace.participants.get(person).brought_by
            workspace.events.register(event, person, brought_by=brought)
        if held and (walk_in or rng.random() < 0.92):
            workspace.events.attend(event, person, at=at + timedelta(minutes=5))
            came.append(person)
    return came


def _cancelled_walk(
    workspace: Workspace,
    place: str,
    venue: pd.Series,
    people: list[str],
    today: datetime,
    partner_ids: list[str],
) -> None:
    """An upcoming walk called off, with the people who had registered for it."""
    starts = today + timedelta(days=21, hours=11)
    event = _add_event(
        workspace,
        place=place,
        kind="community_walk",
        title="Community walk: along the old railway line (illustrative; called off)",
        venue=venue,
        starts=starts,
        partners=partner_ids[:1],
        held=False,
    )
    for person in people:
        workspace.events.register(event, person)
    workspace.events.cancel(event)
