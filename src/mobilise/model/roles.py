"""Who may do what: the roles of a workspace's users."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["EDITOR_ROLES", "ROLES", "Role"]

Role = Literal["admin", "analyst", "facilitator", "partner", "viewer"]
ROLES: tuple[str, ...] = get_args(Role)
EDITOR_ROLES: tuple[str, ...] = ("admin", "analyst", "facilitator")
"""The roles that edit the workspace's records (assets, maps, partners, rounds)."""
