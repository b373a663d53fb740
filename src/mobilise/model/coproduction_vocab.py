"""Co-production, part 2: the vocabularies of World Café harvests, what a contribution may be
about, "you said, we did" actions and the channels feedback goes through."""

from __future__ import annotations

__all__ = [
    "ACTION_STATUSES",
    "FEEDBACK_CHANNELS",
    "HARVESTS",
    "LINK_TARGETS",
]

HARVESTS: dict[str, str] = {
    "table": "A table's harvest in one round",
    "plenary": "The closing plenary's harvest",
}
LINK_TARGETS: dict[str, str] = {
    "asset": "A community asset",
    "area": "A small area (LSOA)",
    "factor": "A factor of a systems map",
    "partner": "A partner of the consortium",
}
ACTION_STATUSES: dict[str, str] = {
    "planned": "Planned",
    "in_progress": "Under way",
    "done": "Done",
    "dropped": "Not going ahead",
}
FEEDBACK_CHANNELS: dict[str, str] = {
    "event": "At an event",
    "newsletter": "In a newsletter",
    "web": "On a web page",
    "social": "On social media",
    "letter": "By letter or leaflet",
    "other": "Another way",
}
