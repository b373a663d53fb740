"""The partnership network: measures, drawing, round comparison, partner profiles and map."""

from __future__ import annotations

from fastapi import APIRouter

api = APIRouter(prefix="/api/v1", tags=["network"])
pages = APIRouter(include_in_schema=False)
