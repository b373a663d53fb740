"""The web face: HTML pages, the JSON API under /api/v1. ``app.py`` only assembles them."""
