"""What residents may send about community assets: the kinds of contribution, their statuses and
the limits of each field.

Shared by the workspace's contribution service (which checks what is sent) and the public forms
(which say the limits before anything is sent).
"""

from __future__ import annotations

__all__ = [
    "CORRECTABLE",
    "DEFAULT_SUGGESTIONS_PER_HOUR",
    "KINDS",
    "MAX_CONTACT",
    "MAX_NAME",
    "MAX_NOTE",
    "MAX_PHOTO_BYTES",
    "MAX_STORY_CHARS",
    "NEW_ASSET_FIELDS",
    "STATUSES_OF_CONTRIBUTIONS",
]

KINDS = ("new_asset", "correction", "story")
"""A new asset, a correction of one, or "what this place means to me"."""

STATUSES_OF_CONTRIBUTIONS = ("pending", "accepted", "rejected")

DEFAULT_SUGGESTIONS_PER_HOUR = 10
"""How many contributions one sender may make in an hour, unless the settings say otherwise."""

MAX_STORY_CHARS = 2000
MAX_PHOTO_BYTES = 2 * 1024 * 1024

CORRECTABLE: dict[str, int] = {
    "name": 300,
    "description": 4000,
    "status": 30,
    "address": 500,
    "postcode": 8,
    "url": 500,
    "phone": 60,
    "email": 300,
}
"""Field -> longest value accepted. Corrections may touch only these asset fields."""

NEW_ASSET_FIELDS: dict[str, int] = {
    "name": 300,
    "category": 40,
    "address": 500,
    "postcode": 8,
    "description": 4000,
    "url": 500,
}
"""Field -> longest value accepted, of a suggested new asset."""

MAX_NAME = 120
"""The longest name a sender may give."""
MAX_CONTACT = 300
MAX_NOTE = 2000
