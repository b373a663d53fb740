"""The vocabulary of community assets and the mappings from other classifications to it.

Every asset has one of the :data:`CATEGORIES`. Sources classify assets their own way, and the
functions here translate:

:func:`category_from_osm`
    OpenStreetMap tags (``amenity=library``, ``leisure=park``, ``water=*`` ...).
:func:`category_from_gla`
    GLA Cultural Infrastructure Map types (``Pubs``, ``Music Venues`` ...).
:func:`category_from_taxonomy`
    Open Referral UK / HSDS taxonomy terms, by keywords in the term (``Debt advice``).
:func:`category_from_bundled`
    The demo files bundled with mobilise (``category`` plus ``source_category``).

``docs/asset-categories.md`` is generated from the tables here by :func:`mapping_tables`
(``python -m mobilise.model.asset_vocab > docs/asset-categories.md``); a test keeps it current.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

__all__ = [
    "BUNDLED_CATEGORIES",
    "BUNDLED_PREFIXES",
    "CATEGORIES",
    "COSTS",
    "COST_SYNONYMS",
    "EXPORT_FORMATS",
    "FIELD_ALIASES",
    "GLA_TYPES",
    "KINDS",
    "KNOWN_SOURCES",
    "OSM_TAGS",
    "STATUSES",
    "STATUS_SYNONYMS",
    "TARGET_GROUPS",
    "TARGET_GROUP_SYNONYMS",
    "TAXONOMY_KEYWORDS",
    "VISIBILITIES",
    "category_from_bundled",
    "category_from_gla",
    "category_from_osm",
    "category_from_taxonomy",
    "cost_from_text",
    "mapping_tables",
    "osm_matches",
    "source_info",
    "status_from_text",
    "target_group_from_text",
]

CATEGORIES: dict[str, str] = {
    "green_blue_space": "Green and blue space",
    "arts_culture": "Arts and culture",
    "community_space": "Community space",
    "library": "Library",
    "sport_physical_activity": "Sport and physical activity",
    "faith": "Faith",
    "community_group": "Community group and network",
    "learning": "Learning",
    "food": "Food",
    "advice_support": "Advice and support",
    "health_care": "Health and care",
}
"""Category id -> the label people read."""

KINDS = ("service", "place", "group")
STATUSES = ("active", "temporarily_closed", "closed", "developing")
EXPORT_FORMATS = ("csv", "geojson", "gpkg", "hsds")
"""Spreadsheet, GeoJSON, GeoPackage, HSDS 3.0 data package (a folder, or a ``.zip``)."""
COSTS = ("free", "low", "paid")
VISIBILITIES = ("public", "private")
TARGET_GROUPS = (
    "women_only",
    "lgbtq",
    "faith_specific",
    "culture_specific",
    "young_people",
    "older_people",
    "disabled_people",
    "carers",
    "families",
)


def _words(groups: Mapping[str, str]) -> dict[str, str]:
    """``{value: "word, other word"}`` -> ``{"word": value, "other word": value}``, in order."""
    return {w.strip(): value for value, words in groups.items() for w in words.split(",")}


def _expand(groups: Mapping[str, str]) -> dict[str, str]:
    """``{"amenity=a|b": category}`` -> ``{"amenity=a": category, "amenity=b": category}``."""
    expanded: dict[str, str] = {}
    for spec, category in groups.items():
        key, values = spec.split("=", 1)
        for value in values.split("|"):
            expanded[f"{key}={value}"] = category
    return expanded


# Checked in this order; the first tag of an element that matches decides. Specific tags come
# before the catch-alls (``key=*``), amenities before leisure so that e.g. a community centre
# tagged with a sport is a community space.
OSM_TAGS: dict[str, str] = _expand(
    {
        "social_facility=food_bank|soup_kitchen": "food",
        "amenity=food_bank|food_sharing|soup_kitchen": "food",
        "amenity=library|toy_library|public_bookcase": "library",
        "amenity=place_of_worship|monastery": "faith",
        "office=religion": "faith",
        "amenity=community_centre|social_centre|townhall|events_venue|pub|marketplace": (
            "community_space"
        ),
        "amenity=arts_centre|theatre|cinema|music_venue|nightclub|studio|exhibition_centre": (
            "arts_culture"
        ),
        "amenity=planetarium|music_school|dancing_school": "arts_culture",
        "tourism=museum|gallery": "arts_culture",
        "leisure=dance|hackerspace|bandstand": "arts_culture",
        "amenity=doctors|clinic|dentist|pharmacy|hospital|nursing_home|health_post": "health_care",
        "amenity=social_facility": "advice_support",
        "amenity=college|university|school|kindergarten|childcare|language_school": "learning",
        "amenity=training|prep_school": "learning",
        "office=educational_institution": "learning",
        "leisure=park|garden|nature_reserve|common|recreation_ground|dog_park|playground": (
            "green_blue_space"
        ),
        "leisure=picnic_site|fishing|bird_hide|beach_resort": "green_blue_space",
        "landuse=allotments|recreation_ground|village_green|forest|meadow": "green_blue_space",
        "natural=water|wood|beach|heath|grassland|wetland|scrub": "green_blue_space",
        "waterway=river|canal|riverbank": "green_blue_space",
        "tourism=picnic_site": "green_blue_space",
        "leisure=pitch|sports_centre|fitness_centre|swimming_pool|track|stadium|ice_rink": (
            "sport_physical_activity"
        ),
        "leisure=sports_hall|fitness_station|golf_course|miniature_golf|bowling_alley": (
            "sport_physical_activity"
        ),
        "leisure=horse_riding|water_park|swimming_area|skatepark|climbing": (
            "sport_physical_activity"
        ),
        "office=charity|ngo|association|foundation|non_profit": "community_group",
        "club=sport": "sport_physical_activity",
        "club=art|arts|music|theatre|photography|cinema|culture": "arts_culture",
        "shop=charity|second_hand": "community_space",
        "shop=greengrocer|supermarket|convenience|bakery|butcher|farm|deli|health_food": "food",
        "shop=seafood|frozen_food|food": "food",
        "shop=books|art|craft|music|musical_instrument": "arts_culture",
        "shop=sports|bicycle": "sport_physical_activity",
        "healthcare=*": "health_care",
        "social_facility=*": "advice_support",
        "sport=*": "sport_physical_activity",
        "water=*": "green_blue_space",
        "club=*": "community_group",
    }
)
"""OpenStreetMap ``key=value`` (``key=*``: any value) -> category, in order of priority."""

_NOT_PUBLIC = {"private", "no"}
_NO = {"", "no", "none"}


def osm_matches(tags: Mapping[str, str]) -> list[tuple[str, str]]:
    """Every ``(tag, category)`` of :data:`OSM_TAGS` that ``tags`` match, in priority order.

    ``tag`` is written ``key=value`` with the element's own value, e.g. ``"sport=tennis"``.
    """
    found: list[tuple[str, str]] = []
    for spec, category in OSM_TAGS.items():
        key, value = spec.split("=", 1)
        actual = str(tags.get(key, "")).strip()
        if actual.casefold() in _NO:
            continue
        if value == "*" or actual == value:
            tag = f"{key}={actual}"
            if all(tag != t for t, _ in found):
                found.append((tag, category))
    return found


def category_from_osm(tags: Mapping[str, str]) -> str | None:
    """The category of an OpenStreetMap element from its tags, or None.

    Elements with ``access=private`` or ``access=no`` are not public assets and map to None.
    """
    if str(tags.get("access", "")).strip().casefold() in _NOT_PUBLIC:
        return None
    matches = osm_matches(tags)
    return matches[0][1] if matches else None


@lru_cache(maxsize=8192)  # called once per cell of large files, with few distinct values
def _key(text: str) -> str:
    """Text compared loosely: case, spacing, ``&`` and curly apostrophes do not matter."""
    text = str(text).replace("\u2019", "'").replace("&", " and ")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[\s_]+", " ", text).strip()


# Every type in the bundled inner-London extract, and the other types of the full map. Pubs are
# community spaces: they are the commonest Asset of Community Value.
GLA_TYPES: dict[str, str] = _words(
    {
        "community_space": "Pubs, Community Centres",
        "library": "Libraries",
        "sport_physical_activity": "Skate Parks",
        "green_blue_space": "Outdoor Spaces for Cultural Use",
        "arts_culture": "Music Venues, Commercial Galleries, Artists Workspaces, "
        "Dance Rehearsal Studios, Theatre Rehearsal Studios, Museums and Public Galleries, "
        "Theatres, Dance Performance Venues, Creative Workspace, Music Rehearsal Studios, "
        "Cinemas, Creative Co-Working Desk Space, Makerspaces, Arts Centres, "
        "Live in Artists' Workspace, Legal Street Art Walls, Jewellery Design and Manufacturing, "
        "Fashion and Design Manufacturing, Music (Office Based Businesses), Music (Recording), "
        "Prop and Costume Making and Hiring, Making and Manufacturing for The Creative Industries, "
        "Set and Exhibition Design and Building, Textile Design and Finishing Services, "
        "Large Scale Screen Based Media Production Studios, Archives, Film Studios, "
        "Music Venues (Grassroots), Music Venues (All), Nightclubs, LGBT+ Night Time Venues, "
        "Creative Workspaces, Music Recording Studios, Music Office Based Businesses",
    }
)
"""GLA Cultural Infrastructure Map type -> category (matched ignoring case and spacing)."""

_GLA_BY_KEY = {_key(t): c for t, c in GLA_TYPES.items()}


def category_from_gla(cim_type: str) -> str | None:
    """The category of a GLA Cultural Infrastructure Map type, e.g. ``"Pubs"``, or None."""
    return _GLA_BY_KEY.get(_key(cim_type))


# Checked in this order: the first keyword found (a whole word, plural "s" allowed) decides, so
# activities ("sport", "arts") come before the broad "health" and "group".
TAXONOMY_KEYWORDS: dict[str, str] = _words(
    {
        "library": "library, libraries, book lending, reading room",
        "faith": "faith, religion, religious, worship, church, mosque, temple, synagogue, "
        "gurdwara, mandir, chapel, prayer, spiritual",
        "sport_physical_activity": "sport, sports, physical activity, exercise, fitness, gym, "
        "leisure centre, swimming, football, cricket, tennis, athletics, running, parkrun, "
        "cycling, walking, health walk, yoga, pilates, tai chi, boxing, martial arts, skate, "
        "active",
        "green_blue_space": "park, parks, green space, greenspace, green, open space, garden, "
        "gardening, allotment, nature, outdoor, woodland, countryside, river, canal, "
        "blue space, conservation, environment, play area, playground",
        "arts_culture": "arts, art, music, theatre, dance, drama, museum, gallery, heritage, "
        "culture, cultural, craft, creative, film, cinema, singing, choir, photography, "
        "poetry, literature, writing, makerspace",
        "food": "food, food bank, foodbank, meal, meals, lunch club, community fridge, pantry, "
        "larder, cooking, nutrition, healthy eating, soup kitchen, community cafe",
        "learning": "learning, education, training, course, class, skills, school, college, "
        "academy, tutoring, homework, literacy, numeracy, esol, digital inclusion, computer",
        "advice_support": "advice, benefit, benefits, debt, money, welfare, legal, housing, "
        "homeless, homelessness, employment, job, jobs, befriending, advocacy, refugee, "
        "asylum, social prescribing, loneliness, isolation, bereavement, domestic abuse, "
        "carer, carers, outreach, helpline, information, support",
        "health_care": "mental health, health, wellbeing, gp, pharmacy, dentist, dental, "
        "clinic, hospital, nhs, counselling, therapy, smoking, stop smoking, drug, alcohol, "
        "substance, sexual health, maternity, dementia, social care, care home, nursing, "
        "disability, wellness",
        "community_space": "community centre, community center, community hall, village hall, "
        "civic centre, civic center, community space, meeting room, venue, pub, hub",
        "community_group": "community group, support group, peer support, group, club, "
        "network, volunteer, volunteering, association, society, youth, older people, senior, "
        "seniors, tenants, residents, mutual aid",
    }
)
"""Keyword -> category for HSDS / ORUK taxonomy terms, in order of priority."""

# "support" alone is weak: a term naming a group or a health need says more than the word
# "support", so those keywords are tried first.
_WEAK = {"support", "information", "active", "green", "group"}
_KEYWORD_RES = [
    (re.compile(rf"\b{re.escape(k)}(?:s|es)?\b"), c)
    for pass_ in (False, True)
    for k, c in TAXONOMY_KEYWORDS.items()
    if (k in _WEAK) == pass_
]
_VOCAB_PREFIX_RE = re.compile(r"^[a-z][a-z0-9_.-]*:(?!//)", re.IGNORECASE)


def category_from_taxonomy(term: str) -> str | None:
    """The category of a taxonomy term name or id, by keywords, or None.

    ``term`` may carry a vocabulary prefix (``"esd:Debt advice"``); a category id or label is
    returned as is.
    """
    text = _VOCAB_PREFIX_RE.sub("", str(term).strip())
    key = _key(text)
    if key.replace(" ", "_") in CATEGORIES:
        return key.replace(" ", "_")
    for category, label in CATEGORIES.items():
        if key == _key(label):
            return category
    words = re.sub(r"[^a-z0-9+]+", " ", key.replace("'", ""))
    for regex, category in _KEYWORD_RES:
        if regex.search(words):
            return category
    return None


BUNDLED_CATEGORIES: dict[str, str | None] = {
    "green_space": "green_blue_space",
    "arts_culture": "arts_culture",
    "community_space": "community_space",
    "library": "library",
    "sport_leisure": "sport_physical_activity",
    "faith": "faith",
    "community_group": "community_group",
    "other": None,
}
"""``category`` of the bundled demo files -> category; ``None``: decided by ``source_category``."""

BUNDLED_PREFIXES: dict[str, str] = {"pofw:": "faith", "museum:": "arts_culture"}
"""``source_category`` prefixes of the bundled files (Geofabrik places of worship, Mapping
Museums subjects) -> category."""

_OSM_TAG_RE = re.compile(r"^([a-z_:]+)=([^=\s][^=]*)$")


def _from_source_category(source_category: str) -> str | None:
    text = str(source_category).strip()
    if not text:
        return None
    tag = _OSM_TAG_RE.match(text)
    if tag is not None:
        return category_from_osm({tag.group(1): tag.group(2)})
    for prefix, category in BUNDLED_PREFIXES.items():
        if text.casefold().startswith(prefix):
            return category
    return category_from_gla(text) or category_from_taxonomy(text)


def category_from_bundled(category: str, source_category: str) -> str | None:
    """The category of a row of a bundled demo file, or None.

    ``category`` is a :data:`CATEGORIES` id or label, or one of the bundled files' own ids
    (:data:`BUNDLED_CATEGORIES`). When it is ``other``, blank or unknown, ``source_category`` decides:
    an OSM tag (``amenity=nightclub``), a prefix of :data:`BUNDLED_PREFIXES`, a GLA type, or
    taxonomy keywords (``Static Library``); an unknown ``category`` is last tried as a term itself.
    """
    key = _key(category)
    if key.replace(" ", "_") in CATEGORIES:
        return key.replace(" ", "_")
    for category_id, label in CATEGORIES.items():
        if key == _key(label):
            return category_id
    mapped = BUNDLED_CATEGORIES.get(key.replace(" ", "_"))
    if mapped is not None:
        return mapped
    derived = _from_source_category(source_category)
    if derived is not None or key in ("", "other") or key.replace(" ", "_") in BUNDLED_CATEGORIES:
        return derived
    return category_from_gla(category) or category_from_taxonomy(category)


STATUS_SYNONYMS: dict[str, str] = _words(
    {
        "active": "active, open, opened, operational, current, live, running, yes, "
        "listed_in_cim, open_in_2021, open_2023, mapped_in_osm_2019, mapped_in_osm_2025",
        "temporarily_closed": "temporarily_closed, temporarily closed, temporary closure, "
        "suspended, paused, on hold",
        "closed": "closed, permanently closed, inactive, defunct, ceased, no, demolished",
        "developing": "developing, in development, under development, planned, proposed, "
        "emerging, pilot",
    }
)
"""Status words -> :data:`STATUSES`; also ``open_in_<year>``, ``open_<year>``,
``mapped_in_osm_<year>``, ``listed_in_<list>`` (active) and ``closed_<year>`` (closed)."""

_STATUS_PATTERNS = (
    (re.compile(r"^(open(_in)?|mapped_in_[a-z]+|listed_in)_[a-z0-9_]+$"), "active"),
    (re.compile(r"^closed_(in_)?[0-9]{4}$"), "closed"),
)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9+]+", "_", _key(text)).strip("_")


_STATUS_BY_SLUG = {_slug(k): v for k, v in STATUS_SYNONYMS.items()}


def status_from_text(text: str) -> str | None:
    """A :data:`STATUSES` value for status words such as ``"Open"`` or ``"listed_in_cim"``."""
    slug = _slug(text)
    if slug in _STATUS_BY_SLUG:
        return _STATUS_BY_SLUG[slug]
    for regex, status in _STATUS_PATTERNS:
        if regex.match(slug):
            return status
    return None


COST_SYNONYMS: dict[str, str] = _words(
    {
        "free": "free, no, none, 0, £0, free of charge, no charge",
        "low": "low, low cost, subsidised, concessions, pay what you can, donation, small charge",
        "paid": "paid, yes, fee, charge, charged, chargeable",
    }
)
"""Cost words -> :data:`COSTS` (OSM's ``fee=no`` is free, ``fee=yes`` paid)."""


_COST_BY_KEY = {_key(k): v for k, v in COST_SYNONYMS.items()}


def cost_from_text(text: str) -> str | None:
    """A :data:`COSTS` value for cost words such as ``"Free"`` or ``"low cost"``, or None."""
    return _COST_BY_KEY.get(_key(text))


TARGET_GROUP_SYNONYMS: dict[str, str] = _words(
    {
        "women_only": "women_only, women, woman, women and girls, female",
        "lgbtq": "lgbtq, lgbt, lgbt+, lgbtq+, lgbtqia+, lgbtqi+",
        "faith_specific": "faith_specific, faith, religious",
        "culture_specific": "culture_specific, culture, cultural, ethnic minority",
        "young_people": "young_people, youth, young people, children, child, juvenile, teenagers",
        "older_people": "older_people, older people, senior, seniors, elderly, over 50s",
        "disabled_people": "disabled_people, disabled, disability, disabled people",
        "carers": "carers, carer, unpaid carers",
        "families": "families, family, parents",
    }
)
"""Words for groups an asset is for -> :data:`TARGET_GROUPS` (also OSM ``*:for`` values)."""

_TARGET_BY_SLUG = {_slug(k): v for k, v in TARGET_GROUP_SYNONYMS.items()}


def target_group_from_text(text: str) -> str | None:
    """A :data:`TARGET_GROUPS` value for a word such as ``"Young people"``, or None."""
    return _TARGET_BY_SLUG.get(_slug(text))


KNOWN_SOURCES: dict[str, tuple[str, str, str]] = {
    "cultural infrastructure map": ("gla_cim", "gla", "OGL-UK-3.0"),
    "openstreetmap": ("osm", "osm", "ODbL-1.0"),
    "mapping museums": ("mapping_museums", "mapping_museums", "CC-BY-4.0"),
    "public libraries in england": ("public_libraries", "libraries", "OGL-UK-3.0"),
    "arts council england": ("ace", "ace", "OGL-UK-3.0"),
}
"""Words in a ``source`` column -> (source key, taxonomy vocabulary, licence)."""


@lru_cache(maxsize=1024)
def source_info(source: str) -> tuple[str, str, str]:
    """The source key, taxonomy vocabulary and default licence for a source's name.

    A known publisher (:data:`KNOWN_SOURCES`) gets its short key; any other name is kept as
    the key, with a vocabulary slugified from it and no licence.
    """
    key = _key(source)
    for words, info in KNOWN_SOURCES.items():
        if words in key or key == info[0]:
            return info
    vocabulary = _slug(re.sub(r"\.(csv|tsv|txt|xlsx|geojson|json|gpkg|osm|gz)\b", "", key))
    return str(source).strip(), vocabulary[:40] or "source", ""


FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "title", "asset_name", "site_name", "venue_name", "venue", "place_name"),
    "description": ("description", "desc", "summary", "about", "details"),
    "category": ("category", "asset_category", "category_id"),
    "source_category": (
        "source_category", "type", "asset_type", "subcategory", "sub_category", "service_type",
        "main_discipline", "discipline",
    ),
    "kind": ("kind", "asset_kind"),
    "status": ("status", "asset_status"),
    "taxonomy_terms": ("taxonomy_terms", "taxonomy", "taxonomy_term", "tags", "keywords"),
    "lat": ("lat", "latitude", "y_lat"),
    "lon": ("lon", "lng", "long", "longitude", "x_lon"),
    "easting": ("easting", "eastings", "oseast1m", "x_bng"),
    "northing": ("northing", "northings", "osnrth1m", "y_bng"),
    "address": (
        "address", "full_address", "street_address", "address1", "address_1", "address_line_1",
        "address2", "address_2", "address_line_2", "address3", "address_3", "address_line_3",
        "street", "town", "city",
    ),
    "postcode": ("postcode", "post_code", "postal_code", "pcd", "pcds", "zip", "addr:postcode"),
    "organisation": (
        "organisation", "organization", "organisation_name", "organization_name", "operator",
        "provider", "operating_organisation",
    ),
    "email": ("email", "e_mail", "email_address", "contact_email"),
    "phone": ("phone", "telephone", "tel", "phone_number", "telephone_number", "contact_phone"),
    "url": ("url", "website", "web", "web_address", "homepage", "link"),
    "schedule": ("schedule", "opening_hours", "opening_times", "hours_of_operation"),
    "step_free": ("step_free", "step_free_access", "wheelchair", "wheelchair_access"),
    "accessible_toilet": ("accessible_toilet", "accessible_toilets", "toilets:wheelchair"),
    "hearing_loop": ("hearing_loop", "induction_loop", "audio_loop"),
    "languages": ("languages", "language"),
    "cost": ("cost", "fee", "charges"),
    "age_min": ("age_min", "min_age", "minimum_age"),
    "age_max": ("age_max", "max_age", "maximum_age"),
    "target_groups": ("target_groups", "target_group", "for_whom"),
    "capacity": ("capacity",),
    "capacity_unit": ("capacity_unit",),
    "licence": ("licence", "license"),
    "assured_date": ("assured_date", "assured", "last_verified", "last_checked", "date_verified"),
    "visibility": ("visibility",),
    "source": ("source",),
    "source_id": ("source_id", "id", "identifier", "asset_id"),
    "closed": ("closed", "year_closed", "date_closed", "closed_date"),
}  # fmt: skip
FIELD_ALIASES_NOTE = (
    "Column names are compared ignoring case, with spaces and hyphens read as `_`. `address` "
    "joins every matching column; `closed` (a year or date) makes a row without a status "
    "closed; `source_category` adds a taxonomy term and can decide the category; columns "
    "`monday` ... `sunday` (or `mon` ... `sun`) fill the schedule when there is no "
    "opening-hours column."
)
"""Asset field -> column names matched automatically (see :data:`FIELD_ALIASES_NOTE`)."""


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return [*lines, ""]


def _code(values: Iterable[str]) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _grouped(words: Mapping[str, str], values: Iterable[str]) -> list[tuple[str, str]]:
    return [(f"`{v}`", ", ".join(w for w, of in words.items() if of == v)) for v in values]


_INTRO = {
    "osm": "The first tag in this order that an element has decides (`*`: any value except "
    "`no`). Elements tagged `access=private` or `access=no` are not public and not mapped.",
    "gla": "Matched ignoring case, spacing and `&`/`and`.",
    "taxonomy": "A term (its vocabulary prefix such as `esd:` removed) is a category id or "
    "label, or the first keyword below found in it as a whole word (plural allowed) decides. "
    f"The weak keywords {_code(sorted(_WEAK))} are tried after all the others.",
    "bundled": "`category` of the bundled files; for `other`, a blank or an unknown category "
    "the `source_category` decides: an OSM tag (`amenity=nightclub`), a prefix below, a GLA "
    "type, else taxonomy keywords (`Static Library` -> `library`).",
    "status": "Also `open_in_<year>`, `open_<year>`, `mapped_in_<x>_<year>`, "
    "`listed_in_<list>` (active) and `closed_<year>` (closed).",
    "sources": "A `source` column containing these words gets a short source key, the "
    "vocabulary of its taxonomy terms (`gla:Pubs`) and a default licence.",
}


def mapping_tables() -> str:
    """Markdown tables of every mapping in this module (the text of docs/asset-categories.md)."""
    categories = list(CATEGORIES)
    sections: list[tuple[str, str, list[str]]] = [
        ("Categories", "", _table(["id", "label"], ((f"`{k}`", v) for k, v in CATEGORIES.items()))),
        ("Other vocabularies", "", _table(["field", "values"], [
            ("kind", _code(KINDS)), ("status", _code(STATUSES)), ("cost", _code(COSTS)),
            ("visibility", _code(VISIBILITIES)), ("target_groups", _code(TARGET_GROUPS))])),
        ("OpenStreetMap tags", _INTRO["osm"],
         _table(["tag", "category"], ((f"`{k}`", f"`{v}`") for k, v in OSM_TAGS.items()))),
        ("GLA Cultural Infrastructure Map types", _INTRO["gla"],
         _table(["type", "category"], ((k, f"`{v}`") for k, v in GLA_TYPES.items()))),
        ("Taxonomy terms (Open Referral UK / HSDS)", _INTRO["taxonomy"],
         _table(["category", "keywords, in order"], _grouped(TAXONOMY_KEYWORDS, categories))),
        ("Bundled demo files", _INTRO["bundled"], [
            *_table(["bundled category", "category"], (
                (f"`{k}`", f"`{v}`" if v else "by `source_category`")
                for k, v in BUNDLED_CATEGORIES.items())),
            *_table(["source_category prefix", "category"],
                    ((f"`{k}`", f"`{v}`") for k, v in BUNDLED_PREFIXES.items()))]),
        ("Status words", _INTRO["status"],
         _table(["status", "words"], _grouped(STATUS_SYNONYMS, STATUSES))),
        ("Cost words", "", _table(["cost", "words"], _grouped(COST_SYNONYMS, COSTS))),
        ("Target group words", "",
         _table(["target group", "words"], _grouped(TARGET_GROUP_SYNONYMS, TARGET_GROUPS))),
        ("Known sources", _INTRO["sources"], _table(
            ["words", "source", "vocabulary", "licence"],
            ((k, f"`{s}`", f"`{v}`", lic) for k, (s, v, lic) in KNOWN_SOURCES.items()))),
        ("Columns matched automatically", FIELD_ALIASES_NOTE, _table(
            ["field", "column names"], ((f"`{k}`", _code(v)) for k, v in FIELD_ALIASES.items()))),
    ]  # fmt: skip
    out = [
        "# Asset categories and mappings",
        "",
        "Generated by `python -m mobilise.model.asset_vocab > docs/asset-categories.md` from",
        "`src/mobilise/model/asset_vocab.py`; a test fails when this file is out of date.",
        "",
    ]
    for title, intro, table in sections:
        out += [f"## {title}", "", *([intro, ""] if intro else []), *table]
    return "\n".join(out).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(mapping_tables(), end="")
