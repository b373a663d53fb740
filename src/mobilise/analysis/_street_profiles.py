"""What each street profile allows, and how fast (private to ``street_network``).

A profile reads an OpenStreetMap way's tags and says how fast one travels along it and against
it (km/h, 0 where it is not allowed), and reads a node's tags to say whether it stops one.
``docs/street_networks.md`` states every rule and where the speeds come from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

# Speeds, km/h. Walking 4.8 km/h (3 mph) is the speed of TfL's PTAL method and of the DfT's
# journey time statistics; cycling 15 km/h is a typical urban cruising speed (the DfT's
# statistics use 16 km/h). Steps at half walking speed, and pushing a bike at walking speed, are
# assumptions, each a key of ``speeds``.
WALK_KMH = 4.8
CYCLE_KMH = 15.0
DEFAULT_SPEEDS: dict[str, dict[str, float]] = {
    "walk": {"default": WALK_KMH, "steps": WALK_KMH / 2},
    "cycle": {"default": CYCLE_KMH, "dismount": WALK_KMH},
    "step-free": {"default": WALK_KMH},
}

NEVER = frozenset(
    {
        "proposed",
        "construction",
        "abandoned",
        "disused",
        "razed",
        "raceway",
        "bus_guideway",
        "busway",
        "corridor",
        "escape",
        "via_ferrata",
        "rest_area",
        "services",
        "emergency_bay",
    }
)
MOTORWAYS = frozenset({"motorway", "motorway_link"})
FOOT_WAYS = frozenset({"footway", "pedestrian", "path", "steps", "platform", "elevator"})
YES = frozenset({"yes", "designated", "permissive", "official", "destination"})
NO = frozenset({"no", "private", "use_sidepath", "discouraged_no"})
# Barriers across a way that nobody passes, and those that stop a wheelchair, a buggy or a bike.
WALLS = frozenset({"wall", "fence", "hedge", "retaining_wall", "city_wall"})
STOP_BIKES = WALLS | {"stile", "turnstile", "full-height_turnstile", "kissing_gate", "step"}
STOP_BUGGIES = STOP_BIKES | {"motorcycle_barrier", "log", "horse_stile", "sally_port"}
# The steepest ramp for a wheelchair user: 1:12 (Approved Document M).
STEEPEST_PERCENT = 100 / 12
_INCLINE = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*(%|°)?\s*$")


def speeds_for(profile: str, speeds: Mapping[str, float] | None) -> dict[str, float]:
    chosen = dict(DEFAULT_SPEEDS[profile])
    chosen.update(speeds or {})
    return chosen


def _mode_allowed(tags: Mapping[str, str], mode: str) -> bool | None:
    """True, False, or None where the tags leave it to the highway type."""
    value = tags.get(mode)
    if value in YES:
        return True
    if value in NO:
        return False
    if tags.get("access") in NO | {"agricultural", "forestry", "delivery"}:
        return False
    return None


def _direction(tags: Mapping[str, str], key: str) -> int:
    """+1 one way along the way, -1 against it, 0 both ways."""
    value = tags.get(key)
    if value in ("yes", "true", "1"):
        return 1
    if value in ("-1", "reverse"):
        return -1
    return 0


def _too_steep(incline: str | None) -> bool:
    match = _INCLINE.match(incline or "")
    if not match:
        return False  # "up", "down" or nothing: no gradient to judge
    value = abs(float(match.group(1)))
    if match.group(2) == "°":
        value = math.tan(math.radians(value)) * 100
    return value > STEEPEST_PERCENT


def walk_speed(tags: Mapping[str, str], speeds: Mapping[str, float]) -> float:
    highway = tags.get("highway", "")
    allowed = _mode_allowed(tags, "foot")
    if highway in NEVER or allowed is False or (highway in MOTORWAYS and allowed is not True):
        return 0.0
    if highway == "steps":
        return speeds.get("steps", speeds["default"])
    return speeds.get(highway, speeds["default"])


def step_free_speed(tags: Mapping[str, str], speeds: Mapping[str, float]) -> float:
    if (
        tags.get("highway") == "steps"
        or tags.get("wheelchair") == "no"
        or tags.get("kerb") == "raised"
        or tags.get("step_count", "0").strip() not in ("", "0")
        or _too_steep(tags.get("incline"))
    ):
        return 0.0
    return walk_speed(tags, speeds)


def cycle_speed(tags: Mapping[str, str], speeds: Mapping[str, float]) -> float:
    highway = tags.get("highway", "")
    allowed = _mode_allowed(tags, "bicycle")
    if highway in NEVER | MOTORWAYS | {"steps", "elevator"} or allowed is False:
        return 0.0
    if highway in FOOT_WAYS and allowed is not True:
        return speeds.get("dismount", WALK_KMH)  # walk the bike where cycling is not allowed
    return speeds.get(highway, speeds["default"])


def directions(tags: Mapping[str, str], profile: str) -> int:
    """Which way one may travel: +1 along, -1 against, 0 both."""
    if profile != "cycle":
        return _direction(tags, "oneway:foot")  # people walk both ways down a one-way street
    if tags.get("oneway:bicycle") == "no" or tags.get("cycleway", "").startswith("opposite"):
        return 0
    if "oneway:bicycle" in tags:
        return _direction(tags, "oneway:bicycle")
    one_way = _direction(tags, "oneway")
    if (
        not one_way
        and tags.get("oneway") != "no"
        and tags.get("junction")
        in (
            "roundabout",
            "circular",
        )
    ):
        return 1
    return one_way


def node_stops(tags: Mapping[str, str], profile: str) -> bool:
    """Whether a node (a barrier, a kerb) stops travel through it."""
    barrier = tags.get("barrier", "")
    mode = "bicycle" if profile == "cycle" else "foot"
    allowed = _mode_allowed(tags, mode)
    if profile == "cycle":
        return barrier in STOP_BIKES and allowed is not True
    if allowed is False or (barrier in WALLS and allowed is not True):
        return True
    if profile == "step-free":
        return (
            barrier in STOP_BUGGIES
            or tags.get("kerb") == "raised"
            or tags.get("wheelchair") == "no"
            or tags.get("highway") == "steps"
        )
    return False


SPEED_OF = {"walk": walk_speed, "cycle": cycle_speed, "step-free": step_free_speed}
