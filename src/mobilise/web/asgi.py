"""The app for ASGI servers that start it themselves (``uvicorn --factory``, several workers).

``mobilise serve --workers N`` uses it; the settings come from the MOBILISE_* environment.
"""

from __future__ import annotations

from fastapi import FastAPI

from mobilise.settings import load_settings
from mobilise.web.app import create_app


def app_from_environment() -> FastAPI:
    """A new app from the environment's settings (one per worker process)."""
    return create_app(load_settings())
