"""Who may do what: the roles of a workspace's users."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["EDITOR_ROLES", "IDENTITY_ROLES", "ROLES", "Role"]

Role = Literal["admin", "analyst", "facilitator", "partner", "viewer", "data_controller"]
ROLES: tuple[str, ...] = get_args(Role)
EDITOR_ROLES: tuple[str, ...] = ("admin", "analyst", "facilitator")
"""The roles that edit the workspace's records (assets, maps, partners, rounds)."""
IDENTITY_ROLES: tuple[str, ...] = ("admin", "data_controller")
"""The roles that read participants' identities (names, contact details, full postcodes).

The data controller is the person the project's ethics approval names as responsible for
participants' personal data: they read and erase identities, and otherwise see what a viewer
sees. Everyone else works with pseudonyms only."""
