"""The consortium's partners and survey rounds: JSON API, survey management, the roster survey."""

from __future__ import annotations

from fastapi import APIRouter

api = APIRouter(prefix="/api/v1", tags=["partners"])
pages = APIRouter(include_in_schema=False)
