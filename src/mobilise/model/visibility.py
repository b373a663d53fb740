"""Who may see a systems map or a survey round: its visibility, and who is asking.

A map and a round each carry one of :data:`VISIBILITIES`:

- ``group``: a map is seen by the people building it (its participants, bound to their
  accounts), the user who made it, and the consortium's staff (admins, analysts and
  facilitators: :data:`~mobilise.model.roles.EDITOR_ROLES`); a round by the staff only.
- ``consortium`` (the default): every signed-in user.
- ``link``: every signed-in user, and anyone with the share link, read-only (a map's workshop
  screen; a round's measures, disclosure-controlled and without personal details).

What is not visible to someone does not exist for them: the web answers 404, not 403, so that
its existence does not leak. The command line and Python work on the workspace itself, as its
operator, and see everything (``mobilise maps list --as USER`` shows what a user would see).
"""

from __future__ import annotations

from typing import Protocol

from mobilise.model.roles import EDITOR_ROLES

__all__ = [
    "DEFAULT_VISIBILITY",
    "MAP_VISIBILITIES",
    "ROUND_VISIBILITIES",
    "VISIBILITIES",
    "Viewer",
    "sees_every_group",
]

VISIBILITIES = ("group", "consortium", "link")
DEFAULT_VISIBILITY = "consortium"

MAP_VISIBILITIES: dict[str, str] = {
    "group": "its participants, the person who made it and the consortium's staff",
    "consortium": "everyone signed in",
    "link": "everyone signed in, and anyone with its read-only share link",
}
ROUND_VISIBILITIES: dict[str, str] = {
    "group": "the consortium's staff (admins, analysts, facilitators)",
    "consortium": "everyone signed in",
    "link": "everyone signed in, and anyone with its share link (measures only, "
    "disclosure-controlled)",
}


class Viewer(Protocol):
    """Who is asking: a signed-in user (``mobilise.workspace.users.User`` is one)."""

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...


def sees_every_group(viewer: Viewer | None) -> bool:
    """Whether ``viewer`` sees every map and round whatever its visibility: the operator
    (``None``: the command line, Python) and the staff roles."""
    return viewer is None or viewer.role in EDITOR_ROLES
