"""The asset vocabulary and its mappings (mobilise.model.asset_vocab)."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from mobilise.model.asset_vocab import (
    BUNDLED_CATEGORIES,
    CATEGORIES,
    GLA_TYPES,
    OSM_TAGS,
    STATUSES,
    TARGET_GROUPS,
    TAXONOMY_KEYWORDS,
    category_from_bundled,
    category_from_gla,
    category_from_osm,
    category_from_taxonomy,
    cost_from_text,
    mapping_tables,
    osm_matches,
    source_info,
    status_from_text,
    target_group_from_text,
)

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "src" / "mobilise" / "demo" / "data" / "community_assets"


def _features(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        features: list[dict[str, Any]] = json.load(handle)["features"]
    return features


def test_the_committed_doc_is_current() -> None:
    committed = (ROOT / "docs" / "asset-categories.md").read_text(encoding="utf-8")
    assert committed == mapping_tables(), (
        "run: python -m mobilise.model.asset_vocab > docs/asset-categories.md"
    )


def test_every_mapping_targets_a_category() -> None:
    for mapping in (OSM_TAGS, GLA_TYPES, TAXONOMY_KEYWORDS):
        assert set(mapping.values()) <= set(CATEGORIES)
    assert {v for v in BUNDLED_CATEGORIES.values() if v} <= set(CATEGORIES)
    # every category can be reached from OSM and from taxonomy terms
    assert set(OSM_TAGS.values()) == set(CATEGORIES)
    assert set(TAXONOMY_KEYWORDS.values()) == set(CATEGORIES)


def test_the_doc_lists_every_mapping() -> None:
    text = mapping_tables()
    for tag in OSM_TAGS:
        assert f"`{tag}`" in text
    for gla_type in GLA_TYPES:
        assert gla_type in text
    for category, label in CATEGORIES.items():
        assert f"| `{category}` | {label} |" in text


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"leisure": "park", "name": "Abington Park"}, "green_blue_space"),
        ({"leisure": "garden"}, "green_blue_space"),
        ({"leisure": "nature_reserve"}, "green_blue_space"),
        ({"leisure": "playground"}, "green_blue_space"),
        ({"natural": "water", "water": "pond"}, "green_blue_space"),
        ({"natural": "wood"}, "green_blue_space"),
        ({"water": "canal"}, "green_blue_space"),
        ({"leisure": "pitch", "sport": "soccer"}, "sport_physical_activity"),
        ({"leisure": "sports_centre"}, "sport_physical_activity"),
        ({"leisure": "fitness_centre"}, "sport_physical_activity"),
        ({"leisure": "swimming_pool"}, "sport_physical_activity"),
        ({"sport": "tennis"}, "sport_physical_activity"),
        ({"club": "sport", "sport": "rugby"}, "sport_physical_activity"),
        ({"amenity": "library"}, "library"),
        ({"amenity": "community_centre", "sport": "table_tennis"}, "community_space"),
        ({"amenity": "arts_centre"}, "arts_culture"),
        ({"amenity": "theatre"}, "arts_culture"),
        ({"amenity": "cinema"}, "arts_culture"),
        ({"amenity": "music_venue"}, "arts_culture"),
        ({"amenity": "nightclub"}, "arts_culture"),
        ({"tourism": "museum"}, "arts_culture"),
        ({"tourism": "gallery"}, "arts_culture"),
        ({"amenity": "place_of_worship", "religion": "christian"}, "faith"),
        ({"amenity": "social_centre"}, "community_space"),
        ({"amenity": "townhall"}, "community_space"),
        ({"amenity": "pub"}, "community_space"),
        ({"amenity": "food_bank"}, "food"),
        ({"amenity": "social_facility", "social_facility": "food_bank"}, "food"),
        ({"amenity": "social_facility", "social_facility": "outreach"}, "advice_support"),
        ({"shop": "greengrocer"}, "food"),
        ({"shop": "charity"}, "community_space"),
        ({"club": "chess"}, "community_group"),
        ({"office": "charity"}, "community_group"),
        ({"office": "ngo"}, "community_group"),
        ({"healthcare": "counselling"}, "health_care"),
        ({"amenity": "doctors", "healthcare": "doctor"}, "health_care"),
        ({"amenity": "pharmacy"}, "health_care"),
        ({"amenity": "clinic"}, "health_care"),
        ({"amenity": "dentist"}, "health_care"),
        ({"amenity": "college"}, "learning"),
        ({"amenity": "parking"}, None),
        ({"shop": "mobile_phone"}, None),
        ({"sport": "no"}, None),
        ({}, None),
        ({"leisure": "garden", "access": "private"}, None),
        ({"leisure": "swimming_pool", "access": "no"}, None),
    ],
)
def test_category_from_osm(tags: dict[str, str], expected: str | None) -> None:
    assert category_from_osm(tags) == expected


def test_osm_matches_lists_every_mapped_tag_in_priority_order() -> None:
    tags = {"amenity": "community_centre", "leisure": "sports_centre", "sport": "boxing"}
    assert osm_matches(tags) == [
        ("amenity=community_centre", "community_space"),
        ("leisure=sports_centre", "sport_physical_activity"),
        ("sport=boxing", "sport_physical_activity"),
    ]


def test_every_gla_type_of_the_bundled_file_is_mapped() -> None:
    types = {
        f["properties"]["source_category"]
        for f in _features(BUNDLED / "gla_cultural_infrastructure_map_inner_london.geojson.gz")
    }
    assert len(types) == 30
    assert {t: category_from_gla(t) for t in types if category_from_gla(t) is None} == {}


@pytest.mark.parametrize(
    ("cim_type", "expected"),
    [
        ("Pubs", "community_space"),
        ("Community Centres", "community_space"),
        ("Libraries", "library"),
        ("Skate Parks", "sport_physical_activity"),
        ("Outdoor Spaces for Cultural Use", "green_blue_space"),
        ("Music Venues", "arts_culture"),
        ("Makerspaces", "arts_culture"),
        ("Jewellery Design and Manufacturing", "arts_culture"),
        ("jewellery design & manufacturing", "arts_culture"),
        ("Live in Artists\u2019 Workspace", "arts_culture"),
        ("  fashion and design   manufacturing ", "arts_culture"),
        ("Car parks", None),
    ],
)
def test_category_from_gla(cim_type: str, expected: str | None) -> None:
    assert category_from_gla(cim_type) == expected


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("Sport and physical activity", "sport_physical_activity"),
        ("Physical activity", "sport_physical_activity"),
        ("Health walks", "sport_physical_activity"),
        ("Libraries", "library"),
        ("Food banks", "food"),
        ("esd:Food banks", "food"),
        ("Lunch clubs", "food"),
        ("Debt advice", "advice_support"),
        ("Welfare benefits advice", "advice_support"),
        ("Befriending", "advice_support"),
        ("Mental health", "health_care"),
        ("Mental health support", "health_care"),
        ("Sexual health clinics", "health_care"),
        ("Faith groups", "faith"),
        ("Places of worship", "faith"),
        ("Adult learning", "learning"),
        ("Education and training", "learning"),
        ("Arts and crafts", "arts_culture"),
        ("Music", "arts_culture"),
        ("Parks and open spaces", "green_blue_space"),
        ("Green spaces", "green_blue_space"),
        ("Community groups", "community_group"),
        ("Support groups", "community_group"),
        ("Community centres", "community_space"),
        ("Information and advice", "advice_support"),
        ("health_care", "health_care"),
        ("Green and blue space", "green_blue_space"),
        ("Parking permits", None),
        ("", None),
    ],
)
def test_category_from_taxonomy(term: str, expected: str | None) -> None:
    assert category_from_taxonomy(term) == expected


def test_every_bundled_row_maps_to_a_category() -> None:
    pairs: set[tuple[str, str]] = set()
    for path in sorted(BUNDLED.glob("*.geojson*")):
        for feature in _features(path):
            props = feature["properties"]
            pairs.add((props.get("category") or "", props.get("source_category") or ""))
    for path in BUNDLED.glob("*.csv"):
        with path.open(encoding="utf-8") as handle:
            pairs |= {(r["category"], "") for r in csv.DictReader(handle) if "category" in r}
    pairs.add(("", "Static Library"))  # the libraries file's `type`
    unmapped = sorted(p for p in pairs if category_from_bundled(*p) is None and p != ("", ""))
    assert unmapped == []


@pytest.mark.parametrize(
    ("category", "source_category", "expected"),
    [
        ("green_space", "Outdoor Spaces for Cultural Use", "green_blue_space"),
        ("sport_leisure", "Skate Parks", "sport_physical_activity"),
        ("arts_culture", "Music Venues", "arts_culture"),
        ("other", "Pubs", "community_space"),
        ("other", "Jewellery Design and Manufacturing", "arts_culture"),
        ("other", "amenity=nightclub", "arts_culture"),
        ("faith", "pofw:christian", "faith"),
        ("", "pofw:muslim", "faith"),
        ("", "museum: Local Histories", "arts_culture"),
        ("library", "Static Library", "library"),
        ("", "Static Local History Library", "library"),
        ("Library", "", "library"),
        ("Theatres", "", "arts_culture"),
        ("other", "", None),
        ("nonsense", "", None),
    ],
)
def test_category_from_bundled(category: str, source_category: str, expected: str | None) -> None:
    assert category_from_bundled(category, source_category) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("active", "active"),
        ("Open", "active"),
        ("listed_in_cim", "active"),
        ("open_in_2021", "active"),
        ("open_2023", "active"),
        ("mapped_in_osm_2025", "active"),
        ("Temporarily closed", "temporarily_closed"),
        ("CLOSED", "closed"),
        ("closed_2019", "closed"),
        ("planned", "developing"),
        ("In development", "developing"),
        ("maybe", None),
    ],
)
def test_status_from_text(text: str, expected: str | None) -> None:
    assert status_from_text(text) == expected
    assert expected is None or expected in STATUSES


def test_cost_and_target_group_words() -> None:
    assert [cost_from_text(t) for t in ("Free", "£0", "low cost", "Paid", "yes", "?")] == [
        "free",
        "free",
        "low",
        "paid",
        "paid",
        None,
    ]
    assert target_group_from_text("Young people") == "young_people"
    assert target_group_from_text("LGBTQ+") == "lgbtq"
    assert target_group_from_text("senior") == "older_people"
    assert target_group_from_text("dogs") is None
    assert all(target_group_from_text(g) == g for g in TARGET_GROUPS)


def test_source_info_knows_the_bundled_publishers() -> None:
    assert source_info("GLA Cultural Infrastructure Map (via x)") == (
        "gla_cim",
        "gla",
        "OGL-UK-3.0",
    )
    assert source_info("OpenStreetMap via Overpass")[:2] == ("osm", "osm")
    assert source_info("osm")[0] == "osm"
    assert source_info("Mapping Museums (Birkbeck)")[0] == "mapping_museums"
    assert source_info("my assets.csv") == ("my assets.csv", "my_assets", "")
